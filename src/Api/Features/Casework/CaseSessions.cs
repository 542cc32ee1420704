using System.Diagnostics;
using System.Text.Json.Nodes;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Api.Telemetry;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Api.Features.Casework;

/// <summary>A change to a case: the version the client last saw, and the action's input.</summary>
public sealed record ActionRequest(long? ExpectedVersion, JsonObject? Input);

/// <summary>The shared path of every action on a case, for citizens and staff alike.</summary>
public static class CaseSessions
{
    /// <summary>Marks the session's events with the definition version, the trace as correlation and the request as causation.</summary>
    public static void Stamp(IDocumentSession session, ProcessDefinition definition, HttpContext context)
    {
        session.CorrelationId = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        session.CausationId = context.TraceIdentifier;
        session.SetHeader("definition", definition.Key);
    }

    /// <summary>
    /// Loads the case for writing, lets <paramref name="authorize"/> refuse it, checks the expected version,
    /// decides, appends and saves. Marten's optimistic check at save turns a lost race into 409.
    /// </summary>
    public static async Task<IResult> TakeActionAsync(
        IDocumentSession session, DefinitionCatalog catalog, TimeProvider time, HttpContext context,
        string caseNumber, string actionId, ActionRequest? request, Caller caller,
        Func<Case, ProcessDefinition, IResult?> authorize,
        Func<Case, ProcessDefinition, Task<IResult>> respond,
        CancellationToken ct)
    {
        if (request?.ExpectedVersion is not { } expected)
            return Problems.Problems.Invalid(context, [new FieldError("expectedVersion", "required", "Send the version of the case you last saw (expectedVersion).")], "The request is invalid.");

        var stream = await session.Events.FetchForWriting<Case>(caseNumber, ct);
        var state = stream.Aggregate;
        var definition = state is null ? null : catalog.Get(state.ServiceId, state.DefinitionVersion);
        if (state is null || definition is null) return Problems.Problems.NotFound(context, $"There is no case '{caseNumber}'.");
        if (authorize(state, definition) is { } refused) return refused;
        if (stream.CurrentVersion != expected)
        {
            var conflict = Problems.Problems.Create(409, "version-conflict", "The case was changed in the meantime.",
                $"You sent version {expected}; the case is at version {stream.CurrentVersion}. Load it again and retry.", context);
            conflict.Extensions["currentVersion"] = stream.CurrentVersion;
            return Results.Json(conflict, (System.Text.Json.JsonSerializerOptions?)null, Problems.Problems.ContentType, 409);
        }

        var now = time.GetUtcNow();
        var decision = CaseDecider.Decide(definition, state, actionId, request.Input, caller, now, BerlinClock.DateOf(now));
        if (decision.Problem is { } problem) return Problems.Problems.From(problem, context);

        Stamp(session, definition, context);
        stream.AppendMany(decision.Events.ToArray());
        await session.SaveChangesAsync(ct);

        VorgangTelemetry.ActionsTaken.Add(1, new("service", definition.Id), new("action", actionId), new("role", caller.Role));
        foreach (var closed in decision.Events.OfType<CaseClosed>())
            VorgangTelemetry.CasesClosed.Add(1, new("service", definition.Id), new("outcome", closed.Outcome));

        var after = decision.Events.Aggregate(state with { Version = expected }, (s, e) => s.Fold(e));
        return await respond(after, definition);
    }
}
