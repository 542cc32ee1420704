using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Alba;

namespace Vorgang.Tests.Api;

/// <summary>An HTTP answer as the API tests look at it: status, raw text, parsed JSON (when it is JSON) and headers.</summary>
public sealed record ApiResponse(int Status, string Text, JsonNode? Json, HttpResponseMessage Response)
{
    public string? MediaType => Response.Content.Headers.ContentType?.MediaType;

    public string? Header(string name) =>
        Response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : Response.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(",", contentValues)
        : null;

    public override string ToString() => $"{Status} {MediaType}: {Text}";
}

/// <summary>Raw HTTP conversations and assertions on RFC 9457 problem responses.</summary>
public static class ApiAssertions
{
    public const string ProblemJson = "application/problem+json";

    /// <summary>Sends a request without assuming anything about the answer; the body is parsed only when it is JSON.</summary>
    public static async Task<ApiResponse> Call(
        this IAlbaHost host, HttpMethod method, string url, string? body = null, string? token = null,
        IDictionary<string, string>? headers = null, string contentType = "application/json", string? rawAuthorization = null)
    {
        var client = host.Server.CreateClient();
        using var request = new HttpRequestMessage(method, url);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue(contentType));
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (rawAuthorization is not null) request.Headers.TryAddWithoutValidation("Authorization", rawAuthorization);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(name, value);
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (text.Length > 0 && mediaType is not null && (mediaType == "application/json" || mediaType.EndsWith("+json", StringComparison.Ordinal)))
            json = JsonNode.Parse(text);
        return new ApiResponse((int)response.StatusCode, text, json, response);
    }

    public static Task<ApiResponse> Get(this IAlbaHost host, string url, string? token = null, IDictionary<string, string>? headers = null) =>
        host.Call(HttpMethod.Get, url, token: token, headers: headers);

    public static Task<ApiResponse> PostJson(this IAlbaHost host, string url, JsonNode body, string? token = null, IDictionary<string, string>? headers = null) =>
        host.Call(HttpMethod.Post, url, body.ToJsonString(), token, headers);

    /// <summary>POST /api/cases/{n}/actions/{action} with the given expected version and input.</summary>
    public static Task<ApiResponse> StaffAction(this IAlbaHost host, string caseNumber, string actionId, string token, long expectedVersion, JsonObject? input = null) =>
        host.PostJson($"/api/cases/{caseNumber}/actions/{actionId}",
            new JsonObject { ["expectedVersion"] = expectedVersion, ["input"] = input ?? new JsonObject() }, token);

    public static void AssertNotServerError(this ApiResponse response) =>
        Assert.True(response.Status < 500, $"The API answered with a server error: {response}");

    /// <summary>Asserts an RFC 9457 problem with this status (whatever its rule) and returns its body.</summary>
    public static JsonObject AssertProblemStatus(this ApiResponse response, int status)
    {
        response.AssertNotServerError();
        Assert.True(response.Status == status, $"Expected {status} but got {response}");
        Assert.True(response.MediaType == ProblemJson, $"Expected Content-Type {ProblemJson} but got {response}");
        var problem = Assert.IsType<JsonObject>(response.Json);
        Assert.Equal(status, (int)problem["status"]!);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["title"]), $"The problem has no title: {response}");
        return problem;
    }

    /// <summary>Asserts an RFC 9457 problem with this status and rule and returns its body.</summary>
    public static JsonObject AssertProblem(this ApiResponse response, int status, string rule)
    {
        var problem = response.AssertProblemStatus(status);
        Assert.True((string?)problem["rule"] == rule, $"Expected rule '{rule}' but got {response}");
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["title"]), $"The problem has no title: {response}");
        Assert.EndsWith("/" + rule, (string)problem["type"]!);
        return problem;
    }

    /// <summary>The problem's <c>errors</c> map: field → messages.</summary>
    public static Dictionary<string, List<string>> Errors(this JsonObject problem) =>
        Assert.IsType<JsonObject>(problem["errors"]).ToDictionary(p => p.Key, p => p.Value!.AsArray().Select(m => (string)m!).ToList());

    /// <summary>The problem's <c>violations</c> list as (field, rule, message).</summary>
    public static List<(string Field, string Rule, string Message)> Violations(this JsonObject problem) =>
        Assert.IsType<JsonArray>(problem["violations"]).Select(v => ((string)v!["field"]!, (string)v["rule"]!, (string)v["message"]!)).ToList();

    /// <summary>Asserts that <c>errors</c> and <c>violations</c> tell the same story and returns the violations.</summary>
    public static List<(string Field, string Rule, string Message)> AssertConsistentErrors(this JsonObject problem)
    {
        var errors = problem.Errors();
        var violations = problem.Violations();
        Assert.NotEmpty(violations);
        Assert.Equal(violations.Select(v => v.Field).Distinct().Order(), errors.Keys.Order());
        foreach (var group in violations.GroupBy(v => v.Field))
            Assert.Equal(group.Select(v => v.Message), errors[group.Key]);
        return violations;
    }
}
