using Vorgang.Workflows.Audit;
using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Vorgang.Api.Features.Submitting;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Tests.Api;

/// <summary>A team's work queue: its open cases, most urgent first, for its own caseworkers.</summary>
public sealed class QueueTests(AppFixture app) : ApiTest(app)
{
    private const string Service = "change-of-address";
    private const string Team = "registration-office";

    private string Anna => App.Token("caseworker", Team, "Anna Schmidt", subject: "anna");

    private async Task<JsonNode> Queue(string query = "", string? token = null, string team = Team)
    {
        var response = await Host.Get($"/api/queues/{team}{query}", token ?? Anna);
        Assert.True(response.Status == 200, response.ToString());
        Assert.Equal(team, (string)response.Json!["team"]!);
        return response.Json!;
    }

    private static List<string> CaseNumbers(JsonNode page) => page["items"]!.AsArray().Select(i => (string)i!["caseNumber"]!).ToList();

    /// <summary>
    /// A case written straight to the event store, for due dates the clock of a test run cannot produce
    /// (all cases submitted today through the API share one due date): a copy of the submission of
    /// <paramref name="template"/> under another number, due date and submission time.
    /// </summary>
    private async Task<string> Seed(string template, string caseNumber, DateOnly dueOn, DateTimeOffset submittedAt)
    {
        await using var session = Host.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        var events = await session.Events.FetchStreamAsync(template);
        var submitted = Assert.IsType<CaseSubmitted>(events[0].Data);
        CaseChain.StartStream(session, caseNumber, Scenarios.SeedStamp(submitted), submitted with
        {
            CaseNumber = caseNumber, Team = Team, State = "submitted", DueOn = dueOn, SubmittedAt = submittedAt,
            TrackingCodeHash = TrackingCodes.Hash(TrackingCodes.New()),
        });
        await session.SaveChangesAsync();
        return caseNumber;
    }

    /// <summary>Four open cases of the team in queue order, plus cases that must not show: another team's, another service's, a withdrawn one.</summary>
    private async Task<(string[] Expected, SubmissionAccepted A)> FillQueue()
    {
        var year = DateTime.UtcNow.Year;
        var withdrawn = await Host.Submit(Service);
        await Host.CitizenAct(withdrawn.CaseNumber, withdrawn.TrackingCode, "withdraw", 1);
        var a = await Host.Submit(Service);
        var b = await Host.Submit(Service);
        var due = a.DueOn!.Value;
        Assert.Equal(due, b.DueOn);
        // Oldest submission, but due last.
        var dueLast = await Seed(withdrawn.CaseNumber, $"{year}-900001", due.AddDays(7), a.SubmittedAt.AddDays(-3));
        // Newest submission, but due first.
        var dueFirst = await Seed(withdrawn.CaseNumber, $"{year}-900002", due.AddDays(-1), DateTimeOffset.UtcNow);

        var lobedaData = await Host.Example(Service);
        ((JsonObject)lobedaData["newAddress"]!)["postalCode"] = "07747";
        await Host.Submit(Service, lobedaData);
        await Host.Submit("defect-report");

        return ([dueFirst, a.CaseNumber, b.CaseNumber, dueLast], a);
    }

    [Fact]
    public async Task Queue_lists_the_open_cases_of_the_team_by_due_date_then_submission()
    {
        var (expected, a) = await FillQueue();
        var page = await Queue();
        Assert.Equal(expected, CaseNumbers(page));
        Assert.Equal(4, (long)page["total"]!);
        Assert.Equal(1, (int)page["page"]!);
        Assert.Equal(50, (int)page["pageSize"]!);

        var entry = page["items"]![1]!;
        Assert.Equal(Service, (string)entry["serviceId"]!);
        Assert.Equal("submitted", (string)entry["state"]!);
        Assert.Equal(a.DueOn!.Value.ToString("yyyy-MM-dd"), (string)entry["dueOn"]!);
        Assert.Equal(a.DueOn!.Value.DayNumber - BerlinClock.DateOf(DateTimeOffset.UtcNow).DayNumber, (int)entry["daysLeft"]!);
        Assert.False((bool)entry["waitingForCitizen"]!);
        Assert.Null(entry["assigneeId"]);
    }

    [Fact]
    public async Task Queue_shows_who_works_on_a_case_and_when_it_waits_for_the_citizen()
    {
        var submitted = await Host.Submit(Service);
        await Host.Act(submitted.CaseNumber, Anna, "start-review");
        await Host.Act(submitted.CaseNumber, Anna, "request-landlord-confirmation", new JsonObject { ["message"] = "Bitte nachreichen." });

        var entry = Assert.Single((await Queue())["items"]!.AsArray())!;
        Assert.Equal("waiting-for-citizen", (string)entry["state"]!);
        Assert.True((bool)entry["waitingForCitizen"]!);
        Assert.Equal("anna", (string)entry["assigneeId"]!);
        Assert.Equal("Anna Schmidt", (string)entry["assigneeName"]!);
    }

