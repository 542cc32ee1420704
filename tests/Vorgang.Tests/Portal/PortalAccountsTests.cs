using System.Text.Json.Nodes;
using AngleSharp.Html.Dom;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Vorgang.Api.Security;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Portal;

/// <summary>
/// Signing in to the pages in Development (the local form stands in for the identity provider): a citizen's "my
/// applications", and a member of staff's assisted submission at a counter — each through the API's own rules.
/// </summary>
public sealed class PortalAccountsTests(AppFixture app) : ApiTest(app)
{
    private static async Task SignInCitizenAsync(PortalClient browser, string name, string subject, string prefix = "")
    {
        await browser.GetAsync(prefix + "/sign-in");
        Assert.Equal(200, browser.Status);
        await browser.SubmitAsync(MainForm(browser), new Dictionary<string, string> { ["name"] = name, ["subject"] = subject });
    }

    private static async Task SignInStaffAsync(PortalClient browser, string role, string? team, string name)
    {
        await browser.GetAsync("/staff/sign-in");
        Assert.Equal(200, browser.Status);
        await browser.SubmitAsync(MainForm(browser), new Dictionary<string, string> { ["name"] = name, ["role"] = role, ["team"] = team ?? "" });
    }

    /// <summary>The page's own form, not the header's sign-out.</summary>
    private static IHtmlFormElement MainForm(PortalClient browser) =>
        browser.Page.Forms.First(f => f.Method.Equals("post", StringComparison.OrdinalIgnoreCase) && !f.ClassList.Contains("portal-header__sign-out"));

    /// <summary>Opens the service, answers every page with the service's example and arrives at "check your answers".</summary>
    private async Task ApplyAsync(PortalClient browser, string serviceId, string prefix = "")
    {
        await browser.GetAsync($"{prefix}/services/{serviceId}");
        await browser.SubmitAsync(MainForm(browser));
        var example = PortalClient.Flatten(await Host.Example(serviceId));
        for (var pages = 0; browser.Path.Contains("/form/") && pages < 20; pages++)
        {
            var form = MainForm(browser);
            var names = form.Elements.Select(e => e.GetAttribute("name")).OfType<string>().Where(n => n.StartsWith("f.")).Distinct().ToList();
            await browser.SubmitAsync(form, example.Where(e => names.Contains(e.Key)).ToDictionary());
        }
        Assert.EndsWith("/check", browser.Path);
    }

    [Fact]
    public async Task A_signed_in_citizen_finds_their_applications_and_acts_on_one_without_a_tracking_code()
    {
        var browser = new PortalClient(Host);
        await browser.GetAsync("/my-applications");
        Assert.Equal("/sign-in", browser.Path);

        await SignInCitizenAsync(browser, "Erika Mustermann", "bundid:erika-portal");
        Assert.Equal("/my-applications", browser.Path);
        Assert.Contains("Erika Mustermann", browser.Html);
        Assert.NotNull(browser.Page.GetElementById("no-applications"));

        await ApplyAsync(browser, "change-of-address");
        await browser.SubmitAsync(MainForm(browser));
        var caseNumber = browser.Text("#case-number");
        Assert.Matches(@"^\d{4}-\d{6}$", caseNumber);

        // The same account's token sees it through the API: the page session is the API's principal.
        var token = CitizenAuth.MintToken(Host.Services.GetRequiredService<IConfiguration>(), "bundid:erika-portal", "Erika Mustermann", TimeSpan.FromHours(1));
        var (_, mine, _) = await Host.Send(HttpMethod.Get, "/api/me/cases", token: token);
        Assert.Contains(caseNumber, mine!["cases"]!.AsArray().Select(c => (string)c!["caseNumber"]!));

        await browser.GetAsync("/my-applications");
        var link = browser.All(".portal-services a").Single();
        Assert.Equal($"/my-applications/{caseNumber}", link.GetAttribute("href"));
        await browser.GetAsync(link.GetAttribute("href")!);
        Assert.Equal(200, browser.Status);
        Assert.Equal("Ihre Anmeldung ist bei uns eingegangen.", browser.Text("#status-text"));

        // Withdrawing from the account's page: through the engine's write path, as the citizen.
        var withdraw = browser.Page.Forms.First(f => f.Elements.Any(e => e.GetAttribute("name") == "actionId" && e.GetAttribute("value") == "withdraw"));
        Assert.Equal($"/my-applications/{caseNumber}", withdraw.GetAttribute("action"));
        await browser.SubmitAsync(withdraw);
        Assert.Equal($"/my-applications/{caseNumber}", browser.Path);
        Assert.NotNull(browser.Page.QuerySelector(".kern-alert--success"));
        var (_, view, _) = await Host.Send(HttpMethod.Get, $"/api/me/cases/{caseNumber}", token: token);
        Assert.True((bool)view!["isClosed"]!);

        // Another citizen: the case is as if it did not exist, and it is not in their list.
        var other = new PortalClient(Host);
        await SignInCitizenAsync(other, "Max Muster", "bundid:max-portal", "/en");
        Assert.Equal("/en/my-applications", other.Path);
        Assert.Empty(other.All(".portal-services a"));
        await other.GetAsync($"/en/my-applications/{caseNumber}");
        Assert.Equal(404, other.Status);
        Assert.DoesNotContain(caseNumber, other.Html);
    }

