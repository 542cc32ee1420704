using Microsoft.AspNetCore.Html;

namespace Vorgang.Web.Pages;

/// <summary>The accessibility statement, the page in Leichte Sprache, the imprint and the privacy page: Markdown texts a city may replace (<see cref="InfoTexts"/>, docs/pages.md).</summary>
public sealed class InfoModel : PortalPage
{
    /// <summary>German slug → (English slug, which also names the text's file; title key).</summary>
    private static readonly (string De, string En, string TitleKey)[] Slugs =
    [
        ("barrierefreiheit", "accessibility", "AccessibilityTitle"),
        ("leichte-sprache", "easy-read", "EasyReadTitle"),
        ("impressum", "imprint", "ImprintTitle"),
        ("datenschutz", "privacy", "PrivacyTitle"),
    ];

    private (string De, string En, string TitleKey) _slug;

    public HtmlString Body { get; private set; } = HtmlString.Empty;

    public void OnGet(string slug)
    {
        _slug = Slugs.First(s => s.De == slug || s.En == slug);
        Title = T(_slug.TitleKey);
        Body = HttpContext.RequestServices.GetRequiredService<InfoTexts>().For(_slug.En, Lang);
    }

    public override string AlternatePath => Lang == "en" ? "/" + _slug.De : "/en/" + _slug.En;
}
