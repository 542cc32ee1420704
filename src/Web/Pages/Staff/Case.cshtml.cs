using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Web.Forms;
using Vorgang.Web.Workbench;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Web.Pages.Staff;

/// <summary>
/// A case for staff (<c>/staff/cases/{caseNumber}</c>): what was applied for, the state, the deadline and its history,
/// the timeline, and the actions open to this member of staff now, each a form. A change by someone else in the
/// meantime (409) is explained, with the case as it is now and the values typed kept.
/// </summary>
public sealed class CaseModel(IWorkbench workbench, DefinitionCatalog catalog) : StaffPage
{
    public StaffCase? Case { get; private set; }
    public ProcessDefinition? Definition { get; private set; }
    public bool Conflict { get; private set; }
    public string? Done { get; private set; }
    /// <summary>What was typed into a form whose action is no longer open after a colleague's change: shown, so that nothing is lost.</summary>
    public IReadOnlyList<(string Label, string Value)> Kept { get; private set; } = [];
    /// <summary>The message typed into the thread's form, kept after a refusal; and whether one was just sent.</summary>
    public string? MessageText { get; private set; }
    public bool MessageSent { get; private set; }
    private string? _failedAction;
    private JsonObject _postedInput = new();

    public async Task<IActionResult> OnGetAsync(string caseNumber, string? done, string? sent, CancellationToken ct)
    {
        if (RequireStaff() is { } signIn) return signIn;
        if (await LoadAsync(caseNumber, ct) is { } missing) return missing;
        Done = done is not null ? Case!.Timeline.LastOrDefault()?.Detail ?? done : null;
        MessageSent = sent == "1";
        return Page();
    }

    /// <summary>A message to the citizen (<c>?handler=message</c>), through the engine's one write path as the API's.</summary>
    public async Task<IActionResult> OnPostMessageAsync(string caseNumber, CancellationToken ct)
    {
        if (RequireStaff() is { } signIn) return signIn;
        var text = Request.Form["threadText"].ToString();
        var result = await workbench.WriteAsync(caseNumber, text, HttpContext, ct);
        if (result.Outcome == ActionOutcome.Taken) return Redirect(P($"/staff/cases/{caseNumber}") + "?sent=1#thread");
        if (await LoadAsync(caseNumber, ct) is { } missing) return missing;
        if (result.Outcome == ActionOutcome.NotFound) return NotFoundPage();
        Errors = result.Errors.Select(e => new FieldError(ThreadView.Field, e.Rule, T("MessageError_" + e.Rule) is var m && m != "MessageError_" + e.Rule ? m : e.Message)).ToList();
        if (result.Outcome == ActionOutcome.Conflict) Conflict = true;
        MessageText = text;
        Response.StatusCode = result.Outcome == ActionOutcome.Conflict ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    /// <summary>A letter of the case as a PDF (<c>?handler=letter&amp;id=…</c>), the API's own answer; the read is recorded.</summary>
    public async Task<IActionResult> OnGetLetterAsync(string caseNumber, string? id, CancellationToken ct)
    {
        if (RequireStaff() is { } signIn) return signIn;
        var letter = await workbench.LetterAsync(caseNumber, id ?? "", HttpContext, ct);
        if (letter is Microsoft.AspNetCore.Http.HttpResults.FileContentHttpResult) return new EngineResult(letter);
        var status = (letter as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status404NotFound;
        Title = T("StaffCaseTitle", caseNumber);
        return status == StatusCodes.Status404NotFound ? NotFoundPage() : Refused(status);
    }

    /// <summary>One of the case's documents (<c>?handler=document&amp;id=…</c>), as the API's staff download answers it: a recorded read.</summary>
    public async Task<IActionResult> OnGetDocumentAsync(string caseNumber, string? id, CancellationToken ct)
    {
        if (RequireStaff() is { } signIn) return signIn;
        return new EngineResult(await workbench.DocumentAsync(caseNumber, id ?? "", HttpContext, ct));
    }

    private sealed class EngineResult(IResult result) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) => result.ExecuteAsync(context.HttpContext);
    }

