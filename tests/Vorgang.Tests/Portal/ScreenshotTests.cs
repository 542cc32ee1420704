using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Vorgang.Api.Security;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Tests.Portal;

/// <summary>
/// Every page type of the portal in a real browser, in German and English, at 1280 and at 375 pixels: each must render
/// in its language with a heading and without scrolling sideways. With <see cref="Variable"/> set to a folder (relative
/// to the repository, e.g. <c>docs/screenshots</c>) each is also saved there as <c>{page}-{lang}-{wide|narrow}.png</c>,
/// the full page; without it nothing is written, so an ordinary test run leaves the working tree as it was.
/// </summary>
public sealed class ScreenshotTests(AppFixture app, BrowserFixture browser) : ApiTest(app), IClassFixture<BrowserFixture>
{
    public const string Variable = "VORGANG_SCREENSHOTS";
    public const int Wide = 1280;
    public const int Narrow = 375;

    /// <summary>The page types, in the order a citizen (then an account holder, then staff) meets them.</summary>
    public static readonly string[] PageTypes =
    [
        "start", "search", "service", "form-step-error", "form-step", "check", "confirmation", "status",
        "track", "track-locked", "sign-in", "my-applications", "staff-sign-in", "assisted-check",
        "workbench", "staff-case", "party-list", "audit-case", "not-found",
    ];

    private static readonly string? Folder = ResolveFolder();

