using System.Text.Json.Nodes;
using StandardWebhooks;
using Vorgang.Api.Features.Webhooks;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Webhooks;

/// <summary>
/// Webhooks for a city's other systems, against a real HTTP receiver: signed per Standard Webhooks, filtered by service
/// and event type, without personal data, retried, dead-lettered and paused, replayed; targets inside refused.
/// </summary>
public sealed class WebhookTests(AppFixture app) : ApiTest(app)
{
    private string Admin => App.Token("admin", name: "Admin Istrator", subject: "admin:root");

    private async Task<JsonNode> Subscribe(string url, string? serviceId = null, string[]? eventTypes = null)
    {
        var body = new JsonObject { ["url"] = url, ["serviceId"] = serviceId, ["description"] = "Fachverfahren Meldewesen" };
        if (eventTypes is not null) body["eventTypes"] = new JsonArray(eventTypes.Select(t => (JsonNode)t).ToArray());
        var (status, answer, _) = await Host.Send(HttpMethod.Post, "/api/admin/webhooks", body.ToJsonString(), Admin);
        Assert.True(status == 201, $"{status}: {answer}");
        return answer!;
    }

    [Fact]
    public async Task A_subscriber_receives_each_event_signed_and_without_personal_data()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var subscription = await Subscribe(receiver.Url, "change-of-address");
        var secret = (string)subscription["secret"]!;
        Assert.StartsWith("whsec_", secret);

        var submitted = await Host.Submit("change-of-address");
        var received = Assert.Single(await receiver.WaitForAsync(1));

        // The signature verifies with the secret, by the Standard Webhooks library the receiver would use.
        new StandardWebhook(secret).Verify(received.Body, received.Headers);
        Assert.Throws<StandardWebhooks.Diagnostics.WebhookVerificationException>(() => new StandardWebhook(StandardWebhookSecret()).Verify(received.Body, received.Headers));
        var payload = JsonNode.Parse(received.Body)!;
        Assert.Equal("case_submitted", (string)payload["type"]!);
        Assert.Equal(submitted.CaseNumber, (string)payload["data"]!["caseNumber"]!);
        Assert.Equal("change-of-address", (string)payload["data"]!["serviceId"]!);
        Assert.Equal(1, (long)payload["data"]!["version"]!);
        Assert.DoesNotContain("Erika", received.Body);
        Assert.DoesNotContain("Mustermann", received.Body);
        Assert.DoesNotContain(submitted.TrackingCode, received.Body);
        Assert.Equal(WebhookFanOut.DeliveryIdOf(Guid.Parse((string)subscription["id"]!), submitted.CaseNumber, 1).ToString("D"), received.Headers["webhook-id"].ToString());

        // Another service's case is not this subscriber's business.
        await Host.Submit("defect-report");
        await Task.Delay(1000);
        Assert.Single(receiver.Requests);

