using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Vorgang.Api.Security;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Cases;

namespace Vorgang.Tests.Api;

/// <summary>Every client error of the public contract: status, problem+json, rule and (for validation) the field errors. Never a 5xx.</summary>
public sealed class ErrorResponseTests(AppFixture app) : ApiTest(app)
{
    private const string Service = "change-of-address";
    private const string Team = "registration-office";

    private string Anna => App.Token("caseworker", Team, "Anna Schmidt", subject: "anna");

    /// <summary>Every request of this file goes through here: whatever the answer, it is never a server error.</summary>
    private async Task<ApiResponse> Send(HttpMethod method, string url, JsonNode? body = null, string? token = null,
        IDictionary<string, string>? headers = null, string? rawBody = null, string contentType = "application/json", string? rawAuthorization = null)
    {
        var response = await Host.Call(method, url, rawBody ?? body?.ToJsonString(), token, headers, contentType, rawAuthorization);
        response.AssertNotServerError();
        return response;
    }

    private Task<ApiResponse> Get(string url, string? token = null, IDictionary<string, string>? headers = null) =>
        Send(HttpMethod.Get, url, token: token, headers: headers);

    private Task<ApiResponse> Act(string caseNumber, string actionId, string token, long expectedVersion, JsonObject? input = null) =>
        Send(HttpMethod.Post, $"/api/cases/{caseNumber}/actions/{actionId}",
            new JsonObject { ["expectedVersion"] = expectedVersion, ["input"] = input ?? new JsonObject() }, token);

    private static Dictionary<string, string> Tracking(string code) => new() { ["X-Tracking-Code"] = code };

    // ---- 404: unknown service, unknown case ----

    [Fact]
    public async Task Unknown_service_is_404_for_reading_and_submitting()
    {
        var read = await Get("/api/services/x");
        Assert.Contains("'x'", (string)read.AssertProblem(404, "not-found")["detail"]!);

        var diagram = await Get("/api/services/x/diagram");
        diagram.AssertProblem(404, "not-found");

        var submit = await Send(HttpMethod.Post, "/api/services/x/cases",
            new JsonObject { ["data"] = await Host.Example(Service), ["language"] = "en" });
        Assert.Contains("'x'", (string)submit.AssertProblem(404, "not-found")["detail"]!);
    }

    [Fact]
    public async Task Unknown_case_is_404_for_a_caseworker()
    {
        var response = await Get("/api/cases/2026-999999", Anna);
        var problem = response.AssertProblem(404, "not-found");
        Assert.Contains("2026-999999", (string)problem["detail"]!);
        Assert.Equal("/api/cases/2026-999999", (string)problem["instance"]!);

        (await Get("/api/cases/2026-999999/history", App.Token("auditor"))).AssertProblem(404, "not-found");
        (await Get("/api/cases/2026-999999/state?version=1", App.Token("auditor"))).AssertProblem(404, "not-found");
        (await Act("2026-999999", "claim", Anna, 1)).AssertProblem(404, "not-found");
    }

    // ---- 400: form validation, all errors at once, in the request's language ----

    private async Task<JsonObject> BrokenForm()
    {
        var data = await Host.Example(Service);
        data.Remove("firstName");
        data["email"] = "not-an-email";
        ((JsonObject)data["newAddress"]!)["postalCode"] = "abc";
        data["moveInDate"] = DateTime.UtcNow.AddYears(1).ToString("yyyy-MM-dd");
        data["favouriteColour"] = "blue";
        return data;
    }

