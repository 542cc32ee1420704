using Microsoft.AspNetCore.Mvc;
using Vorgang.Web.Accounts;

namespace Vorgang.Web.Pages;

/// <summary>
/// Signing in, for citizens (<c>/sign-in</c>) and for staff (<c>/staff/sign-in</c>): to the configured identity provider,
/// or, in Development without one, a local form asking for the claims the <c>token</c> verb mints (decision 36).
/// </summary>
public abstract class SignInPage(IPortalAccounts accounts) : PortalPage
{
    protected abstract PortalUserKind Kind { get; }
    protected abstract string Landing { get; }
    public IPortalAccounts Accounts => accounts;
    public bool Offered => accounts.CanSignIn(Kind);
    public string ReturnUrl { get; private set; } = "/";
    public LocalSignIn Posted { get; private set; } = new(PortalUserKind.Citizen, null, null, null, null);

    /// <summary>The identity provider's answer could not be used (expired, replayed or refused): offer to try again.</summary>
    public bool Failed { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? returnUrl, string? failed)
    {
        ReturnUrl = Local(returnUrl) ?? P(Landing);
        Title = T(Kind == PortalUserKind.Citizen ? "SignInTitle" : "StaffSignInTitle");
        if (accounts.Current(HttpContext) is { } user && user.Kind == Kind) return Redirect(ReturnUrl);
        if (!Offered)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }
        if (accounts.IsLocal(Kind)) return Page();
        if (failed is not null)
        {
            Failed = true;
            return Page();
        }
        await accounts.ChallengeAsync(HttpContext, Kind, ReturnUrl);
        return new EmptyResult();
    }

    public async Task<IActionResult> OnPostAsync(string? returnUrl)
    {
        ReturnUrl = Local(returnUrl) ?? P(Landing);
        Title = T(Kind == PortalUserKind.Citizen ? "SignInTitle" : "StaffSignInTitle");
        string? Field(string name) => Forms.FormPages.Text(Request.Form[name]) is { Length: <= 200 } value ? value : null;
        Posted = new LocalSignIn(Kind, Field("name"), Field("subject"), Field("role"), Field("team"));
        Errors = await accounts.SignInLocallyAsync(HttpContext, Posted, Lang);
        if (Errors.Count > 0)
        {
            Response.StatusCode = accounts.IsLocal(Kind) ? StatusCodes.Status200OK : StatusCodes.Status404NotFound;
            return Page();
        }
        return Redirect(ReturnUrl);
    }

    /// <summary>Only an address of this site: a path, never another host (<c>//evil</c>, <c>/\evil</c>) — no open redirect.</summary>
    public static string? Local(string? url) =>
        url is { Length: > 0 and <= 500 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Any(char.IsControl) ? url : null;
}

public sealed class SignInModel(IPortalAccounts accounts) : SignInPage(accounts)
{
    protected override PortalUserKind Kind => PortalUserKind.Citizen;
    protected override string Landing => "/my-applications";
}

public sealed class StaffSignInModel(IPortalAccounts accounts) : SignInPage(accounts)
{
    protected override PortalUserKind Kind => PortalUserKind.Staff;
    protected override string Landing => "/staff";
}

/// <summary>Ends the page session (a POST with the antiforgery token, so that no other site can sign anyone out).</summary>
public sealed class SignOutModel(IPortalAccounts accounts) : PortalPage
{
    public async Task<IActionResult> OnPostAsync()
    {
        // A shared browser (a terminal, a counter) keeps nothing of this session: no draft, no remembered case.
        foreach (var cookie in Request.Cookies.Keys.Where(k => k.StartsWith(PortalSetup.DraftCookiePrefix, StringComparison.Ordinal) || k == PortalSetup.TrackCookie))
            Response.Cookies.Delete(cookie, PortalSetup.CookieOptions(HttpContext));
        await accounts.SignOutAsync(HttpContext, P("/"));
        return Response.StatusCode is >= 300 and < 400 ? new EmptyResult() : Redirect(P("/"));
    }
}