    [Fact]
    public async Task Closed_cases_leave_the_queue()
    {
        var withdrawn = await Host.Submit(Service);
        var rejected = await Host.Submit(Service);
        var open = await Host.Submit(Service);
        Assert.Equal([withdrawn.CaseNumber, rejected.CaseNumber, open.CaseNumber], CaseNumbers(await Queue()));

        await Host.CitizenAct(withdrawn.CaseNumber, withdrawn.TrackingCode, "withdraw", 1);
        Assert.Equal([rejected.CaseNumber, open.CaseNumber], CaseNumbers(await Queue()));

        await Host.Act(rejected.CaseNumber, Anna, "start-review");
        await Host.Act(rejected.CaseNumber, Anna, "reject", new JsonObject { ["reason"] = "Doppelte Anmeldung." });
        var page = await Queue();
        Assert.Equal([open.CaseNumber], CaseNumbers(page));
        Assert.Equal(1, (long)page["total"]!);
    }

    [Fact]
    public async Task Queue_pages()
    {
        var (expected, _) = await FillQueue();

        var second = await Queue("?pageSize=1&page=2");
        Assert.Equal([expected[1]], CaseNumbers(second));
        Assert.Equal(4, (long)second["total"]!);
        Assert.Equal(2, (int)second["page"]!);
        Assert.Equal(1, (int)second["pageSize"]!);

        var pages = new List<string>();
        for (var p = 1; p <= 2; p++) pages.AddRange(CaseNumbers(await Queue($"?pageSize=3&page={p}")));
        Assert.Equal(expected, pages);

        var last = await Queue("?pageSize=3&page=2");
        Assert.Equal([expected[3]], CaseNumbers(last));
        Assert.Equal(4, (long)last["total"]!);
    }

    [Fact]
    public async Task A_page_past_the_end_is_empty_but_still_counts_the_queue()
    {
        await FillQueue();
        var beyond = await Queue("?pageSize=1&page=5");
        Assert.Empty(beyond["items"]!.AsArray());
        Assert.Equal(5, (int)beyond["page"]!);
        Assert.Equal(4, (long)beyond["total"]!);
    }

    [Theory]
    [InlineData("?pageSize=0", "pageSize")]
    [InlineData("?pageSize=201", "pageSize")]
    [InlineData("?page=0", "page")]
    public async Task Out_of_range_paging_is_400(string query, string field)
    {
        var response = await Host.Get($"/api/queues/{Team}{query}", Anna);
        var problem = response.AssertProblem(400, "range");
        var violation = Assert.Single(problem.AssertConsistentErrors());
        Assert.Equal((field, "range"), (violation.Field, violation.Rule));
    }

    [Theory]
    [InlineData("?pageSize=abc", "pageSize")]
    [InlineData("?page=abc", "page")]
    public async Task Non_numeric_paging_is_400(string query, string field)
    {
        var response = await Host.Get($"/api/queues/{Team}{query}", Anna);
        response.AssertProblemStatus(400);
        Assert.Contains(field, response.Json!.AsObject().Errors().Keys);
    }

    [Fact]
    public async Task Caseworker_of_another_team_may_not_read_the_queue()
    {
        await Host.Submit(Service);
        var otto = App.Token("caseworker", "parking-permits", "Otto Fremd", subject: "otto");
        var response = await Host.Get($"/api/queues/{Team}", otto);
        response.AssertProblem(403, "other-team");
        Assert.DoesNotContain("caseNumber", response.Text);

        // Their own queue is empty: the case is not theirs.
        Assert.Empty((await Queue(token: otto, team: "parking-permits"))["items"]!.AsArray());
    }

    [Fact]
    public async Task Routed_cases_go_to_the_queue_of_the_team_they_are_routed_to()
    {
        var data = await Host.Example(Service);
        ((JsonObject)data["newAddress"]!)["postalCode"] = "07745";
        var lobeda = await Host.Submit(Service, data);
        var central = await Host.Submit(Service);

        Assert.Equal([central.CaseNumber], CaseNumbers(await Queue()));
        var lobedaWorker = App.Token("caseworker", "registration-office-lobeda", "Lea Lobeda", subject: "lea");
        Assert.Equal([lobeda.CaseNumber], CaseNumbers(await Queue(token: lobedaWorker, team: "registration-office-lobeda")));
        // Another team's case answers like a case that does not exist.
        (await Host.Get($"/api/cases/{lobeda.CaseNumber}", Anna)).AssertProblem(404, "not-found");
    }

    [Fact]
    public async Task Auditors_and_admins_read_any_queue()
    {
        var submitted = await Host.Submit(Service);
        Assert.Equal([submitted.CaseNumber], CaseNumbers(await Queue(token: App.Token("auditor", name: "Ida Prüfer", subject: "ida"))));
        Assert.Equal([submitted.CaseNumber], CaseNumbers(await Queue(token: App.Token("admin", name: "Ada Admin", subject: "ada"))));
    }
}