    [Theory]
    [InlineData("en", "The form data is incomplete or invalid.", "5 value(s) need to be corrected.",
        "Please fill in this field.", "Please enter a valid email address.", "A postal code has five digits.", "This form has no such field.", "The date must not be after ")]
    [InlineData("de", "Die Angaben im Formular sind nicht vollständig oder nicht gültig.", "5 Angabe(n) müssen korrigiert werden.",
        "Bitte füllen Sie dieses Feld aus.", "Bitte geben Sie eine gültige E-Mail-Adresse ein.", "Eine Postleitzahl hat fünf Ziffern.", "Dieses Feld gibt es in diesem Formular nicht.", "Das Datum darf nicht nach dem ")]
    public async Task Invalid_form_data_reports_every_error_at_once_in_the_request_language(
        string language, string title, string detail, string required, string email, string postalCode, string unknownField, string maxDatePrefix)
    {
        var response = await Send(HttpMethod.Post, $"/api/services/{Service}/cases", new JsonObject { ["data"] = await BrokenForm(), ["language"] = language });
        var problem = response.AssertProblem(400, "invalid-form");
        Assert.Equal(title, (string)problem["title"]!);
        Assert.Equal(detail, (string)problem["detail"]!);

        var violations = problem.AssertConsistentErrors();
        Assert.Equal(
            new[] { ("favouriteColour", "unknown-field"), ("firstName", "required"), ("email", "email"), ("newAddress.postalCode", "pattern"), ("moveInDate", "maxDate") }
                .OrderBy(v => v.Item1),
            violations.Select(v => (v.Field, v.Rule)).OrderBy(v => v.Field));

        var errors = problem.Errors();
        Assert.Equal([required], errors["firstName"]);
        Assert.Equal([email], errors["email"]);
        Assert.Equal([postalCode], errors["newAddress.postalCode"]);
        Assert.Equal([unknownField], errors["favouriteColour"]);
        Assert.StartsWith(maxDatePrefix, Assert.Single(errors["moveInDate"]));

        // Nothing was created.
        var queue = await Get($"/api/queues/{Team}", Anna);
        Assert.Equal(200, queue.Status);
        Assert.Equal(0, (long)queue.Json!["total"]!);
    }

    [Fact]
    public async Task Invalid_language_is_400_naming_the_field_language()
    {
        var response = await Send(HttpMethod.Post, $"/api/services/{Service}/cases", new JsonObject { ["data"] = await Host.Example(Service), ["language"] = "fr" });
        var problem = response.AssertProblem(400, "allowed-values");
        var violation = Assert.Single(problem.AssertConsistentErrors());
        Assert.Equal(("language", "allowed-values"), (violation.Field, violation.Rule));
    }

    [Fact]
    public async Task Invalid_idempotency_key_is_400()
    {
        var response = await Send(HttpMethod.Post, $"/api/services/{Service}/cases",
            new JsonObject { ["data"] = await Host.Example(Service), ["language"] = "en" },
            headers: new Dictionary<string, string> { ["Idempotency-Key"] = new string('k', 300) });
        var problem = response.AssertProblem(400, "idempotency-key");
        var violation = Assert.Single(problem.AssertConsistentErrors());
        Assert.Equal("Idempotency-Key", violation.Field);
    }

    // ---- 400 / 415: unreadable bodies ----

