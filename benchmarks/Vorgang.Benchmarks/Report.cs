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

    public string ToMarkdown()
    {
        static string F(double v, string format = "N0") => v.ToString(format, CultureInfo.InvariantCulture);
        string Verdict(bool met) => met ? "met" : "**missed**";
        var sb = new StringBuilder();
        sb.AppendLine($"# Benchmark results — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        sb.AppendLine();
        sb.AppendLine($"Machine: {Machine}. Load: wrk, 2 threads, 8 connections (submissions also {Options.BusyConnections}), {options.Seconds} s per figure after {options.WarmUpSeconds} s of the same load unmeasured; engine, PostgreSQL and wrk share the machine.");
        if (Seed is { } s)
            sb.AppendLine($"City: {F(s.Cases)} cases ({F(s.Open)} open; biggest team `{s.BiggestTeam}` with {F(s.BiggestTeamOpen)} open), {F(s.Events)} events{(s.Reused ? " (reused from an earlier run)" : $", seeded in {F(s.Seconds)} s")}.");
        sb.AppendLine();
        sb.AppendLine($"Baseline: pgbench TPC-B, 8 clients, same server: **{F(Baseline)} tps**" +
            string.Concat(PgbenchTps.Where(p => p.Key != 8).Select(p => $"; with {p.Key} clients {F(p.Value)} tps")) + ".");
        sb.AppendLine();
        sb.AppendLine("| figure | target | measured | verdict |");
        sb.AppendLine("| --- | --- | --- | --- |");
        foreach (var sub in new[] { Submit, SubmitBusy }.OfType<WrkResult>())
        {
            var ratio = sub.RequestsPerSecond / Baseline;
            var sameClients = sub.Connections != 8 && PgbenchTps.TryGetValue(sub.Connections, out var same)
                ? $" ({F(sub.RequestsPerSecond / same * 100)} % of pgbench with {sub.Connections} clients)" : "";
            sb.AppendLine($"| submissions over HTTP, {sub.Connections} connections | ≥ 50 % of pgbench tps, p99 < 50 ms | {F(sub.RequestsPerSecond)}/s = {F(ratio * 100)} % of pgbench{sameClients}, p99 {F(sub.P99Ms, "N1")} ms, {sub.Errors} errors | {Verdict(ratio >= 0.5 && sub.P99Ms < 50 && sub.Errors == 0)} |");
        }
        if (Track is { } t)
            sb.AppendLine($"| citizen status lookups | ≥ 3,000/s, p99 < 10 ms | {F(t.RequestsPerSecond)}/s, p99 {F(t.P99Ms, "N1")} ms, {t.Errors} errors | {Verdict(t.RequestsPerSecond >= 3000 && t.P99Ms < 10 && t.Errors == 0)} |");
        if (Queue is { } q)
            sb.AppendLine($"| team queue, first page with counts | p99 < 25 ms | {F(q.RequestsPerSecond)}/s, p99 {F(q.P99Ms, "N1")} ms | {Verdict(q.P99Ms < 25 && q.Errors == 0)} |");
        if (Rebuild is { } r)
            sb.AppendLine($"| full projection rebuild | ≥ 20,000 events/s | {F(r.Events)} events in {F(r.Seconds, "N1")} s = {F(r.EventsPerSecond)} events/s | {Verdict(r.EventsPerSecond >= 20000)} |");
        if (AsOf is { } a)
            sb.AppendLine($"| case as of a version (200-event case) | p99 < 20 ms | {F(a.RequestsPerSecond)}/s, p99 {F(a.P99Ms, "N1")} ms | {Verdict(a.P99Ms < 20 && a.Errors == 0)} |");
        if (Lag is { } l)
            sb.AppendLine(l.P99Ms is { } p99
                ? $"| async read models behind the log under submission load | p99 < 500 ms | p99 {F(p99)} ms, max {F(l.MaxMs ?? 0)} ms ({l.Samples} samples) | {Verdict(p99 < 500)} |"
                : "| async read models behind the log under submission load | p99 < 500 ms | no async projection registered | — |");
        sb.AppendLine();
        var measured = new[] { Submit, SubmitBusy, Track, Queue, AsOf }.Where(x => x?.Cpu is not null).ToList();
        if (measured.Count > 0)
        {
            sb.AppendLine("CPU time per request while each load ran (from /proc; the machine has 2 cores, shared by all three), and the checkpoints PostgreSQL began during the run (each run, pgbench's too, starts right after one):");
            sb.AppendLine();
            sb.AppendLine("| figure | engine | PostgreSQL | wrk | checkpoints begun |");
            sb.AppendLine("| --- | --- | --- | --- | --- |");
            foreach (var x in measured)
                sb.AppendLine($"| {x!.Name} | {F(x.Cpu!.EngineMs, "N2")} ms | {F(x.Cpu.PostgresMs, "N2")} ms | {F(x.Cpu.WrkMs, "N2")} ms | {(x.CheckpointsDuring is { } c ? F(c) : "—")} |");
            sb.AppendLine();
        }
        if (SubmissionsConsistent.Length > 0) sb.AppendLine($"Consistency after the submission run: {SubmissionsConsistent}.");
        return sb.ToString();
    }
}
