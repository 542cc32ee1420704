using Microsoft.Extensions.Configuration;
using Npgsql;
using Vorgang.Api.Hosting;
using Xunit;

namespace Vorgang.Tests.Infrastructure;

public sealed class EmbeddedPostgresTests : IDisposable
{
    private readonly string _root = TestDatabase.CreateTempDirectory("embedded");

    private string DataDirectory => Path.Combine(_root, "pgdata");

    public void Dispose() => TestDatabase.DeleteDirectory(_root);

    [Fact]
    public void LocateBinaries_finds_the_server_binaries_on_this_machine()
    {
        var bin = EmbeddedPostgres.LocateBinaries();

        Assert.NotNull(bin);
        Assert.True(File.Exists(Path.Combine(bin, "initdb")), $"no initdb in {bin}");
        Assert.True(File.Exists(Path.Combine(bin, "pg_ctl")), $"no pg_ctl in {bin}");
        Assert.True(File.Exists(Path.Combine(bin, "postgres")), $"no postgres in {bin}");
    }

    [Fact]
    public async Task A_cluster_accepts_connections_and_keeps_its_data_across_a_restart()
    {
        var first = await EmbeddedPostgres.StartAsync(DataDirectory, "restart_test");
        try
        {
            Assert.Equal(1, await ScalarAsync<int>(first.ConnectionString, "select 1"));
            await ExecuteAsync(first.ConnectionString, "create table survivor (name text); insert into survivor values ('still here')");
        }
        finally
        {
            await first.StopAsync();
        }
        await first.StopAsync(); // idempotent
        Assert.False(File.Exists(Path.Combine(DataDirectory, "postmaster.pid")));

        await using var second = await EmbeddedPostgres.StartAsync(DataDirectory, "restart_test");
        Assert.Equal("still here", await ScalarAsync<string>(second.ConnectionString, "select name from survivor"));
        Assert.Contains("Database=restart_test", second.ConnectionString);
    }

    [Fact]
    public async Task A_server_left_running_by_a_previous_run_is_reused()
    {
        var abandoned = await EmbeddedPostgres.StartAsync(DataDirectory);

        await using var next = await EmbeddedPostgres.StartAsync(DataDirectory);

        Assert.Equal(abandoned.Port, next.Port);
        Assert.Equal(1, await ScalarAsync<int>(next.ConnectionString, "select 1"));
        await next.StopAsync();
        await abandoned.StopAsync(); // already stopped through the other handle: must not throw
    }

    [Fact]
    public async Task A_stale_postmaster_pid_from_a_killed_run_does_not_block_the_start()
    {
        await (await EmbeddedPostgres.StartAsync(DataDirectory)).StopAsync();
        // Our own pid is alive but no postgres: the server itself would refuse to start over such a lock file.
        await File.WriteAllLinesAsync(Path.Combine(DataDirectory, "postmaster.pid"),
            [Environment.ProcessId.ToString(), DataDirectory, "1700000000", "54321", DataDirectory, "127.0.0.1", "0 0", "ready   "]);

        await using var server = await EmbeddedPostgres.StartAsync(DataDirectory);

        Assert.Equal(1, await ScalarAsync<int>(server.ConnectionString, "select 1"));
    }

    [Fact]
    public async Task The_shared_test_database_answers()
    {
        var connectionString = await TestDatabase.ConnectionStringAsync();

        Assert.Equal(1, await ScalarAsync<int>(connectionString, "select 1"));
        Assert.Same(TestDatabase.ConnectionStringAsync(), TestDatabase.ConnectionStringAsync());
    }

    [Fact]
    public async Task DatabaseBootstrap_prefers_a_configured_connection_string()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Marten"] = "Host=db;Database=x" })
            .Build();

        var (connectionString, embedded) = await DatabaseBootstrap.ResolveAsync(configuration);

        Assert.Equal("Host=db;Database=x", connectionString);
        Assert.Null(embedded);
    }

    [Fact]
    public async Task DatabaseBootstrap_starts_an_embedded_server_in_the_configured_folder()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Vorgang:DataDirectory"] = DataDirectory })
            .Build();

        var (connectionString, embedded) = await DatabaseBootstrap.ResolveAsync(configuration);
        await using var _ = embedded;

        Assert.NotNull(embedded);
        Assert.Equal(DataDirectory, embedded.DataDirectory);
        Assert.Equal(embedded.ConnectionString, connectionString);
        Assert.Equal("vorgang", await ScalarAsync<string>(connectionString, "select current_database()"));
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
