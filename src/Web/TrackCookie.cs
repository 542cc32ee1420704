using Microsoft.AspNetCore.DataProtection;

namespace Vorgang.Web;

/// <summary>
/// After a citizen has entered (or just received) their case number and tracking code, this browser may open the
/// status page again without them: both are kept encrypted (ASP.NET data protection) in an HttpOnly, SameSite=Strict
/// cookie, Secure outside Development — never in an address, where logs and Referer headers would keep the code.
/// </summary>
public static class TrackCookie
{
    private const string Purpose = "Vorgang.Web.TrackCookie.v1";
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    public static void Set(HttpContext context, string caseNumber, string trackingCode)
    {
        var protector = context.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose);
        context.Response.Cookies.Append(PortalSetup.TrackCookie, protector.Protect(caseNumber + "\n" + trackingCode), PortalSetup.CookieOptions(context, Lifetime));
    }

    public static (string CaseNumber, string TrackingCode)? Read(HttpContext context)
    {
        if (context.Request.Cookies[PortalSetup.TrackCookie] is not { Length: > 0 and < 2000 } value) return null;
        try
        {
            var text = context.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).Unprotect(value);
            return text.Split('\n') is [var number, var code] ? (number, code) : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    public static void Clear(HttpContext context) => context.Response.Cookies.Delete(PortalSetup.TrackCookie, PortalSetup.CookieOptions(context));
}
