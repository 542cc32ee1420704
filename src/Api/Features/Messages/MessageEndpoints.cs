using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Api.Features.Audit;
using Vorgang.Api.Features.Casework;
using Vorgang.Api.Features.Privacy;
using Vorgang.Api.Features.Tracking;
using Vorgang.Api.Problems;
using Vorgang.Api.Security;
using Vorgang.Workflows.Audit;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Wolverine.Http;
using Wolverine.Marten.Publishing;
using Wolverine.Runtime;

namespace Vorgang.Api.Features.Messages;

/// <summary>The citizen's side of the thread, opened with the case number and the tracking code (the lockout of <c>/api/track</c> applies).</summary>
public static class CitizenMessageEndpoints
{
    [WolverineGet("/api/track/{caseNumber}/messages", OperationId = "getCitizenMessages")]
    [EndpointSummary("The message thread of the citizen's case (needs X-Tracking-Code).")]
    [EndpointDescription("Every message between the citizen and the office, oldest first, with `side` (`citizen` or `office`), time and text; office messages name no member of staff. `unread` counts the office's messages that were new to the citizen; reading the thread marks them read (the case's version does not change). A wrong case number or code is `404`, as for `GET /api/track/{caseNumber}`.")]
    [Tags("Citizens")]
    [ProducesResponseType<MessageThread>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(429, "application/problem+json")]
    [TrackingLockout]
    public static async Task<IResult> Get(
        string caseNumber, [FromHeader(Name = TrackCaseEndpoints.TrackingCodeHeader)] string? trackingCode,
        IDocumentSession session, PersonalDataVault vault, TimeProvider time, HttpContext context, CancellationToken ct)
    {
        var thread = await ThreadAsync(caseNumber, trackingCode, session, vault, time, ct);
        return thread is null ? TrackCaseEndpoints.NotFound(context) : Results.Ok(thread);
    }

    /// <summary>The citizen's thread when the code matches (null for a wrong number or code alike), the office's messages marked read.</summary>
    public static async Task<MessageThread?> ThreadAsync(
        string caseNumber, string? trackingCode, IDocumentSession session, PersonalDataVault vault, TimeProvider time, CancellationToken ct)
    {
        if (!CaseNumbers.IsWellFormed(caseNumber) || string.IsNullOrWhiteSpace(trackingCode)) return null;
        var loaded = await CaseMessages.LoadAsync(session, caseNumber, MessageSides.Citizen, ct);
        if (loaded.Events is not [{ Data: CaseSubmitted submitted }, ..] || !TrackingCodes.Matches(trackingCode, submitted.TrackingCodeHash)) return null;
        var thread = CaseMessages.Thread(caseNumber, loaded.Events, vault.Open(loaded.Key), loaded.Marker, MessageSides.Citizen);
        if (CaseMessages.MarkRead(session, thread, loaded.Marker, MessageSides.Citizen, time.GetUtcNow())) await session.SaveChangesAsync(ct);
        return thread;
    }
}

/// <summary>The citizen writes to the office (a Wolverine class of its own, so that its <c>Validate</c> runs for the POST only).</summary>
public static class PostCitizenMessageEndpoint
{
    public static IResult? Validate(MessageRequest request, HttpContext context) => RequestValidation.Check(MessageRequest.Rules, request, context);

    [WolverinePost("/api/track/{caseNumber}/messages", OperationId = "postCitizenMessage")]
    [EndpointSummary("The citizen writes to the office (needs X-Tracking-Code).")]
    [EndpointDescription("Appends `{ \"text\": \"…\" }` to the case's thread and answers `201` with the message (Location: the thread). Allowed while the case's personal data exists, also after it closed; once erased `409 personal-data-erased`. With `expectedVersion` a stale version is `409 version-conflict`; without it the message is appended at the case's current version.")]
    [Tags("Citizens")]
    [ProducesResponseType<MessageView>(201)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(429, "application/problem+json")]
    [TrackingLockout]
    [Consumes(typeof(MessageRequest), "application/json")]
    public static async Task<IResult> Post(
        string caseNumber, [FromHeader(Name = TrackCaseEndpoints.TrackingCodeHeader)] string? trackingCode, MessageRequest request,
        CaseWriter writer, OutboxedSessionFactory sessions, IWolverineRuntime runtime, HttpContext context, CancellationToken ct)
    {
        var change = await PostAsync(caseNumber, trackingCode, request, writer, sessions, runtime, context, () => TrackCaseEndpoints.NotFound(context), ct);
        return MessageAnswers.Posted(change, request, caseNumber, $"/api/track/{caseNumber}/messages", MessageSides.Citizen, context);
    }

