using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Api.Features.Casework;
using Vorgang.Api.Features.Privacy;
using Vorgang.Api.Features.Tracking;
using Vorgang.Api.Problems;
using Vorgang.Api.Security;
using Vorgang.Projections.Forecasts;
using Vorgang.Api.Views;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Privacy;
using Wolverine;
using Wolverine.Http;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Api.Features.Accounts;

/// <summary>One of a signed-in citizen's cases, as their list shows it.</summary>
public sealed record MyCaseSummary(
    string CaseNumber, string ServiceId, string ServiceTitle, StatusView Status, bool IsClosed, string? Outcome,
    DateTimeOffset SubmittedAt, DateOnly? DueOn, long Version);

public sealed record MyCases(IReadOnlyList<MyCaseSummary> Cases);

/// <summary>
/// A citizen signed in with their account sees every case they applied for signed in, newest first, and works them
/// without tracking codes. Someone else's case — or one whose personal data, and with it the link to the account, was
/// erased — answers the same 404 as a case that does not exist.
/// </summary>
[Authorize(Policy = CitizenAuth.Policy)]
public static class MyCasesEndpoints
{
    [WolverineGet("/api/me/cases", OperationId = "getMyCases")]
    [EndpointSummary("The signed-in citizen's cases, newest first (citizen account token).")]
    [EndpointDescription("The cases submitted with this citizen account, newest first, as long as their personal data (and with it the link to the account) exists. Needs a citizen-account token; a staff token is `403`.")]
    [Tags("Citizens")]
    [ProducesResponseType<MyCases>(200)]
    public static async Task<IResult> List(
        [FromQuery] string? lang, IQuerySession session, DefinitionCatalog catalog, PersonalDataVault vault, HttpContext context, CancellationToken ct)
    {
        return Results.Ok(await ForAccountAsync(session, catalog, vault, context.User.Citizen()!, CitizenCases.PreferredLanguage(context, lang), ct));
    }

    /// <summary>The account's cases, newest first, in <paramref name="language"/> (or each case's own): the API's list and the portal's.</summary>
    public static async Task<MyCases> ForAccountAsync(
        IQuerySession session, DefinitionCatalog catalog, PersonalDataVault vault, CitizenAccount account, string? language, CancellationToken ct)
    {
        var hash = vault.Ring.AccountHash(account.Issuer, account.Subject);
        var numbers = await session.Query<SubjectKey>().Where(k => k.AccountHash == hash).Select(k => k.Id).ToListAsync(ct);
        var cases = numbers.Count == 0 ? [] : await session.LoadManyAsync<Case>(ct, numbers);
        return new MyCases(cases
            .Select(c => (Case: c, Definition: catalog.Get(c.ServiceId, c.DefinitionVersion)))
            .Where(x => x.Definition is not null)
            .OrderByDescending(x => x.Case.SubmittedAt).ThenByDescending(x => x.Case.Id)
            .Select(x => Summary(x.Case, x.Definition!, language ?? x.Case.Language))
            .ToList());
    }

