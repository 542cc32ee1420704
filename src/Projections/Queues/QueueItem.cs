using JasperFx.Events;
using Marten.Events.Aggregation;
using Vorgang.Workflows.Cases;

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
    public bool IsOpen { get; init; } = true;
    public string? Outcome { get; init; }
    public DateTimeOffset LastChangedAt { get; init; }
}

public sealed class QueueItemProjection : SingleStreamProjection<QueueItem, string>
{
    public static QueueItem Create(CaseSubmitted e) => new()
    {
        Id = e.CaseNumber,
        ServiceId = e.ServiceId,
        DefinitionVersion = e.DefinitionVersion,
        State = e.State,
        Team = e.Team,
        SubmittedAt = e.SubmittedAt,
        DueOn = e.DueOn,
        LastChangedAt = e.SubmittedAt,
    };

    public static QueueItem Apply(CaseClaimed e, QueueItem item) => item with { AssigneeId = e.AssigneeId, AssigneeName = e.AssigneeName, LastChangedAt = e.ClaimedAt };
    public static QueueItem Apply(CaseAssigned e, QueueItem item) => item with { AssigneeId = e.AssigneeId, AssigneeName = e.AssigneeName, LastChangedAt = e.AssignedAt };
    public static QueueItem Apply(CaseReleased e, QueueItem item) => item with { AssigneeId = null, AssigneeName = null, LastChangedAt = e.ReleasedAt };
    public static QueueItem Apply(CaseActionTaken e, QueueItem item) => Move(item, e);
    public static QueueItem Apply(InformationRequested e, QueueItem item) => Move(item, e);
    public static QueueItem Apply(InformationProvided e, QueueItem item) => Move(item, e);
    public static QueueItem Apply(CaseDecided e, QueueItem item) => Move(item, e);
    public static QueueItem Apply(CaseWithdrawn e, QueueItem item) => Move(item, e);
    public static QueueItem Apply(CaseClosed e, QueueItem item) => item with { IsOpen = false, Outcome = e.Outcome, LastChangedAt = e.ClosedAt };

    private static QueueItem Move(QueueItem item, ICaseTransition e) =>
        item with { State = e.ToState, WaitingForCitizen = e.WaitingFor == "citizen", LastChangedAt = e.TakenAt };
}
