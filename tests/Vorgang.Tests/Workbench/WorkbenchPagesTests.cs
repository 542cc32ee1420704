using AngleSharp.Html.Dom;
using Vorgang.Tests.Api;
using Vorgang.Tests.Infrastructure;
using Vorgang.Tests.Portal;

namespace Vorgang.Tests.Workbench;

/// <summary>
/// The caseworker's workbench without a browser: the team's queue with its counts and filters, the case page with its
/// actions as forms, a colleague's conflicting change explained, taking over with a reason — each through the API's rules.
/// </summary>
public sealed class WorkbenchPagesTests(AppFixture app) : ApiTest(app)
{
    internal static async Task SignInStaffAsync(PortalClient browser, string role, string? team, string name, string prefix = "")
    {
        await browser.GetAsync(prefix + "/staff/sign-in");
        Assert.Equal(200, browser.Status);
        await browser.SubmitAsync(MainForm(browser), new Dictionary<string, string> { ["name"] = name, ["role"] = role, ["team"] = team ?? "" });
    }

    private static IHtmlFormElement MainForm(PortalClient browser) =>
        browser.Page.Forms.First(f => f.Method.Equals("post", StringComparison.OrdinalIgnoreCase) && !f.ClassList.Contains("portal-header__sign-out"));

    private static IHtmlFormElement ActionForm(PortalClient browser, string actionId) =>
        Assert.IsAssignableFrom<IHtmlFormElement>(browser.Page.GetElementById($"action-{actionId}"));

    private async Task<(string CaseNumber, string Team)> SubmitAsync(string serviceId = "change-of-address")
    {
        var submitted = await Host.Submit(serviceId);
        var staff = await Host.StaffCase(submitted.CaseNumber, App.Token("admin"));
        return (submitted.CaseNumber, (string)staff["team"]!);
    }

