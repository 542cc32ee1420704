using Marten;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Api.Features.Casework;
using Vorgang.Api.Features.Privacy;
using Vorgang.Api.Problems;
using Vorgang.Projections.Forecasts;
using Vorgang.Api.Views;
using Vorgang.Workflows.Audit;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Wolverine;
using Wolverine.Http;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Api.Features.Tracking;

/// <summary>
/// The citizen's view of their case, opened with the case number and the tracking code. A wrong number and
/// a wrong code answer the same 404, so that nobody learns which case numbers exist.
/// </summary>
public static class TrackCaseEndpoints
{
    public const string TrackingCodeHeader = "X-Tracking-Code";

    [WolverineGet("/api/track/{caseNumber}", OperationId = "trackCase")]
    [EndpointSummary("The citizen's view of their case (needs X-Tracking-Code).")]
    [EndpointDescription("Status text and next step in plain language, what the office needs from the citizen, the timeline, the citizen actions allowed now with their input fields, the `version`, and while the case is open an outlook (expected completion, queue position, delay notice). Language: `lang`, else Accept-Language, else the submission's. A wrong case number or code is `404`; too many wrong codes lock the number and the client for a while (`429 too-many-attempts` with Retry-After).")]
    [Tags("Citizens")]
    [ProducesResponseType<CitizenCaseView>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(429, "application/problem+json")]
    [TrackingLockout]
    public static async Task<IResult> Get(
        string caseNumber, [FromHeader(Name = TrackingCodeHeader)] string? trackingCode, [FromQuery] string? lang,
        IQuerySession session, DefinitionCatalog catalog, CitizenOutlooks outlooks, PersonalDataVault vault, TimeProvider time, HttpContext context, CancellationToken ct)
    {
        var view = await ViewWithCodeAsync(caseNumber, trackingCode, lang ?? PreferredLanguage(context), session, catalog, outlooks, vault, time, ct);
        return view is null ? NotFound(context) : Results.Ok(view);
    }

    /// <summary>The citizen view when the tracking code matches the case; null for a wrong number or code alike (the API and the portal's status page).</summary>
    public static async Task<CitizenCaseView?> ViewWithCodeAsync(
        string caseNumber, string? trackingCode, string? lang, IQuerySession session, DefinitionCatalog catalog, CitizenOutlooks outlooks,
        PersonalDataVault vault, TimeProvider time, CancellationToken ct) =>
        (await ViewAndReadsWithCodeAsync(caseNumber, trackingCode, lang, session, catalog, outlooks, vault, time, ct, withReads: false)).View;

    /// <summary>The citizen view, and with <paramref name="withReads"/> the recorded reads of the case's personal data, read in the same round trip.</summary>
    public static async Task<(CitizenCaseView? View, IReadOnlyList<PersonalDataRead> Reads)> ViewAndReadsWithCodeAsync(
        string caseNumber, string? trackingCode, string? lang, IQuerySession session, DefinitionCatalog catalog, CitizenOutlooks outlooks,
        PersonalDataVault vault, TimeProvider time, CancellationToken ct, bool withReads = true)
    {
        if (!CaseNumbers.IsWellFormed(caseNumber) || string.IsNullOrWhiteSpace(trackingCode)) return (null, []);
        // The timeline needs every event anyway: one read of the stream (with the case's key), folded, instead of the snapshot and the stream.
        var loaded = await CitizenCases.LoadAsync(session, caseNumber, ct, withReads);
        if (loaded.Events is not [{ Data: CaseSubmitted submitted }, ..] || !TrackingCodes.Matches(trackingCode, submitted.TrackingCodeHash))
            return (null, []);
        return (await CitizenCases.ViewAsync(loaded, vault.Open(loaded.Key), catalog, outlooks, lang, time.Today(), ct), loaded.Reads ?? []);
    }

