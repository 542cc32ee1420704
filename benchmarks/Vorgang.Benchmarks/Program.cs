using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Vorgang.Api.Hosting;
using Vorgang.Api.Security;
using Vorgang.Benchmarks;
using Vorgang.Tests.Portal;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Deadlines;

// The city-scale benchmark: one command, everything on this machine, every figure next to a pgbench baseline
// measured in the same run on the same PostgreSQL. See docs/benchmarks.md.
var options = Options.Parse(args);
var repo = Repo.Root();
if (options.WriteMix is { } mixDirectory)
{
    // The mixed load for runs by hand: its bodies (from the definitions' examples, as the engine's example endpoint
    // serves them) and wrk's script, which reads them from where they are written.
    var (definitions, _) = DefinitionCatalog.LoadDirectory(Path.Combine(repo, "process-definitions"), TimeProvider.System.Today());
    var examples = CityGenerator.Mix.ToDictionary(m => m.Service, m => new JsonObject
    {
        ["data"] = DefinitionChecker.ResolveExample(definitions.Latest(m.Service)!, TimeProvider.System.Today()), ["language"] = "de",
    });
    Directory.CreateDirectory(mixDirectory);
    var written = SubmissionPool.Create(definitions, examples, Options.PoolPerService, TimeProvider.System.Today());
    var bodies = Path.GetFullPath(Path.Combine(mixDirectory, "mix.tsv"));
    written.MoveTo(bodies);
    await File.WriteAllTextAsync(Path.Combine(mixDirectory, "mix.lua"), Scripts.Mix(written));
    Console.WriteLine($"Written {bodies} and mix.lua beside it: wrk -t2 -c32 -d20s --latency -s {Path.Combine(Path.GetFullPath(mixDirectory), "mix.lua")} {Engine.FixedUrl}");
    return 0;
}
var dataDirectory = Path.Combine(repo, "benchmarks", ".data", "pgdata");
var report = new Report(options);

Console.WriteLine($"Vorgang benchmark: {options.Cases:N0} cases, {options.Seconds} s per load run, data in {dataDirectory}");
await using var postgres = await EmbeddedPostgres.StartAsync(dataDirectory, "vorgang");
await Tuning.ApplyAsync(postgres);
await using var pg = await EmbeddedPostgres.StartAsync(dataDirectory, "vorgang");
report.Machine = await Machine.DescribeAsync(pg.ConnectionString);

// 1. Baseline: pgbench TPC-B with 8 clients on the same server, and with as many clients as the busier submission load;
//    select-only with 8 clients, the baseline of the lookups.
var pgbench = await Pgbench.RunAsync(pg, options.Seconds, 8, 8, Options.BusyConnections);
report.PgbenchTps = pgbench.TpcB;
report.PgbenchSelectOnlyTps = pgbench.SelectOnlyTps;
report.PgbenchOtherCores = pgbench.OtherCores;
foreach (var (clients, tps) in report.PgbenchTps) Console.WriteLine($"pgbench TPC-B, {clients} clients: {tps:N0} tps");
Console.WriteLine($"pgbench select-only, {pgbench.SelectOnlyClients} clients: {pgbench.SelectOnlyTps:N0} tps");

// 2. The city: seeded straight into the event store without projections, then every projection rebuilt (timed).
var (catalog, _) = DefinitionCatalog.LoadDirectory(Path.Combine(repo, "process-definitions"), TimeProvider.System.Today());
// Seeding and rebuilding run in this process: what else the machine did meanwhile is the rest of it.
var phases = new CpuMeter(Environment.ProcessId, CpuMeter.Postmaster(pg.DataDirectory));
var beforeSeed = phases.Snapshot();
var seed = await Seeder.SeedAsync(pg.ConnectionString, catalog, options.Cases, options.Fresh);
if (!seed.Reused) seed = seed with { Cpu = CpuMeter.PerRequest(beforeSeed, phases.Snapshot(), seed.Events) };
// A freshly seeded city has no read models yet: it is always rebuilt.
if (!options.SkipRebuild || !seed.Reused)
{
    var beforeRebuild = phases.Snapshot();
    report.Rebuild = await Seeder.RebuildAsync(pg.ConnectionString, catalog, options.RebuildSequential);
    report.Rebuild = report.Rebuild with { Cpu = CpuMeter.PerRequest(beforeRebuild, phases.Snapshot(), report.Rebuild.Events) };
    Console.WriteLine($"vacuum (analyze) after loading: {await Seeder.VacuumAsync(pg.ConnectionString):N0} s");
}
seed = await Seeder.DescribeAsync(pg.ConnectionString, seed);
report.Seed = seed;

