using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Web.Forms;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Web.Pages;

/// <summary>
/// The status page, opened with the case number and tracking code this browser keeps (<see cref="TrackCookie"/>): the
/// plain-language status, what is needed and by when, the outlook, the timeline, who read the data, and the citizen's
/// actions as forms, taken through the engine's one write path.
/// </summary>
public sealed class TrackCaseModel(IPortalEngine engine, DefinitionCatalog catalog) : CaseStatusPage
{
    public PortalLock? Lock { get; private set; }

    public override string ActionPath => P($"/track/{Case!.CaseNumber}");

    public override string? MessagePath => P($"/track/{Case!.CaseNumber}") + "?handler=message";

    public async Task<IActionResult> OnGetAsync(string caseNumber, string? done, string? sent, CancellationToken ct)
    {
        if (TrackCookie.Read(HttpContext) is not { } remembered || remembered.CaseNumber != caseNumber) return Redirect(P("/track"));
        Done = done == "1";
        MessageSent = sent == "1";
        return await ShowAsync(caseNumber, remembered.TrackingCode, ct);
    }

    /// <summary>A message to the office (<c>?handler=message</c>), through the engine's one write path as the API's.</summary>
    public async Task<IActionResult> OnPostMessageAsync(string caseNumber, CancellationToken ct)
    {
        if (TrackCookie.Read(HttpContext) is not { } remembered || remembered.CaseNumber != caseNumber) return Redirect(P("/track"));
        var text = Request.Form["threadText"].ToString();
        var result = await engine.WriteAsync(caseNumber, remembered.TrackingCode, text, HttpContext, ct);
        switch (result.Outcome)
        {
            case ActionOutcome.Taken:
                return Redirect(P($"/track/{caseNumber}") + "?sent=1#thread");
            case ActionOutcome.Invalid:
                MessageRefused(result, text);
                return await ShowAsync(caseNumber, remembered.TrackingCode, ct);
            case ActionOutcome.Conflict:
                Conflict = true;
                MessageText = text;
                return await ShowAsync(caseNumber, remembered.TrackingCode, ct);
            case ActionOutcome.Locked:
                Lock = result.Lock;
                Title = T("LockedTitle");
                Response.StatusCode = StatusCodes.Status429TooManyRequests;
                return Page();
            default:
                TrackCookie.Clear(HttpContext);
                return Redirect(P("/track"));
        }
    }

    /// <summary>The receipt as a PDF (<c>?handler=receipt</c>): the API's citizen copy, opened with the code this browser keeps.</summary>
    public async Task<IActionResult> OnGetReceiptAsync(string caseNumber, CancellationToken ct)
    {
        if (TrackCookie.Read(HttpContext) is not { } remembered || remembered.CaseNumber != caseNumber) return Redirect(P("/track"));
        var receipt = await engine.ReceiptAsync(caseNumber, remembered.TrackingCode, Lang, HttpContext, ct);
        return receipt is null ? Redirect(P("/track")) : new EngineResult(receipt);
    }

    /// <summary>A letter issued to the citizen as a PDF (<c>?handler=letter&amp;id=…</c>), opened with the code this browser keeps.</summary>
    public async Task<IActionResult> OnGetLetterAsync(string caseNumber, string? id, CancellationToken ct)
    {
        if (TrackCookie.Read(HttpContext) is not { } remembered || remembered.CaseNumber != caseNumber) return Redirect(P("/track"));
        var letter = await engine.LetterAsync(caseNumber, remembered.TrackingCode, id ?? "", HttpContext, ct);
        return letter is null ? Redirect(P("/track")) : new EngineResult(letter);
    }

    public override string? DocumentLink(Guid id) => P($"/track/{Case!.CaseNumber}") + "?handler=document&id=" + id.ToString();

    /// <summary>One of the case's documents (<c>?handler=document&amp;id=…</c>): the API's citizen download, opened with the code this browser keeps.</summary>
    public async Task<IActionResult> OnGetDocumentAsync(string caseNumber, string? id, CancellationToken ct)
    {
        if (TrackCookie.Read(HttpContext) is not { } remembered || remembered.CaseNumber != caseNumber) return Redirect(P("/track"));
        var document = await engine.DocumentAsync(caseNumber, remembered.TrackingCode, id ?? "", HttpContext, ct);
        return document is null ? Redirect(P("/track")) : new EngineResult(document);
    }

    /// <summary>An answer of the engine's own (the receipt's PDF) as the page's answer.</summary>
    private sealed class EngineResult(IResult result) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) => result.ExecuteAsync(context.HttpContext);
    }

    public async Task<IActionResult> OnPostAsync(string caseNumber, CancellationToken ct)
    {
        if (TrackCookie.Read(HttpContext) is not { } remembered || remembered.CaseNumber != caseNumber) return Redirect(P("/track"));
        if (PostedAction() is not { } posted) return BadRequest();
        var (actionId, expected) = posted;
        var tracked = await engine.TrackAsync(caseNumber, remembered.TrackingCode, Lang, HttpContext, ct);
        if (tracked.Outcome != TrackingOutcome.Found) return Show(tracked);
        var action = tracked.Case!.Actions.FirstOrDefault(a => a.Id == actionId);
        if (action is null)
        {
            Conflict = true;
            return Show(tracked);
        }
        var input = ReadInput(action);
        var result = await engine.ActAsync(caseNumber, remembered.TrackingCode, actionId, expected, input, Lang, HttpContext, ct);
        switch (result.Outcome)
        {
            case ActionOutcome.Taken:
                return Redirect(P($"/track/{caseNumber}") + "?done=1");
            case ActionOutcome.Invalid:
                Refused(result, actionId, input);
                return await ShowAsync(caseNumber, remembered.TrackingCode, ct);
            case ActionOutcome.Conflict:
                Conflict = true;
                return await ShowAsync(caseNumber, remembered.TrackingCode, ct);
            case ActionOutcome.Locked:
                Lock = result.Lock;
                return Page();
            default:
                return Redirect(P("/track"));
        }
    }

    private async Task<IActionResult> ShowAsync(string caseNumber, string code, CancellationToken ct) =>
        Show(await engine.TrackAsync(caseNumber, code, Lang, HttpContext, ct));

    private IActionResult Show(PortalTracking tracked)
    {
        Title = T("StatusTitle");
        switch (tracked.Outcome)
        {
            case TrackingOutcome.Locked:
                Lock = tracked.Lock;
                Title = T("LockedTitle");
                Response.StatusCode = StatusCodes.Status429TooManyRequests;
                return Page();
            case TrackingOutcome.NotFound:
                TrackCookie.Clear(HttpContext);
                return Redirect(P("/track"));
        }
        Showing(tracked.Case!, catalog);
        return Page();
    }

    public string Time(DateTimeOffset until) =>
        TimeZoneInfo.ConvertTime(until, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).ToString("HH:mm", CultureInfo.InvariantCulture);
}
