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
    /// Defaults for the engine's connections, each added only where the connection string does not set it itself:
    /// <list type="bullet">
    /// <item>Connecting, and waiting for a free pooled connection, gives up after 5 s rather than Npgsql's 15 s (<c>Timeout</c>):
    /// Marten tries each command up to four times, so a database host that does not answer would otherwise hold a request for a minute.</item>
    /// <item>A connection going back to the pool is not reset (<c>No Reset On Close</c>): the engine leaves no session state behind,
    /// and the reset (<c>DISCARD ALL</c>) also threw away every plan PostgreSQL had cached for the connection, among them those
    /// inside Marten's append function, which then had to be planned again for every submission.</item>
    /// <item>Statements used more than once are prepared on the server and kept per connection (<c>Max Auto Prepare</c>,
    /// <c>Auto Prepare Min Usages</c>): PostgreSQL parses and plans them once instead of on every request. Behind a pooler in
    /// transaction mode that does not track prepared statements, set <c>Max Auto Prepare=0</c>.</item>
    /// </list>
    /// Together the last two made submissions in the benchmark nearly twice as fast (docs/benchmarks.md).
    /// </summary>
    public static string WithConnectionDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // Keys holds only what the string sets (by canonical name, whatever spelling was used).
        var set = builder.Keys.Cast<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var changed = false;
        void Default(string key, Action apply)
        {
            if (set.Contains(key)) return;
            apply();
            changed = true;
        }
        Default(nameof(NpgsqlConnectionStringBuilder.Timeout), () => builder.Timeout = 5);
        Default("No Reset On Close", () => builder.NoResetOnClose = true);
        Default("Max Auto Prepare", () => builder.MaxAutoPrepare = 128);
        Default("Auto Prepare Min Usages", () => builder.AutoPrepareMinUsages = 2);
        return changed ? builder.ConnectionString : connectionString;
    }
}