// 3. The engine, as it runs in production (Release build, no debug logging), against that database.
var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Vorgang:Auth:DevelopmentKey"] = Engine.DevelopmentKey,
}).Build();
var caseworker = StaffAuth.MintToken(configuration, Roles.Caseworker, seed.BiggestTeam, "Benchmark", "bench", TimeSpan.FromHours(4));
var auditor = StaffAuth.MintToken(configuration, Roles.Auditor, null, "Benchmark", "bench-auditor", TimeSpan.FromHours(4));
var mixed = options.Runs("mix") || options.Runs("coldstart");
SubmissionPool? pool = null;
try
{
    await using (var engine = await Engine.StartAsync(repo, pg.ConnectionString))
    {
        // The start page's first request is the first the engine answers at all: what a page pays once after a start.
        if (options.Runs("pages"))
        {
            report.StartPageCold = await PortalPages.StartPageColdAsync(engine.Url);
            Console.WriteLine($"Start page on a fresh engine: first request {report.StartPageCold.FirstMs:N1} ms, second {report.StartPageCold.SecondMs:N1} ms, then {report.StartPageCold.TenthMs:N1} ms");
        }
        await engine.WarmUpAsync(seed, caseworker, auditor);
        if (mixed)
        {
            // The city's mix: bodies varied from the engine's own example of each service, checked with its validation.
            var examples = new Dictionary<string, JsonObject>();
            foreach (var (service, _) in CityGenerator.Mix)
                examples[service] = JsonNode.Parse(await engine.ExampleBodyAsync(service))!.AsObject();
            pool = SubmissionPool.Create(catalog, examples, Options.PoolPerService, TimeProvider.System.Today());
            report.Pool = pool;
            Console.WriteLine($"Mixed submissions: {pool.PerService.Values.Sum():N0} bodies ({Options.PoolPerService:N0} per service, {pool.AverageBytes:N0} bytes on average), all valid");
            // And by the engine itself: a few of each service submitted before any load.
            await engine.SubmitSampleAsync(pool, 10);
        }

        var wrk = new Wrk(engine.Url, options.Seconds, options.WarmUpSeconds, new CpuMeter(engine.ProcessId, CpuMeter.Postmaster(pg.DataDirectory)), pg.ConnectionString);
        if (options.Runs("track"))
            report.Track = await wrk.RunAsync("citizen status lookups", Scripts.WithServerTiming(Scripts.Track(seed.OpenCaseNumbers, CityGenerator.TrackingCode)));
        if (options.Runs("pages"))
        {
            // The portal's pages, each as its own closed loop of 8 connections (HTML only, as wrk asks for no assets).
            var tracked = await PortalPages.TrackCookiesAsync(engine.Url, seed.OpenCaseNumbers, PortalPages.TrackedCases);
            var status = $"/track/{tracked[0].CaseNumber}";
            var pages = new List<PageResult>();
            foreach (var (page, path, script, cookie) in new[]
                     {
                         ("start page", "/", PortalPages.Get("/"), (string?)null),
                         ("service page", PortalPages.ServicePath, PortalPages.Get(PortalPages.ServicePath), null),
                         ("status page", "/track/{n}", PortalPages.StatusPages(tracked), tracked[0].Cookie),
                     })
            {
                var bytes = await PortalPages.HtmlBytesAsync(engine.Url, cookie is null ? path : status, cookie);
                pages.Add(new PageResult(page, path, bytes, await wrk.RunAsync($"portal: {page}", Scripts.WithServerTiming(script))));
            }
            report.Pages = pages;
        }
        if (options.Runs("queue"))
            report.Queue = await wrk.RunAsync("team queue, first page with counts", Scripts.WithServerTiming(Scripts.Get($"/api/queues/{seed.BiggestTeam}", caseworker)));
        if (options.Runs("asof"))
            report.AsOf = await wrk.RunAsync("case as of a version (200 events)", Scripts.WithServerTiming(Scripts.AsOf(seed.LongCaseNumber, auditor, 200)));
        if (options.Runs("submit") || mixed)
        {
            using (var lag = new LagSampler(pg.ConnectionString, await Seeder.AsyncShardsAsync(pg.ConnectionString, catalog)))
            {
                if (options.Runs("submit"))
                {
                    var example = await engine.ExampleBodyAsync("defect-report");
                    report.Submit = await wrk.RunAsync("submissions", Scripts.Submit("defect-report", example));
                    // Many citizens at once: more requests in flight than pgbench's 8 clients, so that submissions share commits.
                    report.SubmitBusy = await wrk.RunAsync($"submissions, {Options.BusyConnections} connections", Scripts.Submit("defect-report", example), Options.BusyConnections);
                }
                if (options.Runs("mix"))
                    report.Mix = await wrk.RunAsync("mixed submissions", Scripts.Mix(pool!));
                // The cold start's ratio is to this warm rate: measured whenever the cold start is.
                if (mixed)
                    report.MixBusy = await wrk.RunAsync($"mixed submissions, {Options.BusyConnections} connections", Scripts.Mix(pool!), Options.BusyConnections);
                report.Lag = await lag.StopAsync();
            }
        }
    }

    // The workbench, signed in through an OpenID provider as in production: an engine of its own whose staff's provider
    // it is (for the pages and the API's tokens alike), on the same city.
    if (options.Runs("workbench"))
    {
        await using var provider = await TestIdentityProvider.StartAsync();
        await using var engine = await Engine.StartAsync(repo, pg.ConnectionString, WorkbenchPages.Settings(provider));
        var session = await WorkbenchPages.SignInAsync(engine.Url, provider, seed.BiggestTeam);
        var token = provider.AccessToken(new Dictionary<string, object>
        {
            ["sub"] = "bench:caseworker", ["name"] = "Benchmark Caseworker", ["role"] = Roles.Caseworker, ["team"] = seed.BiggestTeam,
        });
        var cases = await WorkbenchPages.OpenCasesAsync(pg.ConnectionString, seed.BiggestTeam, WorkbenchPages.Cases);
        var wrk = new Wrk(engine.Url, options.Seconds, options.WarmUpSeconds, new CpuMeter(engine.ProcessId, CpuMeter.Postmaster(pg.DataDirectory)), pg.ConnectionString);
        var pages = new List<PageResult>();
        var apis = new List<PageResult>();
        var queueBytes = await PortalPages.HtmlBytesAsync(engine.Url, "/staff", session);
        pages.Add(new PageResult("queue page", "/staff", queueBytes,
            await wrk.RunAsync("workbench: queue page", Scripts.WithServerTiming(WorkbenchPages.Get("/staff", "Cookie", session)))));
        apis.Add(new PageResult("queue page", $"/api/queues/{seed.BiggestTeam}", 0,
            await wrk.RunAsync("workbench baseline: the API's queue", Scripts.WithServerTiming(WorkbenchPages.Get($"/api/queues/{seed.BiggestTeam}", "Authorization", $"Bearer {token}")))));
        var caseBytes = await PortalPages.HtmlBytesAsync(engine.Url, $"/staff/cases/{cases[0]}", session);
        pages.Add(new PageResult("case page", "/staff/cases/{n}", caseBytes,
            await wrk.RunAsync("workbench: case page", Scripts.WithServerTiming(WorkbenchPages.Random("/staff/cases/", cases, "Cookie", session)))));
        apis.Add(new PageResult("case page", "/api/cases/{n}", 0,
            await wrk.RunAsync("workbench baseline: the API's case", Scripts.WithServerTiming(WorkbenchPages.Random("/api/cases/", cases, "Authorization", $"Bearer {token}")))));
        report.Workbench = pages;
        report.WorkbenchApi = apis;
    }

    // 4. A freshly started engine: to its first answer (without load, a few times), then under the mixed load from the
    //    moment it listens. Only one engine runs at a time.
    if (options.Runs("coldstart"))
    {
        var probes = new List<StartProbe>();
        for (var i = 0; i < Options.StartProbes; i++)
            probes.Add(await ColdStart.ProbeAsync(repo, pg.ConnectionString, pool!, seed, caseworker, auditor));
        report.StartProbes = probes;
        report.ColdStart = await ColdStart.LoadAsync(repo, pg.ConnectionString, CpuMeter.Postmaster(pg.DataDirectory), pool!, Options.BusyConnections);
    }
}
finally
{
    pool?.Dispose();
}
if (options.Runs("submit") || mixed) report.SubmissionsConsistent = await Consistency.CheckAsync(pg.ConnectionString);

