using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Web.Pages;

/// <summary>
/// The status page's entry (a public address): case number and tracking code in a POST form, so that the code never
/// appears in an address. The engine's tracking-code lockout applies exactly as in the API; a lock has a page that says
/// what to do.
/// </summary>
public sealed class TrackModel(IPortalEngine engine) : PortalPage
{
    public string? CaseNumber { get; private set; }
    public string? Remembered { get; private set; }
    public PortalLock? Lock { get; private set; }

    public void OnGet()
    {
        Title = T("TrackTitle");
        Remembered = TrackCookie.Read(HttpContext)?.CaseNumber;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        Title = T("TrackTitle");
        CaseNumber = Clean(Request.Form["caseNumber"]);
        var code = Clean(Request.Form["trackingCode"]);
        var missing = new List<FieldError>();
        if (CaseNumber is null) missing.Add(new("caseNumber", "required", T("TrackRequired")));
        if (code is null) missing.Add(new("trackingCode", "required", T("TrackRequired")));
        if (missing.Count > 0)
        {
            Errors = missing;
            return Page();
        }
        var tracked = await engine.TrackAsync(CaseNumber!, code!.ToUpperInvariant(), Lang, HttpContext, ct);
        switch (tracked.Outcome)
        {
            case TrackingOutcome.Found:
                TrackCookie.Set(HttpContext, tracked.Case!.CaseNumber, code.ToUpperInvariant());
                return Redirect(P("/track/" + tracked.Case.CaseNumber));
            case TrackingOutcome.Locked:
                Lock = tracked.Lock;
                Title = T("LockedTitle");
                Response.StatusCode = StatusCodes.Status429TooManyRequests;
                return Page();
            default:
                Errors = [new("caseNumber", "not-found", T("TrackNotFound"))];
                return Page();
        }
    }

    public string Time(DateTimeOffset until) =>
        TimeZoneInfo.ConvertTime(until, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).ToString("HH:mm", CultureInfo.InvariantCulture);

    /// <summary>At most 100 characters of what was typed, without control characters; null when nothing was.</summary>
    private static string? Clean(string? text)
    {
        var cleaned = Vorgang.Web.Forms.FormPages.Text(text);
        return cleaned is { Length: > 100 } ? cleaned[..100] : cleaned;
    }
}
