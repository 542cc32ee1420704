using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alba;
using Vorgang.Api.Features.Submitting;

namespace Vorgang.Tests.Infrastructure;

/// <summary>The HTTP conversations the tests have with the engine, as extension methods on the host.</summary>
public static class Scenarios
{
    /// <summary>The stamp of a case a test writes as history (its events dated in the past), as the engine would have stamped it.</summary>
    public static Vorgang.Workflows.Audit.CaseStamp SeedStamp(string serviceId, int version = 1) => new($"{serviceId}@v{version}", "test-history", "test-history");

    public static Vorgang.Workflows.Audit.CaseStamp SeedStamp(Vorgang.Workflows.Cases.CaseSubmitted submitted) => SeedStamp(submitted.ServiceId, submitted.DefinitionVersion);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A request with a raw body and headers; returns status and parsed JSON (null for an empty body).</summary>
    /// <summary>A request as a tuple, for tests that deconstruct it; the same request as <see cref="Api.ApiAssertions.Call"/>.</summary>
    public static async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> Send(
        this IAlbaHost host, HttpMethod method, string url, string? body = null, string? token = null,
        IDictionary<string, string>? headers = null, string contentType = "application/json")
    {
        var response = await Api.ApiAssertions.Call(host, method, url, body, token, headers, contentType);
        return (response.Status, response.Json, response.Response);
    }

    public static async Task<JsonObject> Example(this IAlbaHost host, string serviceId)
    {
        var (status, body, _) = await host.Send(HttpMethod.Get, $"/api/services/{serviceId}");
        Assert.Equal(200, status);
        return (JsonObject)body!["example"]!.DeepClone();
    }

    public static async Task<SubmissionAccepted> Submit(this IAlbaHost host, string serviceId, JsonObject? data = null, string language = "de",
        string? idempotencyKey = null, string? token = null)
    {
        data ??= await host.Example(serviceId);
        var headers = idempotencyKey is null ? null : new Dictionary<string, string> { ["Idempotency-Key"] = idempotencyKey };
        var (status, body, _) = await host.Send(HttpMethod.Post, $"/api/services/{serviceId}/cases",
            new JsonObject { ["data"] = data.DeepClone(), ["language"] = language }.ToJsonString(), token, headers);
        Assert.True(status == 201, $"Submission of {serviceId} answered {status}: {body}");
        return body.Deserialize<SubmissionAccepted>(Json)!;
    }

    public static async Task<JsonNode> Track(this IAlbaHost host, string caseNumber, string trackingCode, string? lang = null)
    {
        var (status, body, _) = await host.Send(HttpMethod.Get, $"/api/track/{caseNumber}{(lang is null ? "" : $"?lang={lang}")}",
            headers: new Dictionary<string, string> { ["X-Tracking-Code"] = trackingCode });
        Assert.True(status == 200, $"Tracking {caseNumber} answered {status}: {body}");
        return body!;
    }

    public static async Task<JsonNode> CitizenAct(this IAlbaHost host, string caseNumber, string trackingCode, string actionId,
        long expectedVersion, JsonObject? input = null)
    {
        var (status, body, _) = await host.Send(HttpMethod.Post, $"/api/track/{caseNumber}/actions/{actionId}",
            new JsonObject { ["expectedVersion"] = expectedVersion, ["input"] = input?.DeepClone() ?? new JsonObject() }.ToJsonString(),
            headers: new Dictionary<string, string> { ["X-Tracking-Code"] = trackingCode });
        Assert.True(status == 200, $"Citizen action {actionId} on {caseNumber} answered {status}: {body}");
        return body!;
    }

    public static async Task<JsonNode> StaffCase(this IAlbaHost host, string caseNumber, string token)
    {
        var (status, body, _) = await host.Send(HttpMethod.Get, $"/api/cases/{caseNumber}", token: token);
        Assert.True(status == 200, $"Reading {caseNumber} answered {status}: {body}");
        return body!;
    }

    /// <summary>Takes a staff action on the case at its current version and returns the new staff view.</summary>
    public static async Task<JsonNode> Act(this IAlbaHost host, string caseNumber, string token, string actionId, JsonObject? input = null)
    {
        var version = (long)(await host.StaffCase(caseNumber, token))["version"]!;
        var (status, body) = await host.TryAct(caseNumber, token, actionId, version, input);
        Assert.True(status == 200, $"Action {actionId} on {caseNumber} answered {status}: {body}");
        return body!;
    }

    public static async Task<(int Status, JsonNode? Body)> TryAct(this IAlbaHost host, string caseNumber, string token, string actionId,
        long expectedVersion, JsonObject? input = null)
    {
        var (status, body, _) = await host.Send(HttpMethod.Post, $"/api/cases/{caseNumber}/actions/{actionId}",
            new JsonObject { ["expectedVersion"] = expectedVersion, ["input"] = input?.DeepClone() ?? new JsonObject() }.ToJsonString(), token);
        return (status, body);
    }

    public static IReadOnlyList<string> Ids(this JsonNode? array) =>
        array is JsonArray a ? a.Select(x => (string)x!["id"]!).ToList() : [];
}
