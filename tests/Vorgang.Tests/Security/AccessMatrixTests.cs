using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Vorgang.Api.Features.Submitting;
using Vorgang.Api.Security;
using Vorgang.Tests.Api;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Security;

/// <summary>Who is asking, and about which case (see docs/security-roles.md).</summary>
public enum Who
{
    /// <summary>No token, no tracking code.</summary>
    Anonymous,
    /// <summary>The citizen who submitted the case: its tracking code, no token.</summary>
    Citizen,
    /// <summary>Another citizen: the tracking code of their own case, used on this one.</summary>
    OtherCitizen,
    /// <summary>A caseworker of the team the case is routed to.</summary>
    Caseworker,
    /// <summary>A caseworker of another team.</summary>
    OtherTeam,
    /// <summary>The second party <c>school</c> on a case addressed to it (school transport, waiting for the school).</summary>
    School,
    /// <summary>The same school on a case never addressed to it (a change of address).</summary>
    SchoolNotAddressed,
    Auditor,
    Admin,
    /// <summary>A valid token without any role.</summary>
    NoRole,
    /// <summary>The citizen who submitted the case signed in with their citizen account (token of the citizens' provider).</summary>
    Account,
    /// <summary>Another signed-in citizen.</summary>
    OtherAccount,
}

/// <summary>
/// The role × endpoint matrix of docs/security-roles.md, cell by cell: every endpoint, called by every kind of caller,
/// answers the expected status (and rule). And every refusal of someone else's case is indistinguishable from the
/// answer for a case number nobody uses.
/// </summary>
public sealed class AccessMatrixTests(AppFixture app) : ApiTest(app)
{
    private const string Schools = "school-transport";
    private const string SchoolTeam = "school-administration";

    /// <summary>One row of the matrix: the request, and per <see cref="Who"/> (in enum order) the answer: "200", "404", "403 read-only".</summary>
    private sealed record Endpoint(string Method, string Url, string? Body, params string[] Expected)
    {
        public bool NamesACase => Url.Contains("{n}", StringComparison.Ordinal);
        public bool IsCaseAction => Url.StartsWith("/api/cases/{n}/actions/", StringComparison.Ordinal);
        public string Cell(Who who) => Expected[(int)who];
    }

    private const string Withdraw = """{"expectedVersion":1,"input":{}}""";
    private const string Confirm = """{"expectedVersion":1,"input":{"confirmedGrade":4}}""";
    private const string Claim = """{"expectedVersion":1,"input":{}}""";
    private const string Assign = """{"expectedVersion":1,"input":{"assigneeId":"sven","assigneeName":"Sven Schulamt"}}""";
    private const string AuditOnly = "403 role-not-allowed";
    /// <summary>Staff tokens on the citizens' own endpoints: the policy refuses them.</summary>
    private const string Staff = "403 forbidden";

