using Microsoft.AspNetCore.Mvc;
using Vorgang.Web.Audit;

namespace Vorgang.Web.Pages;

/// <summary>
/// What the console's pages share: who may see them (asked of the engine), the way to the staff sign-in, and the
/// friendly refusal for a citizen or a role the console is not for.
/// </summary>
public abstract class AuditPage(IAuditConsole console) : PortalPage
{
    protected IAuditConsole Console => console;
    public AuditCaller Caller { get; private set; }
    public bool Refused => Caller == AuditCaller.NotAllowed;
    public bool IsAuditor => Caller == AuditCaller.Auditor;

    /// <summary>Null when the caller may use the console; else the sign-in redirect or the refusal page (403).</summary>
    protected IActionResult? Admit()
    {
        Caller = console.Caller(HttpContext);
        switch (Caller)
        {
            case AuditCaller.NotSignedIn:
                var here = HttpMethods.IsGet(Request.Method) ? Request.Path + Request.QueryString : Request.Path.ToString();
                return Redirect(P("/staff/sign-in") + "?returnUrl=" + Uri.EscapeDataString(here));
            case AuditCaller.NotAllowed:
                Title = T("AuditRefusedTitle");
                Response.StatusCode = StatusCodes.Status403Forbidden;
                return Page();
            default:
                return null;
        }
    }

    /// <summary>At most 100 characters of what was typed, without control characters; null when nothing was.</summary>
    protected static string? Clean(string? text)
    {
        var cleaned = Vorgang.Web.Forms.FormPages.Text(text);
        return cleaned is { Length: > 100 } ? cleaned[..100] : cleaned;
    }
}
