using Vorgang.Workflows.Audit;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JasperFx.Events.Daemon;
using Marten;
using Npgsql;
using Vorgang.Api.Hosting;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Benchmarks;

public static class Tuning
{
    /// <summary>Settings a city would give a database server on this machine; the same for pgbench and the engine.</summary>
    public static async Task ApplyAsync(EmbeddedPostgres pg)
    {
        await using var connection = new NpgsqlConnection(pg.ConnectionString);
        await connection.OpenAsync();
        foreach (var setting in new[]
                 {
                     "shared_buffers = '2GB'", "effective_cache_size = '8GB'", "work_mem = '32MB'", "maintenance_work_mem = '512MB'",
                     "max_connections = 300", "wal_buffers = '64MB'", "max_wal_size = '8GB'", "checkpoint_timeout = '15min'",
                 })
        {
            await using var command = new NpgsqlCommand($"alter system set {setting}", connection);
            await command.ExecuteNonQueryAsync();
        }
        await connection.CloseAsync();
        await pg.StopAsync();
    }
}

public static class Machine
{
    public static async Task<string> DescribeAsync(string connectionString)
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        var memKb = long.Parse(Regex.Match(File.ReadAllText("/proc/meminfo"), @"MemTotal:\s+(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("show server_version", connection);
        var version = await command.ExecuteScalarAsync();
        return $"{Environment.ProcessorCount} cores ({cpu}), {memKb / 1024 / 1024} GiB, PostgreSQL {version}, .NET {Environment.Version}";
    }
}

public static class Pgbench
{
    /// <summary>
    /// Initialises pgbench's tables (scale 20) and runs TPC-B once per client count, then select-only (<c>-S</c>: one
    /// primary-key read per transaction) with <paramref name="selectOnlyClients"/> clients.
    /// </summary>
    public static async Task<PgbenchResult> RunAsync(EmbeddedPostgres pg, int seconds, int selectOnlyClients, params int[] clientCounts)
    {
        var binaries = EmbeddedPostgres.LocateBinaries() ?? throw new InvalidOperationException("pgbench not found");
        var pgbench = Path.Combine(binaries, "pgbench");
        await using (var connection = new NpgsqlConnection(pg.ConnectionString))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand("drop database if exists pgbench", connection);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand("create database pgbench", connection);
            await create.ExecuteNonQueryAsync();
        }
        string[] common = ["-h", "127.0.0.1", "-p", pg.Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres"];
        var init = await Shell.RunAsync(pgbench, [.. common, "-i", "-q", "-s", "20", "pgbench"]);
        if (init.Exit != 0) throw new InvalidOperationException("pgbench -i failed: " + init.Err);
        var meter = new CpuMeter(0, CpuMeter.Postmaster(pg.DataDirectory));
        var others = new Dictionary<string, double>();
        async Task<double> Run(string name, int clients, params string[] mode)
        {
            await Checkpoints.ForceAsync(pg.ConnectionString);
            string[] arguments = [.. common, .. mode, "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", "2",
                "-T", seconds.ToString(CultureInfo.InvariantCulture), "-M", "prepared", "pgbench"];
            var before = meter.Snapshot();
            // pgbench has exited by the second snapshot: the shell's `times` reports its CPU.
            var run = await Shell.RunAsync("bash", ["-c", $"'{pgbench}' {string.Join(' ', arguments.Select(a => $"'{a}'"))} && times"]);
            var after = meter.Snapshot();
            if (run.Exit != 0) throw new InvalidOperationException("pgbench failed: " + run.Err);
            after["wrk"] = before["wrk"] + CpuMeter.ChildrenTicks(run.Out);
            var match = Regex.Match(run.Out, @"tps = ([\d.]+) \(without initial connection time\)");
            others[name] = CpuMeter.PerRequest(before, after, 1).OtherCores;
            return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        }
        var tps = new Dictionary<int, double>();
        foreach (var clients in clientCounts) tps[clients] = await Run($"TPC-B, {clients} clients", clients);
        var selectOnly = await Run($"select-only, {selectOnlyClients} clients", selectOnlyClients, "-S");
        // Its tables are done with: autovacuum cleaning up after TPC-B's updates must not run during the engine's figures.
        await using (var connection = new NpgsqlConnection(pg.ConnectionString))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand("drop database pgbench with (force)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        return new PgbenchResult(tps, selectOnlyClients, selectOnly) { OtherCores = others };
    }
}

/// <param name="TpcB">TPC-B tps by number of clients.</param>
/// <param name="SelectOnlyTps">Select-only (<c>-S</c>) tps with <paramref name="SelectOnlyClients"/> clients.</param>
public sealed record PgbenchResult(Dictionary<int, double> TpcB, int SelectOnlyClients, double SelectOnlyTps)
{
    /// <summary>Cores the rest of the machine used during each run (see <see cref="CpuUse.OtherCores"/>), by run.</summary>
    public IReadOnlyDictionary<string, double> OtherCores { get; init; } = new Dictionary<string, double>();
}

public sealed record SeedResult(int Cases, long Events, int Open, double Seconds, bool Reused, string BiggestTeam, int BiggestTeamOpen,
    IReadOnlyList<string> OpenCaseNumbers, string LongCaseNumber)
{
    /// <summary>CPU per event while the city was seeded: the benchmark's process (generating, appending) and PostgreSQL; the rest of the machine's cores.</summary>
    public CpuUse? Cpu { get; init; }
}

public sealed record RebuildResult(long Events, double Seconds)
{
    public double EventsPerSecond => Events / Seconds;

