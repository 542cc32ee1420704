using System.Text.RegularExpressions;
using Vorgang.Tests.Infrastructure;
using Vorgang.Web;

namespace Vorgang.Tests.Portal;

/// <summary>The four information pages: the engine's own texts in both languages, a city's folder replacing them file by file, never any markup of the city's own.</summary>
public sealed class PortalInfoPagesTests(AppFixture app) : ApiTest(app)
{
    public static TheoryData<string, string, string> Pages => new()
    {
        { "/barrierefreiheit", "de", "Dieses Portal ist teilweise barrierefrei." },
        { "/en/accessibility", "en", "This portal is partially compliant with BITV 2.0." },
        { "/leichte-sprache", "de", "Hier können Sie Anträge stellen." },
        { "/en/easy-read", "en", "Here you can apply for things." },
        { "/impressum", "de", "Angaben nach § 5 Digitale-Dienste-Gesetz (DDG)." },
        { "/en/imprint", "en", "Information under § 5 of the German Digital Services Act (DDG)." },
        { "/datenschutz", "de", "Kein Tracking und keine Analyse-Werkzeuge." },
        { "/en/privacy", "en", "No tracking and no analytics." },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Every_information_page_has_its_text_one_title_and_headings_in_order(string path, string lang, string sentence)
    {
        var browser = new PortalClient(Host);
        await browser.GetAsync(path);
        Assert.Equal(200, browser.Status);
        Assert.Equal(lang, browser.Page.DocumentElement.GetAttribute("lang"));
        Assert.Single(browser.All("h1"));
        AssertHeadingsInOrder(browser);
        Assert.Contains(sentence, MainText(browser));
        Assert.NotEmpty(browser.All("main h2.kern-heading-medium"));
        Assert.All(browser.All("main p"), p => Assert.Contains("kern-body", p.ClassName));
    }

    [Fact]
    public async Task The_accessibility_statement_names_its_date_the_feedback_contact_and_the_enforcement_procedure()
    {
        var browser = new PortalClient(Host);
        await browser.GetAsync("/barrierefreiheit");
        var text = MainText(browser);
        Assert.Contains("2. Dezember 2026", text);
        Assert.Contains("[Bitte ergänzen: E-Mail-Adresse und Telefonnummer der Stelle für Barrierefreiheit]", text);
        Assert.Contains("Durchsetzungsverfahren", text);
        Assert.Contains("www.schlichtungsstelle-bgg.de", text);
        await browser.GetAsync("/en/accessibility");
        Assert.Contains("2 December 2026", MainText(browser));
    }

    [Fact]
    public async Task The_privacy_page_names_the_cookies_the_portal_really_sets()
    {
        var browser = new PortalClient(Host);
        await browser.GetAsync("/en/privacy");
        var text = MainText(browser);
        foreach (var cookie in new[] { "vg-antiforgery", PortalSetup.DraftCookiePrefix, PortalSetup.TrackCookie,
                     Vorgang.Api.Features.Portal.PortalAccountsSetup.CitizenCookie, Vorgang.Api.Features.Portal.PortalAccountsSetup.StaffCookie })
            Assert.Contains(cookie, text);
    }

    [Fact]
    public async Task A_citys_folder_replaces_a_page_a_missing_file_falls_back_and_its_html_is_only_text()
    {
        var folder = Directory.CreateTempSubdirectory("vorgang-texts-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "imprint.de.md"), """
                Die Stadt Musterstadt bietet dieses Portal an.

                # Kontakt

                #### Zu tief

                <script>alert(1)</script>

                <img src="x" onerror="alert(1)">

                Ein [Trick](javascript:alert(1)), ein Bild ![Wappen](https://example.org/wappen.png) und <b>fett</b>.

                Mehr unter [der Website der Stadt](https://www.example.org/).
                """);
            var settings = new Dictionary<string, string> { ["Vorgang:Portal:TextsPath"] = folder };
            await using var host = await EngineHosts.StartAsync(await TestDatabase.CreateDatabaseAsync("texts"), new TestClock(), settings);
            var browser = new PortalClient(host);

            await browser.GetAsync("/impressum");
            Assert.Equal(200, browser.Status);
            var text = MainText(browser);
            Assert.Contains("Die Stadt Musterstadt bietet dieses Portal an.", text);
            Assert.DoesNotContain("Digitale-Dienste-Gesetz", text);
            Assert.Contains("<script>alert(1)</script>", text);
            Assert.Contains("<img src=\"x\" onerror=\"alert(1)\">", text);
            Assert.Contains("<b>fett</b>", text);
            Assert.Empty(browser.All("script"));
            Assert.Empty(browser.All("main img"));
            Assert.Empty(browser.All("main b"));
            Assert.Empty(browser.All("[onerror]"));
            Assert.DoesNotContain(browser.All("a"), a => a.GetAttribute("href")!.Contains("javascript", StringComparison.OrdinalIgnoreCase));
            Assert.Contains("Ein Trick, ein Bild", text);
            Assert.Equal("https://example.org/wappen.png", browser.Page.QuerySelector("main a[href$='wappen.png']")!.GetAttribute("href"));
            Assert.Equal("kern-link", browser.Page.QuerySelector("main a[href='https://www.example.org/']")!.ClassName);
            // "#" is a section below the page's title, "####" right after it one level further down.
            Assert.Equal(["H1", "H2", "H3"], browser.All("main h1, main h2, main h3, main h4").Select(h => h.TagName).ToArray());
            Assert.Single(browser.All("h1"));

            await browser.GetAsync("/en/imprint");
            Assert.Contains("Information under § 5 of the German Digital Services Act (DDG).", MainText(browser));
            await browser.GetAsync("/datenschutz");
            Assert.Contains("Kein Tracking und keine Analyse-Werkzeuge.", MainText(browser));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_folder_that_does_not_exist_stops_the_start()
    {
        var missing = Path.Combine(Path.GetTempPath(), "vorgang-no-such-texts-" + Guid.NewGuid().ToString("N"));
        var error = Assert.Throws<InvalidOperationException>(() => InfoTexts.Folder(missing, "/"));
        Assert.Contains("Vorgang:Portal:TextsPath", error.Message);
        Assert.Null(InfoTexts.Folder(" ", "/"));
    }

    [Fact]
    public void Markdown_headings_start_at_h2_and_never_skip_a_level()
    {
        var html = InfoTexts.Render("# A\n\n### B\n\n###### C\n\n## D\n\n#### E\n");
        Assert.Equal(["h2", "h3", "h4", "h2", "h3"], Regex.Matches(html, "<(h[1-6])").Select(m => m.Groups[1].Value).ToArray());
        Assert.Contains("<h2 class=\"kern-heading-medium\">A</h2>", html);
        Assert.Contains("<h3 class=\"kern-heading-small\">B</h3>", html);
    }

    private static string MainText(PortalClient browser) => Regex.Replace(browser.Text("main"), @"\s+", " ");

    private static void AssertHeadingsInOrder(PortalClient browser)
    {
        var previous = 0;
        foreach (var heading in browser.All("h1, h2, h3, h4, h5, h6"))
        {
            var level = heading.TagName[1] - '0';
            Assert.True(level <= previous + 1, $"{heading.TagName} \"{heading.TextContent.Trim()}\" follows h{previous}");
            previous = level;
        }
        Assert.True(previous > 0);
    }
}
