using System.Text.Json.Nodes;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.Extensions.DependencyInjection;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Tests.Portal;

/// <summary>
/// The auditor's console without scripts: an auditor signs in on the pages, finds a case submitted through the API,
/// reads every event, sees the case as it was at an earlier version and moment, and finds their own read recorded;
/// everyone else is answered as the API answers them.
/// </summary>
public sealed class PortalAuditTests(AppFixture app) : ApiTest(app)
{
    internal static async Task SignInStaffAsync(PortalClient browser, string role, string? team, string name, string start = "/audit")
    {
        await browser.GetAsync(start);
        Assert.EndsWith("/staff/sign-in", browser.Path);
        var form = browser.Page.Forms.First(f => f.Method.Equals("post", StringComparison.OrdinalIgnoreCase) && !f.ClassList.Contains("portal-header__sign-out"));
        await browser.SubmitAsync(form, new Dictionary<string, string> { ["name"] = name, ["role"] = role, ["team"] = team ?? "" });
    }

    private static IHtmlFormElement FormWith(PortalClient browser, string field) =>
        browser.Page.Forms.First(f => f.Elements.Any(e => e.GetAttribute("name") == field));

    /// <summary>A change of address submitted through the API and moved on by its caseworker: version 1 is not the state now.</summary>
    private async Task<(string CaseNumber, ProcessDefinition Definition, string Team)> CaseMovedOnAsync()
    {
        var definition = Host.Services.GetRequiredService<DefinitionCatalog>().Latest("change-of-address")!;
        var submitted = await Host.Submit("change-of-address");
        await PortalFlowTests.CaseworkerStepAsync(App, submitted.CaseNumber, definition, "de");
        var staff = await Host.StaffCase(submitted.CaseNumber, App.Token("admin"));
        return (submitted.CaseNumber, definition, (string)staff["team"]!);
    }

