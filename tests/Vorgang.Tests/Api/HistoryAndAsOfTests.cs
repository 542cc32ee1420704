using System.Text.Json.Nodes;
using Vorgang.Tests.Definitions;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Api;

/// <summary>The audit trail: every event with its actor and metadata, and the case as it was at any version or moment.</summary>
public sealed class HistoryAndAsOfTests(AppFixture app) : ApiTest(app)
{
    private const string Service = "change-of-address";
    private const string Team = "registration-office";

    private string Anna => App.Token("caseworker", Team, "Anna Schmidt", subject: "anna");
    private string Auditor => App.Token("auditor", name: "Ida Prüfer", subject: "ida");

    /// <summary>
    /// Submitted online, claimed, review started, landlord's confirmation requested (the legal clock stops), provided by the
    /// citizen (it runs again): seven events from five requests.
    /// </summary>
    private async Task<string> CaseWithAFewActions()
    {
        var submitted = await Host.Submit(Service, language: "en");
        await Host.Act(submitted.CaseNumber, Anna, "claim");
        await Host.Act(submitted.CaseNumber, Anna, "start-review");
        var staff = await Host.Act(submitted.CaseNumber, Anna, "request-landlord-confirmation", new JsonObject { ["message"] = "Please send the confirmation." });
        await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "provide-information", (long)staff["version"]!,
            new JsonObject { ["landlordName"] = "Wohnbau Jena GmbH" });
        return submitted.CaseNumber;
    }

    private async Task<JsonArray> History(string caseNumber, string token)
    {
        var response = await Host.Get($"/api/cases/{caseNumber}/history", token);
        Assert.True(response.Status == 200, response.ToString());
        Assert.Equal(caseNumber, (string)response.Json!["caseNumber"]!);
        Assert.Equal(Service, (string)response.Json!["serviceId"]!);
        Assert.Equal(ShippedDefinitions.LatestVersion(Service), (int)response.Json!["definitionVersion"]!);
        return response.Json!["events"]!.AsArray();
    }

    private async Task<JsonObject> AsOf(string caseNumber, string query, string? token = null)
    {
        var response = await Host.Get($"/api/cases/{caseNumber}/state?{query}", token ?? Auditor);
        Assert.True(response.Status == 200, response.ToString());
        return (JsonObject)response.Json!;
    }

    [Fact]
    public async Task History_lists_every_event_with_version_type_actor_and_metadata()
    {
        var caseNumber = await CaseWithAFewActions();
        var events = await History(caseNumber, Auditor);

        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L, 7L], events.Select(e => (long)e!["version"]!));
        Assert.Equal(["case_submitted", "case_claimed", "case_action_taken", "information_requested", "deadline_suspended", "information_provided", "deadline_resumed"],
            events.Select(e => (string)e!["type"]!));

        var sequences = events.Select(e => (long)e!["sequence"]!).ToList();
        Assert.Equal(sequences.Order(), sequences);
        var timestamps = events.Select(e => DateTimeOffset.Parse((string)e!["timestamp"]!)).ToList();
        Assert.Equal(timestamps.Order(), timestamps);

        foreach (var e in events)
        {
            Assert.Equal($"change-of-address@v{ShippedDefinitions.LatestVersion("change-of-address")}", (string)e!["headers"]!["definition"]!);
            Assert.False(string.IsNullOrWhiteSpace((string?)e["correlationId"]), e.ToJsonString());
            var actor = Assert.IsType<JsonObject>(e["actor"]);
            Assert.Equal(["channel", "id", "name", "role"], actor.Select(p => p.Key).Order());
            Assert.Equal((string)actor["channel"]!, (string)e["channel"]!);
            Assert.Equal(caseNumber, (string)e["data"]!["caseNumber"]!);
        }

        var citizen = events[0]!["actor"]!;
        Assert.Equal(("citizen", "citizen", "online"), ((string)citizen["id"]!, (string)citizen["role"]!, (string)citizen["channel"]!));
        foreach (var i in new[] { 1, 2, 3 })
        {
            var staff = events[i]!["actor"]!;
            Assert.Equal(("anna", "caseworker", "Anna Schmidt", "office"),
                ((string)staff["id"]!, (string)staff["role"]!, (string)staff["name"]!, (string)staff["channel"]!));
        }
        Assert.Equal("citizen", (string)events[5]!["actor"]!["role"]!);
        Assert.Equal("online", (string)events[5]!["actor"]!["channel"]!);
        // The legal clock is the engine's own: it stops and runs again with the steps that make the office wait and stop waiting.
        foreach (var i in new[] { 4, 6 })
            Assert.Equal(("system", "system"), ((string)events[i]!["actor"]!["role"]!, (string)events[i]!["channel"]!));
        Assert.Equal((string)events[3]!["correlationId"]!, (string)events[4]!["correlationId"]!);

        // The event data is what happened, including the inputs.
        Assert.Equal("start-review", (string)events[2]!["data"]!["actionId"]!);
        Assert.Equal("in-review", (string)events[2]!["data"]!["toState"]!);
        Assert.Equal("Please send the confirmation.", (string)events[3]!["data"]!["input"]!["message"]!);
        Assert.Equal("Wohnbau Jena GmbH", (string)events[5]!["data"]!["formChanges"]!["landlordName"]!);

        // Each request is its own correlation; the events of one request share it.
        Assert.Equal(5, events.Select(e => (string)e!["correlationId"]!).Distinct().Count());
    }

    [Fact]
    public async Task Events_of_one_request_share_their_correlation_and_timestamp()
    {
        var submitted = await Host.Submit(Service);
        await Host.Act(submitted.CaseNumber, Anna, "start-review"); // claims and starts in one request
        var events = await History(submitted.CaseNumber, Auditor);
        Assert.Equal(["case_submitted", "case_claimed", "case_action_taken"], events.Select(e => (string)e!["type"]!));
        Assert.Equal((string)events[1]!["correlationId"]!, (string)events[2]!["correlationId"]!);
        Assert.NotEqual((string)events[0]!["correlationId"]!, (string)events[1]!["correlationId"]!);
    }

    [Fact]
    public async Task State_as_of_a_version_shows_the_case_as_it_was()
    {
        var caseNumber = await CaseWithAFewActions();

        var first = await AsOf(caseNumber, "version=1");
        Assert.Equal(1, (long)first["version"]!);
        Assert.Equal(1, (long)first["case"]!["version"]!);
        Assert.Equal("submitted", (string)first["case"]!["state"]!);
        Assert.Null(first["case"]!["assignee"]);
        Assert.Equal("Wohnungsgenossenschaft Jena eG", (string)first["case"]!["data"]!["landlordName"]!);

        var waiting = await AsOf(caseNumber, "version=4");
        Assert.Equal("waiting-for-citizen", (string)waiting["case"]!["state"]!);
        Assert.Equal("anna", (string)waiting["case"]!["assignee"]!["id"]!);

        var current = await Host.StaffCase(caseNumber, Anna);
        var last = await AsOf(caseNumber, "version=7");
        Assert.Equal(7, (long)last["version"]!);
        foreach (var field in new[] { "state", "version", "assignee", "data", "isClosed", "team", "statusText" })
            Assert.Equal(current[field]!.ToJsonString(), last["case"]![field]!.ToJsonString());
        Assert.Equal("Wohnbau Jena GmbH", (string)last["case"]!["data"]!["landlordName"]!);

        // Without version or moment: the current case.
        var now = await AsOf(caseNumber, "");
        Assert.Equal(7, (long)now["version"]!);
        Assert.Equal("in-review", (string)now["case"]!["state"]!);

        // The as-of view offers no actions: it is a record, not a worklist.
        Assert.Empty(first["case"]!["allowedActions"]!.AsArray());
    }

    [Fact]
    public async Task State_as_of_a_moment_shows_the_case_as_it_was_then()
    {
        var caseNumber = await CaseWithAFewActions();
        var events = await History(caseNumber, Auditor);
        var claimedAt = (string)events[1]!["timestamp"]!;

        var then = await AsOf(caseNumber, $"at={Uri.EscapeDataString(claimedAt)}");
        Assert.Equal(2, (long)then["version"]!);
        Assert.Equal("submitted", (string)then["case"]!["state"]!);
        Assert.Equal("anna", (string)then["case"]!["assignee"]!["id"]!);
        Assert.Equal(DateTimeOffset.Parse(claimedAt), DateTimeOffset.Parse((string)then["asOf"]!));

        // The request and the stop of the clock it caused share their moment: the case as of then has both.
        var requestedAt = DateTimeOffset.Parse((string)events[3]!["timestamp"]!);
        var waiting = await AsOf(caseNumber, $"at={Uri.EscapeDataString(requestedAt.ToString("O"))}");
        Assert.Equal(5, (long)waiting["version"]!);
        Assert.Equal("waiting-for-citizen", (string)waiting["case"]!["state"]!);

        // A moment after the last event is the current case.
        var later = await AsOf(caseNumber, $"at={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(5).ToString("O"))}");
        Assert.Equal(7, (long)later["version"]!);
    }

    [Fact]
    public async Task Auditor_reads_but_may_not_act()
    {
        var caseNumber = await CaseWithAFewActions();
        var view = await Host.StaffCase(caseNumber, Auditor);
        Assert.Equal("in-review", (string)view["state"]!);
        Assert.Empty(view["allowedActions"]!.AsArray());
        Assert.NotEmpty(await History(caseNumber, Auditor));

        var version = (long)view["version"]!;
        foreach (var action in new[] { "register", "claim", "release" })
            (await Host.StaffAction(caseNumber, action, Auditor, version)).AssertProblem(403, "read-only");
        Assert.Equal(version, (long)(await Host.StaffCase(caseNumber, Auditor))["version"]!);
        Assert.Equal(7, (await History(caseNumber, Auditor)).Count);
    }

    [Fact]
    public async Task Admin_reads_history_and_state()
    {
        var caseNumber = await CaseWithAFewActions();
        var admin = App.Token("admin", name: "Ada Admin", subject: "ada");
        Assert.Equal(7, (await History(caseNumber, admin)).Count);
        Assert.Equal("submitted", (string)(await AsOf(caseNumber, "version=1", admin))["case"]!["state"]!);
        Assert.Equal("in-review", (string)(await Host.StaffCase(caseNumber, admin))["state"]!);
    }

    [Fact]
    public async Task Caseworker_of_the_team_reads_history_but_another_team_does_not()
    {
        var caseNumber = await CaseWithAFewActions();
        Assert.Equal(7, (await History(caseNumber, Anna)).Count);

        var otto = App.Token("caseworker", "parking-permits", "Otto Fremd", subject: "otto");
        var history = await Host.Get($"/api/cases/{caseNumber}/history", otto);
        // Answered like a case that does not exist, so that nobody learns which numbers another team works on.
        history.AssertProblem(404, "not-found");
        Assert.DoesNotContain("Erika", history.Text);
        (await Host.Get($"/api/cases/{caseNumber}/state?version=1", otto)).AssertProblem(404, "not-found");
    }
}
