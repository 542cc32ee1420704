using JasperFx.Events;
using Marten.Events.Aggregation;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Forecasts;

namespace Vorgang.Projections.Queues;

/// <summary>One case as a team's work queue shows it.</summary>
public sealed record QueueItem
{
    public required string Id { get; init; }
    public required string ServiceId { get; init; }
    public required int DefinitionVersion { get; init; }
    public required string State { get; init; }
    public required string Team { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
    public DateOnly? DueOn { get; init; }
    public string? AssigneeId { get; init; }
    public string? AssigneeName { get; init; }
    public bool WaitingForCitizen { get; init; }
    /// <summary>The legal clock stands still: the office waits for the citizen, and <see cref="DueOn"/> will move by the days waited.</summary>
    public bool ClockStopped { get; init; }
    public bool IsOpen { get; init; } = true;
    public string? Outcome { get; init; }
    public DateTimeOffset LastChangedAt { get; init; }

    /// <summary>Working days the service norms expect from the current state to the end of the case.</summary>
    public int? RemainingNormDays { get; init; }

    /// <summary>
    /// The last day on which work must go on for the case to meet its due date: the due date less the remaining
    /// norm. It does not move with time, so ordering by it orders by risk of missing the deadline on any day.
    /// </summary>
    /// While the clock is stopped (the office waits for the citizen) the due date will move, so there is none.
    public DateOnly? StartBy => DueOn is { } due && !ClockStopped ? WorkingDays.Subtract(due, RemainingNormDays ?? 0) : null;

    // The queue's sort keys without nulls, so that one index serves both the order and row comparisons ("who is ahead").
    public DateOnly OrderStartBy => StartBy ?? DateOnly.MaxValue;
    public DateOnly OrderDueOn => DueOn ?? DateOnly.MaxValue;
}

public static class RiskBands
{
    public const string Overdue = "overdue", Late = "late", Tight = "tight", OnTrack = "on-track", Paused = "paused", NoDeadline = "no-deadline";
    public static readonly IReadOnlyList<string> All = [Overdue, Late, Tight, OnTrack, Paused, NoDeadline];

    /// <summary>Paused: the clock is stopped while the office waits for the citizen. Overdue: the due date has passed. Late: work should have been finished earlier than the norms allow. Tight: within two working days of that.</summary>
    public static string Of(QueueItem item, DateOnly today) => item switch
    {
        { DueOn: null } => NoDeadline,
        { ClockStopped: true } => Paused,
        { DueOn: { } due } when due < today => Overdue,
        { StartBy: { } start } when start < today => Late,
        { StartBy: { } start } when start <= WorkingDays.Add(today, 2) => Tight,
        _ => OnTrack,
    };
}

/// <remarks>Needs the definitions to know each state's remaining service norm.</remarks>
public sealed class QueueItemProjection(DefinitionCatalog catalog) : SingleStreamProjection<QueueItem, string>
{
    public QueueItem Create(CaseSubmitted e) => new()
    {
        Id = e.CaseNumber,
        ServiceId = e.ServiceId,
        DefinitionVersion = e.DefinitionVersion,
        State = e.State,
        Team = e.Team,
        SubmittedAt = e.SubmittedAt,
        DueOn = e.DueOn,
        LastChangedAt = e.SubmittedAt,
        RemainingNormDays = Remaining(e.ServiceId, e.DefinitionVersion, e.State),
    };

    public static QueueItem Apply(CaseClaimed e, QueueItem item) => item with { AssigneeId = e.AssigneeId, AssigneeName = e.AssigneeName, LastChangedAt = e.ClaimedAt };
    public static QueueItem Apply(CaseAssigned e, QueueItem item) => item with { AssigneeId = e.AssigneeId, AssigneeName = e.AssigneeName, LastChangedAt = e.AssignedAt };
    public static QueueItem Apply(CaseReleased e, QueueItem item) => item with { AssigneeId = null, AssigneeName = null, LastChangedAt = e.ReleasedAt };
    public QueueItem Apply(CaseActionTaken e, QueueItem item) => Move(item, e);
    public QueueItem Apply(InformationRequested e, QueueItem item) => Move(item, e);
    public QueueItem Apply(InformationProvided e, QueueItem item) => Move(item, e);
    public QueueItem Apply(CaseDecided e, QueueItem item) => Move(item, e);
    public QueueItem Apply(CaseWithdrawn e, QueueItem item) => Move(item, e);
    public static QueueItem Apply(CaseClosed e, QueueItem item) => item with { IsOpen = false, Outcome = e.Outcome, LastChangedAt = e.ClosedAt };
    public static QueueItem Apply(DeadlineSuspended e, QueueItem item) => item with { ClockStopped = true };
    public static QueueItem Apply(DeadlineResumed e, QueueItem item) => item with { ClockStopped = false, DueOn = e.DueOn };
    public static QueueItem Apply(DeadlineExtended e, QueueItem item) => item with { DueOn = e.DueOn, LastChangedAt = e.ExtendedAt };

    private QueueItem Move(QueueItem item, ICaseTransition e) =>
        item with
        {
            State = e.ToState,
            WaitingForCitizen = e.WaitingFor == "citizen",
            LastChangedAt = e.TakenAt,
            RemainingNormDays = Remaining(item.ServiceId, item.DefinitionVersion, e.ToState),
        };

    private int? Remaining(string serviceId, int version, string state) =>
        catalog.Get(serviceId, version) is { } definition ? ServiceNorms.RemainingWorkingDays(definition, state) : null;
}