    [Fact]
    public async Task An_auditor_finds_a_case_reads_every_event_and_sees_it_as_it_was_at_an_earlier_version_and_moment()
    {
        var (caseNumber, definition, _) = await CaseMovedOnAsync();
        var (_, history, _) = await Host.Send(HttpMethod.Get, $"/api/cases/{caseNumber}/history", token: App.Token("auditor", name: "API Prüfer"));
        var events = history!["events"]!.AsArray();

        var browser = new PortalClient(Host);
        await SignInStaffAsync(browser, "auditor", null, "Petra Prüfer");
        Assert.Equal("/audit", browser.Path);
        Assert.Equal("/audit", browser.Page.GetElementById("audit-link")!.GetAttribute("href"));

        // A number that cannot be one is named in the error summary, linked to its field.
        await browser.SubmitAsync(FormWith(browser, "caseNumber"), new Dictionary<string, string> { ["caseNumber"] = "12-3" });
        Assert.Equal(400, browser.Status);
        Assert.StartsWith("Fehler: ", browser.Title);
        Assert.NotNull(browser.Page.QuerySelector(".portal-error-summary a[href='#f-caseNumber']"));
        Assert.NotNull(browser.Page.GetElementById("f-caseNumber"));

        await browser.SubmitAsync(FormWith(browser, "caseNumber"), new Dictionary<string, string> { ["caseNumber"] = caseNumber });
        Assert.Equal(200, browser.Status);
        Assert.Equal($"/audit/cases/{caseNumber}", browser.Path);
        Assert.Equal(events.Count, browser.All("#history > li").Count());
        foreach (var e in events)
        {
            var entry = browser.Page.GetElementById($"event-{(long)e!["version"]!}")!;
            Assert.Contains((string)e["type"]!, entry.TextContent);
            if (e["correlationId"] is { } correlation) Assert.Contains((string)correlation!, entry.TextContent);
        }
        // Personal values as the API shows them to auditors: opened.
        var street = (string)(await Host.Example("change-of-address"))["newAddress"]!["street"]!;
        Assert.Contains(street, browser.Page.GetElementById("event-1")!.TextContent);
        var now = browser.Text("#current-state");
        Assert.NotEqual(definition.InitialState.Id, now);
        Assert.Contains("intakt", browser.Text("#chain-verdict"));
        // The path taken, in words: the first state passed, the state now marked as current.
        var states = browser.All("#states li").ToDictionary(l => l.QuerySelector("span")!.TextContent.Trim(), l => l.TextContent);
        Assert.Contains("(durchlaufen)", states[definition.InitialState.Id]);
        Assert.Contains("(aktueller Zustand)", states[now]);
        var others = string.Concat(states.Where(s => s.Key != now && s.Key != definition.InitialState.Id).Select(s => s.Value));
        Assert.DoesNotContain("(durchlaufen)", others);
        Assert.DoesNotContain("(aktueller Zustand)", others);
        Assert.Equal([definition.InitialState.Id, now], browser.All("#path li").Select(l => l.TextContent.Trim()).ToArray());

        // Version 1 from the list of versions: the state then, not now.
        var first = browser.All("#versions a").First();
        Assert.Equal($"/audit/cases/{caseNumber}?version=1", first.GetAttribute("href"));
        await browser.GetAsync(first.GetAttribute("href")!);
        Assert.Equal(200, browser.Status);
        Assert.Equal(definition.InitialState.Id, browser.Text("#as-of-state"));
        Assert.Equal(definition.InitialState.Status.For("de"), browser.Text("#as-of-status"));
        Assert.Equal("1", browser.Text("#as-of-version"));
        Assert.Contains(street, browser.Text("#as-of-data"));

        // The moment of version 1, shareable: the same state.
        var atLink = browser.Page.GetElementById("share-at")!.GetAttribute("href")!;
        Assert.Contains("?at=", atLink);
        await browser.GetAsync(atLink);
        Assert.Equal(200, browser.Status);
        Assert.Equal("1", browser.Text("#as-of-version"));
        Assert.Equal(definition.InitialState.Id, browser.Text("#as-of-state"));

        // The moment typed in the form (Berlin time, a minute from now): the case as it is.
        var berlin = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow.AddMinutes(1), TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        await browser.SubmitAsync(FormWith(browser, "at"), new Dictionary<string, string> { ["version"] = "", ["at"] = berlin.ToString("dd.MM.yyyy HH:mm") });
        Assert.Equal(200, browser.Status);
        Assert.Equal(now, browser.Text("#as-of-state"));

        // The views are recorded reads, listed on the page and by the API's audit endpoint.
        Assert.Contains("Petra Prüfer", browser.Text("#reads"));
        Assert.Contains("audit-console?version=1", browser.Text("#reads"));
        var (_, reads, _) = await Host.Send(HttpMethod.Get, $"/api/audit/cases/{caseNumber}/reads", token: App.Token("auditor"));
        Assert.Contains(reads!["reads"]!.AsArray(), r => (string)r!["endpoint"]! == "audit-console" && (string)r["reader"]!["name"]! == "Petra Prüfer");

        // Bad versions and moments: the page with an error summary, never a failure.
        foreach (var (query, field) in new[] { ("version=abc", "version"), ("version=0", "version"), ("version=99", "version"), ("at=gestern", "at"), ("at=1900-01-01", "at") })
        {
            await browser.GetAsync($"/audit/cases/{caseNumber}?{query}");
            Assert.Equal(400, browser.Status);
            Assert.NotNull(browser.Page.QuerySelector($".portal-error-summary a[href='#f-{field}']"));
            Assert.Equal(events.Count, browser.All("#history > li").Count());
        }

        // In English: the same case, the texts of the page language.
        await browser.GetAsync($"/en/audit/cases/{caseNumber}?version=1");
        Assert.Equal(200, browser.Status);
        Assert.Equal("en", browser.Page.DocumentElement.GetAttribute("lang"));
        Assert.Equal(definition.InitialState.Status.For("en"), browser.Text("#as-of-status"));
        Assert.Equal($"/audit/cases/{caseNumber}?version=1", browser.Page.QuerySelector("link[rel=alternate]")!.GetAttribute("href"));
    }

