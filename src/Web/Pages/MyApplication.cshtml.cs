using Microsoft.AspNetCore.Mvc;
using Vorgang.Web.Accounts;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Web.Pages;

/// <summary>One of the signed-in citizen's applications: the status page without a tracking code, with the citizen's actions.</summary>
public sealed class MyApplicationModel(IPortalEngine engine, IPortalAccounts accounts, DefinitionCatalog catalog) : CaseStatusPage
{
    public override string ActionPath => P($"/my-applications/{Case!.CaseNumber}");

    public async Task<IActionResult> OnGetAsync(string caseNumber, string? done, CancellationToken ct)
    {
        if (accounts.Current(HttpContext) is not { IsCitizen: true }) return SignIn(caseNumber);
        Done = done == "1";
        return await ShowAsync(caseNumber, ct);
    }

    public async Task<IActionResult> OnPostAsync(string caseNumber, CancellationToken ct)
    {
        if (accounts.Current(HttpContext) is not { IsCitizen: true }) return SignIn(caseNumber);
        if (PostedAction() is not { } posted) return BadRequest();
        var (actionId, expected) = posted;
        var status = await engine.MyApplicationAsync(caseNumber, Lang, HttpContext, ct);
        if (status is null) return NotFound();
        var action = status.Actions.FirstOrDefault(a => a.Id == actionId);
        if (action is null)
        {
            Conflict = true;
            Showing(status, catalog);
            return Page();
        }
        var input = ReadInput(action);
        var result = await engine.ActOnMyApplicationAsync(caseNumber, actionId, expected, input, Lang, HttpContext, ct);
        switch (result.Outcome)
        {
            case ActionOutcome.Taken:
                return Redirect(P($"/my-applications/{caseNumber}") + "?done=1");
            case ActionOutcome.Invalid:
                Refused(result, actionId, input);
                return await ShowAsync(caseNumber, ct);
            case ActionOutcome.Conflict:
                Conflict = true;
                return await ShowAsync(caseNumber, ct);
            default:
                return NotFound();
        }
    }

    private async Task<IActionResult> ShowAsync(string caseNumber, CancellationToken ct)
    {
        // Someone else's case, or one whose personal data (and with it the link to the account) was erased: as if none.
        if (await engine.MyApplicationAsync(caseNumber, Lang, HttpContext, ct) is not { } status) return NotFound();
        Showing(status, catalog);
        return Page();
    }

    private RedirectResult SignIn(string caseNumber) =>
        Redirect(P("/sign-in") + "?returnUrl=" + Uri.EscapeDataString(P($"/my-applications/{caseNumber}")));
}
