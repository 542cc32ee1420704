using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vorgang.Tests.Infrastructure;
using Wolverine;

namespace Vorgang.Tests.Security;

/// <summary>Engines of their own for tests that need other settings than the shared host, each set on a database of its own.</summary>
public static class EngineHosts
{
    /// <summary>A fresh database on the test server, so that these engines never share Wolverine's tables with the shared host.</summary>
    public static async Task<string> OwnDatabaseAsync(string prefix)
    {
        var shared = await TestDatabase.ConnectionStringAsync();
        var name = $"{prefix}_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(shared))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(shared) { Database = name }.ConnectionString;
    }

    public static Task<IAlbaHost> StartAsync(string connectionString, TimeProvider clock, IReadOnlyDictionary<string, string>? settings = null) =>
        AlbaHost.For<Program>(x =>
        {
            x.UseSetting("ConnectionStrings:Marten", connectionString);
            x.UseSetting("Vorgang:Auth:DevelopmentKey", AppFixture.DevelopmentKey);
            x.UseSetting("Vorgang:TrackingCodeSecret", "test-tracking-secret");
            foreach (var (key, value) in settings ?? new Dictionary<string, string>()) x.UseSetting(key, value);
            x.ConfigureServices(services =>
            {
                services.DisableAllExternalWolverineTransports();
                services.RunWolverineInSoloMode();
                services.MartenDaemonModeIsSolo();
                services.AddSingleton(clock);
            });
        });
}
