using System.Text.Json.Nodes;
using Vorgang.Tests.Definitions;
using Vorgang.Tests.Api;
using Vorgang.Tests.Deadlines;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Tests.Audit;

/// <summary>
/// Every event reaches a case through one writer, whoever caused it: a request (submission, staff and citizen actions,
/// erasure on request) or a message (a timer, the retention erasure). Each carries the same stamp — hash link,
/// definition version, channel, correlation and causation — and the auditor's history shows it.
/// </summary>
public sealed class EventStampTests(AppFixture app) : ApiTest(app)
{
    private const string Service = "change-of-address";
    private const string Team = "registration-office";
    private static readonly DateOnly Monday = new(2026, 3, 30);
    private static readonly DateOnly Thursday = new(2026, 4, 2);

    private string Anna => App.Token("caseworker", Team, "Anna Schmidt", subject: "anna");
    private string Auditor => App.Token("auditor", name: "Ida Prüfer");
    private string Admin => App.Token("admin", name: "Ada Admin");

    private async Task<JsonArray> History(string caseNumber)
    {
        var (status, body, _) = await Host.Send(HttpMethod.Get, $"/api/cases/{caseNumber}/history", token: Auditor);
        Assert.Equal(200, status);
        return body!["events"]!.AsArray();
    }

    private static void AssertStamped(JsonNode e, string channel)
    {
        var what = e.ToJsonString();
        Assert.Equal($"{Service}@v{ShippedDefinitions.LatestVersion(Service)}", (string?)e["headers"]?["definition"]);
        Assert.Matches("^[0-9a-f]{64}$", (string?)e["headers"]?["hash"] ?? "");
        Assert.Equal(channel, (string?)e["headers"]?["channel"]);
        Assert.Equal(channel, (string?)e["channel"]);
        Assert.False(string.IsNullOrEmpty((string?)e["correlationId"]), what);
        Assert.False(string.IsNullOrEmpty((string?)e["causationId"]), what);
    }

    [Fact]
    public async Task Events_from_requests_and_from_timers_carry_the_same_stamp()
    {
        App.Clock.SetUtcNow(BerlinClock.At(Monday, new TimeOnly(9, 0)));
        var data = await Host.Example(Service);
        data["landlordConfirmationAvailable"] = false;
        data.Remove("landlordName");
        var submitted = await Host.Submit(Service, data, language: "en");
        await Host.Act(submitted.CaseNumber, Anna, "start-review");
        App.Clock.SetUtcNow(BerlinClock.At(Thursday, new TimeOnly(9, 0)));
        await Host.Act(submitted.CaseNumber, Anna, "request-landlord-confirmation", new JsonObject { ["message"] = "Please send it." });

        // Five working days of waiting (Easter in between): the reminder timer fires on Monday 13 April.
        await Host.AdvanceTo(App.Clock, new DateOnly(2026, 4, 13), new TimeOnly(7, 30));
        var history = await History(submitted.CaseNumber);
        var reminded = Assert.Single(history, e => (string)e!["type"]! == "citizen_reminded")!;

        foreach (var e in history.Where(e => (string)e!["type"]! is "case_submitted"))
            AssertStamped(e!, Channels.Online);
        foreach (var e in history.Where(e => (string)e!["type"]! is "case_claimed" or "case_action_taken" or "information_requested"))
            AssertStamped(e!, Channels.Office);
        AssertStamped(reminded, Channels.System);

        // The requests' events are caused by their requests; the reminder by the timer message, its own cause.
        var requestCauses = history.Where(e => e != reminded).Select(e => (string)e!["causationId"]!).ToHashSet();
        Assert.DoesNotContain((string)reminded["causationId"]!, requestCauses);
        Assert.True(Guid.TryParse((string)reminded["causationId"]!, out _), "a timer's events name the message that caused them");
        // Two events of one request share its correlation and causation (the claim before the first action).
        var claimed = history.Single(e => (string)e!["type"]! == "case_claimed")!;
        var started = history.First(e => (string)e!["type"]! == "case_action_taken")!;
        Assert.Equal((string)claimed["causationId"]!, (string)started["causationId"]!);
        Assert.Equal((string)claimed["correlationId"]!, (string)started["correlationId"]!);
    }

    [Fact]
    public async Task The_retention_erasure_and_an_erasure_on_request_carry_the_same_stamp()
    {
        var byRetention = await Host.Submit(Service, language: "en");
        await Host.CitizenAct(byRetention.CaseNumber, byRetention.TrackingCode, "withdraw", byRetention.Version);
        var byRequest = await Host.Submit(Service, language: "en");
        await Host.CitizenAct(byRequest.CaseNumber, byRequest.TrackingCode, "withdraw", byRequest.Version);
        var (status, _, _) = await Host.Send(HttpMethod.Post, $"/api/admin/cases/{byRequest.CaseNumber}/erasure",
            new JsonObject { ["reason"] = "Art. 17 DSGVO, Az. 2026-17" }.ToJsonString(), Admin);
        Assert.Equal(200, status);

        var closedOn = BerlinClock.DateOf(App.Clock.GetUtcNow());
        await Host.AdvanceTo(App.Clock, closedOn.AddDays(181), new TimeOnly(0, 30));

        var retained = (await History(byRetention.CaseNumber))[^1]!;
        Assert.Equal("personal_data_erased", (string)retained["type"]!);
        AssertStamped(retained, Channels.System);
        Assert.True(Guid.TryParse((string)retained["causationId"]!, out _));

        var requested = (await History(byRequest.CaseNumber))[^1]!;
        Assert.Equal("personal_data_erased", (string)requested["type"]!);
        Assert.Equal($"{Service}@v{ShippedDefinitions.LatestVersion(Service)}", (string?)requested["headers"]?["definition"]);
        Assert.Matches("^[0-9a-f]{64}$", (string?)requested["headers"]?["hash"] ?? "");
        Assert.False(string.IsNullOrEmpty((string?)requested["correlationId"]));
        Assert.False(Guid.TryParse((string)requested["causationId"]!, out _), "an erasure on request is caused by its request");
    }
}