    [WolverineGet("/api/track/{caseNumber}/accesses", OperationId = "trackCaseAccesses")]
    [TrackingLockout]
    [EndpointSummary("Who of the office read the citizen's personal data in this case, and when (needs X-Tracking-Code).")]
    [EndpointDescription("The recorded reads of the citizen's personal data by the office, oldest first, each with role, team, endpoint and one sentence in the citizen's language. Staff are named by role and team, not by person.")]
    [Tags("Citizens")]
    [ProducesResponseType<DataAccesses>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IResult> Accesses(
        string caseNumber, [FromHeader(Name = TrackingCodeHeader)] string? trackingCode, [FromQuery] string? lang,
        IQuerySession session, HttpContext context, CancellationToken ct)
    {
        if (!CaseNumbers.IsWellFormed(caseNumber) || string.IsNullOrWhiteSpace(trackingCode)) return NotFound(context);
        var state = await session.LoadAsync<Case>(caseNumber, ct);
        if (state is null || !TrackingCodes.Matches(trackingCode, state.TrackingCodeHash)) return NotFound(context);
        return Results.Ok(await CitizenCases.AccessesAsync(session, caseNumber, CitizenCases.PreferredLanguage(context, lang) ?? state.Language, ct));
    }

    /// <summary>The citizen view after an action, read back from the stream just written (read-your-writes).</summary>
    public static async Task<IResult> RespondAsync(
        IQuerySession session, DefinitionCatalog catalog, CitizenOutlooks outlooks, PersonalDataVault vault, TimeProvider time, HttpContext context,
        string caseNumber, CancellationToken ct)
    {
        var loaded = await CitizenCases.LoadAsync(session, caseNumber, ct);
        var view = await CitizenCases.ViewAsync(loaded, vault.Open(loaded.Key), catalog, outlooks, PreferredLanguage(context), time.Today(), ct);
        return view is null ? NotFound(context) : Results.Ok(view);
    }

    private static string? PreferredLanguage(HttpContext context) => CitizenCases.PreferredLanguage(context);

    internal static IResult NotFound(HttpContext context)
    {
        // Every such answer counts towards the lockout of the number and of the client (TrackingLockout), case or no case.
        TrackingLockout.MarkFailed(context);
        return Problems.Problems.NotFound(context, "No case matches this case number and tracking code. Check both and try again.");
    }
}

/// <summary>A citizen holding the tracking code takes an action on their case: provides information, books, withdraws.</summary>
public static class TakeCitizenActionEndpoint
{
    public static IResult? Validate(ActionRequest request, HttpContext context) => RequestValidation.Check(ActionRequest.Rules, request, context);

    [WolverinePost("/api/track/{caseNumber}/actions/{actionId}", OperationId = "takeCitizenAction")]
    [EndpointSummary("A citizen action on their case, e.g. providing information or withdrawing.")]
    [EndpointDescription("Takes one of the citizen actions the case offers now (the `actions` of the citizen view) at the `expectedVersion` the citizen last saw, with the action's `input`, and answers the new citizen view. A stale version is `409 version-conflict` with `currentVersion`; an action not possible now is `422`.")]
    [Tags("Citizens")]
    [ProducesResponseType<CitizenCaseView>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(422, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(429, "application/problem+json")]
    [TrackingLockout]
    [Consumes(typeof(ActionRequest), "application/json")]
    public static async Task<IResult> Post(
        string caseNumber, string actionId, [FromHeader(Name = TrackCaseEndpoints.TrackingCodeHeader)] string? trackingCode,
        ActionRequest request, CaseWriter writer, IDocumentSession session, IMessageBus bus, DefinitionCatalog catalog, CitizenOutlooks outlooks,
        PersonalDataVault vault, TimeProvider time, HttpContext context, CancellationToken ct)
    {
        var caller = new Caller($"citizen:{caseNumber}", Roles.Citizen, "", null, Channels.Online);
        return await CaseActions.TakeAsync(writer, session, bus, context, caseNumber, actionId, request, caller,
            authorize: (state, definition) => state is not null && definition is not null && TrackingCodes.Matches(trackingCode, state.TrackingCodeHash) ? null : TrackCaseEndpoints.NotFound(context),
            respond: (_, _) => TrackCaseEndpoints.RespondAsync(session, catalog, outlooks, vault, time, context, caseNumber, ct),
            ct);
    }
}