    public async Task<IActionResult> OnPostAsync(string caseNumber, CancellationToken ct)
    {
        if (RequireStaff() is { } signIn) return signIn;
        if (await LoadAsync(caseNumber, ct) is { } missing) return missing;
        var actionId = Request.Form["actionId"].ToString();
        var action = Case!.Actions.FirstOrDefault(a => a.Id == actionId);
        if (!long.TryParse(Request.Form["expectedVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out var expected) || actionId.Length is 0 or > 100)
        {
            Errors = [new FieldError("actionId", "refused", T("StaffFormTampered"))];
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        if (action is null && expected == Case.Version)
        {
            // Not open to this member of staff at the very version the form names: nothing happened in between that could
            // have taken it away, so it was never theirs (a form made up, or one for another role). Refused as the API
            // refuses it (403 read-only or role-not-allowed), before anything is written.
            Errors = [new FieldError("actionId", "not-offered", T("StaffActionNotOffered"))];
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }
        if (action is null)
        {
            // No longer open to this member of staff: a colleague claimed or moved the case meanwhile.
            Conflict = true;
            Kept = Request.Form.Where(f => f.Key.StartsWith(FormPages.Prefix, StringComparison.Ordinal) && f.Value.ToString().Length > 0)
                .Select(f => (f.Key[FormPages.Prefix.Length..], f.Value.ToString())).ToList();
            Response.StatusCode = StatusCodes.Status409Conflict;
            return Page();
        }
        var input = new JsonObject();
        FormPages.Read(action.Inputs, Request.Form, input);
        var result = await workbench.ActAsync(caseNumber, actionId, expected, input, HttpContext, ct);
        switch (result.Outcome)
        {
            case ActionOutcome.Taken:
                return Redirect(P($"/staff/cases/{caseNumber}") + "?done=" + Uri.EscapeDataString(actionId));
            case ActionOutcome.Conflict:
                Conflict = true;
                _failedAction = actionId;
                _postedInput = input;
                if (await LoadAsync(caseNumber, ct) is { } gone) return gone;
                if (Case.Actions.All(a => a.Id != actionId))
                    Kept = action.Inputs.Where(i => input[i.Id] is not null).Select(i => (i.Label.For(Lang), FormPages.Display(i, input[i.Id], Lang))).ToList();
                Response.StatusCode = StatusCodes.Status409Conflict;
                return Page();
            case ActionOutcome.NotFound:
                return NotFoundPage();
            default:
                Errors = result.Errors.Count > 0 ? result.Errors : [new FieldError("actionId", "refused", result.Message ?? T("StatusConflict"))];
                _failedAction = actionId;
                _postedInput = input;
                Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
                return Page();
        }
    }

    /// <summary>An action's input as a field; the posted value and errors only on the form that was sent, other forms' ids scoped by their action.</summary>
    public FieldModel Input(CaseStatus.Action action, FieldDefinition input) =>
        action.Id == _failedAction
            ? new FieldModel(this, input, input.Id, _postedInput[input.Id], Errors, input.Required)
            : new FieldModel(this, input, input.Id, null, [], input.Required) { Scope = action.Id };

    /// <summary>A computed value as staff read it: yes/no in the page's language, numbers and dates in its format.</summary>
    public string Computed(object? value) => value switch
    {
        null => "–",
        bool b => T(b ? "Yes" : "No"),
        DateOnly d => Date(d),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.GetCultureInfo(Lang == "en" ? "en-GB" : "de-DE")),
        _ => value.ToString() ?? "–",
    };

    public string EventLabel(string type) => T("Event_" + type) is { } label && label != "Event_" + type ? label : type;

    private async Task<IActionResult?> LoadAsync(string caseNumber, CancellationToken ct)
    {
        Title = T("StaffCaseTitle", caseNumber);
        var answer = await workbench.CaseAsync(caseNumber, Lang, HttpContext, ct);
        if (answer.Value is null) return answer.Status == StatusCodes.Status404NotFound ? NotFoundPage() : Refused(answer.Status);
        Case = answer.Value;
        Definition = catalog.Get(Case.ServiceId, Case.DefinitionVersion);
        return null;
    }

    private IActionResult NotFoundPage()
    {
        Title = T("StaffCaseNotFound");
        Case = null;
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }

    private IActionResult Refused(int status)
    {
        Title = T("StaffCaseRefused");
        Case = null;
        Response.StatusCode = status;
        return Page();
    }
}
