using System.Text.Json.Nodes;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Tests.Forecasts;

public sealed class QueueRiskTests(AppFixture app) : ApiTest(app)
{
    private const string Team = "registration-office";
    private static DateOnly Today => TimeProvider.System.Today();
    private string Anna => App.Token("caseworker", Team, "Anna Schmidt", subject: "anna");

    /// <summary>Four open cases in state submitted (5 working days of norm ahead) with different due dates.</summary>
    private async Task GivenCasesAtEveryRisk()
    {
        var at = DateTimeOffset.UtcNow.AddDays(-30);
        await App.AddOpenCase(History.Submitted("2026-800001", at, WorkingDays.Add(Today, 30)));        // on track
        await App.AddOpenCase(History.Submitted("2026-800002", at, WorkingDays.Subtract(Today, 1)));    // overdue
        await App.AddOpenCase(History.Submitted("2026-800003", at, WorkingDays.Add(Today, 3)));         // late: 5 days of work, 3 left
        await App.AddOpenCase(History.Submitted("2026-800004", at, WorkingDays.Add(Today, 6)));         // tight: must start by tomorrow
        await App.AddOpenCase(History.Submitted("2026-800005", at.AddDays(1), WorkingDays.Add(Today, 30)), // on track, assigned, later
            new CaseClaimed("2026-800005", "anna", "Anna Schmidt", new Actor("anna", "caseworker", "Anna Schmidt", Channels.Office), at.AddDays(1)));
    }

    private async Task<JsonNode> Queue(string query = "")
    {
        var (status, body, _) = await Host.Send(HttpMethod.Get, $"/api/queues/{Team}{query}", token: Anna);
        Assert.True(status == 200, $"{status}: {body}");
        return body!;
    }

    [Fact]
    public async Task The_queue_puts_the_cases_most_at_risk_of_missing_their_deadline_first()
    {
        await GivenCasesAtEveryRisk();
        var queue = await Queue();

        var items = queue["items"]!.AsArray();
        Assert.Equal(["2026-800002", "2026-800003", "2026-800004", "2026-800001", "2026-800005"], items.Select(i => (string)i!["caseNumber"]!).ToArray());
        Assert.Equal(["overdue", "late", "tight", "on-track", "on-track"], items.Select(i => (string)i!["risk"]!).ToArray());
        Assert.Equal(-1 * (Today.DayNumber - WorkingDays.Subtract(Today, 1).DayNumber), (int)items[0]!["daysLeft"]!);
    }

    [Fact]
    public async Task Counts_per_state_and_risk_band_give_the_team_its_overview()
    {
        await GivenCasesAtEveryRisk();
        var counts = (await Queue("?risk=late"))["counts"]!;

        // The overview counts the whole open queue, whatever the filter.
        Assert.Equal(5, (int)counts["open"]!);
        Assert.Equal(5, (int)counts["byState"]!["submitted"]!);
        Assert.Equal(1, (int)counts["byRisk"]!["overdue"]!);
        Assert.Equal(1, (int)counts["byRisk"]!["late"]!);
        Assert.Equal(1, (int)counts["byRisk"]!["tight"]!);
        Assert.Equal(2, (int)counts["byRisk"]!["on-track"]!);
        Assert.Equal(0, (int)counts["byRisk"]!["no-deadline"]!);
        Assert.Equal(0, (int)counts["byRisk"]!["paused"]!);
    }

    [Fact]
    public async Task A_case_waiting_for_the_citizen_is_paused_and_goes_to_the_end()
    {
        await GivenCasesAtEveryRisk();
        // The overdue case waits for the citizen now: its clock is stopped, it is not at risk meanwhile.
        await Host.Act("2026-800002", Anna, "start-review");
        await Host.Act("2026-800002", Anna, "request-landlord-confirmation", new JsonObject { ["message"] = "Bitte reichen Sie die Bestätigung nach." });

        var queue = await Queue();
        var last = queue["items"]!.AsArray().Last()!;
        Assert.Equal("2026-800002", (string)last["caseNumber"]!);
        Assert.Equal("paused", (string)last["risk"]!);
        Assert.Equal(1, (int)queue["counts"]!["byRisk"]!["paused"]!);
        Assert.Equal(0, (int)queue["counts"]!["byRisk"]!["overdue"]!);
        Assert.Equal(["2026-800002"], (await Queue("?risk=paused"))["items"]!.AsArray().Select(i => (string)i!["caseNumber"]!).ToArray());
        Assert.Empty((await Queue("?overdue=true"))["items"]!.AsArray());
    }

