using System.Diagnostics;
using System.Text.Json.Nodes;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Api.Features.Deadlines;
using Vorgang.Api.Features.Privacy;
using Vorgang.Api.Problems;
using Vorgang.Api.Telemetry;
using Vorgang.Workflows.Audit;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;
using Vorgang.Workflows.Definitions;
using Wolverine;

namespace Vorgang.Api.Features.Casework;

/// <summary>A change to a case: the version the client last saw, and the action's input.</summary>
public sealed record ActionRequest(long? ExpectedVersion, JsonObject? Input);

/// <summary>The shared path of every action on a case, for citizens and staff alike.</summary>
public static class CaseSessions
{
    /// <summary>404 for a case number that names no case; the number is repeated only when it is one.</summary>
    public static IResult NoCase(HttpContext context, string caseNumber) =>
        Problems.Problems.NotFound(context, CaseNumbers.IsWellFormed(caseNumber) ? $"There is no case {caseNumber}." : "There is no case with this number.");

    private static IResult VersionConflict(HttpContext context, long expected, long current)
    {
        var conflict = Problems.Problems.Create(409, "version-conflict", "The case was changed in the meantime.",
            $"You sent version {expected}; the case is at version {current}. Load it again and retry.", context);
        conflict.Extensions["currentVersion"] = current;
        return Results.Json(conflict, (System.Text.Json.JsonSerializerOptions?)null, Problems.Problems.ContentType, 409);
    }

    /// <summary>Marks the session's events with the definition version, the trace as correlation and the request as causation.</summary>
    public static void Stamp(IDocumentSession session, ProcessDefinition definition, HttpContext context)
    {
        var stamp = StampOf(definition, context);
        session.CorrelationId = stamp.CorrelationId;
        session.CausationId = stamp.CausationId;
        session.SetHeader(EventStamp.DefinitionHeader, stamp.Definition);
    }

    /// <summary>The marks of this request's events, taken while the request is current.</summary>
    public static EventStamp StampOf(ProcessDefinition definition, HttpContext context) =>
        new(Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier, context.TraceIdentifier, definition.Key);

    /// <summary>
    /// Reads the body, loads the case for writing, lets <paramref name="authorize"/> refuse it (it also sees a missing case), checks the expected version,
    /// decides, appends, schedules the timers the change sets (on <paramref name="bus"/>, whose outbox commits with the session) and saves.
    /// Marten's optimistic check at save turns a lost race into 409.
    /// </summary>
    public static async Task<IResult> TakeActionAsync(
        IDocumentSession session, IMessageBus bus, DefinitionCatalog catalog, TimeProvider time, HttpContext context,
        string caseNumber, string actionId, Caller caller,
        Func<Case?, ProcessDefinition?, IResult?> authorize,
        Func<Case, ProcessDefinition, Task<IResult>> respond,
        CancellationToken ct)
    {
        var (body, malformed) = await RequestBodies.ReadAsync(context);
        if (malformed is not null) return malformed;
        var shapeErrors = new List<FieldError>();
        var request = RequestBodies.Action(body, shapeErrors);
        if (request is null) return Problems.Problems.Invalid(context, shapeErrors, "The request is invalid.");
        if (request.ExpectedVersion is not { } expected)
            return Problems.Problems.Invalid(context, [new FieldError("expectedVersion", "required", "Send the version of the case you last saw (expectedVersion).")], "The request is invalid.");

        if (!CaseNumbers.IsWellFormed(caseNumber))
            return authorize(null, null) ?? CaseSessions.NoCase(context, caseNumber);
        var stream = await session.Events.FetchForWriting<Case>(caseNumber, ct);
        var stored = stream.Aggregate;
        var definition = stored is null ? null : catalog.Get(stored.ServiceId, stored.DefinitionVersion);
        // The caller's own rule decides first, so that it can answer a missing case exactly like a forbidden one.
        if (authorize(stored, definition) is { } refused) return refused;
        if (stored is null || definition is null) return CaseSessions.NoCase(context, caseNumber);
        // The snapshot and the stream's version are two reads: under a concurrent commit the snapshot may already show a
        // newer version than the stream did. A snapshot past what the client saw is the same conflict.
        if (stream.CurrentVersion != expected || stored.Version > expected)
            return VersionConflict(context, expected, Math.Max(stream.CurrentVersion ?? 0, stored.Version));

        // Decide on the opened values; store the new events sealed with the same key.
        var key = await context.RequestServices.GetRequiredService<PersonalDataVault>().KeyAsync(session, caseNumber, ct);
        var state = Vorgang.Workflows.Privacy.PersonalData.OpenCase(stored, key);

        var now = time.GetUtcNow();
        var decision = CaseDecider.Decide(definition, state, actionId, request.Input, caller, now, BerlinClock.DateOf(now));
        if (decision.Problem is { } problem) return Problems.Problems.From(problem, context);

        Stamp(session, definition, context);
        // The one way events reach a case stream: chained (see CaseChain and docs/architecture.md, "Audit trail").
        await CaseChain.AppendAsync(session, stream, PersonalDataVault.Seal(decision.Events, definition, key), ct);
        var after = decision.Events.Aggregate(state with { Version = expected }, (s, e) => s.Fold(e));
        await CaseTimerSchedule.ScheduleAsync(bus, CaseTimers.Plan(definition, after, decision.Events), now);
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (JasperFx.ConcurrencyException)
        {
            // The timers went down with the transaction; drop them from the bus too, or its flush after the
            // request would store them on their own.
            if (bus is Wolverine.Runtime.MessageContext outbox) await outbox.ClearAllAsync();
            // Someone else changed the case between our read and our commit: the same answer as a stale version.
            await using var fresh = session.DocumentStore.QuerySession();
            var current = await fresh.Events.FetchStreamStateAsync(caseNumber, ct);
            return VersionConflict(context, expected, current?.Version ?? expected + 1);
        }

        VorgangTelemetry.ActionsTaken.Add(1, new("service", definition.Id), new("action", actionId), new("role", caller.Role));
        foreach (var closed in decision.Events.OfType<CaseClosed>())
            VorgangTelemetry.CasesClosed.Add(1, new("service", definition.Id), new("outcome", closed.Outcome));

        return await respond(after, definition);
    }
}

/// <summary>
/// What marks a request's events: the trace as correlation, the request as causation, the definition version as a header.
/// Set on each event itself where one session carries several requests' events (<see cref="Submitting.SubmissionWriter"/>).
/// </summary>
public sealed record EventStamp(string CorrelationId, string CausationId, string Definition)
{
    public const string DefinitionHeader = "definition";

    public void Apply(StreamAction stream)
    {
        foreach (var e in stream.Events)
        {
            e.CorrelationId = CorrelationId;
            e.CausationId = CausationId;
            e.SetHeader(DefinitionHeader, Definition);
        }
    }
}