var markdown = report.ToMarkdown();
Console.WriteLine(markdown);
var output = options.Output ?? Path.Combine(repo, "docs", "benchmark-results.md");
await File.WriteAllTextAsync(output, markdown);
Console.WriteLine($"Written to {output}");
return 0;

public sealed record Options(int Cases, int Seconds, bool Fresh, string? Output, bool SkipRebuild, bool RebuildSequential = false, IReadOnlySet<string>? Only = null, int WarmUpSeconds = 10)
{
    /// <summary>With <c>--write-mix DIR</c>: only write the mixed load's bodies and script there, for runs by hand.</summary>
    public string? WriteMix { get; init; }

    public static readonly string[] Figures = ["track", "pages", "workbench", "queue", "asof", "submit", "mix", "coldstart"];

    /// <summary>Pre-generated bodies per service of the mixed submission load.</summary>
    public const int PoolPerService = 3000;

    /// <summary>Fresh starts timed to their first answer.</summary>
    public const int StartProbes = 3;

    /// <summary>Connections of the second submission load, and clients of the second pgbench run.</summary>
    public const int BusyConnections = 32;

    /// <summary>Whether a load figure is measured in this run (all of them unless <c>--only</c> names some).</summary>
    public bool Runs(string figure) => Only is null || Only.Contains(figure);

