using Microsoft.AspNetCore.Mvc;
using Vorgang.Web.Accounts;

namespace Vorgang.Web.Pages;

/// <summary>"My applications": the signed-in citizen's cases, newest first, each with its plain-language status.</summary>
public sealed class MyApplicationsModel(IPortalEngine engine, IPortalAccounts accounts) : PortalPage
{
    public IReadOnlyList<MyApplication> Applications { get; private set; } = [];
    public string? Name { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (accounts.Current(HttpContext) is not { IsCitizen: true } user) return Redirect(P("/sign-in") + "?returnUrl=" + Uri.EscapeDataString(P("/my-applications")));
        Title = T("MineTitle");
        Name = user.Name;
        Applications = await engine.MyApplicationsAsync(Lang, HttpContext, ct);
        return Page();
    }
}
