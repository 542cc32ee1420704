using System.Text.Json.Nodes;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Api.Features.Audit;
using Vorgang.Api.Features.Parties;
using Vorgang.Api.Features.Privacy;
using Vorgang.Api.Features.Queues;
using Vorgang.Api.Security;
using Vorgang.Api.Views;
using Vorgang.Projections.Queues;
using Vorgang.Web;
using Vorgang.Web.Workbench;
using Vorgang.Workflows.Audit;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Deadlines;
using Wolverine.Marten.Publishing;
using Wolverine.Runtime;

namespace Vorgang.Api.Features.Casework;

/// <summary>
/// The workbench's pages served by the API's own code (decision 33): the queue endpoint itself, the staff view's access
/// check and recorded read, and actions through <see cref="CaseActions"/> with <see cref="Access.CanAct"/>.
/// </summary>
public sealed class Workbench(
    DefinitionCatalog catalog, CaseWriter cases, PersonalDataVault vault, QueueFigures figures,
    OutboxedSessionFactory sessions, IWolverineRuntime runtime, IDocumentStore store, TimeProvider time) : IWorkbench
{
    public async Task<Answer<StaffQueue>> QueueAsync(QueueQuery query, HttpContext context, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var result = await GetQueueEndpoint.Get(query.Team, query.Page.ToString(System.Globalization.CultureInfo.InvariantCulture),
            query.PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture), query.Service, query.State, query.Assignee, null, query.Risk,
            session, figures, time, context, ct);
        if (result is Ok<QueuePage> { Value: { } page })
            return new Answer<StaffQueue>(200, new StaffQueue(page.Team, page.Total, page.Page, page.PageSize,
                page.Items.Select(i => new StaffQueue.Row(i.CaseNumber, i.ServiceId, i.State, i.SubmittedAt, i.DueOn, i.DaysLeft,
                    i.AssigneeId, i.AssigneeName, i.WaitingForCitizen, i.Risk, i.ClockStopped) { UnreadMessages = i.UnreadMessages }).ToList(),
                page.Counts.Open, page.Counts.ByState, page.Counts.ByRisk));
        return Refusal<StaffQueue>(result);
    }

    public async Task<Answer<PartyCases>> PartyCasesAsync(PartyQuery query, HttpContext context, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var result = await GetPartyCasesEndpoint.Get(query.Party, query.Show, query.Service,
            query.Page.ToString(System.Globalization.CultureInfo.InvariantCulture), query.PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            session, catalog, time, context, ct);
        if (result is Ok<PartyCasesPage> { Value: { } page })
            return new Answer<PartyCases>(200, new PartyCases(page.Party, page.Organisation, page.Show, page.Total, page.Page, page.PageSize,
                page.Items.Select(i => new PartyCases.Row(i.CaseNumber, i.ServiceId, i.DefinitionVersion, i.State, i.SubmittedAt, i.DueOn, i.DaysLeft,
                    i.Risk, i.Waiting, i.Actions, i.IsClosed, i.Outcome, i.ClockStopped)).ToList()));
        return Refusal<PartyCases>(result);
    }

    public async Task<Answer<StaffCase>> CaseAsync(string caseNumber, string language, HttpContext context, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var caller = context.User.StaffCaller();
        var (state, definition, refused) = await Access.ReadableAsync(caseNumber, caller, session, catalog, context, ct);
        if (refused is not null) return Refusal<StaffCase>(refused);
        await RecordedReads.RecordAsync(session, caller!, state!.Id, state.Version, PersonalDataRead.Endpoints.StaffPage, context, time, ct);
        var opened = await vault.OpenAsync(session, state, ct);
        var view = CaseViews.Staff(definition!, opened, caller, time.Today(), language);
        var events = await session.Events.FetchStreamAsync(caseNumber, token: ct);
        await session.SaveChangesAsync(ct);
        // The page shows the thread (a read of its own, recorded, as the API's), and for a caseworker of the team marks it read.
        var unread = await Messages.CaseMessages.UnreadAsync(session, state, MessageSides.Office, ct);
        var (thread, _) = Messages.StaffMessageEndpoints.RefuseReadBy(caller, context) is null
            ? await Messages.StaffMessageEndpoints.ThreadAsync(caseNumber, session, catalog, vault, time, context, ct)
            : (null, null);
        return new Answer<StaffCase>(200, new StaffCase(
            view.CaseNumber, view.ServiceId, view.DefinitionVersion, view.ServiceTitle, view.State, view.StatusText, view.Team, view.Version,
            view.Assignee?.Id, view.Assignee?.Name, view.SubmittedAt, view.IsClosed, view.Outcome, view.Language,
            view.Data, view.Computed,
            view.Fees.Select(f => new StaffCase.Fee(f.Label, f.Amount)).ToList(),
            view.Documents.Select(d => new StaffCase.Document(d.Label, d.Required)).ToList(),
            view.AllowedActions.Select(a => new CaseStatus.Action(a.Id, a.Label, a.Kind, a.Inputs)).ToList(),
            view.Deadline is { } deadline ? new StaffCase.DeadlineInfo(deadline.DueOn, deadline.ClockStopped, deadline.History.Select(h => h.Text).ToList()) : null,
            events.Select(e => Timeline(definition!, e.Data, e.Timestamp, e.EventTypeName, language)).ToList(),
            view.Applicant is { } applicant ? (string?)applicant["name"] : null,
            view.PersonalDataErasedAt)
        {
            Letters = view.Letters.Select(l => new StaffCase.Letter(l.DocumentId.ToString("D"), l.Title, l.Kind, l.IssuedAt)).ToList(),
            Uploads = view.DocumentStatus?.Uploaded.Select(d => new StaffCase.Upload(d.Id,
                d.DocumentId is null ? null : definition!.Documents.FirstOrDefault(x => x.Id == d.DocumentId)?.Label.For(language),
                d.ContentType, d.Length, d.UploadedAt, d.UploadedBy)).ToList() ?? [],
            MissingDocuments = view.DocumentStatus?.Missing.Select(m => m.Label).ToList() ?? [],
            Messages = thread?.Messages.Select(m => new ThreadMessage(m.PostedAt, m.Side == MessageSides.Office, m.Author, m.Text, m.New)).ToList(),
            UnreadMessages = thread is null ? 0 : unread,
            MayWrite = thread is not null && Messages.PostCaseMessageEndpoint.RefuseWritingBy(caller, context) is null && state.PersonalDataErasedAt is null,
        });
    }

    public async Task<IResult> LetterAsync(string caseNumber, string documentId, HttpContext context, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        return await Letters.LetterEndpoints.GetForOffice(caseNumber, documentId, session, catalog, vault, time, context, ct);
    }

    public async Task<IResult> DocumentAsync(string caseNumber, string documentId, HttpContext context, CancellationToken ct)
    {
        // The read is recorded and saved before the file is streamed, which reads through the data source, not the session.
        await using var session = store.LightweightSession();
        return await Documents.DocumentEndpoints.DownloadForStaff(caseNumber, documentId, session, catalog, vault,
            context.RequestServices.GetRequiredService<Npgsql.NpgsqlDataSource>(), time, context, ct);
    }

    public async Task<PortalActionResult> WriteAsync(string caseNumber, string text, HttpContext context, CancellationToken ct)
    {
        var request = new Messages.MessageRequest(text, null);
        if (Vorgang.Api.Features.Portal.PortalEngine.Invalid(request) is { } invalid) return invalid;
        var (change, refused) = await Messages.PostCaseMessageEndpoint.PostAsync(caseNumber, request, cases, sessions, runtime, context, ct);
        if (refused is not null) return new PortalActionResult(ActionOutcome.Invalid, [new FieldError("text", "refused", "refused")]);
        return Vorgang.Api.Features.Portal.PortalEngine.MessageOutcome(change!);
    }

    public async Task<PortalActionResult> ActAsync(string caseNumber, string actionId, long expectedVersion, JsonObject input, HttpContext context, CancellationToken ct)
    {
        if (context.User.StaffCaller() is not { } caller) return new PortalActionResult(ActionOutcome.NotFound, []);
        var bus = new Wolverine.Runtime.MessageContext(runtime);
        await using var session = sessions.OpenSession(bus);
        var change = await CaseActions.ChangeAsync(cases, session, bus, CaseCause.Of(context), caseNumber, actionId, new ActionRequest(expectedVersion, input), caller,
            authorize: (state, definition) => state is null || definition is null ? null : Access.CanAct(caller, state, definition, context),
            ct);
        return Vorgang.Api.Features.Portal.PortalEngine.Outcome(change);
    }

    /// <summary>An event as a line of the staff timeline; the inputs of steps stay in the audit history, where their read is recorded.</summary>
    private static StaffCase.Event Timeline(ProcessDefinition definition, object data, DateTimeOffset at, string type, string language)
    {
        var actor = CaseEventTypes.ActorOf(data);
        string? detail = data switch
        {
            ICaseTransition t => definition.Action(t.ActionId)?.Label.For(language) ?? t.ActionId,
            CaseTakenOver e => e.Reason,
            CaseAssigned e => e.AssigneeName,
            LetterIssued e => e.Title,
            NotificationUndeliverable e => (language == "de" ? "E-Mail konnte nicht zugestellt werden" : "The e-mail could not be delivered") + $" ({e.SmtpStatus})",
            _ => null,
        };
        return new StaffCase.Event(at, type, actor?.Name, actor?.Role, detail);
    }

    private static Answer<T> Refusal<T>(IResult result) where T : class
    {
        var status = (result as IStatusCodeHttpResult)?.StatusCode ?? 500;
        var problem = (result as IValueHttpResult)?.Value as ProblemDetails;
        return new Answer<T>(status, null, problem?.Detail ?? problem?.Title);
    }
}