    public static Options Parse(string[] args)
    {
        var cases = 1_000_000;
        var seconds = 30;
        var fresh = false;
        var skipRebuild = false;
        var rebuildSequential = false;
        string? output = null;
        HashSet<string>? only = null;
        var warmUp = 10;
        string? writeMix = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--cases": cases = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--fresh": fresh = true; break;
                case "--skip-rebuild": skipRebuild = true; break;
                case "--rebuild-sequential": rebuildSequential = true; break;
                case "--output": output = args[++i]; break;
                case "--warm-up": warmUp = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--write-mix": writeMix = args[++i]; break;
                case "--only":
                    only = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
                    if (only.Except(Figures).FirstOrDefault() is { } unknown)
                        throw new ArgumentException($"Unknown figure '{unknown}' for --only. Known: {string.Join(", ", Figures)}.");
                    break;
                default: throw new ArgumentException($"Unknown option {args[i]}. Use --cases N, --seconds S, --fresh, --skip-rebuild, --rebuild-sequential, --only FIGURES, --warm-up S, --output FILE, --write-mix DIR.");
            }
        }
        return new Options(cases, seconds, fresh, output, skipRebuild, rebuildSequential, only, warmUp) { WriteMix = writeMix };
    }
}

public static class Repo
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ozg.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Run the benchmark from inside the repository.");
    }
}

public static class Shell
{
    public static async Task<(int Exit, string Out, string Err)> RunAsync(string file, IEnumerable<string> arguments, IDictionary<string, string>? env = null)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}
