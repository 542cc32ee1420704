using System.Globalization;
using System.Text.Json.Nodes;
using Vorgang.Web.Forms;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Web.Pages;

/// <summary>What the status page shows, whether opened with the tracking code or from "my applications" (the partial <c>_CaseStatus</c>).</summary>
public abstract class CaseStatusPage : PortalPage
{
    public CaseStatus? Case { get; protected set; }
    public ProcessDefinition? Definition { get; protected set; }
    public bool Done { get; protected set; }
    public bool Conflict { get; protected set; }
    protected string? FailedAction { get; set; }
    protected JsonObject PostedInput { get; set; } = new();
    /// <summary>The message typed into the thread's form, kept after a refusal; and whether one was just sent.</summary>
    public string? MessageText { get; protected set; }
    public bool MessageSent { get; protected set; }

    /// <summary>Where the thread's form posts to; null where the page shows no thread.</summary>
    public virtual string? MessagePath => null;

    /// <summary>A refused message: its error on the thread's form, in the page's language.</summary>
    protected void MessageRefused(PortalActionResult result, string text)
    {
        Errors = result.Errors.Select(e => new FieldError(ThreadView.Field, e.Rule, T("MessageError_" + e.Rule) is var m && m != "MessageError_" + e.Rule ? m : e.Message)).ToList();
        MessageText = text;
    }

    /// <summary>Where a document of the case opens from this page, or null where the page offers no download.</summary>
    public virtual string? DocumentLink(Guid id) => null;

    /// <summary>Where the action forms post to: this page.</summary>
    public abstract string ActionPath { get; }

    /// <summary>An action's input as a field; its errors and the posted value only on the form that was sent.</summary>
    public FieldModel Input(CaseStatus.Action action, FieldDefinition input) =>
        action.Id == FailedAction
            ? new FieldModel(this, input, input.Id, PostedInput[input.Id], Errors, input.Required)
            : new FieldModel(this, input, input.Id, null, [], input.Required) { Scope = action.Id };

    /// <summary>The action and the version the form was shown at, or null for a form that was tampered with.</summary>
    protected (string ActionId, long Expected)? PostedAction()
    {
        var actionId = Request.Form["actionId"].ToString();
        if (!long.TryParse(Request.Form["expectedVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out var expected) || actionId.Length is 0 or > 100)
            return null;
        return (actionId, expected);
    }

    /// <summary>The posted inputs of the action as shown on the page (the engine judges them).</summary>
    protected JsonObject ReadInput(CaseStatus.Action action)
    {
        var input = new JsonObject();
        FormPages.Read(action.Inputs.Where(i => !i.Internal), Request.Form, input);
        return input;
    }

    /// <summary>After a refused action: its errors on its form, the rest of the page as it is now.</summary>
    protected void Refused(PortalActionResult result, string actionId, JsonObject input)
    {
        Errors = result.Errors.Count > 0 ? result.Errors : [new FieldError("actionId", "refused", result.Message ?? T("StatusConflict"))];
        FailedAction = actionId;
        PostedInput = input;
    }

    protected void Showing(CaseStatus status, DefinitionCatalog catalog)
    {
        Title = T("StatusTitle");
        Case = status;
        Definition = catalog.LatestVersions.FirstOrDefault(d => d.Id == status.ServiceId);
    }
}
