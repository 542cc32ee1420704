using Microsoft.Playwright;
using Vorgang.Tests.Infrastructure;
using Vorgang.Tests.Portal;

namespace Vorgang.Tests.Workbench;

/// <summary>
/// The workbench in Debian's chromium: axe-core finds no WCAG 2.1 A/AA violation on the queue and the case page (at 1280
/// and 320 pixels, German and English, with an error and with a conflict), and a caseworker claims a case from the
/// queue and takes it to a decision with the keyboard alone.
/// </summary>
public sealed class WorkbenchBrowserTests(AppFixture app, BrowserFixture browser) : ApiTest(app), IClassFixture<BrowserFixture>
{
    private readonly List<string> _violations = [];

    private async Task AxeAsync(IPage page) => _violations.AddRange(await BrowserFixture.AxeViolationsWideAndNarrowAsync(page));

    private async Task<(string CaseNumber, string Team)> SubmitAsync()
    {
        var submitted = await Host.Submit("change-of-address");
        var staff = await Host.StaffCase(submitted.CaseNumber, App.Token("admin"));
        return (submitted.CaseNumber, (string)staff["team"]!);
    }

    private static async Task SignInAsync(IPage page, string prefix, string team, string name, string role = "caseworker")
    {
        await page.GotoAsync(prefix + "/staff/sign-in");
        await page.FillAsync("#f-name", name);
        await page.SelectOptionAsync("#f-role", role);
        await page.SelectOptionAsync("#f-team", team);
#pragma warning disable CS0612
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync("main button[type=submit]"));
#pragma warning restore CS0612
    }

    /// <summary>Tab (never the mouse) until <paramref name="selector"/> has the focus, then Enter, and wait for the next page.</summary>
    private static async Task TabAndEnterAsync(IPage page, string selector)
    {
        await TabToAsync(page, selector);
#pragma warning disable CS0612
        await page.RunAndWaitForNavigationAsync(() => page.Keyboard.PressAsync("Enter"));
#pragma warning restore CS0612
    }

    /// <summary>Tab until <paramref name="selector"/> has the focus, which it shows with an outline.</summary>
    private static async Task TabToAsync(IPage page, string selector)
    {
        for (var i = 0; i < 120; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<bool>("s => document.activeElement !== null && document.activeElement.matches(s)", selector))
            {
                // A visible focus: the focused element draws an outline.
                Assert.NotEqual("none", await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle"));
                return;
            }
        }
        throw new Xunit.Sdk.XunitException($"Tab never reached {selector} on {page.Url}.");
    }

    [Theory]
    [InlineData("de")]
    [InlineData("en")]
    public async Task A_caseworker_claims_a_case_from_the_queue_and_decides_it_with_the_keyboard_alone_without_accessibility_violations(string lang)
    {
        var prefix = lang == "en" ? "/en" : "";
        var (caseNumber, team) = await SubmitAsync();
        var page = await browser.OpenAsync(Host);
        await SignInAsync(page, prefix, team, "Anna Schmidt");
        Assert.EndsWith(prefix + "/staff", new Uri(page.Url).AbsolutePath);
        await AxeAsync(page);

        await TabAndEnterAsync(page, $"a[href='{prefix}/staff/cases/{caseNumber}']");
        Assert.EndsWith($"/staff/cases/{caseNumber}", new Uri(page.Url).AbsolutePath);
        await AxeAsync(page);
        await TabAndEnterAsync(page, "#action-claim button");
        Assert.Equal("Anna Schmidt", (await page.InnerTextAsync("#case-assignee")).Trim());
        await AxeAsync(page);
        // An action refused for its input: the error summary takes the focus and links to the field.
        await TabAndEnterAsync(page, "#action-assign button");
        Assert.StartsWith(lang == "en" ? "Error: " : "Fehler: ", await page.TitleAsync());
        await AxeAsync(page);
        await TabAndEnterAsync(page, "#action-start-review button");
        await TabAndEnterAsync(page, "#action-register button");
        Assert.True(await page.IsVisibleAsync("#case-no-actions"));
        await AxeAsync(page);

        // A colleague's view: only "take over", and after a change in between the conflict is explained.
        var (other, _) = await SubmitAsync();
        await page.GotoAsync(prefix + $"/staff/cases/{other}");
        await Host.Act(other, App.Token("caseworker", team, "Ben Weber", subject: "ben"), "claim");
        await page.ClickAsync("#action-claim button");
        await page.WaitForSelectorAsync("#case-conflict");
        await AxeAsync(page);
        await page.GotoAsync(prefix + "/staff?assignee=unassigned&risk=on-track");
        await AxeAsync(page);

        Assert.Empty(_violations);
        Assert.Empty(browser.OtherHosts);
    }

    [Fact]
    public async Task A_colleague_s_claim_shows_in_the_open_queue_without_a_reload_and_is_announced()
    {
        var (_, team) = await SubmitAsync();
        var page = await browser.OpenAsync(Host);
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        await SignInAsync(page, "", team, "Anna Schmidt");
        // A second tab with only the unassigned cases.
        var unassigned = await page.Context.NewPageAsync();
        unassigned.PageError += (_, error) => errors.Add(error);
        await unassigned.GotoAsync("/staff?assignee=unassigned");
        var caseNumber = (await unassigned.Locator("[data-live-queue] tbody tr").First.GetAttributeAsync("id"))!["row-".Length..];
        await page.GotoAsync("/staff");
        Assert.Equal("niemand", (await page.InnerTextAsync($"#row-{caseNumber} [data-live=assignee]")).Trim());
        var loaded = await page.EvaluateAsync<double>("() => performance.timeOrigin");

        await Host.Act(caseNumber, App.Token("caseworker", team, "Bernd Berger", subject: "bernd"), "claim");

        // The page asks again every 15 s (the default): within two turns the row shows the colleague, and the live region says so.
        await page.WaitForFunctionAsync(
            "n => document.querySelector('#row-' + n + ' [data-live=assignee]').textContent.trim() === 'Bernd Berger'", caseNumber,
            new PageWaitForFunctionOptions { Timeout = 40_000, PollingInterval = 250 });
        Assert.Contains($"{caseNumber}: übernommen von Bernd Berger.", await page.InnerTextAsync("#queue-live"));
        Assert.Equal(loaded, await page.EvaluateAsync<double>("() => performance.timeOrigin"));
        // Where only unassigned cases are shown, the claimed one stays in its place, marked as gone from the selection.
        await unassigned.WaitForFunctionAsync(
            "n => document.querySelector('#row-' + n + ' [data-live=assignee]').textContent.trim() === 'nicht mehr in dieser Auswahl'", caseNumber,
            new PageWaitForFunctionOptions { Timeout = 40_000, PollingInterval = 250 });
        Assert.Contains($"{caseNumber}: nicht mehr in dieser Auswahl.", await unassigned.InnerTextAsync("#queue-live"));
        Assert.Empty(errors);
        _violations.AddRange(await BrowserFixture.AxeViolationsWideAndNarrowAsync(page));
        Assert.Empty(_violations);
        Assert.Empty(browser.OtherHosts);
    }

    [Theory]
    [InlineData("de")]
    [InlineData("en")]
    public async Task A_school_confirms_an_enrolment_from_its_list_with_the_keyboard_alone_without_accessibility_violations(string lang)
    {
        var prefix = lang == "en" ? "/en" : "";
        var submitted = await Host.Submit("school-transport");
        await Host.Submit("school-transport");
        var page = await browser.OpenAsync(Host);
        await SignInAsync(page, prefix, "grundschule-lobeda-west", "Sekretariat Lobeda-West", "school");
        Assert.EndsWith(prefix + "/staff", new Uri(page.Url).AbsolutePath);
        Assert.True(await page.IsVisibleAsync("#party-cases"));
        await AxeAsync(page);

        await TabAndEnterAsync(page, $"a[href='{prefix}/staff/cases/{submitted.CaseNumber}']");
        await AxeAsync(page);
        // The grade left out: the error summary, then the grade typed in.
        await TabAndEnterAsync(page, "#action-confirm-enrolment button");
        Assert.StartsWith(lang == "en" ? "Error: " : "Fehler: ", await page.TitleAsync());
        await AxeAsync(page);
        await TabToAsync(page, "#action-confirm-enrolment input[name='f.confirmedGrade']");
        await page.Keyboard.TypeAsync("4");
#pragma warning disable CS0612
        await page.RunAndWaitForNavigationAsync(() => page.Keyboard.PressAsync("Enter"));
#pragma warning restore CS0612
        Assert.True(await page.IsVisibleAsync("#case-done"));

        await TabAndEnterAsync(page, "#case-back");
        await TabAndEnterAsync(page, "#party-show-all");
        Assert.True(await page.IsVisibleAsync($"#row-{submitted.CaseNumber}"));
        await AxeAsync(page);

        Assert.Empty(_violations);
        Assert.Empty(browser.OtherHosts);
    }
}
