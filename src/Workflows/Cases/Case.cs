using System.Text.Json.Nodes;

namespace Vorgang.Workflows.Cases;

/// <summary>
/// The write model of a case: only what decisions need. Its behaviour comes from the definition
/// version it was submitted under (<see cref="ServiceId"/>, <see cref="DefinitionVersion"/>).
/// </summary>
public sealed record Case
{
    /// <summary>The case number, which is also the stream key.</summary>
    public required string Id { get; init; }
    public required string ServiceId { get; init; }
    public required int DefinitionVersion { get; init; }
    public required string State { get; init; }
    public required string Team { get; init; }
    public required string Language { get; init; }
    public required JsonObject Data { get; init; }
    public required string TrackingCodeHash { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
    public DateOnly? DueOn { get; init; }
    public string? AssigneeId { get; init; }
    public string? AssigneeName { get; init; }
    public string? Outcome { get; init; }
    public bool IsClosed { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }
    public DateTimeOffset LastChangedAt { get; init; }
    // Set by Marten to the stream version (a settable property is how Marten maps it).
    public long Version { get; set; }

    public static Case Create(CaseSubmitted e) => new()
    {
        Id = e.CaseNumber,
        ServiceId = e.ServiceId,
        DefinitionVersion = e.DefinitionVersion,
        State = e.State,
        Team = e.Team,
        Language = e.Language,
        Data = (JsonObject)e.Data.DeepClone(),
        TrackingCodeHash = e.TrackingCodeHash,
        SubmittedAt = e.SubmittedAt,
        DueOn = e.DueOn,
        LastChangedAt = e.SubmittedAt,
    };

    public Case Apply(CaseClaimed e) => this with { AssigneeId = e.AssigneeId, AssigneeName = e.AssigneeName, LastChangedAt = e.ClaimedAt };
    public Case Apply(CaseAssigned e) => this with { AssigneeId = e.AssigneeId, AssigneeName = e.AssigneeName, LastChangedAt = e.AssignedAt };
    public Case Apply(CaseReleased e) => this with { AssigneeId = null, AssigneeName = null, LastChangedAt = e.ReleasedAt };
    public Case Apply(CaseActionTaken e) => Move(e);
    public Case Apply(InformationRequested e) => Move(e);
    public Case Apply(CaseDecided e) => Move(e) with { Outcome = e.Outcome };
    public Case Apply(CaseWithdrawn e) => Move(e) with { Outcome = "withdrawn" };
    public Case Apply(CaseClosed e) => this with { IsClosed = true, Outcome = e.Outcome, ClosedAt = e.ClosedAt };

    public Case Apply(InformationProvided e)
    {
        var data = (JsonObject)Data.DeepClone();
        foreach (var (name, value) in e.FormChanges) data[name] = value?.DeepClone();
        return Move(e) with { Data = data };
    }

    /// <summary>Applies one event as Marten does, for deciders and tests that fold events without the store.</summary>
    public Case Fold(object @event) => @event switch
    {
        CaseClaimed e => Apply(e),
        CaseAssigned e => Apply(e),
        CaseReleased e => Apply(e),
        CaseActionTaken e => Apply(e),
        InformationRequested e => Apply(e),
        InformationProvided e => Apply(e),
        CaseDecided e => Apply(e),
        CaseWithdrawn e => Apply(e),
        CaseClosed e => Apply(e),
        _ => throw new InvalidOperationException($"A case cannot apply {@event.GetType().Name}."),
    } with { Version = Version + 1 };

    private Case Move(ICaseTransition e) => this with { State = e.ToState, LastChangedAt = e.TakenAt };

}
