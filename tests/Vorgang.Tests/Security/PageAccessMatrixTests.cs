using System.Text.RegularExpressions;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Vorgang.Api.Features.Submitting;
using Vorgang.Api.Security;
using Vorgang.Tests.Api;
using Vorgang.Tests.Infrastructure;
using Vorgang.Tests.Portal;
using Vorgang.Tests.Workbench;
using Vorgang.Workflows.Cases;

namespace Vorgang.Tests.Security;

/// <summary>
/// The API's role × endpoint matrix (<see cref="AccessMatrixTests"/>) for the staff and audit pages: every kind of caller,
/// signed in to the pages as the pages sign in (cookie sessions of the Development local sign-in), on every staff and audit
/// page and form post (docs/pages.md, "Who may open which page"). What the API allows works on the pages; what it
/// refuses is refused there in a way that reveals nothing, and no refused post changes the case.
/// </summary>
public sealed class PageAccessMatrixTests(AppFixture app) : ApiTest(app)
{
    /// <summary>302 to the staff sign-in, coming back to the page asked for.</summary>
    private const string SignIn = "sign-in";
    /// <summary>200: the page.</summary>
    private const string Ok = "ok";
    /// <summary>404: exactly the page for a case number nobody uses, but for the number and per-request tokens.</summary>
    private const string Missing = "missing";
    /// <summary>403: the console's friendly refusal, the same whatever the number.</summary>
    private const string Refused = "refused";
    /// <summary>The action is taken: 302 back to the case with <c>?done=</c>, and the case's version has moved.</summary>
    private const string Done = "done";
    /// <summary>The case page offers no such form; a made-up post is 403 with the case shown, and the case is unchanged.</summary>
    private const string NotOffered = "not-offered";
    /// <summary>The store's verification starts: 302 to the console's section on it.</summary>
    private const string Started = "started";

    private sealed record PageRow(string Method, string Path, string? ActionId, params string[] Expected)
    {
        public bool NamesACase => Path.Contains("{n}", StringComparison.Ordinal);
        public bool English => Path.StartsWith("/en/", StringComparison.Ordinal);
        public string Cell(Who who) => Expected[(int)who];
    }

    // Columns:                      Anonymous Citizen OtherCitizen Caseworker OtherTeam School SchoolNotAddressed Auditor Admin NoRole Account OtherAccount
    private static readonly Dictionary<string, PageRow> Matrix = new()
    {
        ["workbench"] = new("GET", "/staff", null, SignIn, SignIn, SignIn, Ok, Ok, Ok, Ok, Ok, Ok, SignIn, SignIn, SignIn),
        ["workbench en"] = new("GET", "/en/staff", null, SignIn, SignIn, SignIn, Ok, Ok, Ok, Ok, Ok, Ok, SignIn, SignIn, SignIn),
        ["case page"] = new("GET", "/staff/cases/{n}", null, SignIn, SignIn, SignIn, Ok, Missing, Ok, Missing, Ok, Ok, SignIn, SignIn, SignIn),
        ["case page en"] = new("GET", "/en/staff/cases/{n}", null, SignIn, SignIn, SignIn, Ok, Missing, Ok, Missing, Ok, Ok, SignIn, SignIn, SignIn),
        ["console"] = new("GET", "/audit", null, SignIn, SignIn, SignIn, Ok, Ok, Refused, Refused, Ok, Ok, SignIn, Refused, Refused),
        ["console en"] = new("GET", "/en/audit", null, SignIn, SignIn, SignIn, Ok, Ok, Refused, Refused, Ok, Ok, SignIn, Refused, Refused),
        ["audit case"] = new("GET", "/audit/cases/{n}", null, SignIn, SignIn, SignIn, Ok, Missing, Refused, Refused, Ok, Ok, SignIn, Refused, Refused),
        ["audit case en"] = new("GET", "/en/audit/cases/{n}", null, SignIn, SignIn, SignIn, Ok, Missing, Refused, Refused, Ok, Ok, SignIn, Refused, Refused),
        ["audit as of"] = new("GET", "/audit/cases/{n}?version=1", null, SignIn, SignIn, SignIn, Ok, Missing, Refused, Refused, Ok, Ok, SignIn, Refused, Refused),
        ["audit as of en"] = new("GET", "/en/audit/cases/{n}?version=1", null, SignIn, SignIn, SignIn, Ok, Missing, Refused, Refused, Ok, Ok, SignIn, Refused, Refused),
        ["store check"] = new("POST", "/audit", null, SignIn, SignIn, SignIn, Refused, Refused, Refused, Refused, Started, Started, SignIn, Refused, Refused),
        ["claim"] = new("POST", "/staff/cases/{n}", "claim", SignIn, SignIn, SignIn, Done, Missing, NotOffered, Missing, NotOffered, NotOffered, SignIn, SignIn, SignIn),
        ["process action"] = new("POST", "/staff/cases/{n}", "confirm-enrolment", SignIn, SignIn, SignIn, Done, Missing, Done, Missing, NotOffered, NotOffered, SignIn, SignIn, SignIn),
        ["assign"] = new("POST", "/staff/cases/{n}", "assign", SignIn, SignIn, SignIn, Done, Missing, NotOffered, Missing, NotOffered, Done, SignIn, SignIn, SignIn),
    };

