using System.Text.Json.Nodes;
using Alba;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Tests.Services;

/// <summary>Small conversations and readings the service tests share, on top of <see cref="Scenarios"/>.</summary>
internal static class ServiceTestSteps
{
    /// <summary>A date relative to today in Jena, as the forms expect it (YYYY-MM-DD).</summary>
    public static string Day(int offsetDays = 0) => BerlinClock.DateOf(DateTimeOffset.UtcNow).AddDays(offsetDays).ToString("yyyy-MM-dd");

    public static string StatusText(this JsonNode view) => (string)view["status"]!["text"]!;

    public static bool WaitingForYou(this JsonNode view) => (bool)view["status"]!["waitingForYou"]!;

    public static long Version(this JsonNode view) => (long)view["version"]!;

    public static List<string> TimelineKinds(this JsonNode view) =>
        view["timeline"]!.AsArray().Select(e => (string)e!["kind"]!).ToList();

    public static JsonNode LastTimelineEntry(this JsonNode view) => view["timeline"]!.AsArray().Last()!;

    /// <summary>The last timeline entry of a kind, e.g. the decision before the letter it issued.</summary>
    public static JsonNode LastTimelineEntry(this JsonNode view, string kind) => view["timeline"]!.AsArray().Last(e => (string)e!["kind"]! == kind)!;

    /// <summary>The violations of a problem response for one field, as "rule" strings.</summary>
    public static List<string> RulesFor(this JsonNode problem, string field) =>
        (problem["violations"] as JsonArray ?? [])
            .Where(v => (string)v!["field"]! == field)
            .Select(v => (string)v!["rule"]!).ToList();

    public static async Task<(int Status, JsonNode? Body)> TrySubmit(this IAlbaHost host, string serviceId, JsonObject data, string language = "de")
    {
        var (status, body, _) = await host.Send(HttpMethod.Post, $"/api/services/{serviceId}/cases",
            new JsonObject { ["data"] = data.DeepClone(), ["language"] = language }.ToJsonString());
        return (status, body);
    }

    public static async Task<(int Status, JsonNode? Body)> TryCitizenAct(this IAlbaHost host, string caseNumber, string trackingCode,
        string actionId, long expectedVersion, JsonObject? input = null)
    {
        var (status, body, _) = await host.Send(HttpMethod.Post, $"/api/track/{caseNumber}/actions/{actionId}",
            new JsonObject { ["expectedVersion"] = expectedVersion, ["input"] = input ?? new JsonObject() }.ToJsonString(),
            headers: new Dictionary<string, string> { ["X-Tracking-Code"] = trackingCode });
        return (status, body);
    }

    /// <summary>The case numbers in a team's queue (GET /api/queues/{team}), read with the given token.</summary>
    public static async Task<List<JsonNode>> QueueItems(this IAlbaHost host, string team, string token)
    {
        var (status, body, _) = await host.Send(HttpMethod.Get, $"/api/queues/{team}", token: token);
        Assert.True(status == 200, $"Queue {team} answered {status}: {body}");
        return body!["items"]!.AsArray().Select(i => i!).ToList();
    }

    public static async Task<(int Status, JsonNode? Body)> TryStaffCase(this IAlbaHost host, string caseNumber, string token)
    {
        var (status, body, _) = await host.Send(HttpMethod.Get, $"/api/cases/{caseNumber}", token: token);
        return (status, body);
    }
}