    [WolverineGet("/api/me/cases/{caseNumber}", OperationId = "getMyCase")]
    [EndpointSummary("One of the signed-in citizen's cases: the same view as tracking, without a tracking code.")]
    [EndpointDescription("The citizen view of one of the account's cases, as `GET /api/track/{caseNumber}` but without a tracking code. Someone else's case answers exactly like one that does not exist (`404`).")]
    [Tags("Citizens")]
    [ProducesResponseType<CitizenCaseView>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IResult> Get(
        string caseNumber, [FromQuery] string? lang, IQuerySession session, DefinitionCatalog catalog, CitizenOutlooks outlooks, PersonalDataVault vault,
        TimeProvider time, HttpContext context, CancellationToken ct)
    {
        var view = await ViewAsync(caseNumber, CitizenCases.PreferredLanguage(context, lang), session, catalog, outlooks, vault, time, context, ct);
        return view is null ? NotYours(context) : Results.Ok(view);
    }

    /// <summary>The citizen view of one of the signed-in account's cases; null for anyone else's, or none (the API and the portal).</summary>
    public static async Task<CitizenCaseView?> ViewAsync(
        string caseNumber, string? language, IQuerySession session, DefinitionCatalog catalog, CitizenOutlooks outlooks, PersonalDataVault vault,
        TimeProvider time, HttpContext context, CancellationToken ct)
    {
        if (!CaseNumbers.IsWellFormed(caseNumber)) return null;
        var loaded = await CitizenCases.LoadAsync(session, caseNumber, ct);
        if (loaded.Events.Count == 0 || !Owns(context, vault, loaded.Key)) return null;
        return await CitizenCases.ViewAsync(loaded, vault.Open(loaded.Key), catalog, outlooks, language, time.Today(), ct);
    }

    [WolverineGet("/api/me/cases/{caseNumber}/accesses", OperationId = "getMyCaseAccesses")]
    [EndpointSummary("Who of the office read the signed-in citizen's personal data in this case, and when.")]
    [EndpointDescription("The recorded reads of the personal data in one of the account's cases, as `GET /api/track/{caseNumber}/accesses`.")]
    [Tags("Citizens")]
    [ProducesResponseType<DataAccesses>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IResult> Accesses(
        string caseNumber, [FromQuery] string? lang, IQuerySession session, PersonalDataVault vault, HttpContext context, CancellationToken ct)
    {
        if (!CaseNumbers.IsWellFormed(caseNumber)) return NotYours(context);
        var batch = session.CreateBatchQuery();
        var keyTask = batch.Load<SubjectKey>(caseNumber);
        var caseTask = batch.Load<Case>(caseNumber);
        await batch.Execute(ct);
        var (key, state) = (await keyTask, await caseTask);
        if (state is null || !Owns(context, vault, key)) return NotYours(context);
        return Results.Ok(await CitizenCases.AccessesAsync(session, caseNumber, CitizenCases.PreferredLanguage(context, lang) ?? state.Language, ct));
    }

    internal static bool Owns(HttpContext context, PersonalDataVault vault, SubjectKey? key)
    {
        if (key?.AccountHash is not { } stored || context.User.Citizen() is not { } account) return false;
        var mine = vault.Ring.AccountHash(account.Issuer, account.Subject);
        return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(stored), System.Text.Encoding.ASCII.GetBytes(mine));
    }

    private static MyCaseSummary Summary(Case state, ProcessDefinition definition, string lang) =>
        new(state.Id, state.ServiceId, definition.Title.For(lang), CaseViews.Status(definition, state, lang),
            state.IsClosed, state.Outcome, state.SubmittedAt, state.DueOn, state.Version);

    internal static IResult NotYours(HttpContext context) =>
        Problems.Problems.NotFound(context, "You have no case with this number. Cases you submitted without signing in are opened with their tracking code.");
}

/// <summary>A signed-in citizen takes an action on one of their cases.</summary>
[Authorize(Policy = CitizenAuth.Policy)]
public static class TakeMyCaseActionEndpoint
{
    public static IResult? Validate(ActionRequest request, HttpContext context) => RequestValidation.Check(ActionRequest.Rules, request, context);

    [WolverinePost("/api/me/cases/{caseNumber}/actions/{actionId}", OperationId = "takeMyCaseAction")]
    [EndpointSummary("A citizen action on one of the signed-in citizen's cases.")]
    [EndpointDescription("A citizen action on one of the account's cases, as `POST /api/track/{caseNumber}/actions/{actionId}`; answers the new citizen view.")]
    [Tags("Citizens")]
    [ProducesResponseType<CitizenCaseView>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(422, "application/problem+json")]
    [Consumes(typeof(ActionRequest), "application/json")]
    public static async Task<IResult> Act(
        string caseNumber, string actionId, ActionRequest request, CaseWriter writer, IDocumentSession session, IMessageBus bus, DefinitionCatalog catalog,
        CitizenOutlooks outlooks, PersonalDataVault vault, TimeProvider time, HttpContext context, CancellationToken ct)
    {
        // Ownership is the account link beside the case's key; checked before the case is loaded for writing.
        var owned = CaseNumbers.IsWellFormed(caseNumber) && MyCasesEndpoints.Owns(context, vault, await session.LoadAsync<SubjectKey>(caseNumber, ct));
        var caller = new Caller($"citizen:{caseNumber}", Roles.Citizen, "", null, Channels.Online);
        return await CaseActions.TakeAsync(writer, session, bus, context, caseNumber, actionId, request, caller,
            authorize: (state, definition) => owned && state is not null && definition is not null ? null : MyCasesEndpoints.NotYours(context),
            respond: (_, _) => TrackCaseEndpoints.RespondAsync(session, catalog, outlooks, vault, time, context, caseNumber, ct),
            ct);
    }
}
