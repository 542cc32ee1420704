using Vorgang.Workflows.Audit;

namespace Vorgang.Api.Cli;

/// <summary><c>audit verify [--case N]</c>: recompute the hash chains from the stored events. Exit 0 when intact, 1 with the first broken link, 2 for a usage error or an unknown case.</summary>
internal static class AuditVerbs
{
    public static async Task<int> RunAsync(string[] args, IReadOnlyDictionary<string, string> options, IConfiguration configuration, TextWriter output, TextWriter errors)
    {
        if (args.FirstOrDefault() != "verify")
        {
            errors.WriteLine("Usage: audit verify [--case CASE-NUMBER]");
            return 2;
        }
        await using var engine = await VerbEngine.BuildAsync(configuration, errors, CancellationToken.None);
        if (engine is null) return 1;
        var verifier = engine.Services.GetRequiredService<CaseChainVerifier>();

        if (options.TryGetValue("case", out var caseNumber))
        {
            var report = await verifier.VerifyCaseAsync(caseNumber, CancellationToken.None);
            if (report is null)
            {
                errors.WriteLine($"There is no case {caseNumber}.");
                return 2;
            }
            Print(report, report.Intact ? output : errors);
            return report.Intact ? 0 : 1;
        }

        var summary = await verifier.VerifyAllAsync((cases, events) => output.WriteLine($"  checked {cases:N0} cases, {events:N0} events"), CancellationToken.None);
        foreach (var broken in summary.BrokenCases) Print(broken, errors);
        if (summary.Broken > summary.BrokenCases.Count) errors.WriteLine($"… and {summary.Broken - summary.BrokenCases.Count:N0} more broken cases.");
        output.WriteLine($"{summary.Cases:N0} cases, {summary.Events:N0} events: {summary.Intact:N0} intact, {summary.Broken:N0} broken.");
        output.WriteLine($"Digest of all chain heads: {summary.HeadsDigest}");
        return summary.Broken == 0 ? 0 : 1;
    }

    private static void Print(ChainReport report, TextWriter writer)
    {
        if (report.FirstBreak is not { } b)
        {
            writer.WriteLine($"Case {report.CaseNumber}: intact, {report.Events} events, head {report.Head}");
            return;
        }
        writer.WriteLine($"Case {report.CaseNumber}: broken at version {b.Version} ({b.Problem}): expected {b.Expected}, found {b.Found}");
    }
}
