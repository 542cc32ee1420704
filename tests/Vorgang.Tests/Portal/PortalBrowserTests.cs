using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Tests.Portal;

/// <summary>
/// The portal in a real browser: each service found, answered page by page (a refused page first) and submitted in
/// German and English, with axe-core finding no WCAG 2.1 A/AA violation on any page at 1280 and at 320 pixels in either language; and a
/// run with the keyboard alone.
/// </summary>
public sealed class PortalBrowserTests(AppFixture app, BrowserFixture browser) : ApiTest(app), IClassFixture<BrowserFixture>
{
    private readonly List<string> _violations = [];

    /// <summary>Pages that are the same for every service (start, search, track entry) are checked once per language.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> SharedChecked = new();

    private Task AxeOnceAsync(IPage page, string kind, string lang) =>
        SharedChecked.TryAdd(kind + ":" + lang, true) ? AxeAsync(page) : Task.CompletedTask;

    /// <summary>axe on the page as it is now, at 1280 and 320 pixels (every page of every flow, in both languages).</summary>
    private async Task AxeAsync(IPage page) => _violations.AddRange(await BrowserFixture.AxeViolationsWideAndNarrowAsync(page));

    public static TheoryData<string, string, string> Services => PortalFlowTests.Services;

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Every_service_is_found_filled_in_and_submitted_in_the_browser_without_accessibility_violations(string serviceId, string lang, string search)
    {
        var prefix = lang == "en" ? "/en" : "";
        var definition = Host.Services.GetRequiredService<DefinitionCatalog>().Latest(serviceId)!;
        var example = PortalClient.Flatten(await Host.Example(serviceId));
        var page = await browser.OpenAsync(Host);

        await page.GotoAsync(prefix + "/");
        await AxeOnceAsync(page, "start", lang);
        await page.FillAsync("#q", search);
        await ClickAndWaitAsync(page, "form[role=search] button");
        await AxeOnceAsync(page, "search", lang);
        await ClickAndWaitAsync(page, $".portal-services a[href='{prefix}/services/{serviceId}']");
        Assert.Contains(definition.Title.For(lang), await page.InnerTextAsync("h1"));
        await AxeAsync(page);
        await ClickAndWaitAsync(page, "form.portal-start button");

        var refused = false;
        for (var pages = 0; page.Url.Contains("/form/") && pages < 20; pages++)
        {
            await AxeAsync(page);
            if (!refused && await page.Locator(".kern-form-input input, .kern-form-input textarea").CountAsync() > 0
                && definition.Form.Any(f => f.Required && f.Type is not (FieldTypes.Boolean or FieldTypes.Choice)))
            {
                var url = page.Url;
                await ClickAndWaitAsync(page, "form button[type=submit]:not([name=add])");
                if (await page.Locator(".portal-error-summary").CountAsync() > 0)
                {
                    Assert.Equal(url, page.Url);
                    Assert.StartsWith(lang == "en" ? "Error: " : "Fehler: ", await page.TitleAsync());
                    // The summary takes the focus, so that a screen reader reads it first.
                    Assert.True(await page.EvaluateAsync<bool>("() => document.activeElement.classList.contains('portal-error-summary')"));
                    await AxeAsync(page);
                    refused = true;
                }
            }
            await FillAsync(page, example);
            await ClickAndWaitAsync(page, "form button[type=submit]:not([name=add])");
        }
        Assert.True(refused, "No page was refused once.");
        Assert.EndsWith("/check", page.Url);
        await AxeAsync(page);
        await ClickAndWaitAsync(page, "form button[type=submit]");
        Assert.EndsWith("/confirmation", page.Url);
        await AxeAsync(page);
        var caseNumber = (await page.InnerTextAsync("#case-number")).Trim();

        await ClickAndWaitAsync(page, $"a[href='{prefix}/track/{caseNumber}']");
        Assert.Contains($"/track/{caseNumber}", page.Url);
        await AxeAsync(page);
        // A caseworker's decision through the API: the citizen sees the new status when the page is loaded again.
        var newStatus = await PortalFlowTests.CaseworkerStepAsync(App, caseNumber, definition, lang);
        await page.ReloadAsync();
        Assert.Equal(newStatus, (await page.InnerTextAsync("#status-text")).Trim());
        await AxeAsync(page);
        await page.GotoAsync(prefix + "/track");
        await AxeOnceAsync(page, "track", lang);
        await ClickAndWaitAsync(page, "form button[type=submit]");
        Assert.StartsWith(lang == "en" ? "Error: " : "Fehler: ", await page.TitleAsync());
        await AxeOnceAsync(page, "track-refused", lang);

        Assert.Empty(_violations);
        Assert.Empty(browser.OtherHosts);
    }

