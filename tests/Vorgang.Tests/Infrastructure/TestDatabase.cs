using System.Diagnostics;
using Npgsql;
using Vorgang.Api.Hosting;

namespace Vorgang.Tests.Infrastructure;

/// <summary>
/// One PostgreSQL for the whole test run: the one named by VORGANG_TEST_CONNECTION_STRING, or else a throwaway
/// embedded cluster that is started on first use and stopped and deleted when the test process exits.
/// </summary>
public static class TestDatabase
{
    public const string ConnectionStringVariable = "VORGANG_TEST_CONNECTION_STRING";
    private const string TempPrefix = "vorgang-test-";

    private static readonly Lazy<Task<string>> Instance = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    public static Task<string> ConnectionStringAsync() => Instance.Value;

    /// <summary>
    /// A fresh, empty database on the test server, for engines that must not share Marten's or Wolverine's tables with
    /// the shared test host (their own nodes, timers, counters).
    /// </summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var shared = await ConnectionStringAsync();
        var name = $"{prefix}_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(shared))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(shared) { Database = name }.ConnectionString;
    }

    /// <summary>A fresh, empty folder under /tmp that the `postgres` system user can traverse.</summary>
    public static string CreateTempDirectory(string purpose)
    {
        // The owner's pid in the name lets a later run recognise and remove what a killed run left behind.
        var path = Path.Combine("/tmp", $"{TempPrefix}{purpose}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                                       UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
        return path;
    }

    public static void DeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Leftovers in /tmp are harmless; failing the run for them is not worth it.
        }
    }

    private static async Task<string> StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(configured)) return configured;

        await RemoveLeftoversOfKilledRunsAsync();

        var root = CreateTempDirectory("db");
        var dataDirectory = Path.Combine(root, "pgdata");
        EmbeddedPostgres? server = null;
        try
        {
            server = await EmbeddedPostgres.StartAsync(dataDirectory);

            // A throwaway cluster needs no durability, and test hosts in parallel open many connections.
            await using (var conn = new NpgsqlConnection(server.ConnectionString))
            {
                await conn.OpenAsync();
                foreach (var setting in new[] { "fsync = off", "synchronous_commit = off", "full_page_writes = off", "max_connections = 300" })
                {
                    await using var cmd = new NpgsqlCommand($"alter system set {setting}", conn);
                    await cmd.ExecuteNonQueryAsync();
                }
            }
            await server.StopAsync();
            server = await EmbeddedPostgres.StartAsync(dataDirectory);
        }
        catch
        {
            if (server is not null) await server.StopAsync();
            DeleteDirectory(root);
            throw;
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAndDeleteDetached(dataDirectory, root);
        return server.ConnectionString;
    }

    /// <summary>
    /// The test platform kills the test host about 100 ms after ProcessExit begins: too short to wait for the
    /// server to stop. So a detached shell, which outlives us, stops it and then deletes the folder.
    /// </summary>
    private static void StopAndDeleteDetached(string dataDirectory, string root)
    {
        var bin = EmbeddedPostgres.LocateBinaries();
        if (bin is null) return;

        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = "/" };
        foreach (var arg in new[]
                 {
                     "-c", """data=$1; root=$2; shift 2; ( "$@" stop -D "$data" -m fast -w -t 60; rm -rf "$root" ) </dev/null >/dev/null 2>&1 &""",
                     "sh", dataDirectory, root,
                 })
        {
            psi.ArgumentList.Add(arg);
        }
        if (Environment.IsPrivilegedProcess)
        {
            foreach (var arg in new[] { "runuser", "-u", "postgres", "--" }) psi.ArgumentList.Add(arg);
        }
        psi.ArgumentList.Add(Path.Combine(bin, "pg_ctl"));

        try
        {
            using var shell = Process.Start(psi);
            shell?.WaitForExit(1000);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"Could not stop the test PostgreSQL in {dataDirectory}: {e.Message}");
        }
    }

    /// <summary>A test run that was killed (Ctrl+C, crash) leaves its server running and its folder behind.</summary>
    private static async Task RemoveLeftoversOfKilledRunsAsync()
    {
        if (!Directory.Exists("/proc/self") || !Directory.Exists("/tmp")) return;

        foreach (var root in Directory.GetDirectories("/tmp", TempPrefix + "*"))
        {
            var parts = Path.GetFileName(root).Split('-');
            if (parts.Length < 2 || !int.TryParse(parts[^2], out var owner) || Directory.Exists($"/proc/{owner}")) continue;

            foreach (var dataDirectory in Directory.GetDirectories(root))
            {
                if (!File.Exists(Path.Combine(dataDirectory, "postmaster.pid"))) continue;
                try
                {
                    // Adopts the server if it still runs (or clears its stale lock files), then stops it properly.
                    await (await EmbeddedPostgres.StartAsync(dataDirectory)).StopAsync();
                }
                catch (EmbeddedPostgresException e)
                {
                    Console.Error.WriteLine($"Could not stop a leftover test PostgreSQL in {dataDirectory}: {e.Message}");
                }
            }
            DeleteDirectory(root);
        }
    }
}