    /// <summary>The citizen's message through the writer; <paramref name="notFound"/> answers a wrong number or code.</summary>
    public static Task<CaseChange> PostAsync(
        string caseNumber, string? trackingCode, MessageRequest request, CaseWriter writer, OutboxedSessionFactory sessions, IWolverineRuntime runtime,
        HttpContext context, Func<IResult> notFound, CancellationToken ct) =>
        CaseMessages.PostAsync(writer, sessions, runtime, CaseCause.Of(context), caseNumber, request, MessageSides.Citizen,
            new Actor($"citizen:{caseNumber}", Roles.Citizen, "", Channels.Online),
            authorize: (state, definition) => state is not null && definition is not null && TrackingCodes.Matches(trackingCode, state.TrackingCodeHash) ? null : notFound(),
            ct);
}

/// <summary>The office's side of the thread: the case's team writes and reads; auditors and admins read (recorded); parties take no part.</summary>
[Authorize(Policy = StaffAuth.StaffPolicy)]
public static class StaffMessageEndpoints
{
    [WolverineGet("/api/cases/{caseNumber}/messages", OperationId = "getCaseMessages")]
    [EndpointSummary("The message thread of a case, as the office reads it.")]
    [EndpointDescription("Every message between the citizen and the office, oldest first, office messages with the member of staff who wrote them. `unread` counts the citizen's messages that were new to the office; a caseworker of the team reading the thread marks them read for the office (auditors' and admins' reads do not). For the case's team, auditors and admins; the read is recorded. Parties are refused (`403`): the thread is between the citizen and the office.")]
    [Tags("Casework")]
    [ProducesResponseType<MessageThread>(200)]
    [ProducesResponseType<ProblemDetails>(403, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IResult> Get(
        string caseNumber, IDocumentSession session, DefinitionCatalog catalog, PersonalDataVault vault, TimeProvider time,
        HttpContext context, CancellationToken ct)
    {
        var (thread, refused) = await ThreadAsync(caseNumber, session, catalog, vault, time, context, ct);
        return refused ?? Results.Ok(thread);
    }

    /// <summary>The office's thread with the read recorded, or the refusal (the API and the workbench's case page).</summary>
    public static async Task<(MessageThread? Thread, IResult? Refused)> ThreadAsync(
        string caseNumber, IDocumentSession session, DefinitionCatalog catalog, PersonalDataVault vault, TimeProvider time,
        HttpContext context, CancellationToken ct)
    {
        var caller = context.User.StaffCaller();
        if (RefuseReadBy(caller, context) is { } notForParties) return (null, notForParties);
        var readable = await Access.ReadableAsync(caseNumber, caller, session, catalog, context, ct);
        if (readable.Refused is not null) return (null, readable.Refused);
        var loaded = await CaseMessages.LoadAsync(session, caseNumber, MessageSides.Office, ct);
        var thread = CaseMessages.Thread(caseNumber, loaded.Events, vault.Open(loaded.Key), loaded.Marker, MessageSides.Office);
        // The office has read what its team has read; an auditor's look leaves the messages new for the team.
        if (caller!.Role == Roles.Caseworker) CaseMessages.MarkRead(session, thread, loaded.Marker, MessageSides.Office, time.GetUtcNow());
        await RecordedReads.RecordAsync(session, caller, caseNumber, thread.Version, PersonalDataRead.Endpoints.Messages, context, time, ct);
        return (thread, null);
    }

    /// <summary>Parties take no part in the thread between the citizen and the office: refused by role, before the case is looked at.</summary>
    public static IResult? RefuseReadBy(Caller? caller, HttpContext context) => caller switch
    {
        null => Access.NoRole(context),
        { Role: Roles.Caseworker or Roles.Auditor or Roles.Admin } => null,
        _ => Problems.Problems.Status(context, 403, "role-not-allowed", "The message thread is between the citizen and the office.",
            $"Role '{caller.Role}' reads the current view of the cases addressed to it: GET /api/cases/{{caseNumber}}."),
    };
}

/// <summary>The office writes to the citizen (a Wolverine class of its own, so that its <c>Validate</c> runs for the POST only).</summary>
[Authorize(Policy = StaffAuth.StaffPolicy)]
public static class PostCaseMessageEndpoint
{
    public static IResult? Validate(MessageRequest request, HttpContext context) => RequestValidation.Check(MessageRequest.Rules, request, context);

    [WolverinePost("/api/cases/{caseNumber}/messages", OperationId = "postCaseMessage")]
    [EndpointSummary("The office writes to the citizen.")]
    [EndpointDescription("Appends `{ \"text\": \"…\" }` to the case's thread as the calling caseworker of the case's team and answers `201` with the message (Location: the thread). The citizen reads it as from the office, without the writer's name. Allowed while the case's personal data exists, also after it closed; once erased `409 personal-data-erased`. Auditors `403 read-only`, admins and parties `403 role-not-allowed`. With `expectedVersion` a stale version is `409 version-conflict`; without it the message is appended at the case's current version.")]
    [Tags("Casework")]
    [ProducesResponseType<MessageView>(201)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(403, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [Consumes(typeof(MessageRequest), "application/json")]
    public static async Task<IResult> Post(
        string caseNumber, MessageRequest request, CaseWriter writer, OutboxedSessionFactory sessions, IWolverineRuntime runtime, HttpContext context,
        CancellationToken ct)
    {
        var (change, refused) = await PostAsync(caseNumber, request, writer, sessions, runtime, context, ct);
        return refused ?? MessageAnswers.Posted(change!, request, caseNumber, $"/api/cases/{caseNumber}/messages", MessageSides.Office, context);
    }

    /// <summary>The office's message through the writer, or the refusal by role (the API and the workbench's case page).</summary>
    public static async Task<(CaseChange? Change, IResult? Refused)> PostAsync(
        string caseNumber, MessageRequest request, CaseWriter writer, OutboxedSessionFactory sessions, IWolverineRuntime runtime, HttpContext context,
        CancellationToken ct)
    {
        var caller = context.User.StaffCaller();
        if (RefuseWritingBy(caller, context) is { } refused) return (null, refused);
        var change = await CaseMessages.PostAsync(writer, sessions, runtime, CaseCause.Of(context), caseNumber, request, MessageSides.Office,
            new Actor(caller!.Id, caller.Role, caller.Name, caller.Channel),
            authorize: (state, definition) => state is null || definition is null ? null : Access.CanRead(caller, state, definition, context),
            ct);
        return (change, null);
    }

    /// <summary>The case's team writes; auditors change nothing; admins and parties do no casework. Decided before the case is looked at.</summary>
    public static IResult? RefuseWritingBy(Caller? caller, HttpContext context) => caller switch
    {
        null => Access.NoRole(context),
        { Role: Roles.Caseworker } => null,
        { Role: Roles.Auditor } => Problems.Problems.Status(context, 403, "read-only", "Auditors read cases but do not change them.",
            "Use a caseworker account of the case's team to write to the citizen."),
        _ => Problems.Problems.Status(context, 403, "role-not-allowed", "Messages to the citizen are written by the case's team.",
            $"Role '{caller.Role}' may read the thread but not write to it."),
    };
}

/// <summary>A posted message as an HTTP answer.</summary>
public static class MessageAnswers
{
    public static IResult Posted(CaseChange change, MessageRequest request, string caseNumber, string location, string side, HttpContext context)
    {
        switch (change.Result)
        {
            case CaseChangeResult.Refused: return change.Refusal!;
            case CaseChangeResult.NoCase: return CaseActions.NoCase(context, caseNumber);
            case CaseChangeResult.Conflict: return CaseActions.VersionConflict(context, request.ExpectedVersion ?? change.CurrentVersion, change.CurrentVersion);
            case CaseChangeResult.Rejected: return Problems.Problems.From(change.Problem!, context);
        }
        return Results.Created(location, View(change, side));
    }

    /// <summary>The message just posted, as its writer's side reads it.</summary>
    public static MessageView View(CaseChange change, string side)
    {
        var posted = change.Events.OfType<CaseMessagePosted>().Single();
        return new MessageView(posted.MessageId, posted.Side, side == MessageSides.Office ? posted.PostedBy.Name : null, posted.Text, posted.PostedAt,
            change.Case!.Version, posted.Attachments);
    }
}
