using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Tests.Portal;

/// <summary>
/// The auditor's console in a real browser: both pages in German and English, at 1280 and 320 pixels, without a WCAG
/// 2.1 A/AA violation found by axe-core (with a result, with errors, with the state diagram, as of an earlier version);
/// the diagram within the window at both widths; and a keyboard-only run.
/// </summary>
public sealed class PortalAuditBrowserTests(AppFixture app, BrowserFixture browser) : ApiTest(app), IClassFixture<BrowserFixture>
{
    private readonly List<string> _violations = [];

    private async Task AxeAsync(IPage page) => _violations.AddRange(await BrowserFixture.AxeViolationsWideAndNarrowAsync(page));

    private static async Task SignInAsync(IPage page, string start)
    {
        await page.GotoAsync(start);
        Assert.Contains("/staff/sign-in", page.Url);
        await page.FillAsync("#f-name", "Petra Prüfer");
        await page.SelectOptionAsync("#f-role", "auditor");
        await page.ClickAsync("main form button[type=submit]");
        await page.WaitForURLAsync(u => new Uri(u).AbsolutePath == start);
    }

    private async Task<string> CaseMovedOnAsync()
    {
        var definition = Host.Services.GetRequiredService<DefinitionCatalog>().Latest("change-of-address")!;
        var submitted = await Host.Submit("change-of-address");
        await PortalFlowTests.CaseworkerStepAsync(App, submitted.CaseNumber, definition, "de");
        return submitted.CaseNumber;
    }

    [Theory]
    [InlineData("de")]
    [InlineData("en")]
    public async Task The_console_s_pages_have_no_accessibility_violations(string lang)
    {
        var prefix = lang == "en" ? "/en" : "";
        var caseNumber = await CaseMovedOnAsync();
        var page = await browser.OpenAsync(Host);
        await SignInAsync(page, prefix + "/audit");
        await AxeAsync(page);

        await page.ClickAsync("#store-check-start");
        for (var i = 0; i < 100 && await page.Locator("#store-check-result").CountAsync() == 0; i++)
        {
            await Task.Delay(100);
            await page.ClickAsync("#store-check-refresh");
            await page.ReloadAsync();
        }
        Assert.Equal(1, await page.Locator("#store-check-result").CountAsync());
        await AxeAsync(page);

        await page.FillAsync("#f-caseNumber", "nonsense");
        await page.ClickAsync("main form[role=search] button");
        await page.WaitForSelectorAsync(".portal-error-summary");
        Assert.StartsWith(lang == "en" ? "Error: " : "Fehler: ", await page.TitleAsync());
        await AxeAsync(page);

        await page.FillAsync("#f-caseNumber", caseNumber);
        await page.ClickAsync("main form[role=search] button");
        await page.WaitForURLAsync($"**{prefix}/audit/cases/{caseNumber}");
        await AxeAsync(page);
        await TheDiagramFitsAsync(page);

        await page.GotoAsync($"{prefix}/audit/cases/{caseNumber}?version=1");
        Assert.Equal(1, await page.Locator("#as-of").CountAsync());
        await page.ClickAsync("details.portal-audit-diagram summary");
        await AxeAsync(page);

        await page.GotoAsync($"{prefix}/audit/cases/{caseNumber}?version=x&at=tomorrow");
        Assert.Equal(2, await page.Locator(".portal-error-summary a").CountAsync());
        await AxeAsync(page);

        Assert.Empty(_violations);
        Assert.Empty(browser.OtherHosts);
    }

    /// <summary>
    /// The state diagram at 1280 pixels within the window, at 320 at its own size in a region that scrolls sideways — the
    /// page itself never wider than the window.
    /// </summary>
    private static async Task TheDiagramFitsAsync(IPage page)
    {
        Assert.True(await page.Locator("#diagram svg[role=img]").IsVisibleAsync());
        Assert.True(await page.Locator("#diagram g.portal-diagram__state--current").CountAsync() == 1);
        foreach (var width in new[] { 1280, 320 })
        {
            await page.SetViewportSizeAsync(width, 900);
            var m = await page.EvaluateAsync<double[]>(@"() => {
                const region = document.getElementById('diagram'), svg = region.querySelector('svg'), r = region.getBoundingClientRect();
                return [document.documentElement.scrollWidth, window.innerWidth, r.left, r.right, region.scrollWidth, region.clientWidth,
                        svg.getBoundingClientRect().width, svg.width.baseVal.value];
            }");
            Assert.True(m[0] <= m[1], $"at {width} px the page is {m[0]} px wide");
            Assert.True(m[2] >= 0 && m[3] <= m[1], $"at {width} px the diagram lies at {m[2]}–{m[3]}");
            if (width == 320)
            {
                // Drawn at its own size, so that its text stays legible, and scrolled within its region.
                Assert.Equal(m[7], m[6], 0.5);
                Assert.True(m[4] > m[5], "the diagram's region does not scroll at 320 px");
            }
        }
        await page.SetViewportSizeAsync(1280, 900);
    }

    [Fact]
    public async Task With_the_keyboard_alone_an_auditor_opens_a_case_as_of_an_earlier_version()
    {
        var caseNumber = await CaseMovedOnAsync();
        var page = await browser.OpenAsync(Host);
        await SignInAsync(page, "/audit");

        await TabToAsync(page, "#f-caseNumber");
        await page.Keyboard.TypeAsync(caseNumber);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync($"**/audit/cases/{caseNumber}");
        await TabToAsync(page, $"a[href='/audit/cases/{caseNumber}?version=1']");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync($"**/audit/cases/{caseNumber}?version=1");
        Assert.Equal("1", (await page.InnerTextAsync("#as-of-version")).Trim());
        Assert.NotEqual((await page.InnerTextAsync("#current-state")).Trim(), (await page.InnerTextAsync("#as-of-state")).Trim());
    }

    /// <summary>Presses Tab until the element matching <paramref name="selector"/> has the focus.</summary>
    private static async Task TabToAsync(IPage page, string selector)
    {
        for (var i = 0; i < 80; i++)
        {
            if (await page.EvaluateAsync<bool>($"() => document.activeElement && document.activeElement.matches({System.Text.Json.JsonSerializer.Serialize(selector)})")) return;
            await page.Keyboard.PressAsync("Tab");
        }
        throw new Xunit.Sdk.XunitException($"Tab never reached {selector} on {page.Url}.");
    }
}