    [Theory]
    [InlineData("?overdue=true", new[] { "2026-800002" })]
    [InlineData("?overdue=false", new[] { "2026-800003", "2026-800004", "2026-800001", "2026-800005" })]
    [InlineData("?risk=late", new[] { "2026-800003" })]
    [InlineData("?risk=tight", new[] { "2026-800004" })]
    [InlineData("?risk=on-track", new[] { "2026-800001", "2026-800005" })]
    [InlineData("?assignee=mine", new[] { "2026-800005" })]
    [InlineData("?assignee=unassigned", new[] { "2026-800002", "2026-800003", "2026-800004", "2026-800001" })]
    [InlineData("?assignee=anna", new[] { "2026-800005" })]
    [InlineData("?state=in-review", new string[0])]
    [InlineData("?service=change-of-address&pageSize=2", new[] { "2026-800002", "2026-800003" })]
    [InlineData("?service=defect-report", new string[0])]
    public async Task Filters_narrow_the_items(string query, string[] expected)
    {
        await GivenCasesAtEveryRisk();
        var queue = await Queue(query);
        Assert.Equal(expected, queue["items"]!.AsArray().Select(i => (string)i!["caseNumber"]!).ToArray());
    }

    [Theory]
    [InlineData("?overdue=yes", "overdue")]
    [InlineData("?risk=urgent", "risk")]
    public async Task Invalid_filters_are_400_naming_the_field(string query, string field)
    {
        var (status, body, _) = await Host.Send(HttpMethod.Get, $"/api/queues/{Team}{query}", token: Anna);
        Assert.Equal(400, status);
        Assert.NotNull(body!["errors"]![field]);
    }

    [Fact]
    public async Task Moving_a_case_on_changes_its_risk()
    {
        await App.AddOpenCase(History.Submitted("2026-800010", DateTimeOffset.UtcNow, WorkingDays.Add(Today, 4)));
        Assert.Equal("late", (string)(await Queue())["items"]![0]!["risk"]!);

        // In review only 3 working days of work remain: the case can make its due date again.
        await Host.Act("2026-800010", Anna, "start-review");
        Assert.Equal("tight", (string)(await Queue())["items"]![0]!["risk"]!);
    }

    [Fact]
    public async Task The_band_of_a_case_is_the_same_in_the_list_in_the_filter_and_in_the_counts()
    {
        await GivenCasesAtEveryRisk();
        var at = DateTimeOffset.UtcNow.AddDays(-30);
        await App.AddOpenCase(History.Submitted("2026-800006", at, dueOn: null));                       // no deadline
        await App.AddOpenCase(History.Submitted("2026-800007", at, WorkingDays.Subtract(Today, 2)),       // paused, though past its date
            new DeadlineSuspended("2026-800007", "request-information", "submitted", WorkingDays.Subtract(Today, 2), Today.AddDays(-3), at.AddDays(1)));

        var all = await Queue();
        var listed = all["items"]!.AsArray().GroupBy(i => (string)i!["risk"]!).ToDictionary(g => g.Key, g => g.Select(i => (string)i!["caseNumber"]!).ToHashSet());
        foreach (var band in Vorgang.Projections.Queues.RiskBands.All)
        {
            var filtered = (await Queue($"?risk={band}"))["items"]!.AsArray().Select(i => (string)i!["caseNumber"]!).ToHashSet();
            Assert.True(filtered.Count > 0, $"no case in band {band}");
            Assert.Equal(listed[band], filtered);
            Assert.Equal(filtered.Count, (int)all["counts"]!["byRisk"]![band]!);
        }
    }
}
