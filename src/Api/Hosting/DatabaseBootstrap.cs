using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Vorgang.Api.Hosting;

/// <summary>
/// Decides at start-up where the event store lives: the configured PostgreSQL, or else an embedded one so that
/// the engine runs out of the box on a machine with the PostgreSQL binaries installed.
/// </summary>
public static class DatabaseBootstrap
{
    public const string ConnectionStringKey = "ConnectionStrings:Marten";
    public const string DataDirectoryKey = "Vorgang:DataDirectory";

    /// <returns>The connection string, and the embedded server if one was started (the caller stops it on shutdown).</returns>
    public static async Task<(string ConnectionString, EmbeddedPostgres? Embedded)> ResolveAsync(
        IConfiguration configuration, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        var configured = configuration[ConnectionStringKey];
        if (!string.IsNullOrWhiteSpace(configured)) return (configured, null);

        var configuredDirectory = configuration[DataDirectoryKey];
        var dataDirectory = Path.GetFullPath(string.IsNullOrWhiteSpace(configuredDirectory)
            ? Path.Combine(Directory.GetCurrentDirectory(), ".vorgang", "pgdata")
            : configuredDirectory);

        var embedded = await EmbeddedPostgres.StartAsync(dataDirectory, ct: ct);
        Console.WriteLine(
            $"Vorgang: no {ConnectionStringKey} configured; using an embedded PostgreSQL with its data in {embedded.DataDirectory} " +
            $"({embedded.ConnectionString}). Set {DataDirectoryKey} to move it.");
        return (embedded.ConnectionString, embedded);
    }

    /// <summary>
    /// Connecting, and waiting for a free pooled connection, gives up after 5 s rather than Npgsql's 15 s: Marten tries
    /// each command up to four times, so a database host that does not answer would otherwise hold a request for a minute.
    /// Whatever the connection string sets itself is kept.
    /// </summary>
    public static string WithConnectionDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // Keys holds only what the string sets (by canonical name, whatever spelling was used).
        var set = builder.Keys.Cast<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (set.Contains(nameof(NpgsqlConnectionStringBuilder.Timeout))) return connectionString;
        builder.Timeout = 5;
        return builder.ConnectionString;
    }
}