    /// <summary>The page rows of the case actions and the API rows they are held to.</summary>
    private static readonly Dictionary<string, string> ApiRows = new() { ["claim"] = "claim", ["process action"] = "process action", ["assign"] = "assign" };

    public static TheoryData<string, Who> Cells()
    {
        var data = new TheoryData<string, Who>();
        foreach (var row in Matrix.Keys)
            foreach (var who in Enum.GetValues<Who>())
                data.Add(row, who);
        return data;
    }

    [Fact]
    public void The_matrix_names_every_caller_for_every_page()
    {
        foreach (var (name, row) in Matrix)
            Assert.True(row.Expected.Length == Enum.GetValues<Who>().Length, $"Row '{name}' has {row.Expected.Length} cells.");
    }

    /// <summary>
    /// The pages decide as the API does: an action the API takes is done on the page, one it refuses by role or as
    /// read-only is not offered, another team's case is missing on both, and without a staff session the page asks to sign in
    /// where the API answers 401 or 403 forbidden (a bearer token counts for nothing on the pages).
    /// </summary>
    [Fact]
    public void Every_action_cell_is_the_API_s_answer_seen_through_the_page()
    {
        foreach (var (row, api) in ApiRows)
            foreach (var who in Enum.GetValues<Who>())
            {
                var cell = AccessMatrixTests.ApiCell(api, who);
                var expected = cell switch
                {
                    "200" => Done,
                    "404" => Missing,
                    "403 read-only" or "403 role-not-allowed" when who is not (Who.Account or Who.OtherAccount) => NotOffered,
                    _ => SignIn,
                };
                Assert.True(Matrix[row].Cell(who) == expected, $"{row} as {who}: the API answers {cell}, the page matrix says {Matrix[row].Cell(who)}");
            }
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Each_caller_gets_the_documented_page(string rowName, Who who)
    {
        var row = Matrix[rowName];
        var cell = row.Cell(who);
        var cases = await Seed();
        var browser = await SignInAsync(who, cases);
        var target = Target(who, cases);
        var before = await VersionAsync(target);

        if (row.ActionId is { } actionId && cell is Done or NotOffered)
        {
            // What the case page offers is what may be posted.
            await browser.GetAsync($"/staff/cases/{target}");
            Assert.Equal(200, browser.Status);
            Assert.True((browser.Page.GetElementById($"action-{actionId}") is not null) == (cell == Done),
                $"{rowName} as {who}: the form for {actionId} is {(cell == Done ? "missing" : "offered")}");
        }

        var answer = await SendAsync(browser, row, target, before);
        var what = $"{rowName} as {who}: {answer.Status} {answer.Location}";
        var prefix = row.English ? "/en" : "";
        switch (cell)
        {
            case SignIn:
                Assert.True(answer.Status == 302, what);
                var back = row.Method == "GET" ? row.Path.Replace("{n}", target, StringComparison.Ordinal) : Path(row, target);
                Assert.Equal($"{prefix}/staff/sign-in?returnUrl={Uri.EscapeDataString(back)}", answer.Location);
                break;
            case Ok:
                Assert.True(answer.Status == 200, what);
                break;
            case Missing or Refused:
                Assert.True(answer.Status == (cell == Missing ? 404 : 403), what);
                if (row.NamesACase)
                {
                    // The answer for a case out of reach and for a number nobody uses: the same page but for the number.
                    var missing = target[..5] + "999999";
                    var nothing = await SendAsync(browser, row, missing, before);
                    Assert.Equal(nothing.Status, answer.Status);
                    Assert.Equal(Normalized(nothing.Html, missing), Normalized(answer.Html, target));
                    Assert.DoesNotContain(cases.Schools.CaseNumber == target ? "school-administration" : "registration-office", answer.Html);
                }
                break;
            case Done:
                Assert.True(answer.Status == 302, what);
                Assert.Equal($"/staff/cases/{target}?done={row.ActionId}", answer.Location);
                break;
            case NotOffered:
                Assert.True(answer.Status == 403, what);
                var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(answer.Html);
                Assert.NotNull(page.GetElementById("case-summary"));
                Assert.NotNull(page.QuerySelector(".portal-error-summary"));
                Assert.Null(page.GetElementById($"action-{row.ActionId}"));
                break;
            case Started:
                Assert.True(answer.Status == 302, what);
                Assert.Equal("/audit#store-check", answer.Location);
                break;
            default:
                throw new InvalidOperationException(cell);
        }
        // Only a done action changes the case; a refused post, a page and a sign-in change nothing.
        var after = await VersionAsync(target);
        if (cell == Done) Assert.True(after > before, $"{what}: the case is still at version {before}");
        else Assert.True(after == before, $"{what}: the case moved from version {before} to {after}");
    }

    // ---- the conversation ----

    private sealed record Seeded(SubmissionAccepted Schools, SubmissionAccepted Address);

    private sealed record PageAnswer(int Status, string? Location, string Html);

    /// <summary>As in the API's matrix: a school-transport case (waiting for Grundschule Lobeda-West, submitted with the account) and a change of address.</summary>
    private async Task<Seeded> Seed()
    {
        var account = CitizenAuth.MintToken(Host.Services.GetRequiredService<IConfiguration>(), "bundid:parent-4711", "Paula Parent", TimeSpan.FromHours(1));
        return new(await Host.Submit("school-transport", token: account), await Host.Submit("change-of-address"));
    }

    private static string Target(Who who, Seeded cases) => who == Who.SchoolNotAddressed ? cases.Address.CaseNumber : cases.Schools.CaseNumber;

    private async Task<long> VersionAsync(string caseNumber)
    {
        await using var session = Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return (await session.LoadAsync<Case>(caseNumber))?.Version ?? 0;
    }

    /// <summary>A browser signed in as the pages sign in: a staff or citizen session, a remembered tracking code, or nothing.</summary>
    private async Task<PortalClient> SignInAsync(Who who, Seeded cases)
    {
        var browser = new PortalClient(Host);
        switch (who)
        {
            case Who.Citizen or Who.OtherCitizen:
                var tracked = who == Who.Citizen ? cases.Schools : cases.Address;
                await browser.GetAsync("/track");
                await browser.SubmitAsync(browser.Form(), new Dictionary<string, string> { ["caseNumber"] = tracked.CaseNumber, ["trackingCode"] = tracked.TrackingCode });
                Assert.Equal($"/track/{tracked.CaseNumber}", browser.Path);
                break;
            case Who.Caseworker: await WorkbenchPagesTests.SignInStaffAsync(browser, "caseworker", "school-administration", "Sven Schulamt"); break;
            case Who.OtherTeam: await WorkbenchPagesTests.SignInStaffAsync(browser, "caseworker", "registration-office", "Anna Schmidt"); break;
            case Who.School or Who.SchoolNotAddressed: await WorkbenchPagesTests.SignInStaffAsync(browser, "school", "grundschule-lobeda-west", "Grundschule Lobeda-West"); break;
            case Who.Auditor: await WorkbenchPagesTests.SignInStaffAsync(browser, "auditor", null, "Ida Prüfer"); break;
            case Who.Admin: await WorkbenchPagesTests.SignInStaffAsync(browser, "admin", null, "Ada Admin"); break;
            case Who.NoRole:
                // A valid token without a role, sent as the API is called: the pages count their own sessions only.
                browser.BearerToken = SecurityTokens.Signed(SecurityTokens.Claims(role: null, team: null, subject: "nobody", name: "No Body"));
                break;
            case Who.Account or Who.OtherAccount:
                await browser.GetAsync("/sign-in");
                await browser.SubmitAsync(browser.Form(), new Dictionary<string, string>
                {
                    ["name"] = who == Who.Account ? "Paula Parent" : "Otto Other",
                    ["subject"] = who == Who.Account ? "bundid:parent-4711" : "bundid:other-0815",
                });
                break;
        }
        var session = who switch
        {
            Who.Anonymous or Who.NoRole or Who.Citizen or Who.OtherCitizen => null,
            Who.Account or Who.OtherAccount => ".portal-header__account a[href='/my-applications']",
            _ => "form.portal-header__sign-out",
        };
        if (session is not null) Assert.True(browser.Page.QuerySelector(session) is not null, $"{who} is not signed in: {browser.Path} {browser.Status}");
        return browser;
    }

    private static string Path(PageRow row, string caseNumber) => row.Path.Replace("{n}", caseNumber, StringComparison.Ordinal).Split('?')[0];

    /// <summary>The request of the row, without following redirects; a post carries this session's antiforgery token.</summary>
    private static async Task<PageAnswer> SendAsync(PortalClient browser, PageRow row, string caseNumber, long version)
    {
        HttpRequestMessage request;
        if (row.Method == "GET")
        {
            request = new HttpRequestMessage(HttpMethod.Get, row.Path.Replace("{n}", caseNumber, StringComparison.Ordinal));
        }
        else
        {
            var fields = new Dictionary<string, string> { ["__antiforgery"] = await AntiforgeryTokenAsync(browser) };
            if (row.ActionId is { } actionId)
            {
                fields["actionId"] = actionId;
                fields["expectedVersion"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (actionId == "confirm-enrolment") fields["f.confirmedGrade"] = "4";
                if (actionId == "assign") { fields["f.assigneeId"] = "sven"; fields["f.assigneeName"] = "Sven Schulamt"; }
            }
            request = new HttpRequestMessage(HttpMethod.Post, Path(row, caseNumber)) { Content = new FormUrlEncodedContent(fields) };
        }
        using var response = await browser.SendRawAsync(request);
        return new PageAnswer((int)response.StatusCode, response.Headers.Location?.OriginalString, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The token of any form this session was shown (the header's sign-out form, or the status page entry's).</summary>
    private static async Task<string> AntiforgeryTokenAsync(PortalClient browser)
    {
        if (browser.Page.QuerySelector("input[name=__antiforgery]")?.GetAttribute("value") is { Length: > 0 } token) return token;
        await browser.GetAsync("/track");
        return browser.Page.QuerySelector("input[name=__antiforgery]")!.GetAttribute("value")!;
    }

    /// <summary>The page with the case number written as {n} and without the tokens that differ per request.</summary>
    private static string Normalized(string html, string caseNumber) =>
        Regex.Replace(html.Replace(caseNumber, "{n}", StringComparison.Ordinal), "value=\"CfDJ8[^\"]*\"", "value=\"…\"");
}