    // Columns:                                          Anonymous  Citizen  OtherCitizen  Caseworker  OtherTeam  School  SchoolNotAddressed  Auditor  Admin  NoRole  Account  OtherAccount
    private static readonly Dictionary<string, Endpoint> Matrix = new()
    {
        ["list services"] = new("GET", "/api/services", null, "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200"),
        ["one service"] = new("GET", "/api/services/school-transport", null, "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200"),
        ["example"] = new("GET", "/api/services/school-transport/example", null, "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200"),
        ["diagram"] = new("GET", "/api/services/school-transport/diagram", null, "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200"),
        ["open data"] = new("GET", "/api/open-data/statistics", null, "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200"),
        ["openapi"] = new("GET", "/openapi/v1.json", null, "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200"),
        ["health"] = new("GET", "/health", null, "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200"),
        ["submit"] = new("POST", "/api/services/school-transport/cases", "submission",
            "201", "201", "201", "201", "201", "403 role-not-allowed", "403 role-not-allowed", "403 read-only", "201", "201", "201", "201"),
        ["track"] = new("GET", "/api/track/{n}", null, "404", "200", "404", "404", "404", "404", "404", "404", "404", "404", "404", "404"),
        ["citizen action"] = new("POST", "/api/track/{n}/actions/withdraw", Withdraw, "404", "200", "404", "404", "404", "404", "404", "404", "404", "404", "404", "404"),
        ["queue"] = new("GET", "/api/queues/school-administration", null,
            "401", "401", "401", "200", "403 other-team", "403 role-not-allowed", "403 role-not-allowed", "200", "200", "403 forbidden", "403 role-not-allowed", "403 role-not-allowed"),
        ["party list"] = new("GET", "/api/parties/school/cases", null,
            "401", "401", "401", AuditOnly, AuditOnly, "200", "200", AuditOnly, AuditOnly, "403 forbidden", AuditOnly, AuditOnly),
        ["staff view"] = new("GET", "/api/cases/{n}", null, "401", "401", "401", "200", "404", "200", "404", "200", "200", "403 forbidden", "403 role-not-allowed", "403 role-not-allowed"),
        ["process action"] = new("POST", "/api/cases/{n}/actions/confirm-enrolment", Confirm,
            "401", "401", "401", "200", "404", "200", "404", "403 read-only", "403 role-not-allowed", "403 forbidden", "403 role-not-allowed", "403 role-not-allowed"),
        ["claim"] = new("POST", "/api/cases/{n}/actions/claim", Claim,
            "401", "401", "401", "200", "404", "403 role-not-allowed", "404", "403 read-only", "403 role-not-allowed", "403 forbidden", "403 role-not-allowed", "403 role-not-allowed"),
        ["assign"] = new("POST", "/api/cases/{n}/actions/assign", Assign,
            "401", "401", "401", "200", "404", "403 role-not-allowed", "404", "403 read-only", "200", "403 forbidden", "403 role-not-allowed", "403 role-not-allowed"),
        ["history"] = new("GET", "/api/cases/{n}/history", null, "401", "401", "401", "200", "404", AuditOnly, AuditOnly, "200", "200", "403 forbidden", "403 role-not-allowed", "403 role-not-allowed"),
        ["state as of"] = new("GET", "/api/cases/{n}/state?version=1", null, "401", "401", "401", "200", "404", AuditOnly, AuditOnly, "200", "200", "403 forbidden", "403 role-not-allowed", "403 role-not-allowed"),
        ["verify case"] = new("GET", "/api/audit/cases/{n}/verify", null, "401", "401", "401", AuditOnly, AuditOnly, AuditOnly, AuditOnly, "200", "200", "403 forbidden", "403 role-not-allowed", "403 role-not-allowed"),
        ["verify all"] = new("GET", "/api/audit/verify", null, "401", "401", "401", AuditOnly, AuditOnly, AuditOnly, AuditOnly, "200", "200", "403 forbidden", "403 role-not-allowed", "403 role-not-allowed"),
        ["recorded reads"] = new("GET", "/api/audit/cases/{n}/reads", null, "401", "401", "401", AuditOnly, AuditOnly, AuditOnly, AuditOnly, "200", "200", "403 forbidden", "403 role-not-allowed", "403 role-not-allowed"),
        ["citizen messages"] = new("GET", "/api/track/{n}/messages", null, "404", "200", "404", "404", "404", "404", "404", "404", "404", "404", "404", "404"),
        ["citizen message"] = new("POST", "/api/track/{n}/messages", """{"text":"Hallo"}""", "404", "201", "404", "404", "404", "404", "404", "404", "404", "404", "404", "404"),
        ["office messages"] = new("GET", "/api/cases/{n}/messages", null, "401", "401", "401", "200", "404", AuditOnly, AuditOnly, "200", "200", "403 forbidden", "403 role-not-allowed", "403 role-not-allowed"),
        ["office message"] = new("POST", "/api/cases/{n}/messages", """{"text":"Hallo"}""",
            "401", "401", "401", "201", "404", AuditOnly, AuditOnly, "403 read-only", AuditOnly, "403 forbidden", AuditOnly, AuditOnly),
        ["track accesses"] = new("GET", "/api/track/{n}/accesses", null, "404", "200", "404", "404", "404", "404", "404", "404", "404", "404", "404", "404"),
        ["receipt"] = new("GET", "/api/track/{n}/receipt", null, "404", "200", "404", "404", "404", "404", "404", "404", "404", "404", "404", "404"),
        ["track letters"] = new("GET", "/api/track/{n}/letters", null, "404", "200", "404", "404", "404", "404", "404", "404", "404", "404", "404", "404"),
        ["office receipt"] = new("GET", "/api/cases/{n}/receipt", null, "401", "401", "401", "200", "404", "200", "404", "200", "200", "403 forbidden", "403 role-not-allowed", "403 role-not-allowed"),
        ["my cases"] = new("GET", "/api/me/cases", null, "401", "401", "401", Staff, Staff, Staff, Staff, Staff, Staff, Staff, "200", "200"),
        ["my case"] = new("GET", "/api/me/cases/{n}", null, "401", "401", "401", Staff, Staff, Staff, Staff, Staff, Staff, Staff, "200", "404"),
        ["my case action"] = new("POST", "/api/me/cases/{n}/actions/withdraw", Withdraw, "401", "401", "401", Staff, Staff, Staff, Staff, Staff, Staff, Staff, "200", "404"),
        ["my case accesses"] = new("GET", "/api/me/cases/{n}/accesses", null, "401", "401", "401", Staff, Staff, Staff, Staff, Staff, Staff, Staff, "200", "404"),
        ["erasure"] = new("POST", "/api/admin/cases/{n}/erasure", """{"reason":"Art. 17"}""",
            "401", "401", "401", AuditOnly, AuditOnly, AuditOnly, AuditOnly, AuditOnly, "409 case-not-final", "403 forbidden", AuditOnly, AuditOnly),
        ["readiness"] = new("GET", "/health/ready", null, "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200"),
    };

