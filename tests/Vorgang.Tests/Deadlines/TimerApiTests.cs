using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Vorgang.Api.Features.Submitting;
using Vorgang.Tests.Infrastructure;
using Vorgang.Tests.Services;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;
using Wolverine;

namespace Vorgang.Tests.Deadlines;

/// <summary>
/// Timers end to end: scheduled as durable messages with the events that set them, delivered by Wolverine when due,
/// acting once and only on a case still in the situation they were set for. Time passes with <see cref="TimerScenarios.AdvanceTo"/>.
/// </summary>
public sealed class TimerApiTests(AppFixture app) : ApiTest(app)
{
    private const string Service = "change-of-address";
    private const string Team = "registration-office";

    private static readonly DateOnly Monday = new(2026, 3, 30);
    private static readonly DateOnly Thursday = new(2026, 4, 2);
    private static readonly TimeOnly Nine = new(9, 0);

    private string Anna => App.Token("caseworker", Team, "Anna Schmidt", subject: "anna");
    private string Auditor => App.Token("auditor", name: "Ida Prüfer");

    private void On(DateOnly day, TimeOnly? time = null) => App.Clock.SetUtcNow(BerlinClock.At(day, time ?? Nine));

    private Task AdvanceTo(DateOnly day, TimeOnly? time = null) => Host.AdvanceTo(App.Clock, day, time ?? Nine);

    /// <summary>Submitted on Monday 30 March (due 15 April), reviewed, and waiting for the citizen since Thursday 2 April.</summary>
    private async Task<(SubmissionAccepted Submitted, JsonNode Staff)> WaitingForTheCitizenSinceThursday()
    {
        On(Monday);
        var data = await Host.Example(Service);
        data["landlordConfirmationAvailable"] = false;
        data.Remove("landlordName");
        var submitted = await Host.Submit(Service, data, language: "en");
        await Host.Act(submitted.CaseNumber, Anna, "start-review");
        On(Thursday);
        var staff = await Host.Act(submitted.CaseNumber, Anna, "request-landlord-confirmation", new JsonObject { ["message"] = "Please send the confirmation." });
        return (submitted, staff);
    }

    private async Task<List<string>> EventTypes(string caseNumber)
    {
        var (status, body, _) = await Host.Send(HttpMethod.Get, $"/api/cases/{caseNumber}/history", token: Auditor);
        Assert.Equal(200, status);
        return body!["events"]!.AsArray().Select(e => (string)e!["type"]!).ToList();
    }

    private async Task<List<JsonNode>> Events(string caseNumber, string type)
    {
        var (_, body, _) = await Host.Send(HttpMethod.Get, $"/api/cases/{caseNumber}/history", token: Auditor);
        return body!["events"]!.AsArray().Where(e => (string)e!["type"]! == type).Select(e => e!).ToList();
    }

    [Fact]
    public async Task The_citizen_is_reminded_once_after_five_working_days_of_waiting()
    {
        var (submitted, _) = await WaitingForTheCitizenSinceThursday();
        Assert.True(await Host.ScheduledTimers() >= 4, "due soon, overdue, reminder and timeout are stored");

        // Five working days after Thursday 2 April, with Easter in between: Monday 13 April.
        await AdvanceTo(new DateOnly(2026, 4, 10));
        Assert.DoesNotContain("citizen_reminded", await EventTypes(submitted.CaseNumber));

        await AdvanceTo(new DateOnly(2026, 4, 13), new TimeOnly(7, 30));
        var reminded = Assert.Single(await Events(submitted.CaseNumber, "citizen_reminded"));
        Assert.Equal("waiting-for-citizen", (string)reminded["data"]!["state"]!);
        Assert.Equal("system", (string)reminded["actor"]!["role"]!);
        var staff = await Host.StaffCase(submitted.CaseNumber, Anna);
        Assert.Equal("reminded", (string)staff["deadline"]!["history"]!.AsArray().Last()!["kind"]!);

        // Later days do not remind again.
        await AdvanceTo(new DateOnly(2026, 4, 14));
        Assert.Single(await Events(submitted.CaseNumber, "citizen_reminded"));
    }

