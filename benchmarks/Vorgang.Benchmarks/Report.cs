using System.Globalization;
using System.Text;

namespace Vorgang.Benchmarks;

public sealed class Report(Options options)
{
    public string Machine { get; set; } = "";
    /// <summary>pgbench TPC-B tps by number of clients; the targets are relative to 8 clients.</summary>
    public Dictionary<int, double> PgbenchTps { get; set; } = [];
    private double Baseline => PgbenchTps.GetValueOrDefault(8);
    public SeedResult? Seed { get; set; }
    public RebuildResult? Rebuild { get; set; }
    public WrkResult? Track { get; set; }
    public WrkResult? Queue { get; set; }
    public WrkResult? AsOf { get; set; }
    public WrkResult? Submit { get; set; }
    public WrkResult? SubmitBusy { get; set; }
    public LagResult? Lag { get; set; }
    public string SubmissionsConsistent { get; set; } = "";
    /// <summary>pgbench select-only (<c>-S</c>), 8 clients: the baseline of the lookups.</summary>
    public double PgbenchSelectOnlyTps { get; set; }
    /// <summary>Cores the rest of the machine used during each pgbench run.</summary>
    public IReadOnlyDictionary<string, double> PgbenchOtherCores { get; set; } = new Dictionary<string, double>();
    public SubmissionPool? Pool { get; set; }
    /// <summary>The city's mix of submissions, each with an Idempotency-Key of its own (8 and 32 connections).</summary>
    public WrkResult? Mix { get; set; }
    public WrkResult? MixBusy { get; set; }
    public IReadOnlyList<StartProbe> StartProbes { get; set; } = [];
    public ColdStartResult? ColdStart { get; set; }
    /// <summary>The portal's pages under load (start, service, status page), and the start page on a fresh engine.</summary>
    public IReadOnlyList<PageResult> Pages { get; set; } = [];
    public StartPageCold? StartPageCold { get; set; }
    /// <summary>The workbench's pages under load (the biggest team's queue, its case pages), signed in through an OpenID provider.</summary>
    public IReadOnlyList<PageResult> Workbench { get; set; } = [];
    /// <summary>The API's own answers to the same questions in the same phase: the baselines of the workbench's pages.</summary>
    public IReadOnlyList<PageResult> WorkbenchApi { get; set; } = [];

    private static string F(double v, string format = "N0") => v.ToString(format, CultureInfo.InvariantCulture);

    private static string Pct(double ratio) => $"{F(ratio * 100)} %";

    private static string Verdict(bool met) => met ? "met" : "**missed**";

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Measured(WrkResult r) =>
        $"{F(r.RequestsPerSecond)}/s, p99 {F(r.P99Ms, "N1")} ms" + (r.Server is { } server ? $" (server side: p50 {F(server.P50Ms, "N2")} ms, p99 **{F(server.P99Ms, "N1")} ms**)" : "") +
        $", {r.Errors} errors" + (r.SocketErrors > 0 ? $", {r.SocketErrors} socket errors" : "");

    /// <summary>The server-side p99 where the engine reported its own time (decision 41), the client's otherwise.</summary>
    private static double P99(WrkResult r) => r.Server?.P99Ms ?? r.P99Ms;