    [Fact]
    public async Task The_workbench_is_for_signed_in_staff_only()
    {
        var stranger = new PortalClient(Host);
        using var refused = await stranger.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, "/staff?service=x"));
        Assert.Equal(System.Net.HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Equal("/staff/sign-in?returnUrl=%2Fstaff%3Fservice%3Dx", refused.Headers.Location!.OriginalString);

        // Signing in lands on the workbench.
        await SignInStaffAsync(stranger, "caseworker", "registration-office", "Anna Schmidt");
        Assert.Equal("/staff", stranger.Path.Split('?')[0]);
        Assert.Equal(200, stranger.Status);
    }

    [Fact]
    public async Task An_action_the_page_did_not_offer_is_refused_with_a_summary_link_that_leads_to_the_actions()
    {
        var (caseNumber, team) = await SubmitAsync();
        var anna = new PortalClient(Host);
        await SignInStaffAsync(anna, "caseworker", team, "Anna Schmidt");
        await anna.GetAsync($"/staff/cases/{caseNumber}");
        var version = (long)(await Host.StaffCase(caseNumber, App.Token("admin")))["version"]!;
        // The claim form with its antiforgery token, sent as an action the case does not offer in this state.
        await anna.SubmitAsync(ActionForm(anna, "claim"), new Dictionary<string, string> { ["actionId"] = "register" });
        Assert.Equal(403, anna.Status);
        var links = anna.All(".portal-error-summary a").Select(a => a.GetAttribute("href")!).ToList();
        Assert.NotEmpty(links);
        Assert.All(links, href => Assert.NotNull(anna.Page.GetElementById(href.TrimStart('#'))));
        Assert.Equal(version, (long)(await Host.StaffCase(caseNumber, App.Token("admin")))["version"]!);
    }

    [Fact]
    public async Task Only_the_queue_runs_a_script_and_only_this_host_s_file()
    {
        var (caseNumber, team) = await SubmitAsync();
        var anna = new PortalClient(Host);
        await SignInStaffAsync(anna, "caseworker", team, "Anna Schmidt");
        foreach (var (path, scripted) in new[] { ("/staff", true), ("/en/staff", true), ($"/staff/cases/{caseNumber}", false), ("/audit", false) })
        {
            using var response = await anna.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, path));
            var csp = string.Join(" ", response.Headers.GetValues("Content-Security-Policy"));
            Assert.DoesNotContain("unsafe-inline", csp);
            Assert.DoesNotContain("unsafe-eval", csp);
            if (scripted)
            {
                Assert.Contains("script-src 'self';", csp);
                Assert.Contains("connect-src 'self';", csp);
            }
            else Assert.DoesNotContain("script-src", csp);
        }
        await anna.GetAsync("/staff");
        var script = Assert.Single(anna.All("script"));
        Assert.Equal("/assets/workbench.js", script.GetAttribute("src"));
        Assert.Equal("", script.TextContent);
        Assert.Equal("15", anna.Page.QuerySelector("[data-live-queue]")!.GetAttribute("data-live-queue"));
        using var asset = await anna.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, "/assets/workbench.js"));
        Assert.Equal("text/javascript", asset.Content.Headers.ContentType!.MediaType);
        Assert.Contains("data-live-queue", await asset.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_team_s_queue_shows_its_cases_with_risk_words_counts_and_filters_that_stay_in_the_address()
    {
        var (first, team) = await SubmitAsync();
        var (second, _) = await SubmitAsync();
        var anna = new PortalClient(Host);
        await SignInStaffAsync(anna, "caseworker", team, "Anna Schmidt");

        await anna.GetAsync("/staff");
        Assert.Equal(200, anna.Status);
        Assert.Contains(team, anna.Text("h1"));
        Assert.NotNull(anna.Page.GetElementById($"row-{first}"));
        Assert.NotNull(anna.Page.GetElementById($"row-{second}"));
        // The counter's entry: the citizen pages, where staff apply for the person in front of them.
        Assert.Equal("/", anna.Page.GetElementById("staff-assisted")!.GetAttribute("href"));
        var risk = anna.Page.QuerySelector($"#row-{first} .portal-risk")!;
        Assert.False(string.IsNullOrWhiteSpace(risk.TextContent), "The band is a word, not only a colour.");

        // Claim the first from its page; "mine" then shows only it.
        await anna.GetAsync($"/staff/cases/{first}");
        await anna.SubmitAsync(ActionForm(anna, "claim"));
        Assert.Equal($"/staff/cases/{first}", anna.Path.Split('?')[0]);
        Assert.Equal("Anna Schmidt", anna.Text("#case-assignee"));
        Assert.NotNull(anna.Page.GetElementById("case-done"));

        await anna.GetAsync("/staff?assignee=mine");
        Assert.NotNull(anna.Page.GetElementById($"row-{first}"));
        Assert.Null(anna.Page.GetElementById($"row-{second}"));
        await anna.GetAsync("/staff?assignee=unassigned&risk=nonsense&page=-3");
        Assert.Equal(200, anna.Status);
        Assert.Null(anna.Page.GetElementById($"row-{first}"));
        Assert.NotNull(anna.Page.GetElementById($"row-{second}"));

        // The filter form keeps its choices in the address: a bookmark opens the same list.
        await anna.SubmitAsync(anna.Page.Forms.First(f => f.ClassList.Contains("portal-filters")), new Dictionary<string, string> { ["assignee"] = "mine" });
        Assert.Equal("mine", anna.Page.QuerySelector("#f-assignee option[selected]")?.GetAttribute("value"));
        Assert.Contains("assignee=mine", anna.Page.QuerySelector(".portal-counts a")!.GetAttribute("href"));
        Assert.NotNull(anna.Page.GetElementById($"row-{first}"));

        // Opening a case by its number; a malformed number is an error on the page.
        await anna.GetAsync($"/staff?open={second}");
        Assert.Equal($"/staff/cases/{second}", anna.Path);
        await anna.GetAsync("/staff?open=12");
        Assert.StartsWith("Fehler: ", anna.Title);
        Assert.NotNull(anna.Page.GetElementById("f-open-error"));
    }

    [Fact]
    public async Task A_colleague_s_change_in_between_is_explained_and_what_was_typed_is_kept()
    {
        var (caseNumber, team) = await SubmitAsync();
        var anna = new PortalClient(Host);
        var ben = new PortalClient(Host);
        await SignInStaffAsync(anna, "caseworker", team, "Anna Schmidt");
        await SignInStaffAsync(ben, "caseworker", team, "Ben Weber");
        await anna.GetAsync($"/staff/cases/{caseNumber}");
        await ben.GetAsync($"/staff/cases/{caseNumber}");
        var bensAssign = ActionForm(ben, "assign");

        await anna.SubmitAsync(ActionForm(anna, "claim"));
        await ben.SubmitAsync(bensAssign, new Dictionary<string, string> { ["f.assigneeId"] = "carla", ["f.assigneeName"] = "Carla Neu" });

        Assert.Equal(409, ben.Status);
        Assert.NotNull(ben.Page.GetElementById("case-conflict"));
        Assert.Equal("Anna Schmidt", ben.Text("#case-assignee"));
        Assert.Contains("Carla Neu", ben.Text("#case-kept"));
        // Now all Ben may do is take the case over, and only with a reason.
        Assert.Equal(["action-take-over"], ben.Page.QuerySelectorAll("form.portal-action").Select(f => f.Id!));
    }

    [Fact]
    public async Task A_team_member_takes_over_with_a_reason_and_takes_the_case_to_a_decision()
    {
        var (caseNumber, team) = await SubmitAsync();
        await Host.Act(caseNumber, App.Token("caseworker", team, "Anna Schmidt", subject: "anna"), "claim");
        var ben = new PortalClient(Host);
        await SignInStaffAsync(ben, "caseworker", team, "Ben Weber", "/en");
        await ben.GetAsync($"/en/staff/cases/{caseNumber}");
        Assert.Equal("Anna Schmidt", ben.Text("#case-assignee"));

        await ben.SubmitAsync(ActionForm(ben, "take-over"));
        Assert.Equal(422, ben.Status);
        Assert.StartsWith("Error: ", ben.Title);
        var link = ben.Page.QuerySelector(".portal-error-summary a")!.GetAttribute("href")!;
        Assert.NotNull(ben.Page.QuerySelector(link));

        await ben.SubmitAsync(ActionForm(ben, "take-over"), new Dictionary<string, string> { ["f.reason"] = "Anna is on leave until Friday." });
        Assert.Equal("Ben Weber", ben.Text("#case-assignee"));
        Assert.Contains("Anna is on leave until Friday.", ben.Text("#case-timeline"));
        await ben.SubmitAsync(ActionForm(ben, "start-review"));
        await ben.SubmitAsync(ActionForm(ben, "register"));
        Assert.NotNull(ben.Page.GetElementById("case-no-actions"));
        var track = await Host.StaffCase(caseNumber, App.Token("auditor"));
        Assert.True((bool)track["isClosed"]!);
    }

    [Fact]
    public async Task A_school_finds_the_applications_waiting_for_it_confirms_one_and_another_school_sees_none_of_them()
    {
        async Task<string> ForSchool(string school)
        {
            var data = await Host.Example("school-transport");
            data["school"] = school;
            data["pupilLastName"] = "Quellenberg";
            return (await Host.Submit("school-transport", data)).CaseNumber;
        }
        var first = await ForSchool("grundschule-lobeda-west");
        var second = await ForSchool("grundschule-lobeda-west");
        var elsewhere = await ForSchool("gymnasium-am-planetarium");
        var (address, _) = await SubmitAsync();

        var school = new PortalClient(Host);
        await SignInStaffAsync(school, "school", "grundschule-lobeda-west", "Sekretariat Lobeda-West");
        Assert.Equal("/staff", school.Path);
        Assert.Equal(200, school.Status);
        // Its own heading, under the school's name as the form names it; its applications, none of anyone else's.
        Assert.Equal("Anträge für Grundschule Lobeda-West", school.Text("h1"));
        Assert.Equal("page", school.Page.GetElementById("party-show-waiting")!.GetAttribute("aria-current"));
        Assert.Equal(["row-" + first, "row-" + second], school.All("#party-cases tbody tr").Select(r => r.Id!).ToArray());
        Assert.Null(school.Page.GetElementById("row-" + elsewhere));
        Assert.Null(school.Page.GetElementById("row-" + address));
        Assert.Contains("Anmeldung bestätigen", school.Text($"#row-{first}"));
        Assert.False(string.IsNullOrWhiteSpace(school.Text($"#row-{first} .portal-risk")));
        // No personal data in the list, and no filters or counts of a team's queue.
        Assert.DoesNotContain("Quellenberg", school.Html);
        Assert.Null(school.Page.QuerySelector(".portal-filters"));

        // The number links to the case, where the school's own action is a form.
        await school.GetAsync(school.Page.QuerySelector($"#row-{first} a")!.GetAttribute("href")!);
        Assert.Equal($"/staff/cases/{first}", school.Path);
        Assert.Equal("Zurück zu Ihren Anträgen", school.Text("#case-back"));
        await school.SubmitAsync(ActionForm(school, "confirm-enrolment"), new Dictionary<string, string> { ["f.confirmedGrade"] = "4" });
        Assert.NotNull(school.Page.GetElementById("case-done"));
        Assert.Equal("in-review", (string)(await Host.StaffCase(first, App.Token("auditor")))["state"]!);

        // Answered: gone from what waits, still among all the applications sent to it.
        await school.GetAsync("/staff");
        Assert.Equal(["row-" + second], school.All("#party-cases tbody tr").Select(r => r.Id!).ToArray());
        Assert.Equal("1 Antrag wartet auf Sie", school.Text("#party-heading"));
        await school.GetAsync(school.Page.GetElementById("party-show-all")!.GetAttribute("href")!);
        Assert.Equal("/staff", school.Path);
        Assert.Equal(["row-" + second, "row-" + first], school.All("#party-cases tbody tr").Select(r => r.Id!).ToArray());
        Assert.Contains("Nichts zu tun", school.Text($"#row-{first}"));

        // In English, the same list in the page's words.
        await school.GetAsync("/en/staff");
        Assert.Equal("Applications for Grundschule Lobeda-West (primary school)", school.Text("h1"));
        Assert.Contains("Confirm enrolment", school.Text($"#row-{second}"));

        var other = new PortalClient(Host);
        await SignInStaffAsync(other, "school", "regelschule-am-jenzig", "Sekretariat Am Jenzig");
        Assert.NotNull(other.Page.GetElementById("party-empty"));
        await other.GetAsync("/staff?show=all");
        Assert.NotNull(other.Page.GetElementById("party-empty"));
        Assert.Null(other.Page.GetElementById("party-cases"));
    }

    [Fact]
    public async Task A_case_of_another_team_looks_exactly_like_a_missing_one_and_citizens_are_sent_to_the_staff_sign_in()
    {
        var (caseNumber, _) = await SubmitAsync();
        var other = new PortalClient(Host);
        await SignInStaffAsync(other, "caseworker", "defect-intake", "Otto Anders");
        await other.GetAsync($"/staff/cases/{caseNumber}");
        var foreign = (other.Status, other.Text("main"));
        await other.GetAsync("/staff/cases/2099-999999");
        Assert.Equal(404, foreign.Status);
        Assert.Equal(foreign, (other.Status, other.Text("main").Replace("2099-999999", caseNumber)));

        var citizen = new PortalClient(Host);
        await citizen.GetAsync("/sign-in");
        await citizen.SubmitAsync(MainForm(citizen), new Dictionary<string, string> { ["name"] = "Erika Mustermann", ["subject"] = "bundid:erika-wb" });
        using var sent = await citizen.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, $"/staff/cases/{caseNumber}"));
        Assert.Equal(System.Net.HttpStatusCode.Redirect, sent.StatusCode);
        Assert.StartsWith("/staff/sign-in", sent.Headers.Location!.OriginalString);
    }
}
