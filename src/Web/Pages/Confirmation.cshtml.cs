using Microsoft.AspNetCore.Mvc;
using Vorgang.Web.Drafts;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Web.Pages;

/// <summary>The confirmation: case number and tracking code (derived again from the draft's key, never stored), what happens next and when.</summary>
public sealed class ConfirmationModel(DefinitionCatalog catalog, DraftStore drafts, IPortalEngine engine) : PortalPage
{
    public ProcessDefinition? Definition { get; private set; }
    public string CaseNumber { get; private set; } = "";
    public string TrackingCode { get; private set; } = "";
    public CaseStatus? Status { get; private set; }

    public async Task<IActionResult> OnGetAsync(string serviceId, CancellationToken ct)
    {
        Definition = catalog.Latest(serviceId);
        if (Definition is null) return NotFound();
        var draft = await DraftCookie.LoadAsync(HttpContext, drafts, serviceId, ct);
        if (draft?.CaseNumber is null) return Redirect(P($"/services/{serviceId}"));
        Title = T("ConfirmationTitle");
        CaseNumber = draft.CaseNumber;
        TrackingCode = engine.TrackingCode(serviceId, draft.IdempotencyKey);
        var tracked = await engine.TrackAsync(CaseNumber, TrackingCode, Lang, HttpContext, ct);
        Status = tracked.Case;
        return Page();
    }
}
