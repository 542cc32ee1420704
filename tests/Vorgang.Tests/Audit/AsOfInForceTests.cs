using System.Text.Json.Nodes;
using Vorgang.Tests.Definitions;
using Vorgang.Tests.Api;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Audit;

/// <summary>The case as of a version or moment says which definition it was decided under and which due date was in force then.</summary>
public sealed class AsOfInForceTests(AppFixture app) : ApiTest(app)
{
    private const string Service = "change-of-address";
    private const string Team = "registration-office";

    private string Anna => App.Token("caseworker", Team, "Anna Schmidt", subject: "anna");
    private string Auditor => App.Token("auditor", name: "Ida Prüfer", subject: "ida");

    private async Task<JsonObject> AsOf(string caseNumber, string query)
    {
        var response = await Host.Get($"/api/cases/{caseNumber}/state?{query}", Auditor);
        Assert.True(response.Status == 200, response.ToString());
        return (JsonObject)response.Json!;
    }

    private async Task<JsonArray> History(string caseNumber)
    {
        var response = await Host.Get($"/api/cases/{caseNumber}/history", Auditor);
        Assert.True(response.Status == 200, response.ToString());
        return response.Json!["events"]!.AsArray();
    }

    /// <summary>The due date as the history tells it: the last event up to this version that states one (submission, and every shift of the deadline).</summary>
    private static string? DueOnFromHistory(JsonArray events, long version) =>
        events.Where(e => (long)e!["version"]! <= version && e["data"]!["dueOn"] is not null).Select(e => (string?)e!["data"]!["dueOn"]).LastOrDefault();

    [Fact]
    public async Task Every_version_says_the_definition_and_the_due_date_in_force_then()
    {
        var submitted = await Host.Submit(Service, language: "en");
        await Host.Act(submitted.CaseNumber, Anna, "start-review");
        var staff = await Host.Act(submitted.CaseNumber, Anna, "request-landlord-confirmation", new JsonObject { ["message"] = "Please send it." });
        await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "provide-information", (long)staff["version"]!,
            new JsonObject { ["landlordName"] = "Wohnbau Jena GmbH" });

        var events = await History(submitted.CaseNumber);
        Assert.True(events.Count >= 5, events.ToJsonString());
        Assert.NotNull(submitted.DueOn);
        for (var version = 1L; version <= events.Count; version++)
        {
            var then = await AsOf(submitted.CaseNumber, $"version={version}");
            Assert.Equal(version, (long)then["version"]!);
            Assert.Equal($"change-of-address@v{ShippedDefinitions.LatestVersion("change-of-address")}", (string)then["definition"]!);
            var expected = DueOnFromHistory(events, version);
            Assert.Equal(expected, (string?)then["dueOn"]);
            // The staff view inside says the same.
            Assert.Equal(expected, (string?)then["case"]!["dueOn"]);
        }
        Assert.Equal(submitted.DueOn.Value.ToString("yyyy-MM-dd"), (string?)(await AsOf(submitted.CaseNumber, "version=1"))["dueOn"]);

        // The latest version agrees with the case as it is now.
        var current = await Host.StaffCase(submitted.CaseNumber, Anna);
        var latest = await AsOf(submitted.CaseNumber, "");
        Assert.Equal((string?)current["dueOn"], (string?)latest["dueOn"]);
    }

    [Fact]
    public async Task A_moment_gives_the_definition_and_due_date_of_the_last_event_before_it()
    {
        var submitted = await Host.Submit(Service);
        await Host.Act(submitted.CaseNumber, Anna, "claim");
        var events = await History(submitted.CaseNumber);
        var claimedAt = (string)events[1]!["timestamp"]!;

        var then = await AsOf(submitted.CaseNumber, $"at={Uri.EscapeDataString(claimedAt)}");
        Assert.Equal(2, (long)then["version"]!);
        Assert.Equal($"change-of-address@v{ShippedDefinitions.LatestVersion("change-of-address")}", (string)then["definition"]!);
        Assert.Equal(DueOnFromHistory(events, 2), (string?)then["dueOn"]);
    }

    [Fact]
    public async Task Each_service_names_its_own_definition()
    {
        foreach (var service in new[] { "defect-report", "school-transport", "residential-parking-permit" })
        {
            var submitted = await Host.Submit(service);
            var then = await AsOf(submitted.CaseNumber, "version=1");
            Assert.Equal($"{service}@v{ShippedDefinitions.LatestVersion(service)}", (string)then["definition"]!);
            Assert.Equal(submitted.DueOn?.ToString("yyyy-MM-dd"), (string?)then["dueOn"]);
        }
    }
}
