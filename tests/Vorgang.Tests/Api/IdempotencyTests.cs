using System.Text.Json.Nodes;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Api;

/// <summary>Idempotency-Key on submissions: a retried request gets the same case, never a second one.</summary>
public sealed class IdempotencyTests(AppFixture app) : ApiTest(app)
{
    private const string Service = "change-of-address";
    private const string Team = "registration-office";

    private Task<ApiResponse> Submit(JsonObject data, string? key, string language = "de") =>
        Host.PostJson($"/api/services/{Service}/cases", new JsonObject { ["data"] = data.DeepClone(), ["language"] = language },
            headers: key is null ? null : new Dictionary<string, string> { ["Idempotency-Key"] = key });

    private async Task<JsonNode> Queue()
    {
        var queue = await Host.Get($"/api/queues/{Team}", App.Token("caseworker", Team, "Anna Schmidt", subject: "anna"));
        Assert.True(queue.Status == 200, queue.ToString());
        return queue.Json!;
    }

    private static void AssertCreated(ApiResponse response)
    {
        response.AssertNotServerError();
        Assert.True(response.Status == 201, response.ToString());
        Assert.Equal($"/api/track/{(string)response.Json!["caseNumber"]!}", response.Header("Location"));
    }

    [Fact]
    public async Task Same_key_and_same_body_replays_the_first_answer()
    {
        var data = await Host.Example(Service);
        var key = Guid.NewGuid().ToString();

        var first = await Submit(data, key);
        AssertCreated(first);
        Assert.Null(first.Header("Idempotent-Replayed"));

        var second = await Submit(data, key);
        AssertCreated(second);
        Assert.Equal("true", second.Header("Idempotent-Replayed"));

        foreach (var field in new[] { "caseNumber", "trackingCode", "serviceId", "submittedAt", "dueOn", "version", "trackUrl" })
            Assert.Equal(first.Json![field]!.ToJsonString(), second.Json![field]!.ToJsonString());
        Assert.Equal("submitted", (string)second.Json!["status"]!["state"]!);

        var queue = await Queue();
        Assert.Equal(1, (long)queue["total"]!);
        Assert.Equal((string)first.Json!["caseNumber"]!, (string)queue["items"]![0]!["caseNumber"]!);

        // The replayed tracking code opens the case.
        var view = await Host.Track((string)second.Json!["caseNumber"]!, (string)second.Json!["trackingCode"]!);
        Assert.Equal("submitted", (string)view["status"]!["state"]!);
    }

    [Fact]
    public async Task Replay_answers_with_the_case_as_it_is_now()
    {
        var data = await Host.Example(Service);
        var key = Guid.NewGuid().ToString();
        var first = await Submit(data, key);
        AssertCreated(first);
        var caseNumber = (string)first.Json!["caseNumber"]!;
        await Host.CitizenAct(caseNumber, (string)first.Json!["trackingCode"]!, "withdraw", 1);

        var replay = await Submit(data, key);
        AssertCreated(replay);
        Assert.Equal(caseNumber, (string)replay.Json!["caseNumber"]!);
        Assert.Equal("withdrawn", (string)replay.Json!["status"]!["state"]!);
        Assert.Equal(0, (long)(await Queue())["total"]!);
    }

    [Fact]
    public async Task Same_key_with_a_different_body_is_422()
    {
        var data = await Host.Example(Service);
        var key = Guid.NewGuid().ToString();
        var first = await Submit(data, key);
        AssertCreated(first);

        var changed = (JsonObject)data.DeepClone();
        changed["firstName"] = "Erich";
        var problem = (await Submit(changed, key)).AssertProblem(422, "idempotency-key-reused");
        Assert.Contains((string)first.Json!["caseNumber"]!, (string)problem["detail"]!);
        Assert.Null(problem["trackingCode"]);

        // The language is part of the request, too.
        (await Submit(data, key, language: "en")).AssertProblem(422, "idempotency-key-reused");

        Assert.Equal(1, (long)(await Queue())["total"]!);
    }

    [Fact]
    public async Task Ten_parallel_submissions_with_the_same_key_make_one_case()
    {
        var data = await Host.Example(Service);
        var key = Guid.NewGuid().ToString();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, 10).Select(async _ =>
        {
            await start.Task;
            return await Submit(data, key);
        }).ToList();
        start.SetResult();
        var responses = await Task.WhenAll(tasks);

        foreach (var response in responses) AssertCreated(response);
        Assert.Single(responses.Select(r => (string)r.Json!["caseNumber"]!).Distinct());
        Assert.Single(responses.Select(r => (string)r.Json!["trackingCode"]!).Distinct());
        Assert.Single(responses, r => r.Header("Idempotent-Replayed") is null);

        var queue = await Queue();
        Assert.Equal(1, (long)queue["total"]!);
        Assert.Equal((string)responses[0].Json!["caseNumber"]!, (string)queue["items"]![0]!["caseNumber"]!);
    }

    [Fact]
    public async Task Different_keys_make_different_cases()
    {
        var data = await Host.Example(Service);
        var a = await Submit(data, "key-a");
        var b = await Submit(data, "key-b");
        AssertCreated(a);
        AssertCreated(b);
        Assert.NotEqual((string)a.Json!["caseNumber"]!, (string)b.Json!["caseNumber"]!);
        Assert.NotEqual((string)a.Json!["trackingCode"]!, (string)b.Json!["trackingCode"]!);
        Assert.Null(b.Header("Idempotent-Replayed"));
        Assert.Equal(2, (long)(await Queue())["total"]!);
    }

    [Fact]
    public async Task The_same_key_for_another_service_is_another_application()
    {
        var key = Guid.NewGuid().ToString();
        var ours = await Submit(await Host.Example(Service), key);
        AssertCreated(ours);
        var other = await Host.PostJson("/api/services/defect-report/cases",
            new JsonObject { ["data"] = await Host.Example("defect-report"), ["language"] = "de" },
            headers: new Dictionary<string, string> { ["Idempotency-Key"] = key });
        AssertCreated(other);
        Assert.Null(other.Header("Idempotent-Replayed"));
        Assert.NotEqual((string)ours.Json!["caseNumber"]!, (string)other.Json!["caseNumber"]!);
        Assert.Equal("defect-report", (string)other.Json!["serviceId"]!);
    }

    [Fact]
    public async Task Without_a_key_every_submission_is_a_new_case()
    {
        var data = await Host.Example(Service);
        var a = await Submit(data, key: null);
        var b = await Submit(data, key: null);
        AssertCreated(a);
        AssertCreated(b);
        Assert.NotEqual((string)a.Json!["caseNumber"]!, (string)b.Json!["caseNumber"]!);
        Assert.Null(a.Header("Idempotent-Replayed"));
        Assert.Null(b.Header("Idempotent-Replayed"));
        Assert.Equal(2, (long)(await Queue())["total"]!);
    }

    [Fact]
    public async Task A_rejected_submission_does_not_use_up_the_key()
    {
        var data = await Host.Example(Service);
        var key = Guid.NewGuid().ToString();
        var invalid = (JsonObject)data.DeepClone();
        invalid.Remove("lastName");
        (await Submit(invalid, key)).AssertProblem(400, "invalid-form");

        var valid = await Submit(data, key);
        AssertCreated(valid);
        Assert.Null(valid.Header("Idempotent-Replayed"));
        Assert.Equal(1, (long)(await Queue())["total"]!);
    }
}