    private static string? ResolveFolder()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(value)) return null;
        var folder = Path.IsPathRooted(value) ? value : Path.Combine(OpenApi.ExternalTools.RepositoryRoot(), value);
        Directory.CreateDirectory(folder);
        return folder;
    }

    private readonly List<string> _shown = [];

    [Theory]
    [InlineData("de")]
    [InlineData("en")]
    public async Task Every_page_type_renders_wide_and_narrow(string lang)
    {
        var prefix = lang == "en" ? "/en" : "";
        var de = lang == "de";

        // A citizen applies for the change of address, page by page, and is refused once on the way.
        var changeOfAddress = Host.Services.GetRequiredService<DefinitionCatalog>().Latest("change-of-address")!;
        var example = PortalClient.Flatten(await Host.Example("change-of-address"));
        var page = await browser.OpenAsync(Host, Wide);
        await page.GotoAsync(prefix + "/");
        Assert.True(await page.Locator(".portal-services a").CountAsync() >= 5);
        await ShowAsync(page, "start", lang);

        await page.FillAsync("#q", de ? "Umzug" : "moving house");
        await PortalBrowserTests.ClickAndWaitAsync(page, "form[role=search] button");
        var result = $".portal-services a[href='{prefix}/services/change-of-address']";
        Assert.Equal(1, await page.Locator(result).CountAsync());
        await ShowAsync(page, "search", lang);

        await PortalBrowserTests.ClickAndWaitAsync(page, result);
        Assert.Contains(changeOfAddress.Title.For(lang), await page.InnerTextAsync("h1"));
        await ShowAsync(page, "service", lang);

        await PortalBrowserTests.ClickAndWaitAsync(page, "form.portal-start button");
        Assert.Contains("/form/", page.Url);
        await PortalBrowserTests.ClickAndWaitAsync(page, "form button[type=submit]:not([name=add])");
        Assert.True(await page.IsVisibleAsync(".portal-error-summary"));
        Assert.StartsWith(de ? "Fehler: " : "Error: ", await page.TitleAsync());
        await ShowAsync(page, "form-step-error", lang);

        for (var pages = 0; page.Url.Contains("/form/") && pages < 20; pages++)
        {
            await PortalBrowserTests.FillAsync(page, example);
            // The second page (the addresses), filled in and about to be sent.
            if (pages == 1)
            {
                await page.EvaluateAsync("() => document.activeElement?.blur()");
                await ShowAsync(page, "form-step", lang);
            }
            await PortalBrowserTests.ClickAndWaitAsync(page, "form button[type=submit]:not([name=add])");
        }
        Assert.EndsWith("/check", page.Url);
        Assert.Contains("Mustermann", await page.InnerTextAsync("main"));
        await ShowAsync(page, "check", lang);

        await PortalBrowserTests.ClickAndWaitAsync(page, "form button[type=submit]");
        Assert.EndsWith("/confirmation", page.Url);
        var caseNumber = (await page.InnerTextAsync("#case-number")).Trim();
        Assert.Matches(@"^\d{4}-\d{6}$", caseNumber);
        await ShowAsync(page, "confirmation", lang);

        // A caseworker asks for the landlord's confirmation; the status page (remembered by this browser) shows it.
        var staff = App.Token("caseworker", "registration-office", "Anna Schmidt");
        var request = de ? "Bitte senden Sie uns die Wohnungsgeberbestätigung." : "Please send us your landlord's confirmation.";
        await Host.Act(caseNumber, staff, "start-review");
        await Host.Act(caseNumber, staff, "request-landlord-confirmation", new JsonObject { ["message"] = request });
        await page.GotoAsync($"{prefix}/track/{caseNumber}");
        Assert.Contains(request, await page.InnerTextAsync("main"));
        await ShowAsync(page, "status", lang);
        await page.Context.CloseAsync();

        // Another browser: the status page's entry, then wrong codes until the number is locked.
        page = await browser.OpenAsync(Host, Wide);
        await page.GotoAsync(prefix + "/track");
        await ShowAsync(page, "track", lang);
        for (var attempt = 0; attempt < 10 && await page.Locator("#f-trackingCode").CountAsync() > 0; attempt++)
        {
            await page.FillAsync("#f-caseNumber", caseNumber);
            await page.FillAsync("#f-trackingCode", "WRONG-CODE");
            await PortalBrowserTests.ClickAndWaitAsync(page, "main form button[type=submit]");
        }
        Assert.Equal(0, await page.Locator("#f-trackingCode").CountAsync());
        Assert.Contains(de ? "gesperrt" : "locked", await page.InnerTextAsync("main"));
        await ShowAsync(page, "track-locked", lang);
        await page.Context.CloseAsync();

        // A citizen with an account: two applications, one waiting for the citizen.
        var subject = "bundid:4711";
        var citizen = CitizenAuth.MintToken(Host.Services.GetRequiredService<IConfiguration>(), subject, "Erika Mustermann", TimeSpan.FromHours(1));
        var waiting = await Host.Submit("change-of-address", language: lang, token: citizen);
        await Host.Act(waiting.CaseNumber, staff, "start-review");
        await Host.Act(waiting.CaseNumber, staff, "request-landlord-confirmation", new JsonObject { ["message"] = request });
        await Host.Submit("defect-report", language: lang, token: citizen);
        page = await browser.OpenAsync(Host, Wide);
        await page.GotoAsync(prefix + "/sign-in");
        Assert.True(await page.IsVisibleAsync("#f-subject"));
        await ShowAsync(page, "sign-in", lang);
        await page.FillAsync("#f-name", "Erika Mustermann");
        await page.FillAsync("#f-subject", subject);
        await PortalBrowserTests.ClickAndWaitAsync(page, "main button[type=submit]");
        Assert.EndsWith(prefix + "/my-applications", new Uri(page.Url).AbsolutePath);
        Assert.Equal(2, await page.Locator(".portal-services a").CountAsync());
        await ShowAsync(page, "my-applications", lang);
        await page.Context.CloseAsync();

        // A caseworker at a counter applies for the person in front of them: the banner, and the person's name asked for.
        var defect = PortalClient.Flatten(await Host.Example("defect-report"));
        page = await browser.OpenAsync(Host, Wide);
        await page.GotoAsync(prefix + "/staff/sign-in");
        Assert.True(await page.IsVisibleAsync("#f-role"));
        await ShowAsync(page, "staff-sign-in", lang);
        await page.FillAsync("#f-name", "Anna Schmidt");
        await page.SelectOptionAsync("#f-role", "caseworker");
        await page.SelectOptionAsync("#f-team", "defect-intake");
        await PortalBrowserTests.ClickAndWaitAsync(page, "main button[type=submit]");
        await page.GotoAsync(prefix + "/services/defect-report");
        await PortalBrowserTests.ClickAndWaitAsync(page, "main form button[type=submit]");
        for (var pages = 0; page.Url.Contains("/form/") && pages < 20; pages++)
        {
            await PortalBrowserTests.FillAsync(page, defect);
            await PortalBrowserTests.ClickAndWaitAsync(page, "main form button[type=submit]");
        }
        Assert.EndsWith("/check", new Uri(page.Url).AbsolutePath);
        Assert.True(await page.IsVisibleAsync("#assisted-banner"));
        await page.FillAsync("#f-assistedName", "Erika Mustermann");
        await ShowAsync(page, "assisted-check", lang);
        await page.Context.CloseAsync();

        // A caseworker's queue and a case of it, a school's list; then the case in the auditor's console.
        var submitted = await Host.Submit("change-of-address");
        await Host.Act(submitted.CaseNumber, App.Token("caseworker", "registration-office", "Ben Weber", subject: "ben"), "claim");
        var team = (string)(await Host.StaffCase(submitted.CaseNumber, App.Token("admin")))["team"]!;
        // A school's list: two applications waiting for it, one of them answered already.
        var pupils = new[] { await Host.Submit("school-transport"), await Host.Submit("school-transport"), await Host.Submit("school-transport") };
        await Host.Act(pupils[0].CaseNumber, App.Token("school", "grundschule-lobeda-west", "Sekretariat", subject: "lobeda"), "confirm-enrolment",
            new System.Text.Json.Nodes.JsonObject { ["confirmedGrade"] = 4 });
        foreach (var (role, name, landing, roleTeam) in new[]
                 {
                     ("caseworker", "Anna Schmidt", "/staff", team), ("school", "Sekretariat Lobeda-West", "/staff", "grundschule-lobeda-west"),
                     ("auditor", "Petra Prüfer", $"/audit/cases/{submitted.CaseNumber}", null),
                 })
        {
            page = await browser.OpenAsync(Host, Wide);
            await page.GotoAsync(prefix + "/staff/sign-in");
            await page.FillAsync("#f-name", name);
            await page.SelectOptionAsync("#f-role", role);
            if (roleTeam is not null) await page.SelectOptionAsync("#f-team", roleTeam);
            await PortalBrowserTests.ClickAndWaitAsync(page, "main button[type=submit]");
            await page.GotoAsync(prefix + landing);
            if (role == "caseworker")
            {
                await ShowAsync(page, "workbench", lang);
                await page.GotoAsync(prefix + $"/staff/cases/{submitted.CaseNumber}");
                Assert.True(await page.IsVisibleAsync("#action-take-over"));
                await ShowAsync(page, "staff-case", lang);
            }
            else if (role == "school")
            {
                Assert.Equal(2, await page.Locator("#party-cases tbody tr").CountAsync());
                await ShowAsync(page, "party-list", lang);
            }
            else await ShowAsync(page, "audit-case", lang);
            await page.Context.CloseAsync();
        }

        // An address that does not exist.
        page = await browser.OpenAsync(Host, Wide);
        var missing = await page.GotoAsync(prefix + "/no-such-page");
        Assert.Equal(404, missing!.Status);
        await ShowAsync(page, "not-found", lang);
        await page.Context.CloseAsync();

        Assert.Equal(PageTypes, _shown);
        Assert.Empty(browser.OtherHosts);
    }

    /// <summary>
    /// Checks the page as it is now at both widths — in <paramref name="lang"/>, with a heading, nothing wider than the
    /// window — and saves it when <see cref="Variable"/> names a folder. The page is not reloaded between the widths, so
    /// the answer to a POST (an error summary, a confirmation) is shown as it came.
    /// </summary>
    private async Task ShowAsync(IPage page, string name, string lang)
    {
        Assert.Equal(lang, await page.GetAttributeAsync("html", "lang"));
        Assert.False(string.IsNullOrWhiteSpace(await page.InnerTextAsync("h1")), $"{name}: no heading on {page.Url}");
        foreach (var (width, label) in new[] { (Wide, "wide"), (Narrow, "narrow") })
        {
            await page.SetViewportSizeAsync(width, 900);
            var scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
            Assert.True(scrollWidth <= width, $"{name} ({lang}) is {scrollWidth} pixels wide in a window of {width}.");
            if (Folder is not null)
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Folder, $"{name}-{lang}-{label}.png"), FullPage = true, Animations = ScreenshotAnimations.Disabled });
        }
        await page.SetViewportSizeAsync(Wide, 900);
        _shown.Add(name);
    }
}
