using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Api.Features.Audit;
using Vorgang.Api.Features.Privacy;
using Vorgang.Api.Security;
using Vorgang.Api.Views;
using Vorgang.Workflows.Audit;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Wolverine;
using Wolverine.Http;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Api.Features.Casework;

public sealed record HistoryEntry(
    long Version, long Sequence, string Type, DateTimeOffset Timestamp, Actor? Actor, string? Channel,
    string? CorrelationId, string? CausationId, IReadOnlyDictionary<string, object>? Headers, object Data);

public sealed record CaseHistory(string CaseNumber, string ServiceId, int DefinitionVersion, IReadOnlyList<HistoryEntry> Events);

/// <summary>The case as it was: its version and last event's moment, the definition it was decided under (<c>serviceId@vN</c>) and the due date in force then.</summary>
public sealed record CaseAsOf(long Version, DateTimeOffset AsOf, StaffCaseView Case, string Definition, DateOnly? DueOn)
{
    /// <summary>The message thread as it stood then, oldest first (texts null once erased).</summary>
    public IReadOnlyList<Messages.MessageView> Messages { get; init; } = [];
}

/// <summary>Staff work on single cases: read, act, replay.</summary>
[Authorize(Policy = StaffAuth.StaffPolicy)]
public static class CaseEndpoints
{
    [WolverineGet("/api/cases/{caseNumber}", OperationId = "getCase")]
    [EndpointSummary("The staff view of a case with the actions the caller may take.")]
    [EndpointDescription("Form data, computed values, fees, documents, state, team, `version`, assignee, applicant, the legal deadline with its history, and the `allowedActions` for the caller with their input fields. Caseworkers read their team's cases, parties the cases addressed to them, auditors and admins every case; a case the caller may not reach answers exactly like a missing one (`404`). The read of personal data is recorded.")]
    [Tags("Casework")]
    [ProducesResponseType<StaffCaseView>(200)]
    [ProducesResponseType<ProblemDetails>(403, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IResult> Get(
        string caseNumber, IDocumentSession session, DefinitionCatalog catalog, PersonalDataVault vault, TimeProvider time, HttpContext context, CancellationToken ct)
    {
        var caller = context.User.StaffCaller();
        var readable = await Access.ReadableAsync(caseNumber, caller, session, catalog, context, ct);
        if (readable.Refused is not null) return readable.Refused;
        var (state, definition) = (readable.State!, readable.Definition!);
        await RecordedReads.RecordAsync(session, caller!, state.Id, state.Version, PersonalDataRead.Endpoints.StaffView, context, time, ct);
        var unread = Messages.StaffMessageEndpoints.RefuseReadBy(caller, context) is null
            ? await Messages.CaseMessages.UnreadAsync(session, state, MessageSides.Office, ct)
            : (int?)null;
        return Results.Ok(CaseViews.Staff(definition, await vault.OpenAsync(session, state, ct), caller, time.Today()) with { UnreadMessages = unread });
    }

    [WolverineGet("/api/cases/{caseNumber}/history", OperationId = "getCaseHistory")]
    [EndpointSummary("Every event of the case with actor, channel, correlation and definition version.")]
    [EndpointDescription("Every event of the case in order: version, sequence, stable type name, time, actor and channel, correlation and causation ids, headers (definition version, hash-chain link) and data, with personal values opened (the read is recorded) or `null` once erased. For caseworkers of the team, auditors and admins; parties are refused (`403`).")]
    [Tags("Audit")]
    [ProducesResponseType<CaseHistory>(200)]
    public static async Task<IResult> History(
        string caseNumber, IDocumentSession session, DefinitionCatalog catalog, PersonalDataVault vault, TimeProvider time, HttpContext context, CancellationToken ct)
    {
        var caller = context.User.StaffCaller();
        if (Access.RefuseReplayBy(caller, context) is { } notForParties) return notForParties;
        var readable = await Access.ReadableAsync(caseNumber, caller, session, catalog, context, ct);
        if (readable.Refused is not null) return readable.Refused;
        var (state, definition) = (readable.State!, readable.Definition!);
        var events = await session.Events.FetchStreamAsync(caseNumber, token: ct);
        await RecordedReads.RecordAsync(session, caller!, state.Id, events.Count > 0 ? events[^1].Version : state.Version, PersonalDataRead.Endpoints.History, context, time, ct);
        return Results.Ok(HistoryOf(state, events, await vault.KeyAsync(session, caseNumber, ct)));
    }

    /// <summary>
    /// The history as the endpoint and the auditor's console show it: auditors read the personal values opened (the read
    /// is recorded by the caller); after an erasure they read null where they were.
    /// </summary>
    public static CaseHistory HistoryOf(Case state, IReadOnlyList<JasperFx.Events.IEvent> events, Vorgang.Workflows.Privacy.DataKey? key) =>
        new(state.Id, state.ServiceId, state.DefinitionVersion, events.Select(e =>
        {
            var actor = CaseEventTypes.ActorOf(e.Data);
            return new HistoryEntry(e.Version, e.Sequence, e.EventTypeName, e.Timestamp, actor, actor?.Channel,
                e.CorrelationId, e.CausationId, e.Headers, Vorgang.Workflows.Privacy.PersonalData.OpenEvent(e.Data, key));
        }).ToList());

    [WolverineGet("/api/cases/{caseNumber}/state", OperationId = "getCaseAsOf")]
    [EndpointSummary("The case as it was at a version or a moment.")]
    [EndpointDescription("The case rebuilt from its events up to `version` or up to the moment `at` (ISO 8601): the staff view as it was, the moment of its last event, the definition version it was decided under and the due date in force then. The read is recorded.")]
    [Tags("Audit")]
    [ProducesResponseType<CaseAsOf>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static async Task<IResult> AsOf(
        string caseNumber, [FromQuery(Name = "version")] string? versionText, [FromQuery] string? at, IDocumentSession session, DefinitionCatalog catalog,
        PersonalDataVault vault, TimeProvider time, HttpContext context, CancellationToken ct)
    {
        var caller = context.User.StaffCaller();
        if (Access.RefuseReplayBy(caller, context) is { } notForParties) return notForParties;
        DateTimeOffset? moment = null;
        if (at is not null)
        {
            if (!DateTimeOffset.TryParse(at, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed))
                return Problems.Problems.Invalid(context, [new FieldError("at", "date-time", "Give an ISO-8601 moment such as 2026-11-26T10:15:00Z.")], "The request is invalid.");
            moment = parsed;
        }
        long? version = null;
        if (versionText is not null)
        {
            if (!long.TryParse(versionText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsedVersion) || parsedVersion < 1)
                return Problems.Problems.Invalid(context, [new FieldError("version", "min", "Give a whole number ≥ 1: versions start at 1.")], "The request is invalid.");
            version = parsedVersion;
        }

        var readable = await Access.ReadableAsync(caseNumber, caller, session, catalog, context, ct);
        if (readable.Refused is not null) return readable.Refused;
        var (current, definition) = (readable.State!, readable.Definition!);

        var replay = await ReplayAsync(caseNumber, version, moment, definition, session, catalog, vault, ct);
        if (replay.AsOf is not { } asOf)
            return Problems.Problems.NotFound(context, version is not null
                ? $"Case {caseNumber} has no version {version}; it is at version {current.Version}."
                : $"Case {caseNumber} did not exist yet at {moment:O}.");
        await RecordedReads.RecordAsync(session, caller!, caseNumber, asOf.Version, PersonalDataRead.Endpoints.StateAsOf, context, time, ct);
        return Results.Ok(asOf);
    }

    /// <summary>
    /// The case rebuilt from its events up to <paramref name="version"/> or <paramref name="moment"/>, as the endpoint and
    /// the auditor's console show it (the caller checks access and records the read); null when it had no such version
    /// or did not exist yet. <c>Sealed</c> is the same replay with the personal values as stored, to tell an erased value from an empty one.
    /// </summary>
    public static async Task<(CaseAsOf? AsOf, Case? Sealed)> ReplayAsync(
        string caseNumber, long? version, DateTimeOffset? moment, ProcessDefinition definition, IQuerySession session, DefinitionCatalog catalog,
        PersonalDataVault vault, CancellationToken ct)
    {
        // One read of the events up to then, folded as Marten folds them; the last one's time is the moment shown.
        // PostgreSQL takes a moment in UTC only: "2026-12-03T10:15+01:00" is the same moment, converted.
        var events = await session.Events.FetchStreamAsync(caseNumber, version: version ?? 0, timestamp: moment?.ToUniversalTime(), token: ct);
        if (events.Count == 0 || events[0].Data is not CaseSubmitted || (version is not null && events[^1].Version < version)) return (null, null);
        var key = await vault.KeyAsync(session, caseNumber, ct);
        var then = Case.Replay(events.Select(e => Vorgang.Workflows.Privacy.PersonalData.OpenEvent(e.Data, key)));
        var asOf = events[^1].Timestamp;
        // The definition the case was decided under then (a case keeps its version), and its computed values as of that day.
        var thenDefinition = catalog.Get(then.ServiceId, then.DefinitionVersion) ?? definition;
        var thread = Messages.CaseMessages.Thread(caseNumber, events, key, marker: null, MessageSides.Office);
        return (new CaseAsOf(then.Version, asOf, CaseViews.Staff(thenDefinition, then, caller: null, BerlinClock.DateOf(asOf)), thenDefinition.Key, then.DueOn)
            {
                Messages = thread.Messages.Select(m => m with { New = false }).ToList(),
            },
            Case.Replay(events.Select(e => e.Data)));
    }
}