    public static TheoryData<string> MalformedBodies => new()
    {
        "{\"data\": {\"firstName\": ",
        "this is not json",
        "{\"data\": \"a string, not an object\", \"language\": \"en\"}",
        "{\"data\": {}, \"language\": \"en\", \"unexpected\": 1}",
        "[1, 2, 3]",
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Malformed_or_misshapen_json_is_400_problem_that_names_no_internal_types(string body)
    {
        var response = await Send(HttpMethod.Post, $"/api/services/{Service}/cases", rawBody: body);
        var problem = response.AssertProblemStatus(400);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["rule"]), response.ToString());
        Assert.DoesNotContain("Vorgang.", response.Text);
        Assert.DoesNotContain("System.", response.Text);
        var queue = await Get($"/api/queues/{Team}", Anna);
        Assert.Equal(0, (long)queue.Json!["total"]!);
    }

    [Theory]
    [InlineData("{\"data\": {\"firstName\": ")]
    [InlineData("this is not json")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{\"data\": {\"a\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}")]
    public async Task Syntactically_broken_json_has_rule_malformed_json(string body)
    {
        var response = await Send(HttpMethod.Post, $"/api/services/{Service}/cases", rawBody: body);
        response.AssertProblem(400, "malformed-json");
    }

    [Theory]
    [InlineData("{\"data\": \"a string, not an object\", \"language\": \"en\"}", "data", "type")]
    [InlineData("{\"data\": {}, \"language\": 7}", "language", "type")]
    [InlineData("{\"data\": {}, \"language\": \"en\", \"unexpected\": 1}", "unexpected", "unknown-field")]
    public async Task Misshapen_submission_names_the_field(string body, string field, string rule)
    {
        var response = await Send(HttpMethod.Post, $"/api/services/{Service}/cases", rawBody: body);
        var violation = Assert.Single(response.AssertProblem(400, rule).AssertConsistentErrors());
        Assert.Equal((field, rule), (violation.Field, violation.Rule));
    }

    [Fact]
    public async Task Malformed_json_on_an_action_is_400_problem()
    {
        var submitted = await Host.Submit(Service);
        var url = $"/api/cases/{submitted.CaseNumber}/actions/claim";
        (await Send(HttpMethod.Post, url, token: Anna, rawBody: "{\"expectedVersion\": 1,")).AssertProblem(400, "malformed-json");

        var typeMismatch = await Send(HttpMethod.Post, url, token: Anna, rawBody: "{\"expectedVersion\": \"one\"}");
        var violation = Assert.Single(typeMismatch.AssertProblemStatus(400).AssertConsistentErrors());
        Assert.Equal("expectedVersion", violation.Field);
        Assert.DoesNotContain("Vorgang.", typeMismatch.Text);

        var badInput = await Send(HttpMethod.Post, url, token: Anna, rawBody: "{\"expectedVersion\": 1, \"input\": [1]}");
        violation = Assert.Single(badInput.AssertProblemStatus(400).AssertConsistentErrors());
        Assert.Equal("input", violation.Field);

        Assert.Null((await Host.StaffCase(submitted.CaseNumber, Anna))["assignee"]);
    }

    [Fact]
    public async Task Wrong_content_type_is_415()
    {
        var response = await Send(HttpMethod.Post, $"/api/services/{Service}/cases",
            rawBody: new JsonObject { ["data"] = await Host.Example(Service) }.ToJsonString(), contentType: "text/plain");
        var problem = response.AssertProblem(415, "unsupported-media-type");
        Assert.Contains("text/plain", (string)problem["detail"]!);

        var submitted = await Host.Submit(Service);
        var action = await Send(HttpMethod.Post, $"/api/cases/{submitted.CaseNumber}/actions/claim", token: Anna,
            rawBody: "{\"expectedVersion\": 1}", contentType: "text/plain");
        action.AssertProblem(415, "unsupported-media-type");
    }

    // ---- 401: no or bad token ----

    public static TheoryData<string, string> UnauthenticatedRequests => new()
    {
        { "/api/cases/{n}", "none" },
        { "/api/cases/{n}", "garbage" },
        { "/api/cases/{n}", "wrong-key" },
        { "/api/cases/{n}", "expired" },
        { "/api/queues/registration-office", "none" },
        { "/api/queues/registration-office", "garbage" },
        { "/api/queues/registration-office", "wrong-key" },
        { "/api/cases/{n}/history", "none" },
    };

    [Theory]
    [MemberData(nameof(UnauthenticatedRequests))]
    public async Task Missing_or_invalid_token_is_401(string urlTemplate, string token)
    {
        var submitted = await Host.Submit(Service);
        var url = urlTemplate.Replace("{n}", submitted.CaseNumber);
        var response = token switch
        {
            "none" => await Get(url),
            "garbage" => await Send(HttpMethod.Get, url, rawAuthorization: "Bearer not.a.jwt-at-all"),
            "wrong-key" => await Get(url, ForeignToken()),
            _ => await Get(url, StaffAuth.MintToken(Host.Services.GetRequiredService<IConfiguration>(), "caseworker", Team, "Anna Schmidt", "anna", TimeSpan.FromHours(-1))),
        };
        Assert.True(response.Status == 401, $"Expected 401 but got {response}");
        Assert.Contains("Bearer", response.Header("WWW-Authenticate") ?? "");
        Assert.DoesNotContain("Erika", response.Text);
        response.AssertProblem(401, "unauthenticated");
    }

    /// <summary>A well-formed token with the right issuer and audience, signed with a key the engine does not know.</summary>
    private static string ForeignToken() => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = StaffAuth.DefaultIssuer,
        Audience = StaffAuth.DefaultAudience,
        Claims = new Dictionary<string, object> { ["sub"] = "mallory", ["name"] = "Mallory", ["role"] = "admin" },
        Expires = DateTime.UtcNow.AddHours(1),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey("another-signing-key-with-at-least-32-bytes"u8.ToArray()), SecurityAlgorithms.HmacSha256),
    });

    // ---- 403: wrong role or team ----

    [Fact]
    public async Task Auditor_may_not_act_on_a_case()
    {
        var submitted = await Host.Submit(Service);
        var response = await Act(submitted.CaseNumber, "start-review", App.Token("auditor", name: "Ida Prüfer", subject: "ida"), 1);
        response.AssertProblem(403, "read-only");
        Assert.Equal(1, (long)(await Host.StaffCase(submitted.CaseNumber, Anna))["version"]!);
    }

    [Fact]
    public async Task Caseworker_of_another_team_may_not_read_or_act_on_the_case()
    {
        var submitted = await Host.Submit(Service);
        var otto = App.Token("caseworker", "parking-permits", "Otto Fremd", subject: "otto");
        var read = await Get($"/api/cases/{submitted.CaseNumber}", otto);
        // The same 404 as for a case number nobody uses: the refusal must not tell that the case exists.
        read.AssertProblem(404, "not-found");
        Assert.DoesNotContain("Erika", read.Text);
        Assert.DoesNotContain("registration-office", read.Text);

        (await Act(submitted.CaseNumber, "claim", otto, 1)).AssertProblem(404, "not-found");
        (await Act(submitted.CaseNumber, "start-review", otto, 1)).AssertProblem(404, "not-found");
    }

    [Fact]
    public async Task Caseworker_may_not_take_a_citizen_only_action()
    {
        var submitted = await Host.Submit(Service);
        var response = await Act(submitted.CaseNumber, "withdraw", Anna, 1);
        var problem = response.AssertProblem(403, "role-not-allowed");
        Assert.DoesNotContain("withdraw", problem["allowedActions"].AsStrings());
        var view = await Host.StaffCase(submitted.CaseNumber, Anna);
        Assert.Equal("submitted", (string)view["state"]!);
        Assert.False((bool)view["isClosed"]!);
    }

    [Fact]
    public async Task Token_without_a_staff_role_is_403()
    {
        var submitted = await Host.Submit(Service);
        var citizenToken = App.Token("citizen", name: "Erika Mustermann", subject: "erika");
        (await Get($"/api/cases/{submitted.CaseNumber}", citizenToken)).AssertProblem(403, "role-not-allowed");
        (await Act(submitted.CaseNumber, "withdraw", citizenToken, 1)).AssertProblem(403, "role-not-allowed");
        (await Get($"/api/queues/{Team}", citizenToken)).AssertProblem(403, "role-not-allowed");
    }

    // ---- 409 / 400: versions ----

    [Fact]
    public async Task Stale_expected_version_is_409_with_the_current_version()
    {
        var submitted = await Host.Submit(Service);
        var first = await Act(submitted.CaseNumber, "start-review", Anna, 1);
        Assert.True(first.Status == 200, first.ToString());
        var current = (long)first.Json!["version"]!;
        Assert.Equal(3, current); // case_claimed + case_action_taken

        var second = await Act(submitted.CaseNumber, "start-review", Anna, 1);
        var problem = second.AssertProblem(409, "version-conflict");
        Assert.Equal(current, (long)problem["currentVersion"]!);
        Assert.Contains("version 1", (string)problem["detail"]!);
    }

    [Fact]
    public async Task Missing_expected_version_is_400()
    {
        var submitted = await Host.Submit(Service);
        var response = await Send(HttpMethod.Post, $"/api/cases/{submitted.CaseNumber}/actions/start-review",
            new JsonObject { ["input"] = new JsonObject() }, Anna);
        var problem = response.AssertProblem(400, "required");
        var violation = Assert.Single(problem.AssertConsistentErrors());
        Assert.Equal(("expectedVersion", "required"), (violation.Field, violation.Rule));

        var noBody = await Send(HttpMethod.Post, $"/api/cases/{submitted.CaseNumber}/actions/start-review", token: Anna);
        violation = Assert.Single(noBody.AssertProblem(400, "required").AssertConsistentErrors());
        Assert.Equal("expectedVersion", violation.Field);
        Assert.Equal("submitted", (string)(await Host.StaffCase(submitted.CaseNumber, Anna))["state"]!);
    }

    // ---- 422 / 404: actions ----

    [Fact]
    public async Task Action_not_allowed_in_the_current_state_is_422_with_the_allowed_actions()
    {
        var submitted = await Host.Submit(Service);
        var response = await Act(submitted.CaseNumber, "register", Anna, 1);
        var problem = response.AssertProblem(422, "action-not-allowed-in-state");
        Assert.Contains("'submitted'", (string)problem["detail"]!);
        Assert.Equal(["assign", "claim", "extend-deadline", "start-review"], problem["allowedActions"].AsStrings().Order());
    }

    [Fact]
    public async Task Unknown_action_is_404()
    {
        var submitted = await Host.Submit(Service);
        var response = await Act(submitted.CaseNumber, "fly-to-the-moon", Anna, 1);
        var problem = response.AssertProblem(404, "unknown-action");
        Assert.Contains("fly-to-the-moon", (string)problem["detail"]!);
    }

    // ---- 404: tracking never reveals whether a case exists ----

    [Fact]
    public async Task Tracking_with_a_wrong_code_or_number_answers_the_same_404()
    {
        var submitted = await Host.Submit(Service);
        var other = await Host.Submit(Service);

        var wrongCode = await Get($"/api/track/{submitted.CaseNumber}", headers: Tracking(other.TrackingCode));
        var wrongNumber = await Get("/api/track/2026-999999", headers: Tracking(submitted.TrackingCode));
        var missingCode = await Get($"/api/track/{submitted.CaseNumber}");
        var emptyCode = await Get($"/api/track/{submitted.CaseNumber}", headers: Tracking(""));

        var reference = wrongCode.AssertProblem(404, "not-found");
        foreach (var response in new[] { wrongNumber, missingCode, emptyCode })
        {
            var problem = response.AssertProblem(404, "not-found");
            Assert.Equal((string)reference["title"]!, (string)problem["title"]!);
            Assert.Equal((string)reference["detail"]!, (string)problem["detail"]!);
            Assert.Equal((string)reference["type"]!, (string)problem["type"]!);
        }
        Assert.DoesNotContain(submitted.CaseNumber, (string)reference["detail"]!);
    }

    [Fact]
    public async Task Citizen_action_with_a_wrong_code_is_404_and_changes_nothing()
    {
        var submitted = await Host.Submit(Service);
        var other = await Host.Submit(Service);
        var response = await Send(HttpMethod.Post, $"/api/track/{submitted.CaseNumber}/actions/withdraw",
            new JsonObject { ["expectedVersion"] = 1, ["input"] = new JsonObject() }, headers: Tracking(other.TrackingCode));
        response.AssertProblem(404, "not-found");
        var view = await Host.StaffCase(submitted.CaseNumber, Anna);
        Assert.False((bool)view["isClosed"]!);
    }

    [Fact]
    public async Task Citizen_action_with_a_wrong_code_or_number_answers_the_same_404()
    {
        var submitted = await Host.Submit(Service);
        var other = await Host.Submit(Service);
        var body = new JsonObject { ["expectedVersion"] = 1, ["input"] = new JsonObject() };
        var wrongCode = await Send(HttpMethod.Post, $"/api/track/{submitted.CaseNumber}/actions/withdraw", body, headers: Tracking(other.TrackingCode));
        var wrongNumber = await Send(HttpMethod.Post, "/api/track/2026-999999/actions/withdraw", body, headers: Tracking(submitted.TrackingCode));
        var a = wrongCode.AssertProblem(404, "not-found");
        var b = wrongNumber.AssertProblem(404, "not-found");
        Assert.Equal((string)a["title"]!, (string)b["title"]!);
        Assert.Equal((string)a["detail"]!, (string)b["detail"]!);
    }

    // ---- 400: as-of queries ----

    [Fact]
    public async Task State_as_of_rejects_a_malformed_moment_and_version_zero()
    {
        var submitted = await Host.Submit(Service);
        var auditor = App.Token("auditor", name: "Ida Prüfer", subject: "ida");

        var badMoment = await Get($"/api/cases/{submitted.CaseNumber}/state?at=not-a-date", auditor);
        var violation = Assert.Single(badMoment.AssertProblem(400, "date-time").AssertConsistentErrors());
        Assert.Equal("at", violation.Field);

        var zero = await Get($"/api/cases/{submitted.CaseNumber}/state?version=0", auditor);
        violation = Assert.Single(zero.AssertProblem(400, "min").AssertConsistentErrors());
        Assert.Equal("version", violation.Field);

        var negative = await Get($"/api/cases/{submitted.CaseNumber}/state?version=-5", auditor);
        negative.AssertProblem(400, "min");
    }

    [Fact]
    public async Task State_as_of_with_a_non_numeric_version_is_400()
    {
        var submitted = await Host.Submit(Service);
        var response = await Get($"/api/cases/{submitted.CaseNumber}/state?version=abc", App.Token("auditor"));
        Assert.True(response.Status == 400, response.ToString());
    }

    [Fact]
    public async Task State_as_of_before_the_case_existed_is_404()
    {
        var submitted = await Host.Submit(Service);
        var response = await Get($"/api/cases/{submitted.CaseNumber}/state?at=2000-01-01T00:00:00Z", App.Token("auditor"));
        response.AssertProblem(404, "not-found");
    }

    // ---- 400: queue paging ----

    [Fact]
    public async Task Queue_paging_out_of_range_is_400_naming_the_fields()
    {
        var response = await Get($"/api/queues/{Team}?page=0&pageSize=0", Anna);
        var problem = response.AssertProblem(400, "invalid-request");
        Assert.Equal(["page", "pageSize"], problem.AssertConsistentErrors().Select(v => v.Field).Order());
    }
}

internal static class JsonListExtensions
{
    public static List<string> AsStrings(this JsonNode? node) =>
        Assert.IsType<JsonArray>(node).Select(x => (string)x!).ToList();
}
