using Marten;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Api.Features.Casework;
using Vorgang.Projections.Forecasts;
using Vorgang.Projections.Views;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Wolverine;
using Wolverine.Http;

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
    [Tags("Citizens")]
    [ProducesResponseType<CitizenCaseView>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(429, "application/problem+json")]
    [TrackingLockout]
    public static async Task<IResult> Get(
        string caseNumber, [FromHeader(Name = TrackingCodeHeader)] string? trackingCode, [FromQuery] string? lang,
        IQuerySession session, DefinitionCatalog catalog, CitizenOutlooks outlooks, TimeProvider time, HttpContext context, CancellationToken ct)
    {
        if (!CaseNumbers.IsWellFormed(caseNumber) || string.IsNullOrWhiteSpace(trackingCode)) return NotFound(context);
        // The timeline needs every event anyway: one read of the stream, folded, instead of the snapshot and the stream.
        var events = await session.Events.FetchStreamAsync(caseNumber, token: ct);
        if (events.Count == 0 || events[0].Data is not CaseSubmitted submitted || !TrackingCodes.Matches(trackingCode, submitted.TrackingCodeHash))
            return NotFound(context);
        var state = Case.Replay(events.Select(e => e.Data));
        var definition = catalog.Get(state.ServiceId, state.DefinitionVersion);
        if (definition is null) return NotFound(context);
        var view = CaseViews.Citizen(definition, state, events.Select(e => (e.Data, e.Timestamp)).ToList(), lang ?? PreferredLanguage(context));
        return Results.Ok(view with { Outlook = await outlooks.ForAsync(definition, state, time.Today(), view.Language, ct) });
    }

    [WolverinePost("/api/track/{caseNumber}/actions/{actionId}", OperationId = "takeCitizenAction")]
    [EndpointSummary("A citizen action on their case, e.g. providing information or withdrawing.")]
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
        string caseNumber, string actionId, [FromHeader(Name = TrackingCodeHeader)] string? trackingCode,
        IDocumentSession session, IMessageBus bus, DefinitionCatalog catalog, CitizenOutlooks outlooks, TimeProvider time, HttpContext context, CancellationToken ct)
    {
        var caller = new Caller($"citizen:{caseNumber}", Roles.Citizen, "", null, Channels.Online);
        return await CaseSessions.TakeActionAsync(session, bus, catalog, time, context, caseNumber, actionId, caller,
            authorize: (state, definition) => state is not null && definition is not null && TrackingCodes.Matches(trackingCode, state.TrackingCodeHash) ? null : NotFound(context),
            respond: async (state, definition) =>
            {
                var view = await CitizenView(session, definition, state, PreferredLanguage(context), ct);
                return Results.Ok(view with { Outlook = await outlooks.ForAsync(definition, state, time.Today(), view.Language, ct) });
            },
            ct);
    }

    private static async Task<CitizenCaseView> CitizenView(IQuerySession session, ProcessDefinition definition, Case state, string? lang, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(state.Id, token: ct);
        return CaseViews.Citizen(definition, state, events.Select(e => (e.Data, e.Timestamp)).ToList(), lang);
    }

    private static string? PreferredLanguage(HttpContext context)
    {
        var accept = context.Request.Headers.AcceptLanguage.ToString();
        if (accept.StartsWith("en", StringComparison.OrdinalIgnoreCase)) return "en";
        if (accept.StartsWith("de", StringComparison.OrdinalIgnoreCase)) return "de";
        return null;
    }

    private static IResult NotFound(HttpContext context)
    {
        // Every such answer counts towards the lockout of the number and of the client (TrackingLockout), case or no case.
        TrackingLockout.MarkFailed(context);
        return Problems.Problems.NotFound(context, "No case matches this case number and tracking code. Check both and try again.");
    }
}