    private static bool Clean(WrkResult r) => r.Errors == 0 && r.SocketErrors == 0;

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        void Row(string figure, string target, string measured, string baseline, string ratio, string verdict) =>
            sb.AppendLine($"| {figure} | {target} | {measured} | {baseline} | {ratio} | {verdict} |");
        sb.AppendLine($"# Benchmark results — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        sb.AppendLine();
        sb.AppendLine($"Machine: {Machine}. Load: wrk, 2 threads, 8 connections (submissions also {Options.BusyConnections}), {options.Seconds} s per figure after {options.WarmUpSeconds} s of the same load unmeasured; engine, PostgreSQL and wrk share the machine.");
        if (Pages.Count > 0 || Workbench.Count > 0)
            sb.AppendLine("Latencies are wrk's, measured by the client over loopback on the same machine: the engine's time for a request plus its wait for a core, the kernel's loopback and wrk's own turn. " +
                "Where a figure says *server side*, it is the engine's own time per answer from its `Server-Timing` header (decision 41), over every answer of the run, and the target's p99 is checked against it.");
        if (Seed is { } s)
            sb.AppendLine($"City: {F(s.Cases)} cases ({F(s.Open)} open; biggest team `{s.BiggestTeam}` with {F(s.BiggestTeamOpen)} open), {F(s.Events)} events{(s.Reused ? " (reused from an earlier run)" : $", seeded in {F(s.Seconds)} s")}.");
        if (Pool is { } pool)
            sb.AppendLine($"Mixed submissions: the five services in the city's proportions ({string.Join(", ", CityGenerator.Mix.Select(m => $"{m.Service} {F(m.Share * 100)} %"))}), " +
                $"{F(pool.PerService.Values.Sum())} pre-generated bodies ({F(pool.PerService.Values.First())} per service, {F(pool.AverageBytes)} bytes on average) with personal data varied per body, " +
                "each checked with the engine's form validation and ten per service submitted before the load; every request carries an `Idempotency-Key` of its own.");
        sb.AppendLine();
        sb.AppendLine($"Baselines, same server, same run: pgbench TPC-B, 8 clients: **{F(Baseline)} tps**" +
            string.Concat(PgbenchTps.Where(p => p.Key != 8).Select(p => $"; with {p.Key} clients {F(p.Value)} tps")) +
            (PgbenchSelectOnlyTps > 0 ? $"; pgbench select-only (`-S`), 8 clients: **{F(PgbenchSelectOnlyTps)} tps**" : "") +
            (Seed is { Reused: false } seeded ? $"; the seeding's own appends: {F(seeded.Events)} events in {F(seeded.Seconds, "N1")} s = **{F(SeedRate(seeded))} events/s**" : "") +
            (MixBusy is { } warm ? $"; the warm mixed submissions at {warm.Connections} connections (below): **{F(warm.RequestsPerSecond)}/s**" : "") + ".");
        var shares = PgbenchOtherCores.Select(o => $"pgbench {o.Key}: {F(o.Value, "N2")}")
            .Concat(Seed is { Cpu: { } so } ? [$"seeding: {F(so.OtherCores, "N2")}"] : [])
            .Concat(Rebuild is { Cpu: { } ro } ? [$"rebuild: {F(ro.OtherCores, "N2")}"] : []).ToList();
        if (shares.Count > 0)
            sb.AppendLine($"Cores of the 2 that the rest of the machine (other people's builds and tests) used meanwhile, on average — {string.Join("; ", shares)}; " +
                "during each of the engine's runs in the CPU table below. A ratio compares like with like only where these shares are alike.");
        sb.AppendLine();
        sb.AppendLine("| figure | target | measured | baseline (same run) | ratio | verdict |");
        sb.AppendLine("| --- | --- | --- | --- | --- | --- |");
        var tpcb = $"pgbench TPC-B, 8 clients: {F(Baseline)} tps";
        foreach (var sub in new[] { Submit, SubmitBusy }.OfType<WrkResult>())
        {
            var ratio = sub.RequestsPerSecond / Baseline;
            var sameClients = sub.Connections != 8 && PgbenchTps.TryGetValue(sub.Connections, out var same)
                ? $" ({Pct(sub.RequestsPerSecond / same)} of pgbench with {sub.Connections} clients)" : "";
            Row($"submissions over HTTP, defect reports without key, {sub.Connections} connections", "≥ 50 % of pgbench tps, p99 < 50 ms", Measured(sub), tpcb,
                Pct(ratio) + sameClients, Verdict(ratio >= 0.5 && sub.P99Ms < 50 && Clean(sub)));
        }
        foreach (var mix in new[] { Mix, MixBusy }.OfType<WrkResult>())
        {
            var ratio = mix.RequestsPerSecond / Baseline;
            var aim = mix.Connections >= Options.BusyConnections ? 0.5 : 0.4;
            var keyless = new[] { Submit, SubmitBusy }.FirstOrDefault(k => k?.Connections == mix.Connections) is { } k
                ? $"; {Pct(mix.RequestsPerSecond / k.RequestsPerSecond)} of the key-less defect reports" : "";
            var sameClients = mix.Connections != 8 && PgbenchTps.TryGetValue(mix.Connections, out var same)
                ? $"; {Pct(mix.RequestsPerSecond / same)} of pgbench with {mix.Connections} clients" : "";
            Row($"submissions over HTTP, city mix with Idempotency-Key, {mix.Connections} connections", $"≥ {F(aim * 100)} % of pgbench tps, p99 < 50 ms", Measured(mix), tpcb,
                Pct(ratio) + sameClients + keyless, Verdict(ratio >= aim && mix.P99Ms < 50 && Clean(mix)));
        }
        if (ColdStart is { } cold)
        {
            var warmMix = MixBusy!;
            var window = Vorgang.Benchmarks.ColdStart.WindowSeconds;
            var baseline = $"warm city mix, {warmMix.Connections} connections: {F(warmMix.RequestsPerSecond)}/s";
            var first = cold.First.RequestsPerSecond / warmMix.RequestsPerSecond;
            Row($"cold start: city mix, {cold.First.Connections} connections, first {window} s after the engine listens", "≥ 70 % of the warm rate, p99 < 100 ms",
                Measured(cold.First), baseline, Pct(first), Verdict(first >= 0.7 && cold.First.P99Ms < 100 && Clean(cold.First)));
            Row($"cold start: the next {window} s", "(reported)", Measured(cold.Next), baseline,
                Pct(cold.Next.RequestsPerSecond / warmMix.RequestsPerSecond), "—");
        }
        if (StartProbes.Count > 0)
        {
            var firstAnswer = Median(StartProbes.Select(p => p.FirstAnswerMs));
            var listening = Median(StartProbes.Select(p => p.ListeningMs));
            Row("process start to first answered request (a mixed submission)", "< 3 s",
                $"{F(firstAnswer)} ms (median of {StartProbes.Count} starts, {F(StartProbes.Min(p => p.FirstAnswerMs))}–{F(StartProbes.Max(p => p.FirstAnswerMs))} ms): listening after {F(listening)} ms, " +
                $"answered {F(Median(StartProbes.Select(p => p.FirstAnswerMs - p.ListeningMs)))} ms later (the answered request itself took {F(Median(StartProbes.Select(p => p.FirstRequestMs)))} ms); " +
                $"engine CPU by then {F(Median(StartProbes.Select(p => p.EngineCpuMs)))} ms",
                "—", "—", Verdict(firstAnswer < 3000));
        }
        if (Track is { } t)
        {
            var share = PgbenchSelectOnlyTps > 0 ? t.RequestsPerSecond / PgbenchSelectOnlyTps : double.NaN;
            Row("citizen status lookups", "≥ 3,000/s and ≥ 15 % of pgbench select-only, p99 < 10 ms", Measured(t),
                PgbenchSelectOnlyTps > 0 ? $"pgbench select-only, 8 clients: {F(PgbenchSelectOnlyTps)} tps" : "—", double.IsNaN(share) ? "—" : Pct(share),
                Verdict(t.RequestsPerSecond >= 3000 && !(share < 0.15) && t.P99Ms < 10 && Clean(t)));
        }
        foreach (var p in Pages)
        {
            // The API's own lookup of the same cases is the baseline when it ran; pgbench's select-only otherwise.
            var (baseline, rate) = Track is { } api
                ? ($"the API's citizen lookup `GET /api/track/{{n}}`: {F(api.RequestsPerSecond)}/s", api.RequestsPerSecond)
                : ($"pgbench select-only, 8 clients: {F(PgbenchSelectOnlyTps)} tps", PgbenchSelectOnlyTps);
            Row($"portal {p.Page} `GET {p.Path}` ({F(p.HtmlBytes)} bytes of HTML)", "≥ 1,500 pages/s, p99 < 20 ms server side", Measured(p.Load) + $", p50 {F(p.Load.P50Ms, "N1")} ms",
                baseline, rate > 0 ? Pct(p.Load.RequestsPerSecond / rate) : "—", Verdict(p.Load.RequestsPerSecond >= 1500 && P99(p.Load) < 20 && Clean(p.Load)));
        }
        foreach (var p in Workbench)
        {
            var api = WorkbenchApi.FirstOrDefault(a => a.Page == p.Page);
            Row($"workbench {p.Page} `GET {p.Path}` ({F(p.HtmlBytes)} bytes of HTML)", "p99 < 25 ms server side", Measured(p.Load) + $", p50 {F(p.Load.P50Ms, "N1")} ms",
                api is null ? "—" : $"the API's `GET {api.Path}`: {F(api.Load.RequestsPerSecond)}/s" + (api.Load.Server is { } s99 ? $", server side p99 {F(s99.P99Ms, "N1")} ms" : ""),
                api is null ? "—" : Pct(p.Load.RequestsPerSecond / api.Load.RequestsPerSecond), Verdict(P99(p.Load) < 25 && Clean(p.Load)));
        }
        if (StartPageCold is { } spc)
            Row("portal start page on a freshly started engine (its first request of all, no load)", "(reported)",
                $"first request {F(spc.FirstMs, "N1")} ms, second {F(spc.SecondMs, "N1")} ms, then {F(spc.TenthMs, "N1")} ms (median of the next 18)",
                Pages.FirstOrDefault(p => p.Path == "/") is { } warmPage ? $"warm start page under load: p50 {F(warmPage.Load.P50Ms, "N1")} ms" : "—", "—", "—");
        if (Queue is { } q)
            Row("team queue, first page with counts", "p99 < 25 ms", Measured(q), "—", "—", Verdict(P99(q) < 25 && Clean(q)));
        if (Rebuild is { } r)
        {
            var seedRate = Seed is { Reused: false } sd ? SeedRate(sd) : (double?)null;
            var share = r.EventsPerSecond / seedRate;
            Row("full projection rebuild", "≥ 20,000 events/s and ≥ 100 % of the seeding's append rate", $"{F(r.Events)} events in {F(r.Seconds, "N1")} s = {F(r.EventsPerSecond)} events/s",
                seedRate is { } rate ? $"seeding's appends: {F(rate)} events/s" : "— (city reused: no seeding in this run)", share is { } sh ? Pct(sh) : "—",
                Verdict(r.EventsPerSecond >= 20000 && !(share < 1.0)));
        }
        if (AsOf is { } a)
            Row("case as of a version (200-event case)", "p99 < 20 ms", Measured(a), "—", "—", Verdict(P99(a) < 20 && Clean(a)));
        if (Lag is { } l)
            Row("async read models behind the log under submission load", "p99 < 500 ms",
                l.P99Ms is { } p99 ? $"p99 {F(p99)} ms, max {F(l.MaxMs ?? 0)} ms ({l.Samples} samples)" : "no async projection registered", "—", "—",
                l.P99Ms is { } lp ? Verdict(lp < 500) : "—");
        sb.AppendLine();
        var measured = new[] { Submit, SubmitBusy, Mix, MixBusy, ColdStart?.First, ColdStart?.Next, Track }.Concat(Pages.Select(p => p.Load)).Concat([Queue, AsOf])
            .Concat(Workbench.Concat(WorkbenchApi).Select(p => p.Load)).Where(x => x?.Cpu is not null).ToList();
        if (measured.Count > 0)
        {
            sb.AppendLine("CPU time per request while each load ran (from /proc; the machine has 2 cores, shared by all three and by whatever else runs on it), the cores the rest of the machine used meanwhile, and the checkpoints PostgreSQL began during the run (each run, pgbench's too, starts right after one; the cold start's first window right after the checkpoint before the engine's spawn):");
            sb.AppendLine();
            sb.AppendLine("| figure | engine | PostgreSQL | wrk | rest of the machine | checkpoints begun |");
            sb.AppendLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var x in measured)
                sb.AppendLine($"| {x!.Name} | {F(x.Cpu!.EngineMs, "N2")} ms | {F(x.Cpu.PostgresMs, "N2")} ms | {F(x.Cpu.WrkMs, "N2")} ms | {F(x.Cpu.OtherCores, "N2")} cores | {(x.CheckpointsDuring is { } c ? F(c) : "—")} |");
            sb.AppendLine();
        }
        if (Seed?.Cpu is { } seedCpu || Rebuild?.Cpu is not null)
        {
            sb.AppendLine("CPU time per event of the seeding and of the rebuild (both run in the benchmark's own process, which the first column counts):");
            sb.AppendLine();
            sb.AppendLine("| phase | benchmark process | PostgreSQL | rest of the machine |");
            sb.AppendLine("| --- | --- | --- | --- |");
            if (Seed?.Cpu is { } sc) sb.AppendLine($"| seeding (appends, no projections) | {F(sc.EngineMs * 1000, "N1")} µs | {F(sc.PostgresMs * 1000, "N1")} µs | {F(sc.OtherCores, "N2")} cores |");
            if (Rebuild?.Cpu is { } rc) sb.AppendLine($"| rebuild (all read models at once) | {F(rc.EngineMs * 1000, "N1")} µs | {F(rc.PostgresMs * 1000, "N1")} µs | {F(rc.OtherCores, "N2")} cores |");
            sb.AppendLine();
        }
        if (StartProbes.Count > 0)
        {
            sb.AppendLine($"Each endpoint's first and second request on a freshly started engine without load, after its first submission was answered (median of {StartProbes.Count} starts; the first submission itself is in the row above):");
            sb.AppendLine();
            sb.AppendLine("| endpoint | first request | second request |");
            sb.AppendLine("| --- | --- | --- |");
            foreach (var endpoint in StartProbes[0].FirstCalls.Select(c => c.Endpoint))
            {
                var calls = StartProbes.SelectMany(p => p.FirstCalls).Where(c => c.Endpoint == endpoint).ToList();
                sb.AppendLine($"| `{endpoint}` | {F(Median(calls.Select(c => c.FirstMs)), "N1")} ms | {F(Median(calls.Select(c => c.SecondMs)), "N1")} ms |");
            }
            sb.AppendLine();
        }
        if (SubmissionsConsistent.Length > 0) sb.AppendLine($"Consistency after the submission runs: {SubmissionsConsistent}.");
        return sb.ToString();
    }

    private static double SeedRate(SeedResult seed) => seed.Events / seed.Seconds;
}
