using System.Text.Json.Nodes;
using Vorgang.Tests.Definitions;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Tests.Deadlines;

/// <summary>Which timers a change sets, and what a due timer does — pure, with the shipped change-of-address definition.</summary>
public sealed class CaseTimersTests
{
    private const string CaseNumber = "2026-000042";
    private static readonly DateOnly Monday = new(2026, 3, 30);
    private static readonly DateOnly Thursday = new(2026, 4, 2);
    private static readonly ProcessDefinition Definition = ShippedDefinitions.Definition("change-of-address", today: Monday);
    private static readonly Caller Anna = new("anna", Roles.Caseworker, "Anna Schmidt", "registration-office", Channels.Office);
    private static readonly Caller Citizen = new("citizen", Roles.Citizen, "", null);

    private static DateTimeOffset At(DateOnly day, int hour = 10) => BerlinClock.At(day, new TimeOnly(hour, 0));

    private static (Case State, IReadOnlyList<object> Events) Submit()
    {
        var data = new JsonObject
        {
            ["firstName"] = "Erika", ["lastName"] = "Mustermann", ["dateOfBirth"] = "1985-04-12",
            ["previousAddress"] = new JsonObject { ["street"] = "Am Anger", ["houseNumber"] = "12", ["postalCode"] = "07743", ["city"] = "Jena" },
            ["newAddress"] = new JsonObject { ["street"] = "Löbdergraben", ["houseNumber"] = "3", ["postalCode"] = "07743", ["city"] = "Jena" },
            ["moveInDate"] = "2026-03-27", ["landlordConfirmationAvailable"] = false,
        };
        var decision = CaseDecider.Submit(Definition, data, "de", CaseNumber, "hash", Actor.AnonymousCitizen(), At(Monday), Monday);
        return (Case.Create((CaseSubmitted)decision.Events[0]), decision.Events);
    }

    private static (Case State, IReadOnlyList<object> Events) Act(Case state, string action, Caller caller, DateOnly on, JsonObject? input = null)
    {
        var decision = CaseDecider.Decide(Definition, state, action, input, caller, At(on), on);
        Assert.True(decision.Problem is null, $"Refused: {decision.Problem}");
        return (decision.Events.Aggregate(state, (s, e) => s.Fold(e)), decision.Events);
    }

    private static (Case State, IReadOnlyList<object> Events) WaitingSinceThursday()
    {
        var (inReview, _) = Act(Submit().State, "start-review", Anna, Monday);
        return Act(inReview, "request-landlord-confirmation", Anna, Thursday, new JsonObject { ["message"] = "Bitte nachreichen." });
    }

    private static CaseTimer Timer(IReadOnlyList<CaseTimer> timers, string kind) => Assert.Single(timers, t => t.Kind == kind);

    [Fact]
    public void Submission_sets_the_due_soon_and_overdue_escalations()
    {
        var (state, events) = Submit();

        var timers = CaseTimers.Plan(Definition, state, events);

        Assert.Equal(["due-soon", "overdue"], timers.Select(t => t.Kind));
        // Due 15 April: two working days before, in the morning; and when 15 April has ended (midnight in Jena, summer time).
        Assert.Equal(new CaseTimer(CaseNumber, "due-soon", 1, "submitted", new DateOnly(2026, 4, 15), At(Monday), BerlinClock.At(new DateOnly(2026, 4, 13), new TimeOnly(7, 0))),
            Timer(timers, "due-soon"));
        Assert.Equal(new DateTimeOffset(2026, 4, 15, 22, 0, 0, TimeSpan.Zero), Timer(timers, "overdue").FireAt);
    }