    [Fact]
    public async Task A_timer_delivered_twice_acts_once()
    {
        var (submitted, staff) = await WaitingForTheCitizenSinceThursday();
        var requestedAt = (await Events(submitted.CaseNumber, "information_requested")).Single()["data"]!["takenAt"]!.GetValue<DateTimeOffset>();
        var reminder = new CaseTimer(submitted.CaseNumber, CaseTimerKinds.Reminder, (long)staff["version"]!, "waiting-for-citizen",
            new DateOnly(2026, 4, 15), requestedAt, BerlinClock.At(new DateOnly(2026, 4, 13), CaseTimers.Morning));
        On(new DateOnly(2026, 4, 13), new TimeOnly(8, 0));

        // Delivered twice, one after the other and then twice at the same time: the case is reminded once.
        using (var scope = Host.Services.CreateScope())
        {
            var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
            await bus.InvokeAsync(reminder);
            await bus.InvokeAsync(reminder);
        }
        await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            using var scope = Host.Services.CreateScope();
            await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync(reminder);
        }));

        Assert.Single(await Events(submitted.CaseNumber, "citizen_reminded"));
    }

    [Fact]
    public async Task A_timer_does_nothing_once_the_case_has_moved_on_even_if_it_came_back_to_the_same_state()
    {
        var (submitted, _) = await WaitingForTheCitizenSinceThursday();

        // The citizen answers on Wednesday 8 April; on Thursday 9 April the office asks again.
        On(new DateOnly(2026, 4, 8));
        var view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "provide-information", (long)view["version"]!,
            new JsonObject { ["landlordName"] = "WG Jena eG" });
        On(new DateOnly(2026, 4, 9));
        await Host.Act(submitted.CaseNumber, Anna, "request-landlord-confirmation", new JsonObject { ["message"] = "The name is not enough, please send the confirmation." });

        // The first wait's reminder (due Monday 13 April) finds the case waiting again — but not since then: it does nothing.
        await AdvanceTo(new DateOnly(2026, 4, 13), new TimeOnly(8, 0));
        Assert.DoesNotContain("citizen_reminded", await EventTypes(submitted.CaseNumber));

        // The second wait's own reminder: five working days after 9 April is Thursday 16 April.
        await AdvanceTo(new DateOnly(2026, 4, 16), new TimeOnly(8, 0));
        Assert.Single(await Events(submitted.CaseNumber, "citizen_reminded"));
    }

    [Fact]
    public async Task Without_an_answer_for_twenty_working_days_the_system_closes_the_case()
    {
        var (submitted, _) = await WaitingForTheCitizenSinceThursday();

        // 20 working days after 2 April (Easter Monday and 1 May are holidays): Tuesday 5 May; closed after that day.
        await AdvanceTo(new DateOnly(2026, 5, 5), new TimeOnly(23, 0));
        Assert.DoesNotContain("case_withdrawn", await EventTypes(submitted.CaseNumber));

        await AdvanceTo(new DateOnly(2026, 5, 6), new TimeOnly(6, 0));
        var types = await EventTypes(submitted.CaseNumber);
        Assert.Equal(["citizen_reminded", "case_withdrawn", "case_closed"], types[^3..]);
        var withdrawn = Assert.Single(await Events(submitted.CaseNumber, "case_withdrawn"));
        Assert.Equal(("close-unanswered", "system", "system"),
            ((string)withdrawn["data"]!["actionId"]!, (string)withdrawn["actor"]!["role"]!, (string)withdrawn["actor"]!["channel"]!));

        var view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.True((bool)view["isClosed"]!);
        Assert.Equal("withdrawn", (string)view["outcome"]!);
        Assert.Equal("We have closed your registration because we did not hear from you for 20 working days. You can register again at any time.",
            (string)view["status"]!["text"]!);
        Assert.Empty(await Host.QueueItems(Team, Anna));
    }

    [Fact]
    public async Task A_case_is_escalated_when_due_soon_and_when_overdue_for_the_due_date_in_force()
    {
        On(Monday);
        var submitted = await Host.Submit(Service);
        Assert.Equal(new DateOnly(2026, 4, 15), submitted.DueOn);
        await Host.Act(submitted.CaseNumber, Anna, "start-review");

        // On Friday 10 April Anna extends by two working days: due Friday 17 April. The timers set for 15 April do nothing.
        On(new DateOnly(2026, 4, 10));
        await Host.Act(submitted.CaseNumber, Anna, "extend-deadline", new JsonObject { ["workingDays"] = 2, ["reason"] = "Waiting for the landlord register." });
        await AdvanceTo(new DateOnly(2026, 4, 14), new TimeOnly(8, 0));
        Assert.DoesNotContain("case_escalated", await EventTypes(submitted.CaseNumber));

        // Two working days before 17 April: Wednesday 15 April.
        await AdvanceTo(new DateOnly(2026, 4, 15), new TimeOnly(8, 0));
        var dueSoon = Assert.Single(await Events(submitted.CaseNumber, "case_escalated"));
        Assert.Equal(("due-soon", "2026-04-17", Team, "anna"),
            ((string)dueSoon["data"]!["kind"]!, (string)dueSoon["data"]!["dueOn"]!, (string)dueSoon["data"]!["team"]!, (string)dueSoon["data"]!["assigneeId"]!));

        // The day after the due date.
        await AdvanceTo(new DateOnly(2026, 4, 17), new TimeOnly(23, 0));
        Assert.Single(await Events(submitted.CaseNumber, "case_escalated"));
        await AdvanceTo(new DateOnly(2026, 4, 18), new TimeOnly(0, 30));
        var escalations = await Events(submitted.CaseNumber, "case_escalated");
        Assert.Equal(["due-soon", "overdue"], escalations.Select(e => (string)e["data"]!["kind"]!));

        var staff = await Host.StaffCase(submitted.CaseNumber, Anna);
        Assert.Equal(["set", "extended", "due-soon", "overdue"], staff["deadline"]!["history"]!.AsArray().Select(e => (string)e!["kind"]!));
    }

    [Fact]
    public async Task Timers_are_stored_with_their_events_so_the_losers_of_a_race_leave_none()
    {
        On(Monday);
        var submitted = await Host.Submit(Service);
        Assert.Equal(2, await Host.ScheduledTimers()); // due soon and overdue

        // Ten caseworkers extend at once; each request that gets as far as saving has scheduled two new escalations.
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = Enumerable.Range(1, 10).Select(async i =>
        {
            var token = App.Token("caseworker", Team, $"Caseworker {i}", subject: $"cw{i}");
            await start.Task;
            return (await Host.TryAct(submitted.CaseNumber, token, "extend-deadline", submitted.Version,
                new JsonObject { ["workingDays"] = 1, ["reason"] = $"Reason {i}" })).Status;
        }).ToList();
        start.SetResult();
        var statuses = await Task.WhenAll(requests);

        Assert.Equal(1, statuses.Count(s => s == 200));
        Assert.All(statuses.Where(s => s != 200), s => Assert.Equal(409, s));
        // Only the winner's timers were committed: the others' went with their rolled-back transactions.
        Assert.Equal(4, await Host.ScheduledTimers());
        Assert.Single(await Events(submitted.CaseNumber, "deadline_extended"));
    }

    [Fact]
    public async Task No_escalation_while_the_clock_stands_still()
    {
        var (submitted, _) = await WaitingForTheCitizenSinceThursday();

        // Due 15 April, but the case has waited for the citizen since 2 April: neither due soon nor overdue.
        await AdvanceTo(new DateOnly(2026, 4, 16), new TimeOnly(8, 0));
        Assert.DoesNotContain("case_escalated", await EventTypes(submitted.CaseNumber));
    }
}