        var (_, list, _) = await Host.Send(HttpMethod.Get, "/api/admin/webhooks", token: Admin);
        var shown = Assert.Single(list!["subscriptions"]!.AsArray())!;
        Assert.Equal("active", (string)shown["status"]!);
        Assert.NotNull(shown["lastDeliveredAt"]);
        Assert.Null(shown["secret"]);
    }

    private static string StandardWebhookSecret() => WebhookFanOut.NewSecret();

    [Fact]
    public async Task Event_types_filter_what_is_sent()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await Subscribe(receiver.Url, eventTypes: ["case_claimed"]);
        var submitted = await Host.Submit("change-of-address");
        await Host.Act(submitted.CaseNumber, App.Token("caseworker", "registration-office", "Anna Schmidt"), "claim");

        var received = Assert.Single(await receiver.WaitForAsync(1));
        Assert.Equal("case_claimed", (string)JsonNode.Parse(received.Body)!["type"]!);
        Assert.Equal(2, (long)JsonNode.Parse(received.Body)!["data"]!["version"]!);
    }

    [Fact]
    public async Task A_failing_receiver_is_retried_with_the_same_id_until_it_answers()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = n => n < 3 ? 503 : 204;
        await Subscribe(receiver.Url);
        await Host.Submit("change-of-address");

        var attempts = await receiver.WaitForAsync(3);
        Assert.Equal([503, 503, 204], attempts.Select(a => a.Answered));
        Assert.Single(attempts.Select(a => a.Headers["webhook-id"].ToString()).Distinct());
        await Task.Delay(800);
        Assert.Equal(3, receiver.Requests.Count);
    }

    [Fact]
    public async Task A_receiver_that_keeps_failing_gets_a_dead_letter_and_a_paused_subscription_that_an_admin_resumes()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = _ => 500;
        var subscription = await Subscribe(receiver.Url);
        var id = (string)subscription["id"]!;
        var first = await Host.Submit("change-of-address");

        // One attempt and the two retries the tests configure; then it is dead.
        await receiver.WaitForAsync(3);
        JsonNode shown = null!;
        await Eventually(async () =>
        {
            var (got, body, _) = await Host.Send(HttpMethod.Get, $"/api/admin/webhooks/{id}", token: Admin);
            Assert.True(got == 200, $"{got}: {body}");
            shown = body!;
            return (string)shown["status"]! == "paused";
        });
        Assert.Equal(1, (int)shown["deadLetters"]!);
        Assert.Contains("HTTP 500", (string)shown["pausedBecause"]!);

        // While paused, nothing is sent: new events wait as dead letters.
        var second = await Host.Submit("change-of-address");
        await Eventually(async () => (await Host.Send(HttpMethod.Get, $"/api/admin/webhooks/{id}/dead-letters", token: Admin)).Body!["deadLetters"]!.AsArray().Count == 2);
        Assert.Equal(3, receiver.Requests.Count);
        var (_, letters, _) = await Host.Send(HttpMethod.Get, $"/api/admin/webhooks/{id}/dead-letters", token: Admin);
        Assert.Equal([first.CaseNumber, second.CaseNumber], letters!["deadLetters"]!.AsArray().Select(l => (string)l!["caseNumber"]!));

        // The receiver is mended; the admin resumes, and both arrive, in order, with the ids they had.
        receiver.Answer = _ => 200;
        var (status, replay, _) = await Host.Send(HttpMethod.Post, $"/api/admin/webhooks/{id}/resume", "{}", Admin);
        Assert.Equal(202, status);
        Assert.Equal(2, (int)replay!["replayed"]!);
        var all = await receiver.WaitForAsync(5);
        var delivered = all.Skip(3).Select(r => (string)JsonNode.Parse(r.Body)!["data"]!["caseNumber"]!).ToList();
        Assert.Equal([first.CaseNumber, second.CaseNumber], delivered.Order());
        Assert.Equal(all[0].Headers["webhook-id"].ToString(), all.Skip(3).First(r => r.Body.Contains(first.CaseNumber)).Headers["webhook-id"].ToString());
        await Eventually(async () => (string)(await Host.Send(HttpMethod.Get, $"/api/admin/webhooks/{id}", token: Admin)).Body!["status"]! == "active");
        Assert.Empty((await Host.Send(HttpMethod.Get, $"/api/admin/webhooks/{id}/dead-letters", token: Admin)).Body!["deadLetters"]!.AsArray());
    }

    [Fact]
    public void The_default_schedule_retries_for_more_than_a_day()
    {
        var total = WebhookRetries.Default.Aggregate(TimeSpan.Zero, (sum, d) => sum + d);
        Assert.True(total >= TimeSpan.FromHours(24), $"{total}");
        Assert.Equal(WebhookRetries.Default.Order(), WebhookRetries.Default);
    }

    [Theory]
    [InlineData("https://localhost:8080/hook", "private-target")]
    [InlineData("https://10.1.2.3/hook", "private-target")]
    [InlineData("https://192.168.178.1/hook", "private-target")]
    [InlineData("https://169.254.169.254/latest/meta-data", "private-target")]
    [InlineData("https://[::1]/hook", "private-target")]
    [InlineData("https://[fd00::1]/hook", "private-target")]
    [InlineData("https://[::ffff:10.0.0.1]/hook", "private-target")]
    [InlineData("http://93.184.215.14/hook", "https-required")]
    [InlineData("https://user:secret@93.184.215.14/hook", "url-credentials")]
    public async Task Targets_inside_or_without_tls_are_refused_naming_the_rule(string url, string rule)
    {
        var (status, problem, _) = await Host.Send(HttpMethod.Post, "/api/admin/webhooks", new JsonObject { ["url"] = url }.ToJsonString(), Admin);
        Assert.Equal(422, status);
        Assert.Equal(rule, (string)problem!["rule"]!);
        Assert.Equal("url", (string)problem["field"]!);
        Assert.Empty((await Host.Send(HttpMethod.Get, "/api/admin/webhooks", token: Admin)).Body!["subscriptions"]!.AsArray());
    }

    [Theory]
    [InlineData("""{"url":""}""", "url", "required")]
    [InlineData("""{"url":"ftp://example.org/x"}""", "url", "url")]
    [InlineData("""{"url":"/relative"}""", "url", "url")]
    [InlineData("""{"url":"https://example.org/x","eventTypes":["case_exploded"]}""", "eventTypes[0]", "unknown-event-type")]
    [InlineData("""{"url":"https://example.org/x","serviceId":"no-such-service"}""", "serviceId", "unknown-service")]
    public async Task Bad_subscriptions_are_refused_naming_field_and_rule(string body, string field, string rule)
    {
        var (status, problem, _) = await Host.Send(HttpMethod.Post, "/api/admin/webhooks", body, Admin);
        Assert.Equal(400, status);
        Assert.Contains(problem!["violations"]!.AsArray(), v => (string)v!["field"]! == field && (string)v["rule"]! == rule);
    }

    [Fact]
    public async Task Only_admins_manage_webhooks()
    {
        var caseworker = App.Token("caseworker", "registration-office", "Anna Schmidt");
        var auditor = App.Token("auditor", name: "Anne Auditor");
        foreach (var token in new[] { caseworker, auditor })
        {
            var (status, problem, _) = await Host.Send(HttpMethod.Post, "/api/admin/webhooks", """{"url":"https://example.org/x"}""", token);
            Assert.Equal(403, status);
            Assert.Equal("role-not-allowed", (string)problem!["rule"]!);
            Assert.Equal(403, (await Host.Send(HttpMethod.Get, "/api/admin/webhooks", token: token)).Status);
        }
        Assert.Equal(401, (await Host.Send(HttpMethod.Get, "/api/admin/webhooks")).Status);
        Assert.Equal(404, (await Host.Send(HttpMethod.Get, $"/api/admin/webhooks/{Guid.NewGuid()}", token: Admin)).Status);
        Assert.Equal(404, (await Host.Send(HttpMethod.Get, "/api/admin/webhooks/not-a-guid", token: Admin)).Status);
    }

    [Fact]
    public async Task A_deleted_subscription_gets_nothing_more()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var id = (string)(await Subscribe(receiver.Url))["id"]!;
        Assert.Equal(204, (await Host.Send(HttpMethod.Delete, $"/api/admin/webhooks/{id}", token: Admin)).Status);
        await Host.Submit("change-of-address");
        await Task.Delay(1000);
        Assert.Empty(receiver.Requests);
        Assert.Equal(404, (await Host.Send(HttpMethod.Get, $"/api/admin/webhooks/{id}", token: Admin)).Status);
    }

    private async Task Eventually(Func<Task<bool>> condition, int seconds = 20)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "The condition did not hold in time. " +
                string.Join("\n", App.Logs.Snapshot().Where(l => l.StartsWith("Error") || l.StartsWith("Warn") || l.Contains("attempt 3") || l.Contains("xception")).TakeLast(6)));
            await Task.Delay(100);
        }
    }
}
