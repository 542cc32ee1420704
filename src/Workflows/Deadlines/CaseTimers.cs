using System.Text.Json.Nodes;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Wolverine.Attributes;

namespace Vorgang.Workflows.Deadlines;

/// <summary>
/// A timer of one case, sent to the engine itself as a durable scheduled message that fires at <see cref="FireAt"/>.
/// It remembers the situation it was set for — the stream <see cref="Version"/> after the events that set it, the
/// <see cref="State"/> and the <see cref="DueOn"/> — so that it acts at most once and never on a case that has moved on.
/// </summary>
/// <param name="Kind">One of <see cref="CaseTimerKinds"/>.</param>
/// <param name="SetAt">When the situation began: the case entered <see cref="State"/>, or the due date was set or moved.</param>
[MessageIdentity("case_timer")]
public sealed record CaseTimer(string CaseNumber, string Kind, long Version, string State, DateOnly? DueOn, DateTimeOffset SetAt, DateTimeOffset FireAt);

public static class CaseTimerKinds
{
    /// <summary>Remind the citizen the office still waits for them (state-level <c>reminder</c>).</summary>
    public const string Reminder = "reminder";
    /// <summary>Take the state's <c>timeout</c> system action, e.g. close an unanswered application.</summary>
    public const string Timeout = "timeout";
    /// <summary>Escalate <see cref="CaseTimers.DueSoonWorkingDays"/> working days before the due date.</summary>
    public const string DueSoon = "due-soon";
    /// <summary>Escalate when the due date has passed.</summary>
    public const string Overdue = "overdue";
    /// <summary>Erase the personal data of a final case when the service's retention period has ended.</summary>
    public const string Retention = "retention";
}

/// <summary>What a due timer does: the events to append, or why it does nothing.</summary>
public sealed record TimerOutcome(IReadOnlyList<object> Events, string? SkippedBecause)
{
    public static TimerOutcome Skip(string because) => new([], because);
}

/// <summary>Which timers a change sets, and what a timer does when it fires — pure functions of definition, case and time.</summary>
public static class CaseTimers
{
    /// <summary>How many working days before the due date a case is escalated as due soon.</summary>
    public const int DueSoonWorkingDays = 2;

    /// <summary>Reminders and due-soon warnings arrive before office hours; a period that ends with a day fires at the next midnight.</summary>
    public static readonly TimeOnly Morning = new(7, 0);

    public static readonly Caller System = new(Actor.System.Id, Roles.System, Actor.System.Name, null, Channels.System);

    /// <summary>
    /// The timers that <paramref name="events"/>, just decided, set for the case as it is after them (<paramref name="after"/>,
    /// whose <see cref="Case.Version"/> is the stream version after the events):
    /// entering a state with a <c>reminder</c> or <c>timeout</c> sets those, counted in working days from the day of entering;
    /// setting or moving the due date — or the clock running again — sets the due-soon and overdue escalations.
    /// </summary>
    public static IReadOnlyList<CaseTimer> Plan(ProcessDefinition definition, Case after, IReadOnlyList<object> events)
    {
        if (after.IsClosed)
        {
            // The one timer of a final case: the end of its personal data, a whole number of days after it became final.
            return events.OfType<CaseClosed>().LastOrDefault() is { } closed && definition.Retention is { } retention
                ? [new CaseTimer(after.Id, CaseTimerKinds.Retention, after.Version, after.State, after.DueOn, closed.ClosedAt,
                    BerlinClock.At(BerlinClock.DateOf(closed.ClosedAt).AddDays(retention.ErasePersonalDataAfterDays + 1), TimeOnly.MinValue))]
                : [];
        }
        var timers = new List<CaseTimer>();

        var entered = events.Select(e => e switch
        {
            CaseSubmitted s => s.SubmittedAt,
            ICaseTransition t => t.TakenAt,
            _ => (DateTimeOffset?)null,
        }).LastOrDefault(at => at is not null);
        if (entered is { } since && definition.State(after.State) is { } state)
        {
            var day = BerlinClock.DateOf(since);
            if (state.Reminder is { } reminder)
                timers.Add(new(after.Id, CaseTimerKinds.Reminder, after.Version, state.Id, after.DueOn, since,
                    BerlinClock.At(WorkingDays.Add(day, reminder.AfterWorkingDays), Morning)));
            if (state.Timeout is { } timeout)
                // The citizen has the whole last working day to answer.
                timers.Add(new(after.Id, CaseTimerKinds.Timeout, after.Version, state.Id, after.DueOn, since,
                    BerlinClock.At(WorkingDays.Add(day, timeout.AfterWorkingDays).AddDays(1), TimeOnly.MinValue)));
        }

        var dueSet = events.LastOrDefault(e => e is CaseSubmitted or DeadlineResumed or DeadlineExtended);
        if (dueSet is not null && after.DueOn is { } due && !after.ClockStopped)
        {
            var at = dueSet switch
            {
                CaseSubmitted s => s.SubmittedAt,
                DeadlineResumed r => r.ResumedAt,
                DeadlineExtended x => x.ExtendedAt,
                _ => after.LastChangedAt,
            };
            timers.Add(new(after.Id, CaseTimerKinds.DueSoon, after.Version, after.State, due, at,
                BerlinClock.At(WorkingDays.Subtract(due, DueSoonWorkingDays), Morning)));
            // The due date is the last day of the period: the case is overdue when it has ended.
            timers.Add(new(after.Id, CaseTimerKinds.Overdue, after.Version, after.State, due, at,
                BerlinClock.At(due.AddDays(1), TimeOnly.MinValue)));
        }
        return timers;
    }

