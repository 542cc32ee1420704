using JasperFx.CommandLine;
using Vorgang.Workflows.Audit;

namespace Vorgang.Api.Cli;

public sealed class AuditInput
{
    [Description("verify")]
    public string Action { get; set; } = "";

    [Description("Verify only this case (e.g. 2026-000001)")]
    public string? CaseFlag { get; set; }
}

/// <summary><c>audit verify [--case N]</c>: recompute the hash chains from the stored events. Exit 0 when intact, 1 with the first broken link, 2 for a usage error or an unknown case.</summary>
[Description("Recompute the hash chains of all cases (or one) from the stored events")]
public sealed class AuditCommand : VerbCommand<AuditInput>
{
    public override string Synopsis => "Usage: audit verify [--case CASE-NUMBER]";

    protected override async Task<int> RunAsync(AuditInput input)
    {
        if (input.Action != "verify") return UsageError();
        await using var engine = await VerbEngine.BuildAsync(Configuration, Errors, CancellationToken.None);
        if (engine is null) return 1;
        var verifier = engine.Services.GetRequiredService<CaseChainVerifier>();

        if (input.CaseFlag is { } caseNumber)
        {
            var report = await verifier.VerifyCaseAsync(caseNumber, CancellationToken.None);
            if (report is null)
            {
                Errors.WriteLine($"There is no case {caseNumber}.");
                return 2;
            }
            Print(report, report.Intact ? Output : Errors);
            return report.Intact ? 0 : 1;
        }

        var summary = await verifier.VerifyAllAsync((cases, events) => Output.WriteLine($"  checked {cases:N0} cases, {events:N0} events"), CancellationToken.None);
        foreach (var broken in summary.BrokenCases) Print(broken, Errors);
        if (summary.Broken > summary.BrokenCases.Count) Errors.WriteLine($"… and {summary.Broken - summary.BrokenCases.Count:N0} more broken cases.");
        Output.WriteLine($"{summary.Cases:N0} cases, {summary.Events:N0} events: {summary.Intact:N0} intact, {summary.Broken:N0} broken.");
        Output.WriteLine($"Digest of all chain heads: {summary.HeadsDigest}");
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
