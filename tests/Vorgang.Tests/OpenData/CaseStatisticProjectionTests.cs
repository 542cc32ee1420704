using System.Text.Json.Nodes;
using JasperFx.Events;
using Vorgang.Projections.Statistics;
using Vorgang.Workflows.Cases;

namespace Vorgang.Tests.OpenData;

/// <summary>The fold of a case's events into its anonymous facts, without the store.</summary>
public sealed class CaseStatisticProjectionTests
{
    private const string Number = "2026-000001";
    private static readonly Actor Anna = new("anna", "caseworker", "Anna Schmidt", Channels.Office);
    private static readonly DateOnly Monday = new(2026, 11, 2);

    /// <summary>A deadline shift of a kind the projection has never heard of, as a teammate might add it.</summary>
    private sealed record SomeDeadlineMoved(string CaseNumber, DateOnly PreviousDueOn, DateOnly NewDueOn, DateTimeOffset MovedAt);

    private sealed record SomethingElseHappened(string CaseNumber, string Note);

    private static CaseStatistic? Fold(params object[] events)
    {
        var projection = new CaseStatisticProjection();
        CaseStatistic? statistic = null;
        foreach (var data in events) statistic = projection.Evolve(statistic, Number, Wrap(data));
        return statistic;
    }

    private static IEvent Wrap(object data) => (IEvent)Activator.CreateInstance(typeof(Event<>).MakeGenericType(data.GetType()), data)!;

    private static DateTimeOffset At(DateOnly day, int hour = 10) => new(day.ToDateTime(new TimeOnly(hour, 0)), TimeSpan.FromHours(1));

    private static ICaseTransition Step(DateOnly on, string to, string? waitingFor) =>
        new CaseActionTaken(Number, "step", "any", to, new JsonObject(), waitingFor, Anna, At(on));

    [Fact]
    public void A_closed_case_keeps_dates_outcome_working_days_and_whether_it_met_its_deadline()
    {
        var statistic = Fold(
            CaseFacts.Submitted(Number, Monday, dueOn: Monday.AddDays(9)),
            new CaseClaimed(Number, Anna.Id, Anna.Name, Anna, At(Monday)),
            new CaseDecided(Number, "register", "in-review", "registered", "approved", new JsonObject(), Anna, At(Monday.AddDays(7))),
            new CaseClosed(Number, "registered", "approved", At(Monday.AddDays(7))))!;

        Assert.Equal(new CaseStatistic
        {
            Id = Number,
            ServiceId = CaseFacts.Service,
            DefinitionVersion = 1,
            SubmittedOn = Monday,
            DueOn = Monday.AddDays(9),
            ClosedOn = Monday.AddDays(7),
            ClosedWeek = Monday.AddDays(7),
            ClosedMonth = new DateOnly(2026, 11, 1),
            Outcome = "approved",
            ProcessingDays = 5,
            WithinDeadline = true,
        }, statistic);
    }

    [Fact]
    public void Submission_and_closing_count_in_Berlin_dates()
    {
        // 23:30 UTC on Sunday is already Monday in Jena.
        var late = new DateTimeOffset(2026, 11, 1, 23, 30, 0, TimeSpan.Zero);
        var submitted = CaseFacts.Submitted(Number, Monday, null) with { SubmittedAt = late };
        Assert.Equal(Monday, Fold(submitted)!.SubmittedOn);
    }

    [Fact]
    public void Time_waiting_for_the_citizen_is_summed_in_working_days()
    {
        var statistic = Fold(
            CaseFacts.Submitted(Number, Monday, null),
            Step(Monday.AddDays(1), "waiting", "citizen"),          // Tuesday
            Step(Monday.AddDays(2), "waiting-again", "citizen"),    // still waiting: the wait goes on from Tuesday
            Step(Monday.AddDays(7), "in-review", null),             // next Monday: 4 working days (Wed, Thu, Fri, Mon)
            Step(Monday.AddDays(8), "waiting-for-school", "school"), // a party, not the citizen
            Step(Monday.AddDays(9), "waiting", "citizen"),          // Wednesday …
            new CaseClosed(Number, "withdrawn", "withdrawn", At(Monday.AddDays(11))))!; // … to Friday: 2 more

        Assert.Equal(6, statistic.WaitingForCitizenDays);
        Assert.Null(statistic.WaitingForCitizenSince);
        Assert.Equal(9, statistic.ProcessingDays);
        Assert.Null(statistic.WithinDeadline);
    }

    [Fact]
    public void An_unknown_event_that_carries_a_new_due_date_moves_the_deadline_and_other_unknown_events_are_ignored()
    {
        var closedOn = Monday.AddDays(9);
        var statistic = Fold(
            CaseFacts.Submitted(Number, Monday, dueOn: Monday.AddDays(4)),
            new SomethingElseHappened(Number, "ignored"),
            new SomeDeadlineMoved(Number, Monday.AddDays(4), Monday.AddDays(11), At(Monday.AddDays(3))),
            new CaseClosed(Number, "rejected", "rejected", At(closedOn)))!;

        Assert.Equal(Monday.AddDays(11), statistic.DueOn);
        Assert.True(statistic.WithinDeadline);
    }

    [Fact]
    public void Once_closed_the_facts_are_final_and_events_without_a_submission_make_nothing()
    {
        var closed = Fold(
            CaseFacts.Submitted(Number, Monday, dueOn: Monday.AddDays(4)),
            new CaseClosed(Number, "rejected", "rejected", At(Monday.AddDays(2))))!;
        var projection = new CaseStatisticProjection();
        Assert.Same(closed, projection.Evolve(closed, Number, Wrap(new SomeDeadlineMoved(Number, Monday, Monday, At(Monday.AddDays(5))))));
        Assert.Same(closed, projection.Evolve(closed, Number, Wrap(new CaseClosed(Number, "x", "x", At(Monday.AddDays(30))))));

        Assert.Null(Fold(new CaseClosed(Number, "rejected", "rejected", At(Monday))));
    }

    [Fact]
    public void The_facts_have_no_place_for_personal_data()
    {
        var properties = typeof(CaseStatistic).GetProperties().Select(p => p.Name).Order().ToList();
        Assert.Equal(
            ["ClosedMonth", "ClosedOn", "ClosedWeek", "DefinitionVersion", "DueOn", "Id", "Outcome", "ProcessingDays", "ServiceId", "SubmittedOn",
             "WaitingForCitizenDays", "WaitingForCitizenSince", "WithinDeadline"],
            properties);
    }
}