    /// <summary>CPU per event during the rebuild: the benchmark's process (the projection daemon) and PostgreSQL; the rest of the machine's cores.</summary>
    public CpuUse? Cpu { get; init; }
}

public static class Seeder
{
    public const string LongCase = "2026-999999";
    private const int BatchSize = 500;

    private static DocumentStore Store(string connectionString, DefinitionCatalog catalog, bool readModels) =>
        Store(connectionString, catalog, readModels, out _);

    private static DocumentStore Store(string connectionString, DefinitionCatalog catalog, bool readModels, out StoreOptions configured)
    {
        // The engine's own connection settings (prepared statements, no reset on return), as `projections rebuild` has them.
        var dataSource = new NpgsqlDataSourceBuilder(DatabaseBootstrap.WithConnectionDefaults(connectionString)).Build();
        StoreOptions? captured = null;
        var store = DocumentStore.For(options =>
        {
            VorgangSetup.ConfigureStore(options, dataSource, catalog, readModels);
            captured = options;
        });
        configured = captured!;
        return store;
    }

    /// <summary>Seeded cases are chained and stamped as the engine's writer stamps them; the engine's store refuses anything else (decision 29).</summary>
    private static CaseStamp SeedStamp(object submitted) =>
        submitted is CaseSubmitted e ? new($"{e.ServiceId}@v{e.DefinitionVersion}", "benchmark-seed", "benchmark-seed")
            : throw new InvalidOperationException("A case starts with case_submitted.");

