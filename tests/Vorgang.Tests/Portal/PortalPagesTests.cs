using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Portal;

/// <summary>What every page promises: its language, the other language one link away, the footer, a policy without scripts, antiforgery on every form, friendly errors.</summary>
public sealed class PortalPagesTests(AppFixture app) : ApiTest(app)
{
    public static TheoryData<string, string, string> Pages => new()
    {
        { "/", "de", "/en/" }, { "/en/", "en", "/" },
        { "/services/change-of-address", "de", "/en/services/change-of-address" },
        { "/en/services/defect-report", "en", "/services/defect-report" },
        { "/track", "de", "/en/track" }, { "/en/track", "en", "/track" },
        { "/barrierefreiheit", "de", "/en/accessibility" }, { "/en/easy-read", "en", "/leichte-sprache" },
        { "/impressum", "de", "/en/imprint" }, { "/en/privacy", "en", "/datenschutz" },
        { "/sign-in", "de", "/en/sign-in" }, { "/en/staff/sign-in", "en", "/staff/sign-in" },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Every_page_has_its_language_the_other_one_a_footer_and_a_strict_policy(string path, string lang, string other)
    {
        var browser = new PortalClient(Host);
        using var response = await browser.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, path));
        Assert.Equal(200, (int)response.StatusCode);
        var csp = string.Join(" ", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.DoesNotContain("script-src", csp);
        Assert.True(response.Headers.CacheControl?.NoStore);
        await browser.GetAsync(path);
        Assert.Equal(lang, browser.Page.DocumentElement.GetAttribute("lang"));
        var switcher = browser.Page.QuerySelector(".portal-header__language")!;
        Assert.Equal(other, switcher.GetAttribute("href"));
        Assert.Equal(lang == "en" ? "de" : "en", switcher.GetAttribute("lang"));
        Assert.Equal("#main", browser.Page.QuerySelector("a.portal-skip-link")!.GetAttribute("href"));
        Assert.Equal(4, browser.All("footer a").Count());
        foreach (var form in browser.Page.Forms.Where(f => f.Method.Equals("post", StringComparison.OrdinalIgnoreCase)))
            Assert.NotNull(form.QuerySelector("input[name=__antiforgery]"));
        // Nothing from another host: every stylesheet, image, link target and form action is on this one.
        foreach (var url in browser.All("[href], [src], [action]").Select(e => e.GetAttribute("href") ?? e.GetAttribute("src") ?? e.GetAttribute("action")!))
            Assert.False(url.StartsWith("http", StringComparison.Ordinal) || url.StartsWith("//", StringComparison.Ordinal), url);
        Assert.Empty(browser.All("script"));
        Assert.Empty(browser.All("[style]"));
    }

    [Theory]
    [InlineData("/no-such-page", 404, "Seite nicht gefunden")]
    [InlineData("/en/no-such-page", 404, "Page not found")]
    [InlineData("/services/no-such-service", 404, "Seite nicht gefunden")]
    [InlineData("/en/services/no-such-service/check", 404, "Page not found")]
    public async Task Unknown_addresses_get_a_friendly_page(string path, int status, string title)
    {
        var browser = new PortalClient(Host);
        await browser.GetAsync(path);
        Assert.Equal(status, browser.Status);
        Assert.Contains(title, browser.Text("h1"));
        Assert.Contains("text/html", (await browser.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, path))).Content.Headers.ContentType!.ToString());
    }

    [Fact]
    public async Task A_form_without_its_antiforgery_token_is_refused_with_a_page()
    {
        var browser = new PortalClient(Host);
        using var response = await browser.PostRawAsync("/en/track", new FormUrlEncodedContent(new Dictionary<string, string> { ["caseNumber"] = "2026-000001", ["trackingCode"] = "X" }));
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("The request was incomplete", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_assets_are_served_by_the_engine_with_the_licence_beside_them_in_the_repository()
    {
        var browser = new PortalClient(Host);
        foreach (var asset in new[] { "/assets/kern/kern.min.css", "/assets/kern/fira-sans.css", "/assets/kern/fonts/FiraSans-Regular.woff2", "/assets/portal.css" })
        {
            using var response = await browser.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, asset));
            Assert.Equal(200, (int)response.StatusCode);
            Assert.NotNull(response.Headers.ETag);
        }
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ozg.sln"))) dir = dir.Parent;
        Assert.Contains("EUPL", File.ReadAllText(Path.Combine(dir!.FullName, "src/Web/wwwroot/kern/LICENSE.md")));
    }
}
