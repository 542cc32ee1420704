using System.Text.Json.Nodes;
using Vorgang.Workflows.Deadlines;
using Vorgang.Workflows.Privacy;

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
    /// <summary>The form values; personal ones sealed as stored (see <see cref="PersonalData"/>), opened only for a decision or a view.</summary>
    public required JsonObject Data { get; init; }
    /// <summary>Who applied beyond the form (a citizen account, or the person a caseworker submitted for), sealed; null for anonymous applications.</summary>
    public JsonObject? Applicant { get; init; }
    public Actor? SubmittedBy { get; init; }
    /// <summary>When the case's personal data was erased; its sealed values are gone from here too.</summary>
    public DateTimeOffset? PersonalDataErasedAt { get; init; }
    /// <summary>Why it was erased: <c>retention</c> or <c>request</c>, with the reason given.</summary>
    public string? PersonalDataErasureBasis { get; init; }
    public string? PersonalDataErasureReason { get; init; }
    public required string TrackingCodeHash { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
    /// <summary>The legal due date as it stands now: set at submission, moved by suspensions and extensions.</summary>
    public DateOnly? DueOn { get; init; }
    /// <summary>The day since which the legal clock stands still because the office waits for the citizen; null while it runs.</summary>
    public DateOnly? ClockStoppedOn { get; init; }
    public bool ClockStopped => ClockStoppedOn is not null;
    /// <summary>How the due date got where it is after submission (suspended, resumed, extended) and what the timers did (reminded, escalated).</summary>
    public IReadOnlyList<DeadlineChange> DeadlineHistory { get; init; } = [];
    public string? AssigneeId { get; init; }
    public string? AssigneeName { get; init; }
    public string? Outcome { get; init; }
    public bool IsClosed { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }
    public DateTimeOffset LastChangedAt { get; init; }
    /// <summary>
    /// Every state the case has been in, in the order first entered. It decides which second parties the case has been
    /// addressed to (<see cref="PartyAccess"/>): a party keeps reading a case it once had to act on.
    /// </summary>
    public IReadOnlyList<string> VisitedStates { get; init; } = [];
    /// <summary>The letters the case's actions issued, oldest first.</summary>
    public IReadOnlyList<IssuedLetter> Letters { get; init; } = [];
    /// <summary>The documents uploaded to the case, oldest first (no file names: those are in the events, sealed).</summary>
    public IReadOnlyList<CaseDocument> Documents { get; init; } = [];
    /// <summary>E-mails to the citizen the mail server refused for good, for the caseworker to follow up.</summary>
    public IReadOnlyList<NotificationUndeliverable> UndeliverableNotifications { get; init; } = [];
    /// <summary>How many messages each side has written in the case's thread; the unread counts compare them with the read markers (decision 49).</summary>
    public int CitizenMessages { get; init; }
    public int OfficeMessages { get; init; }
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
        Applicant = (JsonObject?)e.Applicant?.DeepClone(),
        SubmittedBy = e.SubmittedBy,
        TrackingCodeHash = e.TrackingCodeHash,
        SubmittedAt = e.SubmittedAt,
        DueOn = e.DueOn,
        LastChangedAt = e.SubmittedAt,
        VisitedStates = [e.State],
        Version = 1,
    };

    /// <summary>A case rebuilt from its events in memory, exactly as Marten folds them (for reads that have the events anyway).</summary>
    public static Case Replay(IEnumerable<object> events)
    {
        using var each = events.GetEnumerator();
        if (!each.MoveNext() || each.Current is not CaseSubmitted submitted)
            throw new InvalidOperationException("A case's events start with case_submitted.");
        var state = Create(submitted);
        while (each.MoveNext()) state = state.Fold(each.Current);
        return state;
    }

    public Case Apply(CaseClaimed e) => this with { AssigneeId = e.AssigneeId, AssigneeName = e.AssigneeName, LastChangedAt = e.ClaimedAt };
    public Case Apply(CaseAssigned e) => this with { AssigneeId = e.AssigneeId, AssigneeName = e.AssigneeName, LastChangedAt = e.AssignedAt };
    public Case Apply(CaseReleased e) => this with { AssigneeId = null, AssigneeName = null, LastChangedAt = e.ReleasedAt };
    public Case Apply(CaseTakenOver e) => this with { AssigneeId = e.AssigneeId, AssigneeName = e.AssigneeName, LastChangedAt = e.TakenOverAt };
    public Case Apply(CaseActionTaken e) => Move(e);
    public Case Apply(InformationRequested e) => Move(e);
    public Case Apply(CaseDecided e) => Move(e) with { Outcome = e.Outcome };
    public Case Apply(CaseWithdrawn e) => Move(e) with { Outcome = "withdrawn" };
    public Case Apply(CaseClosed e) => this with { IsClosed = true, Outcome = e.Outcome, ClosedAt = e.ClosedAt };
    public Case Apply(DeadlineSuspended e) => this with { ClockStoppedOn = e.SuspendedOn, DeadlineHistory = [.. DeadlineHistory, DeadlineChange.Of(e)] };
    public Case Apply(DeadlineResumed e) => this with { ClockStoppedOn = null, DueOn = e.DueOn, DeadlineHistory = [.. DeadlineHistory, DeadlineChange.Of(e)] };
    public Case Apply(DeadlineExtended e) => this with { DueOn = e.DueOn, LastChangedAt = e.ExtendedAt, DeadlineHistory = [.. DeadlineHistory, DeadlineChange.Of(e)] };
    public Case Apply(CitizenReminded e) => this with { DeadlineHistory = [.. DeadlineHistory, DeadlineChange.Of(e)] };
    public Case Apply(CaseEscalated e) => this with { DeadlineHistory = [.. DeadlineHistory, DeadlineChange.Of(e)] };
    public Case Apply(LetterIssued e) => this with { Letters = [.. Letters, IssuedLetter.Of(e)] };
    public Case Apply(NotificationUndeliverable e) => this with { UndeliverableNotifications = [.. UndeliverableNotifications, e] };
    // A message changes neither the state nor when the case last moved (the queue's order); only the counts.
    public Case Apply(CaseMessagePosted e) => e.Side == MessageSides.Citizen
        ? this with { CitizenMessages = CitizenMessages + 1 }
        : this with { OfficeMessages = OfficeMessages + 1 };

    // The read model keeps no ciphertext of erased data either: sealed values become null.
    public Case Apply(PersonalDataErased e) => this with
    {
        Data = PersonalData.StripSealed(Data),
        Applicant = Applicant is null ? null : PersonalData.StripSealed(Applicant),
        PersonalDataErasedAt = e.ErasedAt,
        PersonalDataErasureBasis = e.Basis,
        PersonalDataErasureReason = e.Reason,
    };

    public Case Apply(DocumentUploaded e) => this with { Documents = [.. Documents, CaseDocument.Of(e)], LastChangedAt = e.UploadedAt };

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
        CaseTakenOver e => Apply(e),
        CaseActionTaken e => Apply(e),
        InformationRequested e => Apply(e),
        InformationProvided e => Apply(e),
        CaseDecided e => Apply(e),
        CaseWithdrawn e => Apply(e),
        CaseClosed e => Apply(e),
        DeadlineSuspended e => Apply(e),
        DeadlineResumed e => Apply(e),
        DeadlineExtended e => Apply(e),
        CitizenReminded e => Apply(e),
        CaseEscalated e => Apply(e),
        PersonalDataErased e => Apply(e),
        LetterIssued e => Apply(e),
        DocumentUploaded e => Apply(e),
        NotificationUndeliverable e => Apply(e),
        CaseMessagePosted e => Apply(e),
        _ => throw new InvalidOperationException($"A case cannot apply {@event.GetType().Name}."),
    } with { Version = Version + 1 };

    private Case Move(ICaseTransition e) => this with
    {
        State = e.ToState,
        LastChangedAt = e.TakenAt,
        VisitedStates = VisitedStates.Contains(e.ToState) ? VisitedStates : [.. VisitedStates, e.ToState],
    };

    /// <summary>Whether the case is in or has been in the state (a snapshot stored before <see cref="VisitedStates"/> knows its current state only).</summary>
    public bool HasBeenIn(string state) => State == state || VisitedStates.Contains(state);

}

/// <summary>A letter of the case as its views list it: which one, and where its PDF is.</summary>
public sealed record IssuedLetter(Guid DocumentId, string LetterId, string Kind, string Title, string Language, long Length, DateTimeOffset IssuedAt)
{
    public static IssuedLetter Of(LetterIssued e) => new(e.DocumentId, e.LetterId, e.Kind, e.Title, e.Language, e.Length, e.IssuedAt);
}
