using System.Text.Json.Nodes;
using Marten;
using Vorgang.Api.Features.Accounts;
using Vorgang.Api.Features.Casework;
using Vorgang.Api.Security;
using Vorgang.Workflows.Privacy;
using Vorgang.Api.Features.Privacy;
using Vorgang.Api.Features.Submitting;
using Vorgang.Api.Features.Tracking;
using Vorgang.Api.Hosting;
using Vorgang.Api.Views;
using Vorgang.Projections.Forecasts;
using Vorgang.Web;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Wolverine.Marten.Publishing;
using Wolverine.Runtime;

namespace Vorgang.Api.Features.Portal;

/// <summary>
/// The portal's pages served by the API's own code: the submission endpoint's core, the tracking view with its lockout,
/// and citizen actions through <see cref="CaseActions"/> and the <see cref="CaseWriter"/> (decision 33).
/// </summary>
public sealed class PortalEngine(
    DefinitionCatalog catalog, SubmissionWriter submissions, CaseWriter cases, CaseNumbers numbers, EngineSecrets secrets,
    PublishedVersions published, CitizenOutlooks outlooks, PersonalDataVault vault, TrackingLockout lockout,
    OutboxedSessionFactory sessions, IWolverineRuntime runtime, IDocumentStore store, IConfiguration configuration, TimeProvider time) : IPortalEngine
{
    public async Task<PortalSubmission> SubmitAsync(
        string serviceId, JsonObject data, string language, string idempotencyKey, HttpContext context, CancellationToken ct, AssistedFor? onBehalfOf = null)
    {
        if (context.User.StaffCaller() is { } staff && Access.RefuseSubmissionBy(staff, context) is not null)
            return new PortalSubmission(null, null, [], "role-not-allowed");
        await using var session = store.QuerySession();
        var person = onBehalfOf is not null && context.User.StaffCaller() is not null ? new OnBehalfOf(onBehalfOf.Name, onBehalfOf.IdentifiedBy) : null;
        var outcome = await SubmitApplicationEndpoint.SubmitAsync(
            serviceId, new SubmitApplication(data, language, person), idempotencyKey, catalog, session, submissions, cases, numbers, secrets, published, time, context, ct);
        if (outcome.Problem is { } problem) return new PortalSubmission(null, null, problem.Errors, problem.Detail);
        if (outcome.Case is null) return new PortalSubmission(null, null, []);
        return new PortalSubmission(outcome.Case.Id, outcome.TrackingCode, []);
    }

    public string TrackingCode(string serviceId, string idempotencyKey) => TrackingCodes.Derive(secrets.TrackingCodeKey, serviceId, idempotencyKey);

    public async Task<PortalTracking> TrackAsync(string caseNumber, string trackingCode, string language, HttpContext context, CancellationToken ct)
    {
        var keys = lockout.Keys(caseNumber, context.Connection.RemoteIpAddress);
        if (await LockAsync(keys, ct) is { } locked) return new PortalTracking(TrackingOutcome.Locked, Lock: locked);
        await using var session = store.QuerySession();
        var (view, reads) = await TrackCaseEndpoints.ViewAndReadsWithCodeAsync(caseNumber, trackingCode, language, session, catalog, outlooks, vault, time, ct);
        if (view is null)
        {
            if (lockout.Enabled) await lockout.RecordFailureAsync(keys, ct);
            return new PortalTracking(TrackingOutcome.NotFound);
        }
        // The page shows the thread, so the office's messages are read now (the unread count above is from before).
        await using var writing = store.LightweightSession();
        var thread = await Messages.CitizenMessageEndpoints.ThreadAsync(caseNumber, trackingCode, writing, vault, time, ct);
        return new PortalTracking(TrackingOutcome.Found, ToStatus(view, CitizenCases.Accesses(caseNumber, reads, language)) with
        {
            Messages = thread?.Messages.Select(m => new ThreadMessage(m.PostedAt, m.Side == MessageSides.Office, null, m.Text, m.New)).ToList() ?? [],
            UnreadMessages = view.UnreadMessages,
        });
    }

    public async Task<PortalActionResult> WriteAsync(string caseNumber, string trackingCode, string text, HttpContext context, CancellationToken ct)
    {
        var keys = lockout.Keys(caseNumber, context.Connection.RemoteIpAddress);
        if (await LockAsync(keys, ct) is { } locked) return new PortalActionResult(ActionOutcome.Locked, [], Lock: locked);
        var request = new Messages.MessageRequest(text, null);
        if (Invalid(request) is { } invalid) return invalid;
        var change = await Messages.PostCitizenMessageEndpoint.PostAsync(caseNumber, trackingCode, request, cases, sessions, runtime, context, () => Results.NotFound(), ct);
        var outcome = MessageOutcome(change);
        if (outcome.Outcome == ActionOutcome.NotFound && lockout.Enabled) await lockout.RecordFailureAsync(keys, ct);
        return outcome;
    }

    /// <summary>A message the API would refuse (400), with the field and the rule; null for one it accepts.</summary>
    internal static PortalActionResult? Invalid(Messages.MessageRequest request)
    {
        var result = Messages.MessageRequest.Rules.Validate(request);
        return result.IsValid ? null : new PortalActionResult(ActionOutcome.Invalid, result.Errors.Select(e => new FieldError("text", e.ErrorCode, e.ErrorMessage)).ToList());
    }

    internal static PortalActionResult MessageOutcome(CaseChange change) => change.Result switch
    {
        CaseChangeResult.Rejected => new PortalActionResult(ActionOutcome.Invalid, [new FieldError("text", change.Problem!.Rule, change.Problem.Detail)], change.Problem.Detail),
        _ => Outcome(change),
    };

    public async Task<IResult?> ReceiptAsync(string caseNumber, string trackingCode, string language, HttpContext context, CancellationToken ct)
    {
        var keys = lockout.Keys(caseNumber, context.Connection.RemoteIpAddress);
        if (await LockAsync(keys, ct) is not null) return null;
        await using var session = store.QuerySession();
        var receipt = await Letters.ReceiptEndpoints.ForCitizen(caseNumber, trackingCode, language, session, catalog, vault, configuration, context, ct);
        if (!TrackingLockout.Failed(context)) return receipt;
        if (lockout.Enabled) await lockout.RecordFailureAsync(keys, ct);
        return null;
    }

    public async Task<IResult?> LetterAsync(string caseNumber, string trackingCode, string documentId, HttpContext context, CancellationToken ct)
    {
        var keys = lockout.Keys(caseNumber, context.Connection.RemoteIpAddress);
        if (await LockAsync(keys, ct) is not null) return null;
        await using var session = store.QuerySession();
        var letter = await Letters.LetterEndpoints.GetForCitizen(caseNumber, documentId, trackingCode, session, vault, context, ct);
        if (TrackingLockout.Failed(context))
        {
            if (lockout.Enabled) await lockout.RecordFailureAsync(keys, ct);
            return null;
        }
        return letter;
    }

    public async Task<IResult?> DocumentAsync(string caseNumber, string trackingCode, string documentId, HttpContext context, CancellationToken ct)
    {
        var keys = lockout.Keys(caseNumber, context.Connection.RemoteIpAddress);
        if (await LockAsync(keys, ct) is not null) return null;
        await using var session = store.QuerySession();
        var document = await Documents.DocumentEndpoints.DownloadForCitizen(caseNumber, documentId, trackingCode, session, catalog, vault,
            context.RequestServices.GetRequiredService<Npgsql.NpgsqlDataSource>(), context, ct);
        if (!TrackingLockout.Failed(context)) return document;
        if (lockout.Enabled) await lockout.RecordFailureAsync(keys, ct);
        return null;
    }

    public async Task<PortalActionResult> ActAsync(
        string caseNumber, string trackingCode, string actionId, long expectedVersion, JsonObject input, string language, HttpContext context, CancellationToken ct)
    {
        var keys = lockout.Keys(caseNumber, context.Connection.RemoteIpAddress);
        if (await LockAsync(keys, ct) is { } locked) return new PortalActionResult(ActionOutcome.Locked, [], Lock: locked);
        var caller = new Caller($"citizen:{caseNumber}", Roles.Citizen, "", null, Channels.Online);
        // As a Wolverine endpoint's session would be: enrolled in the outbox, so that the timers commit with the events.
        var bus = new Wolverine.Runtime.MessageContext(runtime);
        await using var session = sessions.OpenSession(bus);
        var change = await CaseActions.ChangeAsync(cases, session, bus, CaseCause.Of(context), caseNumber, actionId, new ActionRequest(expectedVersion, input), caller,
            authorize: (state, definition) => state is not null && definition is not null && TrackingCodes.Matches(trackingCode, state.TrackingCodeHash) ? null : Results.NotFound(),
            ct);
        var outcome = Outcome(change);
        if (outcome.Outcome == ActionOutcome.NotFound && lockout.Enabled) await lockout.RecordFailureAsync(keys, ct);
        return outcome;
    }

    public bool MaySubmitForOthers(HttpContext context) =>
        context.User.StaffCaller() is { } staff && Access.RefuseSubmissionBy(staff, context) is null;

    public async Task<IReadOnlyList<MyApplication>> MyApplicationsAsync(string language, HttpContext context, CancellationToken ct)
    {
        if (context.User.Citizen() is not { } account) return [];
        await using var session = store.QuerySession();
        var mine = await MyCasesEndpoints.ForAccountAsync(session, catalog, vault, account, language, ct);
        return mine.Cases.Select(c => new MyApplication(c.CaseNumber, c.ServiceTitle, c.Status.Text, c.Status.WaitingForYou, c.IsClosed, c.SubmittedAt, c.DueOn)).ToList();
    }

    public async Task<CaseStatus?> MyApplicationAsync(string caseNumber, string language, HttpContext context, CancellationToken ct)
    {
        if (context.User.Citizen() is null) return null;
        await using var session = store.QuerySession();
        var view = await MyCasesEndpoints.ViewAsync(caseNumber, language, session, catalog, outlooks, vault, time, context, ct);
        if (view is null) return null;
        return ToStatus(view, await CitizenCases.AccessesAsync(session, caseNumber, language, ct));
    }

    public async Task<PortalActionResult> ActOnMyApplicationAsync(
        string caseNumber, string actionId, long expectedVersion, JsonObject input, string language, HttpContext context, CancellationToken ct)
    {
        if (context.User.Citizen() is null || !CaseNumbers.IsWellFormed(caseNumber)) return new PortalActionResult(ActionOutcome.NotFound, []);
        var caller = new Caller($"citizen:{caseNumber}", Roles.Citizen, "", null, Channels.Online);
        var bus = new Wolverine.Runtime.MessageContext(runtime);
        await using var session = sessions.OpenSession(bus);
        // Ownership is the account link beside the case's key, checked before the case is loaded for writing (as the API's).
        var owned = MyCasesEndpoints.Owns(context, vault, await session.LoadAsync<SubjectKey>(caseNumber, ct));
        var change = await CaseActions.ChangeAsync(cases, session, bus, CaseCause.Of(context), caseNumber, actionId, new ActionRequest(expectedVersion, input), caller,
            authorize: (state, definition) => owned && state is not null && definition is not null ? null : Results.NotFound(),
            ct);
        return Outcome(change);
    }

    internal static PortalActionResult Outcome(CaseChange change) => change.Result switch
    {
        CaseChangeResult.Changed or CaseChangeResult.Skipped => new PortalActionResult(ActionOutcome.Taken, []),
        CaseChangeResult.Conflict => new PortalActionResult(ActionOutcome.Conflict, []),
        CaseChangeResult.Rejected => new PortalActionResult(ActionOutcome.Invalid, change.Problem!.Errors, change.Problem.Detail),
        _ => new PortalActionResult(ActionOutcome.NotFound, []),
    };

    private async Task<PortalLock?> LockAsync(IReadOnlyList<LockoutKey> keys, CancellationToken ct) =>
        lockout.Enabled && await lockout.LockedAsync(keys, ct) is { } locked ? new PortalLock(locked.Until, locked.Scope == LockoutScope.CaseNumber) : null;

    private static CaseStatus ToStatus(CitizenCaseView view, DataAccesses reads) => new(
        view.CaseNumber, view.ServiceId, view.ServiceTitle, view.Status.Text, view.Status.NextStep, view.Status.WaitingForYou,
        view.NeededFromYou?.Text, view.NeededFromYou?.Message, view.NeededFromYou?.By, view.IsClosed, view.Outcome,
        view.SubmittedAt, view.DueOn, view.Version,
        view.Timeline.Select(e => new CaseStatus.Entry(e.At, e.Title, e.Status, e.Details)).ToList(),
        view.Actions.Select(a => new CaseStatus.Action(a.Id, a.Label, a.Kind, a.Inputs)).ToList(),
        view.Outlook,
        reads.Accesses.Select(r => new CaseStatus.Read(r.At, r.Text)).ToList())
    {
        Letters = view.Letters.Select(l => new CaseStatus.Letter(l.DocumentId.ToString("D"), l.Title, l.Kind, l.Length, l.IssuedAt)).ToList(),
        Documents = view.DocumentStatus?.Uploaded.Select(d => new CaseStatus.Document(d.Id, d.Label, d.ContentType, d.Length, d.UploadedAt)).ToList() ?? [],
        MissingDocuments = view.DocumentStatus?.Missing.Select(m => new CaseStatus.MissingDocument(m.Label, m.Description)).ToList() ?? [],
    };
}