    [Fact]
    public async Task The_console_draws_the_definition_with_the_states_and_steps_of_the_case_marked_as_the_list_says()
    {
        var (caseNumber, definition, _) = await CaseMovedOnAsync();
        var browser = new PortalClient(Host);
        await SignInStaffAsync(browser, "auditor", null, "Petra Prüfer");

        static bool Has(IElement e, string name) => (e.GetAttribute("class") ?? "").Split(' ').Contains(name);
        static string[] Ids(IEnumerable<IElement> states) => [.. states.Select(g => g.GetAttribute("data-state")!).Order(StringComparer.Ordinal)];
        string[] Listed(string mark) => [.. browser.All("#states li").Where(l => l.TextContent.Contains(mark, StringComparison.Ordinal))
            .Select(l => l.QuerySelector("span")!.TextContent.Trim()).Order(StringComparer.Ordinal)];

        await browser.GetAsync($"/audit/cases/{caseNumber}");
        Assert.Equal(200, browser.Status);
        Assert.DoesNotContain(browser.All("*"), e => e.HasAttribute("style"));
        var region = browser.Page.GetElementById("diagram")!;
        Assert.Equal("region", region.GetAttribute("role"));
        Assert.Equal("0", region.GetAttribute("tabindex"));
        Assert.Equal("Diagramm", browser.Page.GetElementById(region.GetAttribute("aria-labelledby")!)!.TextContent);
        var svg = region.QuerySelector("svg")!;
        Assert.Equal("img", svg.GetAttribute("role"));
        var name = browser.Page.GetElementById(svg.GetAttribute("aria-labelledby")!)!;
        Assert.Equal("title", name.LocalName);
        Assert.Contains(definition.Title.For("de"), name.TextContent);
        var now = browser.Text("#current-state");
        Assert.Contains($"{definition.InitialState.Id}, {now}", browser.Page.GetElementById(svg.GetAttribute("aria-describedby")!)!.TextContent);

        // One box per state; those passed and the current one exactly as the list of states marks them.
        var states = svg.QuerySelectorAll("g[data-state]").ToList();
        Assert.Equal(browser.All("#states li > span").Select(s => s.TextContent.Trim()).Order(StringComparer.Ordinal), Ids(states));
        var visited = states.Where(g => Has(g, "portal-diagram__state--visited")).ToList();
        Assert.Equal(Listed("(durchlaufen)").Concat(Listed("(aktueller Zustand)")).Order(StringComparer.Ordinal), Ids(visited));
        Assert.Equal([now], Ids(states.Where(g => Has(g, "portal-diagram__state--current"))));
        Assert.Contains("(aktuell)", states.Single(g => g.GetAttribute("data-state") == now).TextContent);
        // The one step taken: from the initial state to the state now; every other arrow dashed.
        var taken = svg.QuerySelectorAll("g[data-to]").Where(g => Has(g, "portal-diagram__step--taken") && g.GetAttribute("data-action") != "").ToList();
        var step = Assert.Single(taken);
        Assert.Equal((definition.InitialState.Id, now), (step.GetAttribute("data-from"), step.GetAttribute("data-to")));
        Assert.Contains(definition.Actions, a => a.Id == step.GetAttribute("data-action") && a.To == now);
        Assert.All(svg.QuerySelectorAll("g[data-to]").Except(taken).Where(g => g.GetAttribute("data-action") != ""),
            g => Assert.Equal("6 4", g.QuerySelector("path")!.GetAttribute("stroke-dasharray")));

        // As of version 1: the path then — the initial state alone, current, and no step taken yet.
        await browser.GetAsync($"/audit/cases/{caseNumber}?version=1");
        Assert.Equal(200, browser.Status);
        Assert.Contains("Version 1", browser.Text("#states-as-of"));
        svg = browser.Page.QuerySelector("#diagram svg")!;
        states = svg.QuerySelectorAll("g[data-state]").ToList();
        Assert.Equal([definition.InitialState.Id], Ids(states.Where(g => Has(g, "portal-diagram__state--visited"))));
        Assert.Equal([definition.InitialState.Id], Ids(states.Where(g => Has(g, "portal-diagram__state--current"))));
        Assert.Equal([definition.InitialState.Id], Listed("(aktueller Zustand)"));
        Assert.Equal([definition.InitialState.Id], browser.All("#path li").Select(l => l.TextContent.Trim()).ToArray());
        Assert.DoesNotContain(svg.QuerySelectorAll("g[data-to]"), g => Has(g, "portal-diagram__step--taken") && g.GetAttribute("data-action") != "");

        // In English: the texts of the page's language.
        await browser.GetAsync($"/en/audit/cases/{caseNumber}");
        svg = browser.Page.QuerySelector("#diagram svg")!;
        Assert.Contains(definition.Title.For("en"), browser.Page.GetElementById(svg.GetAttribute("aria-labelledby")!)!.TextContent);
        Assert.Contains("(current)", svg.QuerySelector($"g[data-state='{now}']")!.TextContent);
        Assert.Contains(definition.State(now)!.Status.For("en"), svg.QuerySelector($"g[data-state='{now}'] title")!.TextContent);
    }

