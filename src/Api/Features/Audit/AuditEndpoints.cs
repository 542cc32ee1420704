using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Api.Features.Casework;
using Vorgang.Api.Security;
using Vorgang.Workflows.Audit;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Wolverine.Http;

namespace Vorgang.Api.Features.Audit;

/// <summary>Who read: user id, role, display name and, for caseworkers, team.</summary>
public sealed record Reader(string Id, string Role, string Name, string? Team);

public sealed record RecordedRead(DateTimeOffset ReadAt, string Endpoint, string? Query, long CaseVersion, Reader Reader, string? TraceId);

public sealed record CaseReads(string CaseNumber, IReadOnlyList<RecordedRead> Reads);

/// <summary>For auditors and admins: is each case's hash chain intact, and who read which case's personal data.</summary>
[Authorize(Policy = StaffAuth.StaffPolicy)]
public static class AuditEndpoints
{
    [WolverineGet("/api/audit/cases/{caseNumber}/verify", OperationId = "verifyCaseChain")]
    [EndpointSummary("Recompute the case's hash chain from the stored events; names the first broken link.")]
    [EndpointDescription("Recomputes the case's hash chain from the events as stored: whether it is intact, its head, or the first link that does not hold (`hash-mismatch`, `missing-hash`, `missing-event`, `stream-version-mismatch`). Auditors and admins.")]
    [Tags("Audit")]
    [ProducesResponseType<ChainReport>(200)]
    [ProducesResponseType<ProblemDetails>(403, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IResult> VerifyCase(string caseNumber, CaseChainVerifier verifier, HttpContext context, CancellationToken ct)
    {
        if (AuditorsOnly(context) is { } refused) return refused;
        var report = CaseNumbers.IsWellFormed(caseNumber) ? await verifier.VerifyCaseAsync(caseNumber, ct) : null;
        return report is null ? CaseActions.NoCase(context, caseNumber) : Results.Ok(report);
    }

    [WolverineGet("/api/audit/verify", OperationId = "verifyAllChains")]
    [EndpointSummary("Recompute every case's hash chain: counts, the broken cases (first 100) and a digest of all chain heads.")]
    [EndpointDescription("The same for every case: counts, the first 100 broken cases and `headsDigest`, a SHA-256 over every case's chain head to note down outside the database. Reads every event and is not bounded by the request time limit; for a large store use the command-line verb `audit verify`. Auditors and admins.")]
    [Tags("Audit")]
    [ProducesResponseType<ChainSummary>(200)]
    [ProducesResponseType<ProblemDetails>(403, "application/problem+json")]
    // It reads every event, which takes minutes on a large store: not bounded by Vorgang:RequestTimeoutSeconds.
    [DisableRequestTimeout]
    public static async Task<IResult> VerifyAll(CaseChainVerifier verifier, HttpContext context, CancellationToken ct)
    {
        if (AuditorsOnly(context) is { } refused) return refused;
        return Results.Ok(await verifier.VerifyAllAsync(progress: null, ct));
    }

    [WolverineGet("/api/audit/cases/{caseNumber}/reads", OperationId = "getCaseReads")]
    [EndpointSummary("Every recorded staff read of the case's personal data: who, when, through which endpoint.")]
    [EndpointDescription("Who read the case's personal data, when, at which version and through which endpoint and query, with the trace id; oldest first. Auditors and admins.")]
    [Tags("Audit")]
    [ProducesResponseType<CaseReads>(200)]
    [ProducesResponseType<ProblemDetails>(403, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IResult> Reads(string caseNumber, IQuerySession session, HttpContext context, CancellationToken ct)
    {
        if (AuditorsOnly(context) is { } refused) return refused;
        if (!CaseNumbers.IsWellFormed(caseNumber) || await session.Events.FetchStreamStateAsync(caseNumber, ct) is null)
            return CaseActions.NoCase(context, caseNumber);
        return Results.Ok(new CaseReads(caseNumber, await ReadsOf(caseNumber, session, ct)));
    }

    /// <summary>The recorded reads of the case's personal data, oldest first: for the endpoint and the auditor's console.</summary>
    public static async Task<IReadOnlyList<RecordedRead>> ReadsOf(string caseNumber, IQuerySession session, CancellationToken ct)
    {
        var reads = await session.Query<PersonalDataRead>()
            .Where(r => r.CaseNumber == caseNumber)
            .OrderBy(r => r.ReadAt).ThenBy(r => r.Id)
            .ToListAsync(ct);
        return reads
            .Select(r => new RecordedRead(r.ReadAt, r.Endpoint, r.Query, r.CaseVersion, new Reader(r.ReaderId, r.ReaderRole, r.ReaderName, r.ReaderTeam), r.TraceId))
            .ToList();
    }

    /// <summary>The audit endpoints are for auditors and admins: a 403 for anyone else (the console asks the same).</summary>
    public static IResult? AuditorsOnly(HttpContext context) => context.User.StaffCaller() switch
    {
        null => Access.NoRole(context),
        { Role: Roles.Auditor or Roles.Admin } => null,
        var caller => Problems.Problems.Status(context, 403, "role-not-allowed", "Only auditors and admins use the audit endpoints.",
            $"Role '{caller.Role}' has no access to the audit trail."),
    };
}
