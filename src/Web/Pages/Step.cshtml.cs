using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Web.Drafts;
using Vorgang.Web.Forms;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Web.Pages;

/// <summary>
/// One page of the form. Posting it stores the answers in the draft, then lets the engine's own validation judge the
/// page's fields (its messages, in the page's language); the next page is the next one that asks something with the
/// answers so far — conditions are evaluated here, on the server, between the pages.
/// </summary>
public sealed class StepModel(DefinitionCatalog catalog, DraftStore drafts, TimeProvider time) : PortalPage
{
    public ProcessDefinition? Definition { get; private set; }
    public FormStep? Step { get; private set; }
    public IReadOnlyList<FieldModel> Fields { get; private set; } = [];
    public int Number { get; private set; }
    public int Count { get; private set; }
    public bool Change { get; private set; }
    public string BackPath { get; private set; } = "/";

    public async Task<IActionResult> OnGetAsync(string serviceId, string stepId, string? change, CancellationToken ct)
    {
        if (await LoadAsync(serviceId, stepId, ct) is not { } loaded) return Gone(serviceId);
        var (draft, answers) = loaded;
        Change = change == "1";
        var today = time.Today();
        if (FormPages.VisibleFields(Definition!, Step!, answers, today).Count == 0) return Redirect(Next(answers, today));
        Show(answers, []);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string serviceId, string stepId, CancellationToken ct)
    {
        if (await LoadAsync(serviceId, stepId, ct) is not { } loaded) return Gone(serviceId);
        var (draft, answers) = loaded;
        Change = Request.Form["change"] == "1";
        var today = time.Today();
        var asked = FormPages.VisibleFields(Definition!, Step!, answers, today);
        FormPages.Read(asked, Request.Form, answers);
        answers = FormPages.Prune(Definition!, answers, today);
        await drafts.SaveAsync(draft, Definition!, answers, ct);

        // "Add another entry": saved as it is, shown again with one more empty row.
        if (!string.IsNullOrEmpty(Request.Form["add"]))
        {
            Show(answers, []);
            return Page();
        }
        var errors = FormPages.ErrorsFor(FormValidator.Validate(Definition!.Form, answers, Lang, today), FormPages.VisibleFields(Definition, Step!, answers, today));
        if (errors.Count > 0)
        {
            Show(answers, errors);
            return Page();
        }
        return Redirect(Change && !NewlyShown(answers, today) ? P($"/services/{serviceId}/check") : Next(answers, today));
    }

    /// <summary>A change that makes a further question apply goes on through the form instead of back to the check.</summary>
    private bool NewlyShown(JsonObject answers, DateOnly today) =>
        FormPages.ActivePages(Definition!, answers, today)
            .SkipWhile(s => s.Id != Step!.Id).Skip(1)
            .Any(s => FormPages.VisibleFields(Definition!, s, answers, today).Any(f => !answers.ContainsKey(f.Id) && (f.Required || f.RequiredWhen is not null)));

    private async Task<(Draft, JsonObject)?> LoadAsync(string serviceId, string stepId, CancellationToken ct)
    {
        Definition = catalog.Latest(serviceId);
        Step = Definition is null ? null : FormPages.Step(Definition, stepId);
        if (Definition is null || Step is null) return null;
        var draft = await DraftCookie.LoadAsync(HttpContext, drafts, serviceId, ct);
        if (draft is null || draft.CaseNumber is not null || draft.Version != Definition.Version) return null;
        return (draft, drafts.Open(draft));
    }

    private IActionResult Gone(string serviceId) =>
        Definition is null || Step is null ? NotFound() : Redirect(P($"/services/{serviceId}"));

    private void Show(JsonObject answers, IReadOnlyList<FieldError> errors)
    {
        var today = time.Today();
        Errors = errors;
        var active = FormPages.ActivePages(Definition!, answers, today);
        var index = active.ToList().FindIndex(s => s.Id == Step!.Id);
        Number = index + 1;
        Count = active.Count;
        BackPath = Change ? P($"/services/{Definition!.Id}/check")
            : index > 0 ? P($"/services/{Definition!.Id}/form/{active[index - 1].Id}")
            : P($"/services/{Definition!.Id}");
        var values = FormValidator.ToParameters(Definition!.Form, answers);
        Fields = FormPages.VisibleFields(Definition!, Step!, answers, today)
            .Select(f => new FieldModel(this, f, f.Id, answers[f.Id], errors,
                f.Required || (f.RequiredWhen is not null && Rules.IsTrue(f.RequiredWhen, values, today))))
            .ToList();
        Title = Text(Step!.Title);
    }

    private string Next(JsonObject answers, DateOnly today)
    {
        var pages = Definition!.Pages;
        var at = pages.ToList().FindIndex(s => s.Id == Step!.Id);
        var next = pages.Skip(at + 1).FirstOrDefault(s => FormPages.VisibleFields(Definition, s, answers, today).Count > 0);
        return next is null ? P($"/services/{Definition.Id}/check") : P($"/services/{Definition.Id}/form/{next.Id}") + (Change ? "?change=1" : "");
    }
}
