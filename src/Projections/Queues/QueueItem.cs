using JasperFx.Events;
using Marten.Events.Aggregation;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Deadlines;

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

/// <summary>
/// How close a case is to missing its due date, as words (never colour alone). The rule is stated here once, in the
/// three forms the engine needs it — in memory (<see cref="Of"/>), as a query filter (<see cref="Where"/>) and as the SQL
/// of the team's counts (<see cref="SqlCase"/>); <c>QueueRiskTests</c> checks that the three agree.
/// Paused: the clock is stopped while the office waits for the citizen. Overdue: the due date has passed. Late: work
/// should have gone on earlier than the norms allow (<see cref="QueueItem.StartBy"/> has passed). Tight: within two
/// working days of that. The first band that applies is the case's band.
/// </summary>
public static class RiskBands
{
    public const string Overdue = "overdue", Late = "late", Tight = "tight", OnTrack = "on-track", Paused = "paused", NoDeadline = "no-deadline";
    public static readonly IReadOnlyList<string> All = [Overdue, Late, Tight, OnTrack, Paused, NoDeadline];

    /// <summary>The last day that still counts as tight.</summary>
    public static DateOnly TightUntil(DateOnly today) => WorkingDays.Add(today, 2);

    public static string Of(QueueItem item, DateOnly today) => item switch
    {
        { DueOn: null } => NoDeadline,
        { ClockStopped: true } => Paused,
        { DueOn: { } due } when due < today => Overdue,
        { StartBy: { } start } when start < today => Late,
        { StartBy: { } start } when start <= TightUntil(today) => Tight,
        _ => OnTrack,
    };

    /// <summary>The cases of one band (a filter of the queue). <see cref="QueueItem.StartBy"/> is set exactly when there is a due date and the clock runs.</summary>
    public static IQueryable<QueueItem> Where(IQueryable<QueueItem> query, string band, DateOnly today)
    {
        var tightUntil = TightUntil(today);
        return band switch
        {
            NoDeadline => query.Where(x => x.DueOn == null),
            Paused => query.Where(x => x.DueOn != null && x.ClockStopped),
            Overdue => query.Where(x => x.DueOn < today && !x.ClockStopped),
            Late => query.Where(x => x.DueOn >= today && x.StartBy < today),
            Tight => query.Where(x => x.DueOn >= today && x.StartBy >= today && x.StartBy <= tightUntil),
            OnTrack => query.Where(x => x.DueOn >= today && x.StartBy > tightUntil),
            _ => throw new ArgumentOutOfRangeException(nameof(band), band, "Not a risk band."),
        };
    }

    /// <summary>The band as SQL over the queue table's columns, with <c>$2</c> today and <c>$3</c> <see cref="TightUntil"/>.</summary>
    public const string SqlCase = $"""
        case when due_on is null then '{NoDeadline}'
             when clock_stopped then '{Paused}'
             when due_on < $2 then '{Overdue}'
             when start_by < $2 then '{Late}'
             when start_by <= $3 then '{Tight}'
             else '{OnTrack}' end
        """;
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
    public static QueueItem Apply(CaseTakenOver e, QueueItem item) => item with { AssigneeId = e.AssigneeId, AssigneeName = e.AssigneeName, LastChangedAt = e.TakenOverAt };
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
