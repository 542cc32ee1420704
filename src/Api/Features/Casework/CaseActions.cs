using Marten;
using Vorgang.Api.Telemetry;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;
using Vorgang.Workflows.Definitions;
using Wolverine;

namespace Vorgang.Api.Features.Casework;

/// <summary>What the three action endpoints (staff, tracking code, citizen account) share: the decision, and its outcome as an HTTP answer.</summary>
public static class CaseActions
{
    /// <summary>404 for a case number that names no case; the number is repeated only when it is one.</summary>
    public static IResult NoCase(HttpContext context, string caseNumber) =>
        Problems.Problems.NotFound(context, CaseNumbers.IsWellFormed(caseNumber) ? $"There is no case {caseNumber}." : "There is no case with this number.");

    public static IResult VersionConflict(HttpContext context, long expected, long current)
    {
        var conflict = Problems.Problems.Create(409, "version-conflict", "The case was changed in the meantime.",
            $"You sent version {expected}; the case is at version {current}. Load it again and retry.", context);
        conflict.Extensions["currentVersion"] = current;
        return Results.Json(conflict, (System.Text.Json.JsonSerializerOptions?)null, Problems.Problems.ContentType, 409);
    }

    /// <summary>Takes <paramref name="actionId"/> on the case through the <see cref="CaseWriter"/>: the decision, without an HTTP answer (the portal's pages use it too).</summary>
    public static Task<CaseChange> ChangeAsync(
        CaseWriter writer, IDocumentSession session, IMessageBus bus, CaseCause cause,
        string caseNumber, string actionId, ActionRequest request, Caller caller,
        Func<Case?, ProcessDefinition?, IResult?> authorize, CancellationToken ct) =>
        writer.ChangeAsync(session, bus, new CaseCommand(caseNumber, request.ExpectedVersion!.Value, cause), authorize,
            c => ValueTask.FromResult(CaseDecision.From(
                CaseDecider.Decide(c.Definition, c.State, actionId, request.Input, caller, c.Now, BerlinClock.DateOf(c.Now)))),
            ct);

    /// <summary>
    /// Takes <paramref name="actionId"/> on the case through the <see cref="CaseWriter"/>. <paramref name="authorize"/>
    /// may refuse it (it also sees a missing case); <paramref name="respond"/> answers with the case after the change.
    /// </summary>
    public static async Task<IResult> TakeAsync(
        CaseWriter writer, IDocumentSession session, IMessageBus bus, HttpContext context,
        string caseNumber, string actionId, ActionRequest request, Caller caller,
        Func<Case?, ProcessDefinition?, IResult?> authorize,
        Func<Case, ProcessDefinition, Task<IResult>> respond,
        CancellationToken ct)
    {
        var expected = request.ExpectedVersion!.Value;
        var change = await ChangeAsync(writer, session, bus, CaseCause.Of(context), caseNumber, actionId, request, caller, authorize, ct);
        switch (change.Result)
        {
            case CaseChangeResult.Refused: return change.Refusal!;
            case CaseChangeResult.NoCase: return NoCase(context, caseNumber);
            case CaseChangeResult.Conflict: return VersionConflict(context, expected, change.CurrentVersion);
            case CaseChangeResult.Rejected: return Problems.Problems.From(change.Problem!, context);
        }
        VorgangTelemetry.ActionsTaken.Add(1, new("service", change.Definition!.Id), new("action", actionId), new("role", caller.Role));
        return await respond(change.Case!, change.Definition);
    }
}