    [Fact]
    public void Entering_a_waiting_state_sets_its_reminder_and_timeout_and_no_escalation_while_the_clock_stands_still()
    {
        var (state, events) = WaitingSinceThursday();

        var timers = CaseTimers.Plan(Definition, state, events);

        Assert.Equal(["reminder", "timeout"], timers.Select(t => t.Kind));
        var reminder = Timer(timers, "reminder");
        Assert.Equal((state.Version, "waiting-for-citizen", At(Thursday)), (reminder.Version, reminder.State, reminder.SetAt));
        Assert.Equal(BerlinClock.At(new DateOnly(2026, 4, 13), new TimeOnly(7, 0)), reminder.FireAt); // 5 working days, Easter in between
        Assert.Equal(BerlinClock.At(new DateOnly(2026, 5, 6), TimeOnly.MinValue), Timer(timers, "timeout").FireAt); // after the 20th working day, 5 May
    }

    [Fact]
    public void The_clock_running_again_or_an_extension_sets_escalations_for_the_new_due_date()
    {
        var (waiting, _) = WaitingSinceThursday();
        var (answered, events) = Act(waiting, "provide-information", Citizen, new DateOnly(2026, 4, 9), new JsonObject { ["landlordName"] = "WG Jena eG" });

        var timers = CaseTimers.Plan(Definition, answered, events);
        Assert.Equal(["due-soon", "overdue"], timers.Select(t => t.Kind));
        Assert.All(timers, t => Assert.Equal(new DateOnly(2026, 4, 20), t.DueOn));
        Assert.Equal(BerlinClock.At(new DateOnly(2026, 4, 16), new TimeOnly(7, 0)), Timer(timers, "due-soon").FireAt);

        var (extended, extension) = Act(answered, "extend-deadline", Anna, new DateOnly(2026, 4, 10), new JsonObject { ["workingDays"] = 1, ["reason"] = "x" });
        Assert.All(CaseTimers.Plan(Definition, extended, extension), t => Assert.Equal(new DateOnly(2026, 4, 21), t.DueOn));
    }

    [Fact]
    public void Steps_that_change_neither_state_nor_due_date_set_no_timer()
    {
        var (state, _) = Submit();
        var (claimed, events) = Act(state, "claim", Anna, Monday);

        Assert.Empty(CaseTimers.Plan(Definition, claimed, events));
        var (reviewing, review) = Act(claimed, "start-review", Anna, Monday);
        Assert.DoesNotContain(CaseTimers.Plan(Definition, reviewing, review), t => t.Kind is "due-soon" or "overdue" or "retention");
    }

    [Fact]
    public void Closing_a_case_sets_only_the_retention_timer_at_the_end_of_the_retention_period()
    {
        var (state, _) = Submit();
        var (claimed, _) = Act(state, "claim", Anna, Monday);
        var (closed, closing) = Act(Act(claimed, "start-review", Anna, Monday).State, "reject", Anna, Monday, new JsonObject { ["reason"] = "x" });

        var timer = Assert.Single(CaseTimers.Plan(Definition, closed, closing));
        Assert.Equal("retention", timer.Kind);
        // Closed on Monday 30 March; 180 days later is 26 September, erased as that day has ended.
        Assert.Equal(180, Definition.Retention!.ErasePersonalDataAfterDays);
        Assert.Equal(BerlinClock.At(new DateOnly(2026, 9, 27), TimeOnly.MinValue), timer.FireAt);
        // A closed case sets nothing more, whatever happens to it later.
        Assert.Empty(CaseTimers.Plan(Definition, closed, []));
    }