    /// <summary>The API's answer to <paramref name="who"/> at an endpoint of the matrix (the page matrix is held to it).</summary>
    internal static string ApiCell(string endpoint, Who who) => Matrix[endpoint].Cell(who);

    public static TheoryData<string, Who> Cells()
    {
        var data = new TheoryData<string, Who>();
        foreach (var endpoint in Matrix.Keys)
            foreach (var who in Enum.GetValues<Who>())
                data.Add(endpoint, who);
        return data;
    }

    /// <summary>
    /// The cells where the caller must not learn whether the case exists: every refusal, except the decider's answers to
    /// callers who may read the case anyway (an auditor's 403 read-only on an action, a school's 403 on claiming).
    /// </summary>
    public static TheoryData<string, Who> Refusals()
    {
        var data = new TheoryData<string, Who>();
        foreach (var (name, endpoint) in Matrix.Where(e => e.Value.NamesACase))
            foreach (var who in Enum.GetValues<Who>())
            {
                if (endpoint.Cell(who).StartsWith('2')) continue;
                if (endpoint.IsCaseAction && who is Who.Caseworker or Who.School or Who.Auditor or Who.Admin) continue;
                // The admin may reach every case; refusing to erase an open one is about its state, not about access.
                if (endpoint.Cell(who).StartsWith("409", StringComparison.Ordinal)) continue;
                data.Add(name, who);
            }
        return data;
    }