    /// <summary>Clicks what leads to another page (or the same one again) and waits until it has loaded.</summary>
    internal static async Task ClickAndWaitAsync(IPage page, string selector)
    {
        // The one helper that waits for a form's answer whether or not the address changes (it may stay on a refused page).
#pragma warning disable CS0612
        await page.RunAndWaitForNavigationAsync(() => page.ClickAsync(selector));
#pragma warning restore CS0612
    }

    /// <summary>Fills the page's inputs with the service's example values (radios by their value).</summary>
    internal static async Task FillAsync(IPage page, Dictionary<string, string> example)
    {
        var names = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('main form [name^=\"f.\"]')].map(e => e.name)");
        foreach (var name in names.Distinct())
        {
            if (!example.TryGetValue(name, out var value)) continue;
            var input = page.Locator($"[name='{name}']").First;
            var type = await input.GetAttributeAsync("type");
            if (type == "radio") await page.Locator($"[name='{name}'][value='{value}']").CheckAsync();
            else await input.FillAsync(value);
        }
    }

    [Fact]
    public async Task The_other_pages_have_no_accessibility_violations_either()
    {
        var page = await browser.OpenAsync(Host);
        foreach (var path in new[]
                 {
                     "/barrierefreiheit", "/en/accessibility", "/leichte-sprache", "/en/easy-read", "/impressum", "/en/imprint",
                     "/datenschutz", "/en/privacy", "/no-such-page", "/en/no-such-page",
                 })
        {
            await page.GotoAsync(path);
            await AxeAsync(page);
        }
        Assert.Empty(_violations);
    }

    [Theory]
    [InlineData("de")]
    [InlineData("en")]
    public async Task Signed_in_pages_and_the_counter_have_no_accessibility_violations(string lang)
    {
        var prefix = lang == "en" ? "/en" : "";
        var example = PortalClient.Flatten(await Host.Example("defect-report"));
        var page = await browser.OpenAsync(Host);

        // A citizen: the sign-in form, refused once, then "my applications" empty and with one, and the application.
        await page.GotoAsync(prefix + "/my-applications");
        Assert.EndsWith(prefix + "/sign-in", new Uri(page.Url).AbsolutePath);
        await AxeAsync(page);
        await ClickAndWaitAsync(page, "main button[type=submit]");
        Assert.StartsWith(lang == "en" ? "Error: " : "Fehler: ", await page.TitleAsync());
        await AxeAsync(page);
        await page.FillAsync("#f-name", "Erika Mustermann");
        await page.FillAsync("#f-subject", $"bundid:browser-{lang}");
        await ClickAndWaitAsync(page, "main button[type=submit]");
        Assert.EndsWith(prefix + "/my-applications", new Uri(page.Url).AbsolutePath);
        await AxeAsync(page);
        await ApplyAsync(page, prefix, example);
        await ClickAndWaitAsync(page, "main form button[type=submit]");
        var caseNumber = (await page.TextContentAsync("#case-number"))!.Trim();
        await page.GotoAsync(prefix + "/my-applications");
        await AxeAsync(page);
        await ClickAndWaitAsync(page, $"a[href='{prefix}/my-applications/{caseNumber}']");
        await AxeAsync(page);
        await ClickAndWaitAsync(page, "header .portal-header__account a");
        await ClickAndWaitAsync(page, "main form[action$='/sign-out'] button");

        // A caseworker at the counter: the staff sign-in, the banner, the person's name refused once, the confirmation.
        await page.GotoAsync(prefix + "/staff/sign-in");
        await AxeAsync(page);
        await page.FillAsync("#f-name", "Anna Schmidt");
        await page.SelectOptionAsync("#f-role", "caseworker");
        await page.SelectOptionAsync("#f-team", "defect-intake");
        await ClickAndWaitAsync(page, "main button[type=submit]");
        Assert.EndsWith(prefix + "/staff", new Uri(page.Url).AbsolutePath);
        await page.GotoAsync(prefix + "/");
        Assert.True(await page.IsVisibleAsync("#assisted-banner"));
        await AxeAsync(page);
        await ApplyAsync(page, prefix, example);
        await AxeAsync(page);
        await ClickAndWaitAsync(page, "main form button[type=submit]");
        Assert.True(await page.IsVisibleAsync(".portal-error-summary"));
        await AxeAsync(page);
        await page.FillAsync("#f-assistedName", "Erika Mustermann");
        await ClickAndWaitAsync(page, "main form button[type=submit]");
        Assert.Matches(@"^\d{4}-\d{6}$", (await page.TextContentAsync("#case-number"))!.Trim());
        await AxeAsync(page);

        Assert.Empty(_violations);
        Assert.Empty(browser.OtherHosts);
    }

    /// <summary>From the service's page through every page of the form (with the example's answers) to "check your answers".</summary>
    private static async Task ApplyAsync(IPage page, string prefix, Dictionary<string, string> example)
    {
        await page.GotoAsync(prefix + "/services/defect-report");
        await ClickAndWaitAsync(page, "main form button[type=submit]");
        for (var pages = 0; page.Url.Contains("/form/") && pages < 20; pages++)
        {
            await FillAsync(page, example);
            await ClickAndWaitAsync(page, "main form button[type=submit]");
        }
        Assert.EndsWith("/check", new Uri(page.Url).AbsolutePath);
    }

    [Fact]
    public async Task With_the_keyboard_alone_a_citizen_reports_a_defect_and_finds_it_on_the_status_page()
    {
        var example = PortalClient.Flatten(await Host.Example("defect-report"));
        var page = await browser.OpenAsync(Host);
        await page.GotoAsync("/");

        // The skip link is the first thing the Tab key reaches.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("#main", await page.EvaluateAsync<string>("() => document.activeElement.getAttribute('href')"));
        await TabToAsync(page, "a[href='/services/defect-report']");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/services/defect-report");
        await TabToAsync(page, "form.portal-start button");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/form/**");

        for (var pages = 0; page.Url.Contains("/form/") && pages < 20; pages++)
        {
            var url = page.Url;
            var names = await page.EvaluateAsync<string[]>("() => [...new Set([...document.querySelectorAll('main form [name^=\"f.\"]')].map(e => e.name))]");
            foreach (var name in names)
            {
                if (!example.TryGetValue(name, out var value)) continue;
                await TabToAsync(page, $"[name='{name}']");
                if (await page.EvaluateAsync<string>("() => document.activeElement.type") == "radio")
                {
                    // Arrow keys move through a radio group and choose; Space chooses the one with the focus.
                    await page.Keyboard.PressAsync("Space");
                    for (var i = 0; i < 10 && await page.EvaluateAsync<string>("() => document.activeElement.value") != value; i++)
                        await page.Keyboard.PressAsync("ArrowDown");
                }
                else
                {
                    await page.Keyboard.TypeAsync(value);
                }
            }
            await TabToAsync(page, "form button[type=submit]:not([name=add])");
            await page.Keyboard.PressAsync("Enter");
            await page.WaitForURLAsync(u => u != url);
        }
        Assert.EndsWith("/check", page.Url);
        await TabToAsync(page, "form button[type=submit]");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/confirmation");
        var caseNumber = (await page.InnerTextAsync("#case-number")).Trim();
        await TabToAsync(page, $"a[href='/track/{caseNumber}']");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync($"**/track/{caseNumber}");
        Assert.False(string.IsNullOrWhiteSpace(await page.InnerTextAsync("#status-text")));

        // Shift+Tab goes back the same way.
        var before = await page.EvaluateAsync<string>("() => document.activeElement.outerHTML");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Shift+Tab");
        Assert.Equal(before, await page.EvaluateAsync<string>("() => document.activeElement.outerHTML"));
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
