using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Web.Drafts;
using Vorgang.Web.Forms;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Web.Pages;

/// <summary>
/// "Check your answers", then submit: through the engine's submission (the API's code path) with the draft's one
/// Idempotency-Key, so that a second click, a reload or a second tab answers the same case. The draft's answers are
/// erased once the case exists.
/// </summary>
public sealed class CheckModel(DefinitionCatalog catalog, DraftStore drafts, IPortalEngine engine, TimeProvider time) : PortalPage
{
    public sealed record Row(string FieldId, string Label, string Value);

    public ProcessDefinition? Definition { get; private set; }
    public IReadOnlyList<(FormStep Step, IReadOnlyList<Row> Rows)> Sections { get; private set; } = [];
    public string BackPath { get; private set; } = "/";
    public string? AssistedName { get; private set; }
    public string? AssistedIdentifiedBy { get; private set; }

    public async Task<IActionResult> OnGetAsync(string serviceId, CancellationToken ct)
    {
        if (await LoadAsync(serviceId, ct) is not { } draft) return Gone(serviceId);
        if (draft.CaseNumber is not null) return Redirect(P($"/services/{serviceId}/confirmation"));
        var answers = FormPages.Prune(Definition!, drafts.Open(draft), time.Today());
        var firstInvalid = FirstInvalidStep(answers);
        if (firstInvalid is not null) return Redirect(P($"/services/{serviceId}/form/{firstInvalid}"));
        Show(answers);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string serviceId, CancellationToken ct)
    {
        if (await LoadAsync(serviceId, ct) is not { } draft) return Gone(serviceId);
        if (draft.CaseNumber is not null) return Redirect(P($"/services/{serviceId}/confirmation"));
        var answers = FormPages.Prune(Definition!, drafts.Open(draft), time.Today());
        if (FirstInvalidStep(answers) is { } invalid) return Redirect(P($"/services/{serviceId}/form/{invalid}"));

        AssistedFor? person = null;
        if (Account is { IsStaff: true })
        {
            if (!MaySubmitForOthers) return Forbid();
            AssistedName = Forms.FormPages.Text(Request.Form["assistedName"]);
            AssistedIdentifiedBy = Forms.FormPages.Text(Request.Form["assistedIdentifiedBy"]);
            var errors = new List<FieldError>();
            if (AssistedName is null) errors.Add(new FieldError("assistedName", "required", T("AssistedNameRequired")));
            else if (AssistedName.Length > 200) errors.Add(new FieldError("assistedName", "max-length", T("AssistedNameRequired")));
            if (AssistedIdentifiedBy is { Length: > 200 }) errors.Add(new FieldError("assistedIdentifiedBy", "max-length", T("AssistedNameRequired")));
            if (errors.Count > 0)
            {
                Show(answers);
                Errors = errors;
                return Page();
            }
            person = new AssistedFor(AssistedName!, AssistedIdentifiedBy);
        }
        var submission = await engine.SubmitAsync(serviceId, answers, Lang, draft.IdempotencyKey, HttpContext, ct, person);
        if (!submission.Accepted)
        {
            Show(answers);
            Errors = submission.Errors.Count > 0 ? submission.Errors : [new FieldError("submit", "submit", T("SubmitProblem"))];
            return Page();
        }
        await drafts.MarkSubmittedAsync(draft, submission.CaseNumber!, ct);
        // At a counter the next person uses the same browser: the code is on the printed confirmation, not in a cookie.
        if (person is null) TrackCookie.Set(HttpContext, submission.CaseNumber!, submission.TrackingCode!);
        return Redirect(P($"/services/{serviceId}/confirmation"));
    }

    private async Task<Draft?> LoadAsync(string serviceId, CancellationToken ct)
    {
        Definition = catalog.Latest(serviceId);
        if (Definition is null) return null;
        var draft = await DraftCookie.LoadAsync(HttpContext, drafts, serviceId, ct);
        return draft is not null && draft.Version == Definition.Version ? draft : null;
    }

    private IActionResult Gone(string serviceId) => Definition is null ? NotFound() : Redirect(P($"/services/{serviceId}"));

    /// <summary>The first page whose answers the engine would refuse (a page skipped, or a condition changed since).</summary>
    private string? FirstInvalidStep(JsonObject answers)
    {
        var today = time.Today();
        var errors = FormValidator.Validate(Definition!.Form, answers, Lang, today);
        if (errors.Count == 0) return null;
        return FormPages.ActivePages(Definition, answers, today)
            .FirstOrDefault(s => FormPages.ErrorsFor(errors, FormPages.VisibleFields(Definition, s, answers, today)).Count > 0)?.Id
            ?? Definition.Pages[0].Id;
    }

    private void Show(JsonObject answers)
    {
        var today = time.Today();
        Title = T("CheckTitle");
        var active = FormPages.ActivePages(Definition!, answers, today);
        BackPath = active.Count > 0 ? P($"/services/{Definition!.Id}/form/{active[^1].Id}") : P($"/services/{Definition!.Id}");
        Sections = active
            .Select(s => (s, (IReadOnlyList<Row>)FormPages.VisibleFields(Definition!, s, answers, today)
                .Select(f => new Row(f.Id, Text(f.Label), FormPages.Display(f, answers[f.Id], Lang))).ToList()))
            .ToList();
    }
}