    [Fact]
    public void The_matrix_names_every_caller_for_every_endpoint()
    {
        foreach (var (name, endpoint) in Matrix)
            Assert.True(endpoint.Expected.Length == Enum.GetValues<Who>().Length, $"Row '{name}' has {endpoint.Expected.Length} cells.");
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Each_caller_gets_the_documented_answer(string endpointName, Who who)
    {
        var endpoint = Matrix[endpointName];
        var cases = endpoint.NamesACase || who is Who.Citizen or Who.OtherCitizen ? await Seed() : null;
        var response = await Call(endpoint, who, cases, cases is null ? null : Target(who, cases));
        AssertCell(endpoint.Cell(who), response, $"{endpointName} as {who}");
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Refusing_someone_else_s_case_looks_exactly_like_a_case_that_does_not_exist(string endpointName, Who who)
    {
        var endpoint = Matrix[endpointName];
        var cases = await Seed();
        var target = Target(who, cases);
        var missing = target[..5] + "999999";

        var refused = await Call(endpoint, who, cases, target);
        var nothing = await Call(endpoint, who, cases, missing);

        Assert.True(refused.Status is >= 400 and < 500, $"{endpointName} as {who}: {refused}");
        Assert.Equal(nothing.Status, refused.Status);
        Assert.Equal(nothing.MediaType, refused.MediaType);
        Assert.Equal(nothing.Header("WWW-Authenticate"), refused.Header("WWW-Authenticate"));
        Assert.Equal(Normalized(nothing, missing), Normalized(refused, target));
        Assert.DoesNotContain(cases.Schools.CaseNumber == target ? SchoolTeam : "registration-office", refused.Text);
    }

    [Fact]
    public async Task A_caseworker_submitting_for_a_citizen_is_recorded_at_the_counter()
    {
        var data = await Host.Example(Schools);
        var response = await Host.Call(HttpMethod.Post, $"/api/services/{Schools}/cases",
            new JsonObject { ["data"] = data, ["language"] = "de" }.ToJsonString(), Token(Who.Caseworker));
        Assert.Equal(201, response.Status);
        var history = await Host.Get($"/api/cases/{(string)response.Json!["caseNumber"]!}/history", Token(Who.Auditor));
        var actor = history.Json!["events"]![0]!["actor"]!;
        Assert.Equal(("sven", "caseworker", "counter"), ((string)actor["id"]!, (string)actor["role"]!, (string)actor["channel"]!));
    }

    [Fact]
    public async Task The_admin_releases_a_colleague_s_case_and_a_caseworker_of_another_team_cannot()
    {
        var cases = await Seed();
        var number = cases.Schools.CaseNumber;
        Assert.Equal(200, (await Host.StaffAction(number, "claim", Token(Who.Caseworker)!, 1)).Status);
        (await Host.StaffAction(number, "release", Token(Who.OtherTeam)!, 2)).AssertProblem(404, "not-found");
        (await Host.StaffAction(number, "release", Token(Who.Auditor)!, 2)).AssertProblem(403, "read-only");
        var released = await Host.StaffAction(number, "release", Token(Who.Admin)!, 2);
        Assert.Equal(200, released.Status);
        Assert.Null(released.Json!["assignee"]);
    }

    // ---- the conversation ----

    private sealed record Seeded(SubmissionAccepted Schools, SubmissionAccepted Address);

    /// <summary>A school-transport case (team school-administration, waiting for the school) and a change-of-address case.</summary>
    private async Task<Seeded> Seed() => new(await Host.Submit(Schools, token: Token(Who.Account)), await Host.Submit("change-of-address"));

    private static string Target(Who who, Seeded cases) =>
        who == Who.SchoolNotAddressed ? cases.Address.CaseNumber : cases.Schools.CaseNumber;

    private string? Token(Who who) => who switch
    {
        Who.Caseworker => App.Token("caseworker", SchoolTeam, "Sven Schulamt", "sven"),
        Who.OtherTeam => App.Token("caseworker", "registration-office", "Anna Schmidt", "anna"),
        Who.School or Who.SchoolNotAddressed => App.Token("school", "grundschule-lobeda-west", "Grundschule Lobeda-West", "school-lobeda-west"),
        Who.Auditor => App.Token("auditor", null, "Ida Prüfer", "ida"),
        Who.Admin => App.Token("admin", null, "Ada Admin", "ada"),
        Who.NoRole => SecurityTokens.Signed(SecurityTokens.Claims(role: null, team: null, subject: "nobody", name: "No Body")),
        Who.Account => CitizenAuth.MintToken(App.Host.Services.GetRequiredService<IConfiguration>(), "bundid:parent-4711", "Paula Parent", TimeSpan.FromHours(1)),
        Who.OtherAccount => CitizenAuth.MintToken(App.Host.Services.GetRequiredService<IConfiguration>(), "bundid:other-0815", "Otto Other", TimeSpan.FromHours(1)),
        _ => null,
    };

    private async Task<ApiResponse> Call(Endpoint endpoint, Who who, Seeded? cases, string? caseNumber)
    {
        var headers = new Dictionary<string, string>();
        if (who == Who.Citizen) headers["X-Tracking-Code"] = cases!.Schools.TrackingCode;
        // Another citizen's own, valid code — for a case that is not theirs.
        if (who == Who.OtherCitizen) headers["X-Tracking-Code"] = cases!.Address.TrackingCode;
        var body = endpoint.Body == "submission"
            ? new JsonObject { ["data"] = await Host.Example(Schools), ["language"] = "de" }.ToJsonString()
            : endpoint.Body;
        var url = caseNumber is null ? endpoint.Url : endpoint.Url.Replace("{n}", caseNumber, StringComparison.Ordinal);
        var response = await Host.Call(new HttpMethod(endpoint.Method), url, body, Token(who), headers);
        response.AssertNotServerError();
        return response;
    }

    private static void AssertCell(string cell, ApiResponse response, string what)
    {
        var parts = cell.Split(' ');
        var status = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(response.Status == status, $"{what}: expected {cell} but got {response}");
        if (status < 400) return;
        var rule = parts.Length > 1 ? parts[1] : status switch { 401 => "unauthenticated", 404 => "not-found", _ => throw new InvalidOperationException(cell) };
        response.AssertProblem(status, rule);
    }

    /// <summary>The answer with the case number written as {n} and without the trace id: what must not differ.</summary>
    private static string Normalized(ApiResponse response, string caseNumber) =>
        Regex.Replace(response.Text.Replace(caseNumber, "{n}", StringComparison.Ordinal), "\"traceId\":\"[^\"]*\"", "\"traceId\":\"…\"");
}