    [Fact]
    public async Task The_sign_in_form_names_what_is_missing_and_never_sends_the_browser_to_another_site()
    {
        var browser = new PortalClient(Host);
        await browser.GetAsync("/sign-in?returnUrl=%2F%2Fevil.example%2Fsteal");
        await browser.SubmitAsync(MainForm(browser), new Dictionary<string, string> { ["name"] = "", ["subject"] = "has spaces" });
        Assert.StartsWith("Fehler: ", browser.Title);
        var summary = browser.Page.QuerySelector(".portal-error-summary")!;
        foreach (var anchor in summary.QuerySelectorAll("a")) Assert.NotNull(browser.Page.GetElementById(anchor.GetAttribute("href")!.TrimStart('#')));
        Assert.Equal(2, summary.QuerySelectorAll("a").Length);

        using var response = await browser.SendRawAsync(new HttpRequestMessage(HttpMethod.Post, "/sign-in?returnUrl=%2F%2Fevil.example%2Fsteal")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["name"] = "Erika", ["subject"] = "bundid:erika-redirect",
                ["__antiforgery"] = MainForm(browser).QuerySelector("input[name=__antiforgery]")!.GetAttribute("value")!,
            }),
        });
        Assert.Equal(302, (int)response.StatusCode);
        Assert.Equal("/my-applications", response.Headers.Location!.OriginalString);
        var session = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("vg-citizen="));
        Assert.Contains("httponly", session.ToLowerInvariant());
        Assert.Contains("samesite=lax", session.ToLowerInvariant());

        // A bearer token does not sign anyone in to the pages.
        var token = CitizenAuth.MintToken(Host.Services.GetRequiredService<IConfiguration>(), "bundid:erika-redirect", "Erika", TimeSpan.FromHours(1));
        var anonymous = new PortalClient(Host);
        using var withToken = await anonymous.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, "/my-applications") { Headers = { { "Authorization", $"Bearer {token}" } } });
        Assert.Equal(302, (int)withToken.StatusCode);
        Assert.StartsWith("/sign-in", withToken.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_caseworker_at_the_counter_applies_for_a_citizen_and_prints_the_confirmation()
    {
        var browser = new PortalClient(Host);
        await SignInStaffAsync(browser, "caseworker", "registration-office", "Anna Schmidt");
        // Staff land on their workbench; the citizen pages carry the counter's banner.
        Assert.Equal("/staff", browser.Path);
        Assert.Null(browser.Page.GetElementById("assisted-banner"));
        await browser.GetAsync("/");
        Assert.NotNull(browser.Page.GetElementById("assisted-banner"));
        Assert.Contains("Anna Schmidt", browser.Text("#staff-user"));

        await ApplyAsync(browser, "change-of-address");
        var check = MainForm(browser);
        await browser.SubmitAsync(check, new Dictionary<string, string> { ["assistedName"] = "" });
        Assert.StartsWith("Fehler: ", browser.Title);
        Assert.NotNull(browser.Page.QuerySelector(".portal-error-summary a[href='#f-assistedName']"));
        Assert.NotNull(browser.Page.GetElementById("f-assistedName"));

        using var submitted = await browser.SendRawAsync(new HttpRequestMessage(HttpMethod.Post, browser.Path)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["assistedName"] = "Erika Mustermann", ["assistedIdentifiedBy"] = "Personalausweis",
                ["__antiforgery"] = MainForm(browser).QuerySelector("input[name=__antiforgery]")!.GetAttribute("value")!,
            }),
        });
        Assert.Equal(302, (int)submitted.StatusCode);
        // At a counter nothing of the citizen's case stays in the browser for the next person.
        Assert.DoesNotContain(submitted.Headers.TryGetValues("Set-Cookie", out var set) ? set : [], c => c.StartsWith("vg-track="));
        await browser.GetAsync(submitted.Headers.Location!.OriginalString);
        var caseNumber = browser.Text("#case-number");
        Assert.NotEmpty(browser.Text("#tracking-code"));
        Assert.NotNull(browser.Page.GetElementById("assisted-next"));
        Assert.Null(browser.Page.GetElementById("receipt"));

        // Recorded as the caseworker's submission at the counter, for the person named.
        var staffToken = App.Token("caseworker", "registration-office", "Anna Schmidt");
        var (_, history, _) = await Host.Send(HttpMethod.Get, $"/api/cases/{caseNumber}/history", token: staffToken);
        var first = history!["events"]!.AsArray()[0]!;
        Assert.Equal("counter", (string)first["actor"]!["channel"]!);
        Assert.Equal("Anna Schmidt", (string)first["actor"]!["name"]!);
        var staffView = await Host.StaffCase(caseNumber, staffToken);
        Assert.Contains("Erika Mustermann", staffView.ToJsonString());

        // Signing out leaves nothing behind: the next person starts afresh.
        await browser.GetAsync("/");
        await browser.SubmitAsync(browser.Page.Forms.First(f => f.ClassList.Contains("portal-header__sign-out")));
        Assert.Equal("/", browser.Path);
        Assert.Null(browser.Page.GetElementById("assisted-banner"));
        await browser.GetAsync("/services/change-of-address/confirmation");
        Assert.Equal("/services/change-of-address", browser.Path);
    }

    [Theory]
    [InlineData("auditor", null)]
    [InlineData("school", "grundschule-saaleaue")]
    public async Task Staff_who_may_not_submit_for_others_are_told_so_and_nothing_is_stored(string role, string? team)
    {
        var browser = new PortalClient(Host);
        await SignInStaffAsync(browser, role, team, "Ida Prüfer");
        Assert.Contains(role, browser.Text("#staff-user"));
        await ApplyAsync(browser, "defect-report");
        Assert.NotNull(browser.Page.GetElementById("assisted-refused"));
        var token = browser.Page.QuerySelector("input[name=__antiforgery]")!.GetAttribute("value")!;
        using var refused = await browser.SendRawAsync(new HttpRequestMessage(HttpMethod.Post, browser.Path)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["assistedName"] = "Erika", ["__antiforgery"] = token }),
        });
        Assert.Equal(403, (int)refused.StatusCode);
        Assert.Contains("text/html", refused.Content.Headers.ContentType!.ToString());
    }

    [Fact]
    public async Task The_staff_sign_in_offers_the_definitions_roles_and_teams_and_refuses_others()
    {
        var browser = new PortalClient(Host);
        await browser.GetAsync("/en/staff/sign-in");
        var roles = browser.All("#f-role option").Select(o => o.GetAttribute("value")).ToList();
        Assert.Contains("caseworker", roles);
        Assert.Contains("school", roles);
        Assert.DoesNotContain("citizen", roles);
        Assert.Contains("registration-office", browser.All("#f-team option").Select(o => o.GetAttribute("value")));

        await browser.SubmitAsync(MainForm(browser), new Dictionary<string, string> { ["name"] = "Mallory", ["role"] = "superuser", ["team"] = "registration-office" });
        Assert.StartsWith("Error: ", browser.Title);
        Assert.Contains("Choose a role.", browser.Text(".portal-error-summary"));
        await browser.SubmitAsync(MainForm(browser), new Dictionary<string, string> { ["name"] = "Mallory", ["role"] = "caseworker", ["team"] = "" });
        Assert.Contains("Caseworkers belong to a team", browser.Text(".portal-error-summary"));
        Assert.Null(browser.Page.GetElementById("staff-user"));
    }
}
