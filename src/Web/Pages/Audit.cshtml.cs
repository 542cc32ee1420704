using Microsoft.AspNetCore.Mvc;
using Vorgang.Web.Audit;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Web.Pages;

/// <summary>
/// The console's entry: find a case by its number (a GET form: a case number is no secret), and for auditors and admins
/// the verification of the whole store, started by a POST and run in the background; the page shows its progress when loaded.
/// </summary>
public sealed class AuditModel(IAuditConsole console) : AuditPage(console)
{
    public string? CaseNumber { get; private set; }
    public StoreCheck? Check { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Admit() is { } refused) return refused;
        Title = T("AuditTitle");
        if (Request.Query.ContainsKey("caseNumber"))
        {
            CaseNumber = Clean(Request.Query["caseNumber"]);
            if (CaseNumber is null) Errors = [new FieldError("caseNumber", "required", T("AuditCaseRequired"))];
            else if (!CaseNumbers.IsWellFormed(CaseNumber)) Errors = [new FieldError("caseNumber", "format", T("AuditCaseFormat"))];
            else return Redirect(P($"/audit/cases/{CaseNumber}"));
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        if (IsAuditor) Check = await Console.StoreCheckAsync(ct);
        return Page();
    }

    /// <summary>Starts the store's verification (auditors and admins); a second start while one runs shows the running one.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Admit() is { } refused) return refused;
        if (await Console.StartStoreCheckAsync(HttpContext, ct) == StoreCheckStart.NotAllowed)
        {
            Title = T("AuditTitle");
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }
        return Redirect(P("/audit") + "#store-check");
    }
}