    [Fact]
    public void A_reminder_reminds_once_and_only_while_the_case_still_waits_since_then()
    {
        var (waiting, events) = WaitingSinceThursday();
        var reminder = Timer(CaseTimers.Plan(Definition, waiting, events), "reminder");
        var now = At(new DateOnly(2026, 4, 13), 8);

        var fired = CaseTimers.Fire(Definition, waiting, reminder, [], now, new DateOnly(2026, 4, 13));
        var reminded = Assert.IsType<CitizenReminded>(Assert.Single(fired.Events));
        Assert.Equal(new CitizenReminded(CaseNumber, "waiting-for-citizen", At(Thursday), now), reminded);

        // Delivered again after it acted: nothing.
        Assert.Contains("already reminded", CaseTimers.Fire(Definition, waiting.Fold(reminded), reminder, [reminded], now, new DateOnly(2026, 4, 13)).SkippedBecause);

        // The citizen answered in between: nothing.
        var (answered, answer) = Act(waiting, "provide-information", Citizen, new DateOnly(2026, 4, 8), new JsonObject { ["landlordName"] = "WG Jena eG" });
        Assert.Contains("moved on", CaseTimers.Fire(Definition, answered, reminder, answer, now, new DateOnly(2026, 4, 13)).SkippedBecause);

        // …and was asked again: waiting in the same state, but not since the timer was set.
        var (again, asked) = Act(answered, "request-landlord-confirmation", Anna, new DateOnly(2026, 4, 9), new JsonObject { ["message"] = "Noch einmal bitte." });
        var skipped = CaseTimers.Fire(Definition, again, reminder, [.. answer, .. asked], now, new DateOnly(2026, 4, 13));
        Assert.Empty(skipped.Events);
        Assert.Contains("moved on", skipped.SkippedBecause);
    }

    [Fact]
    public void A_timeout_takes_the_system_action_of_its_state()
    {
        var (waiting, events) = WaitingSinceThursday();
        var timeout = Timer(CaseTimers.Plan(Definition, waiting, events), "timeout");
        var now = At(new DateOnly(2026, 5, 6), 0);

        var fired = CaseTimers.Fire(Definition, waiting, timeout, [], now, new DateOnly(2026, 5, 6));

        Assert.Null(fired.SkippedBecause);
        Assert.Equal(new CaseWithdrawn(CaseNumber, "close-unanswered", "waiting-for-citizen", "closed-unanswered", new JsonObject(), null, Actor.System, now) with
        {
            Input = ((CaseWithdrawn)fired.Events[0]).Input,
        }, fired.Events[0]);
        Assert.Equal(new CaseClosed(CaseNumber, "closed-unanswered", "withdrawn", now), fired.Events[1]);
        Assert.Equal(2, fired.Events.Count); // closing while waiting: no resumption of the clock
        var closed = fired.Events.Aggregate(waiting, (s, e) => s.Fold(e));
        Assert.Contains("closed", CaseTimers.Fire(Definition, closed, timeout, fired.Events, now, new DateOnly(2026, 5, 6)).SkippedBecause);
    }

    [Fact]
    public void An_escalation_acts_for_the_due_date_in_force_while_the_clock_runs_once()
    {
        var (state, events) = Submit();
        var dueSoon = Timer(CaseTimers.Plan(Definition, state, events), "due-soon");
        var now = At(new DateOnly(2026, 4, 13), 8);
        var today = new DateOnly(2026, 4, 13);

        var escalated = Assert.IsType<CaseEscalated>(Assert.Single(CaseTimers.Fire(Definition, state, dueSoon, [], now, today).Events));
        Assert.Equal(new CaseEscalated(CaseNumber, "due-soon", new DateOnly(2026, 4, 15), "registration-office", null, now), escalated);
        Assert.Contains("already escalated", CaseTimers.Fire(Definition, state.Fold(escalated), dueSoon, [escalated], now, today).SkippedBecause);

        var (extended, _) = Act(state, "extend-deadline", Anna, new DateOnly(2026, 4, 10), new JsonObject { ["workingDays"] = 2, ["reason"] = "x" });
        Assert.Contains("moved", CaseTimers.Fire(Definition, extended, dueSoon, [], now, today).SkippedBecause);

        var (waiting, _) = Act(Act(state, "start-review", Anna, Monday).State, "request-landlord-confirmation", Anna, Thursday, new JsonObject { ["message"] = "x" });
        Assert.Contains("stands still", CaseTimers.Fire(Definition, waiting, dueSoon, [], now, today).SkippedBecause);
    }
}