    [Fact]
    public async Task After_an_erasure_the_auditor_reads_erased_where_the_personal_values_were()
    {
        var submitted = await Host.Submit("change-of-address");
        await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "withdraw", submitted.Version);
        var (erased, _, _) = await Host.Send(HttpMethod.Post, $"/api/admin/cases/{submitted.CaseNumber}/erasure",
            new JsonObject { ["reason"] = "Art. 17" }.ToJsonString(), App.Token("admin"));
        Assert.Equal(200, erased);

        var browser = new PortalClient(Host);
        await SignInStaffAsync(browser, "auditor", null, "Petra Prüfer", "/en/audit");
        await browser.GetAsync($"/en/audit/cases/{submitted.CaseNumber}?version=1");
        Assert.Equal(200, browser.Status);
        var street = (string)(await Host.Example("change-of-address"))["newAddress"]!["street"]!;
        Assert.DoesNotContain(street, browser.Html);
        Assert.Contains(browser.All("#event-1 dd"), d => d.TextContent.Trim() == "erased");
        Assert.Contains(browser.All("#as-of-data dd"), d => d.TextContent.Trim() == "erased");
    }

    [Fact]
    public async Task A_case_out_of_reach_looks_like_a_missing_one_and_citizens_and_parties_are_refused()
    {
        var (caseNumber, _, team) = await CaseMovedOnAsync();
        var missing = caseNumber[..5] + "999999";

        var anonymous = new PortalClient(Host);
        using (var redirect = await anonymous.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, $"/en/audit/cases/{caseNumber}?version=1")))
        {
            Assert.Equal(302, (int)redirect.StatusCode);
            Assert.Equal($"/en/staff/sign-in?returnUrl={Uri.EscapeDataString($"/en/audit/cases/{caseNumber}?version=1")}", redirect.Headers.Location!.OriginalString);
        }

        // The case's own team reads the history and earlier states; the chain and the reads are the auditors'.
        var own = new PortalClient(Host);
        await SignInStaffAsync(own, "caseworker", team, "Anna Schmidt");
        Assert.Null(own.Page.GetElementById("audit-link"));
        Assert.Null(own.Page.GetElementById("store-check-start"));
        await own.GetAsync($"/audit/cases/{caseNumber}?version=1");
        Assert.Equal(200, own.Status);
        Assert.Equal("1", own.Text("#as-of-version"));
        Assert.Null(own.Page.GetElementById("reads"));
        Assert.Null(own.Page.GetElementById("chain-verdict"));

        var other = new PortalClient(Host);
        var otherTeam = Host.Services.GetRequiredService<Vorgang.Web.Accounts.IPortalAccounts>().Teams.First(t => t != team && !t.StartsWith(team, StringComparison.Ordinal) && !team.StartsWith(t, StringComparison.Ordinal));
        await SignInStaffAsync(other, "caseworker", otherTeam, "Bernd Anders");
        await AssertSameAnswerAsync(other, caseNumber, missing, 404);

        var party = new PortalClient(Host);
        var schools = Host.Services.GetRequiredService<DefinitionCatalog>().Latest("school-transport")!.Form.First(f => f.Id == "school").Options;
        await SignInStaffAsync(party, "school", schools[0].Value, "Schule");
        Assert.Equal(403, party.Status);
        Assert.NotNull(party.Page.GetElementById("audit-refused"));
        await AssertSameAnswerAsync(party, caseNumber, missing, 403);

        var citizen = new PortalClient(Host);
        await citizen.GetAsync("/sign-in");
        await citizen.SubmitAsync(citizen.Page.Forms.First(f => f.Method == "post" || f.Method == "POST"), new Dictionary<string, string> { ["name"] = "Erika", ["subject"] = "bundid:erika-audit" });
        await citizen.GetAsync("/audit");
        Assert.Equal(403, citizen.Status);
        Assert.NotNull(citizen.Page.GetElementById("audit-refused"));
        await AssertSameAnswerAsync(citizen, caseNumber, missing, 403);

        // None of these views is a read of the case's personal data.
        var (_, reads, _) = await Host.Send(HttpMethod.Get, $"/api/audit/cases/{caseNumber}/reads", token: App.Token("auditor"));
        Assert.DoesNotContain(reads!["reads"]!.AsArray(), r => (string)r!["reader"]!["name"]! is "Bernd Anders" or "Schule" or "Erika");
    }

    /// <summary>The page for the case and for a number nobody uses are the same but for the number, in either language.</summary>
    private static async Task AssertSameAnswerAsync(PortalClient browser, string caseNumber, string missing, int status)
    {
        foreach (var prefix in new[] { "", "/en" })
        {
            await browser.GetAsync($"{prefix}/audit/cases/{caseNumber}?version=1");
            var (reached, reachedMain) = (browser.Status, browser.Page.GetElementById("main")!.InnerHtml.Replace(caseNumber, "N"));
            await browser.GetAsync($"{prefix}/audit/cases/{missing}?version=1");
            Assert.Equal(status, reached);
            Assert.Equal(status, browser.Status);
            Assert.Equal(browser.Page.GetElementById("main")!.InnerHtml.Replace(missing, "N"), reachedMain);
        }
    }

    [Fact]
    public async Task An_auditor_verifies_the_whole_store_in_the_background_and_sees_the_result()
    {
        await Host.Submit("change-of-address");
        await Host.Submit("defect-report");

        var caseworker = new PortalClient(Host);
        await SignInStaffAsync(caseworker, "caseworker", "registration-office", "Anna Schmidt");
        Assert.Null(caseworker.Page.GetElementById("store-check-start"));
        var token = caseworker.Page.QuerySelector("input[name=__antiforgery]")!.GetAttribute("value")!;
        using (var refused = await caseworker.PostRawAsync("/audit", new FormUrlEncodedContent(new Dictionary<string, string> { ["__antiforgery"] = token })))
            Assert.Equal(403, (int)refused.StatusCode);

        var browser = new PortalClient(Host);
        await SignInStaffAsync(browser, "auditor", null, "Petra Prüfer", "/en/audit");
        Assert.Equal("/en/audit", browser.Path);
        Assert.NotNull(browser.Page.GetElementById("store-check-start"));
        await browser.SubmitAsync(browser.Page.GetElementById("store-check-start")!.Closest("form") as IHtmlFormElement ?? throw new InvalidOperationException());
        Assert.Equal("/en/audit#store-check", browser.Path);
        for (var tries = 0; browser.Page.GetElementById("store-check-result") is null && tries < 100; tries++)
        {
            Assert.NotNull(browser.Page.GetElementById("store-check-refresh"));
            await Task.Delay(100);
            await browser.GetAsync(browser.Page.GetElementById("store-check-refresh")!.GetAttribute("href")!.Split('#')[0]);
        }
        Assert.Contains("2 cases", browser.Text("#store-check-result"));
        Assert.Equal("Every hash chain is intact.", browser.Text("#store-check-verdict"));
        Assert.Matches("^[0-9a-f]{64}$", browser.Text("#store-check-digest"));
        Assert.Contains("Petra Prüfer (auditor)", browser.Text("#store-check-status"));
    }
}
