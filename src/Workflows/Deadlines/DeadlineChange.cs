using Vorgang.Workflows.Cases;

namespace Vorgang.Workflows.Deadlines;

/// <summary>
/// One entry of a case's deadline history, kept in the <see cref="Case"/> snapshot so that the staff view and the
/// case "as of" a version show how the due date got where it is. Built only from the events.
/// </summary>
/// <param name="Kind">One of <see cref="DeadlineChangeKinds"/>.</param>
/// <param name="DueOn">The due date after the change (for reminders and escalations: the due date in force).</param>
/// <param name="Days">Days the due date moved by (resumed: the days waited; extended: the working days granted).</param>
/// <param name="DayKind"><c>working</c> or <c>calendar</c>: how <paramref name="Days"/> count.</param>
/// <param name="Reason">Extended: the caseworker's reason. Escalations: <c>due-soon</c> or <c>overdue</c>.</param>
/// <param name="ActionId">Suspended, resumed: the step that made the office wait or stop waiting.</param>
/// <param name="State">The state the case was in or went to.</param>
public sealed record DeadlineChange(
    string Kind,
    DateTimeOffset At,
    DateOnly? DueOn,
    DateOnly? PreviousDueOn = null,
    int? Days = null,
    string? DayKind = null,
    string? Reason = null,
    string? ActionId = null,
    string? State = null,
    string? ById = null,
    string? ByName = null)
{
    public static DeadlineChange Of(DeadlineSuspended e) =>
        new(DeadlineChangeKinds.Suspended, e.SuspendedAt, e.DueOn, ActionId: e.ActionId, State: e.State);

    public static DeadlineChange Of(DeadlineResumed e) =>
        new(DeadlineChangeKinds.Resumed, e.ResumedAt, e.DueOn, e.PreviousDueOn, e.DaysAdded, e.DayKind, ActionId: e.ActionId, State: e.State);

    public static DeadlineChange Of(DeadlineExtended e) =>
        new(DeadlineChangeKinds.Extended, e.ExtendedAt, e.DueOn, e.PreviousDueOn, e.WorkingDays, LegalClock.Working, e.Reason,
            ById: e.ExtendedBy.Id, ByName: e.ExtendedBy.Name);

    public static DeadlineChange Of(CitizenReminded e) =>
        new(DeadlineChangeKinds.Reminded, e.RemindedAt, null, State: e.State);

    public static DeadlineChange Of(CaseEscalated e) =>
        new(e.Kind == CaseTimerKinds.Overdue ? DeadlineChangeKinds.Overdue : DeadlineChangeKinds.DueSoon, e.EscalatedAt, e.DueOn, Reason: e.Kind);
}

public static class DeadlineChangeKinds
{
    /// <summary>Only in views: the due date set at submission (from <c>legalDeadline</c>).</summary>
    public const string Set = "set";
    public const string Suspended = "suspended", Resumed = "resumed", Extended = "extended", Reminded = "reminded",
        DueSoon = "due-soon", Overdue = "overdue";
}