    /// <summary>
    /// What <paramref name="timer"/> does to the case now. <paramref name="eventsSince"/> are the case's events after the
    /// version the timer was set at: a waiting timer acts only if the case has taken no step since (and, for a reminder,
    /// has not been reminded); an escalation only while its due date is still in force, the clock runs and it was not
    /// escalated for that date before.
    /// </summary>
    public static TimerOutcome Fire(
        ProcessDefinition definition, Case state, CaseTimer timer, IReadOnlyList<object> eventsSince, DateTimeOffset now, DateOnly today)
    {
        if (state.IsClosed) return TimerOutcome.Skip($"case {state.Id} is closed");
        switch (timer.Kind)
        {
            case CaseTimerKinds.Reminder or CaseTimerKinds.Timeout:
                if (state.State != timer.State || eventsSince.OfType<ICaseTransition>().Any())
                    return TimerOutcome.Skip($"case {state.Id} has moved on from '{timer.State}' since version {timer.Version}");
                if (timer.Kind == CaseTimerKinds.Reminder)
                {
                    return eventsSince.OfType<CitizenReminded>().Any()
                        ? TimerOutcome.Skip($"case {state.Id} was already reminded")
                        : new TimerOutcome([new CitizenReminded(state.Id, state.State, timer.SetAt, now)], null);
                }
                if (definition.State(state.State)?.Timeout is not { } timeout)
                    return TimerOutcome.Skip($"state '{state.State}' has no timeout");
                var decision = CaseDecider.Decide(definition, state, timeout.Action, new JsonObject(), System, now, today);
                return decision.Problem is { } problem
                    ? TimerOutcome.Skip($"the system action '{timeout.Action}' was refused: {problem.Rule}: {problem.Detail}")
                    : new TimerOutcome(decision.Events, null);

            case CaseTimerKinds.DueSoon or CaseTimerKinds.Overdue:
                if (state.DueOn != timer.DueOn || timer.DueOn is not { } due)
                    return TimerOutcome.Skip($"the due date of case {state.Id} moved from {timer.DueOn:yyyy-MM-dd} to {state.DueOn:yyyy-MM-dd}");
                if (state.ClockStopped)
                    return TimerOutcome.Skip($"the clock of case {state.Id} stands still");
                var kind = timer.Kind == CaseTimerKinds.Overdue ? DeadlineChangeKinds.Overdue : DeadlineChangeKinds.DueSoon;
                if (state.DeadlineHistory.Any(c => c.Kind == kind && c.DueOn == due))
                    return TimerOutcome.Skip($"case {state.Id} was already escalated as {timer.Kind} for {due:yyyy-MM-dd}");
                return new TimerOutcome([new CaseEscalated(state.Id, timer.Kind, due, state.Team, state.AssigneeId, now)], null);

            default:
                return TimerOutcome.Skip($"unknown timer kind '{timer.Kind}'");
        }
    }
}
