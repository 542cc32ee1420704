using System.Globalization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Web.Pages;

/// <summary>What every page knows: its language, its texts, its title, and its addresses in either language.</summary>
public abstract class PortalPage : PageModel
{
    private IStringLocalizer<Texts>? _texts;

    public string Lang => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en" ? "en" : "de";
    public string OtherLang => Lang == "en" ? "de" : "en";

    /// <summary>The page's title without the site name; "Fehler: " goes before it while the page shows errors.</summary>
    public string Title { get; protected set; } = "";
    public IReadOnlyList<FieldError> Errors { get; protected set; } = [];
    public bool HasErrors => Errors.Count > 0;

    public string T(string key) => (_texts ??= HttpContext.RequestServices.GetRequiredService<IStringLocalizer<Texts>>())[key];
    public string T(string key, params object[] args) => string.Format(CultureInfo.CurrentCulture, T(key), args);

    public string Text(LocalizedText text) => text.For(Lang);

    /// <summary>Who is signed in to the pages, if anyone (decision 36).</summary>
    public Vorgang.Web.Accounts.PortalUser? Account => HttpContext.RequestServices.GetRequiredService<Vorgang.Web.Accounts.IPortalAccounts>().Current(HttpContext);

    /// <summary>Whether citizens can sign in here (the header offers it only then).</summary>
    public bool CitizenSignIn => HttpContext.RequestServices.GetRequiredService<Vorgang.Web.Accounts.IPortalAccounts>().CanSignIn(Vorgang.Web.Accounts.PortalUserKind.Citizen);

    /// <summary>Whether the signed-in member of staff may submit for a citizen at the counter.</summary>
    public bool MaySubmitForOthers => HttpContext.RequestServices.GetRequiredService<IPortalEngine>().MaySubmitForOthers(HttpContext);

    /// <summary>A portal address in this page's language: <c>/services/x</c> or <c>/en/services/x</c>.</summary>
    public string P(string path) => Lang == "en" ? "/en" + (path == "/" ? "/" : path) : path;

    /// <summary>This page in the other language (the info pages have other slugs there).</summary>
    public virtual string AlternatePath
    {
        get
        {
            var path = Request.Path.Value ?? "/";
            if (Lang == "en") return path.Length <= 4 ? "/" : path[3..];
            return path == "/" ? "/en/" : "/en" + path;
        }
    }

    public string Date(DateOnly date) =>
        date.ToString(Lang == "en" ? "d MMMM yyyy" : "d. MMMM yyyy", CultureInfo.GetCultureInfo(Lang == "en" ? "en-GB" : "de-DE"));

    public string DateTime(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        return local.ToString(Lang == "en" ? "d MMMM yyyy, HH:mm" : "d. MMMM yyyy, HH:mm 'Uhr'", CultureInfo.GetCultureInfo(Lang == "en" ? "en-GB" : "de-DE"));
    }

    public DateOnly Today => Vorgang.Workflows.Deadlines.BerlinClock.DateOf(HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
}