    public static async Task<SeedResult> SeedAsync(string connectionString, DefinitionCatalog catalog, int cases, bool fresh)
    {
        // A city seeded by an earlier version may need its tables changed (a column filled, an index built over a million
        // rows): longer than a command's default 30 s.
        await using var store = Store(new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0 }.ConnectionString, catalog, readModels: true);
        var migration = Stopwatch.StartNew();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        Console.WriteLine($"Schema brought up to date in {migration.Elapsed.TotalSeconds:N1} s");
        var existing = await CountStreamsAsync(connectionString);
        // Submissions of earlier runs only add cases: a city at least this big is reused as it is.
        var reused = !fresh && existing >= cases + 1;
        var watch = Stopwatch.StartNew();
        if (!reused)
        {
            Console.WriteLine($"Seeding {cases:N0} cases (found {existing:N0})…");
            await store.Advanced.ResetAllData();
            await using var writer = Store(connectionString, catalog, readModels: false);
            var counters = new Dictionary<int, int>();
            var now = DateTimeOffset.UtcNow;
            var workers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
            {
                var generator = new CityGenerator(catalog, seed: 1000 + w);
                var random = new Random(2000 + w);
                for (var start = w * BatchSize; start < cases; start += 2 * BatchSize)
                {
                    await using var session = writer.LightweightSession();
                    for (var i = start; i < Math.Min(start + BatchSize, cases); i++)
                    {
                        var open = random.NextDouble() < 0.10;
                        var submittedAt = open ? now.AddDays(-random.Next(0, 60)).AddMinutes(-random.Next(0, 1440))
                                               : now.AddDays(-random.Next(60, 730)).AddMinutes(-random.Next(0, 1440));
                        int number;
                        lock (counters) number = counters[submittedAt.Year] = counters.GetValueOrDefault(submittedAt.Year) + 1;
                        var generated = generator.Next(CaseNumbers.Format(submittedAt.Year, number), submittedAt, open);
                        CaseChain.StartStream(session, generated.CaseNumber, SeedStamp(generated.Events[0]), generated.Events.ToArray());
                    }
                    await session.SaveChangesAsync();
                    if ((start / BatchSize) % 100 == w) Console.WriteLine($"  {start + BatchSize:N0} cases, {watch.Elapsed.TotalSeconds:N0} s");
                }
            })).ToList();
            await Task.WhenAll(workers);
            await using (var session = writer.LightweightSession())
            {
                var generator = new CityGenerator(catalog, seed: 7);
                var longCase = generator.Long(LongCase, now.AddDays(-20), 200);
                CaseChain.StartStream(session, LongCase, SeedStamp(longCase.Events[0]), longCase.Events.ToArray());
                await session.SaveChangesAsync();
            }
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            foreach (var (year, last) in counters)
            {
                // New submissions continue after the seeded numbers of their year.
                var sequence = CaseNumbers.SequenceName(VorgangSetup.Schema, year);
                await using var command = new NpgsqlCommand(
                    $"create sequence if not exists {sequence} minvalue 1 start 1; select setval('{sequence}', {Math.Max(last, 999999)})", connection);
                await command.ExecuteNonQueryAsync();
            }
        }
        var seconds = watch.Elapsed.TotalSeconds;
        var events = await CountEventsAsync(connectionString);
        return new SeedResult(cases, events, 0, seconds, reused, "", 0, [], LongCase);
    }

    /// <summary>Rebuilds every projection from the event log and measures events per second.</summary>
    public static async Task<RebuildResult> RebuildAsync(string connectionString, DefinitionCatalog catalog, bool sequential = false)
    {
        await using var store = Store(connectionString, catalog, readModels: true, out var configured);
        var events = await CountEventsAsync(connectionString);
        using var daemon = await store.BuildProjectionDaemonAsync();
        var watch = Stopwatch.StartNew();
        async Task Rebuild(string name)
        {
            var started = watch.Elapsed;
            Console.WriteLine($"Rebuilding {name}…");
            await daemon.RebuildProjectionAsync(name, TimeSpan.FromMinutes(60), CancellationToken.None);
            Console.WriteLine($"  {name}: {(watch.Elapsed - started).TotalSeconds:N1} s");
        }
        var names = configured.Projections.All.Select(p => p.Name).ToList();
        if (sequential)
            foreach (var name in names) await Rebuild(name);
        else
            // As `projections rebuild` does: every read model at once, each reading the log in its own batches.
            await Task.WhenAll(names.Select(Rebuild));
        return new RebuildResult(events, watch.Elapsed.TotalSeconds);
    }

    public static async Task<IReadOnlyList<string>> AsyncShardsAsync(string connectionString, DefinitionCatalog catalog)
    {
        await using var store = Store(connectionString, catalog, readModels: true);
        return store.Advanced.AllAsyncProjectionShardNames().Select(s => s.Identity).ToList();
    }

    public static async Task<SeedResult> DescribeAsync(string connectionString, SeedResult seeded)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var teams = new NpgsqlCommand(
            $"select team, count(*)::int from {VorgangSetup.Schema}.mt_doc_queueitem where is_open group by team order by 2 desc limit 1", connection);
        string team;
        int teamOpen;
        await using (var reader = await teams.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            (team, teamOpen) = (reader.GetString(0), reader.GetInt32(1));
        }
        await using var open = new NpgsqlCommand($"select count(*)::int from {VorgangSetup.Schema}.mt_doc_queueitem where is_open", connection);
        var openCount = (int)(await open.ExecuteScalarAsync())!;
        var numbers = new List<string>();
        await using var sample = new NpgsqlCommand(
            // Only seeded cases carry the benchmark's tracking code; cases submitted by earlier runs have their own.
            $"select id from {VorgangSetup.Schema}.mt_doc_case where data->>'trackingCodeHash' = '{TrackingCodes.Hash(CityGenerator.TrackingCode)}' " +
            $"and not (data->>'isClosed')::boolean and id <> '{LongCase}' order by random() limit 5000", connection);
        await using (var reader = await sample.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) numbers.Add(reader.GetString(0));
        }
        return seeded with { Open = openCount, BiggestTeam = team, BiggestTeamOpen = teamOpen, OpenCaseNumbers = numbers };
    }

    private static async Task<long> CountStreamsAsync(string connectionString) =>
        await ScalarAsync(connectionString, $"select count(*) from {VorgangSetup.Schema}.mt_streams");

    /// <summary>
    /// What autovacuum does to a running city's tables over time, done at once for a city loaded in minutes: the planner's
    /// statistics and the visibility map (without it, index-only scans visit the heap for most rows).
    /// </summary>
    public static async Task<double> VacuumAsync(string connectionString)
    {
        var watch = Stopwatch.StartNew();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("vacuum (analyze)", connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
        return watch.Elapsed.TotalSeconds;
    }

    public static async Task<long> CountEventsAsync(string connectionString) =>
        await ScalarAsync(connectionString, $"select count(*) from {VorgangSetup.Schema}.mt_events");

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}
