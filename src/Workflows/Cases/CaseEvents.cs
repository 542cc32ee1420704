using System.Text.Json.Nodes;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Workflows.Cases;

// The vocabulary of every case, whatever its service. Events hold primitives only and are never edited:
// a new meaning gets a new event. Type names are stable aliases (see CaseEventTypes).

/// <summary>Who did something and through which channel: <c>online</c>, <c>counter</c> (staff on behalf of a citizen), <c>office</c> (staff's own work) or <c>system</c>.</summary>
public sealed record Actor(string Id, string Role, string Name, string Channel)
{
    public static readonly Actor System = new("system", "system", "Vorgang", Channels.System);
    public static Actor AnonymousCitizen(string channel = Channels.Online) => new("citizen", "citizen", "", channel);
}

public static class Channels
{
    public const string Online = "online", Counter = "counter", Office = "office", System = "system";
}

public sealed record CaseSubmitted(
    string CaseNumber,
    string ServiceId,
    int DefinitionVersion,
    string State,
    string Team,
    string Language,
    JsonObject Data,
    string TrackingCodeHash,
    DateOnly? DueOn,
    Actor SubmittedBy,
    DateTimeOffset SubmittedAt,
    JsonObject? Applicant = null);

public sealed record CaseClaimed(string CaseNumber, string AssigneeId, string AssigneeName, Actor ClaimedBy, DateTimeOffset ClaimedAt);

public sealed record CaseAssigned(string CaseNumber, string AssigneeId, string AssigneeName, Actor AssignedBy, DateTimeOffset AssignedAt);

public sealed record CaseReleased(string CaseNumber, string PreviousAssigneeId, Actor ReleasedBy, DateTimeOffset ReleasedAt);

/// <summary>A team member took over a case assigned to a colleague (who is away, say), with the reason given.</summary>
public sealed record CaseTakenOver(
    string CaseNumber, string PreviousAssigneeId, string? PreviousAssigneeName, string AssigneeId, string AssigneeName, string Reason,
    Actor TakenOverBy, DateTimeOffset TakenOverAt);

/// <summary>A step of the service's process that moved the case from one state to another.</summary>
public interface ICaseTransition
{
    string CaseNumber { get; }
    string ActionId { get; }
    string FromState { get; }
    string ToState { get; }
    JsonObject Input { get; }
    /// <summary>Who the office waits for in the new state (<c>citizen</c> or a party), or null: the legal clock stops while it waits for the citizen.</summary>
    string? WaitingFor { get; }
    Actor TakenBy { get; }
    DateTimeOffset TakenAt { get; }
}

public sealed record CaseActionTaken(string CaseNumber, string ActionId, string FromState, string ToState, JsonObject Input, string? WaitingFor, Actor TakenBy, DateTimeOffset TakenAt) : ICaseTransition;

/// <summary>The office asked the citizen (or a party) for something; the legal clock stops until it is provided.</summary>
public sealed record InformationRequested(string CaseNumber, string ActionId, string FromState, string ToState, JsonObject Input, string? WaitingFor, Actor TakenBy, DateTimeOffset TakenAt) : ICaseTransition;

/// <summary>The citizen answered a request; <see cref="FormChanges"/> holds the inputs that supplement or correct form fields.</summary>
public sealed record InformationProvided(string CaseNumber, string ActionId, string FromState, string ToState, JsonObject Input, JsonObject FormChanges, string? WaitingFor, Actor TakenBy, DateTimeOffset TakenAt) : ICaseTransition;

public sealed record CaseDecided(string CaseNumber, string ActionId, string FromState, string ToState, string Outcome, JsonObject Input, Actor TakenBy, DateTimeOffset TakenAt) : ICaseTransition
{
    public string? WaitingFor => null;
}

public sealed record CaseWithdrawn(string CaseNumber, string ActionId, string FromState, string ToState, JsonObject Input, string? WaitingFor, Actor TakenBy, DateTimeOffset TakenAt) : ICaseTransition;

/// <summary>The case reached a final state; nothing more can happen to it.</summary>
public sealed record CaseClosed(string CaseNumber, string FinalState, string Outcome, DateTimeOffset ClosedAt);

// The legal clock (see docs/architecture.md, "Deadlines and timers"). Every shift of the due date is one of these events,
// saying why; the timers' effects are events too.

/// <summary>The office now waits for the citizen: the legal deadline stops running (Fristhemmung). <see cref="DueOn"/> is the due date as it stands.</summary>
public sealed record DeadlineSuspended(string CaseNumber, string ActionId, string State, DateOnly DueOn, DateOnly SuspendedOn, DateTimeOffset SuspendedAt);

/// <summary>
/// The office no longer waits for the citizen: the deadline runs again, moved by the days it stood still —
/// <see cref="DaysAdded"/> working days (<see cref="DayKind"/> <c>working</c>) or calendar days (<c>calendar</c>), as the deadline counts.
/// </summary>
public sealed record DeadlineResumed(
    string CaseNumber, string ActionId, string State, DateOnly SuspendedOn, DateOnly ResumedOn, int DaysAdded, string DayKind,
    DateOnly PreviousDueOn, DateOnly DueOn, DateTimeOffset ResumedAt);

/// <summary>A caseworker extended the legal deadline by so many working days, with a reason (Fristverlängerung).</summary>
public sealed record DeadlineExtended(
    string CaseNumber, int WorkingDays, string Reason, DateOnly PreviousDueOn, DateOnly DueOn, Actor ExtendedBy, DateTimeOffset ExtendedAt);

/// <summary>A timer reminded the citizen that the office still waits for them in <see cref="State"/>.</summary>
public sealed record CitizenReminded(string CaseNumber, string State, DateTimeOffset WaitingSince, DateTimeOffset RemindedAt);

/// <summary>A timer escalated the case to its team: <see cref="Kind"/> <c>due-soon</c> (a few working days before the due date) or <c>overdue</c>.</summary>
public sealed record CaseEscalated(string CaseNumber, string Kind, DateOnly DueOn, string Team, string? AssigneeId, DateTimeOffset EscalatedAt);

/// <summary>
/// The personal data of the case was erased: its key is deleted, so every sealed value in its events is unreadable
/// from now on (see Privacy/PersonalData). <see cref="Basis"/> is <c>retention</c> (the service's retention period
/// ended) or <c>request</c> (an admin erased on request, with <see cref="Reason"/>).
/// </summary>
public sealed record PersonalDataErased(string CaseNumber, string Basis, string Reason, Actor ErasedBy, DateTimeOffset ErasedAt);

/// <summary>
/// An action issued a letter (<see cref="Kind"/>: a <i>Bescheid</i> or an outcome document) from its definition's
/// template. The PDF itself is a document of the case, encrypted with the case's key; <see cref="Sha256"/> is the hash
/// of its bytes, so the hash chain covers them. The title names the letter, never a personal value.
/// </summary>
public sealed record LetterIssued(
    string CaseNumber, Guid DocumentId, string LetterId, string Kind, string ActionId, string Language, string Title,
    string Sha256, long Length, DateTimeOffset IssuedAt);

/// <summary>
/// A document was added to the case: its bytes are stored encrypted with the case's key (decision 45), this event records
/// what they are — <see cref="Sha256"/> of the stored plaintext (so the hash chain covers the file), the type decided from
/// the bytes, the length — and <see cref="RequirementId"/>, the definition's document it fulfils, if any.
/// <see cref="FileName"/> is sealed like any personal value: a file name can name a person.
/// </summary>
public sealed record DocumentUploaded(
    string CaseNumber, Guid DocumentId, string? RequirementId, string ContentType, long Length, string Sha256, string FileName,
    Actor UploadedBy, DateTimeOffset UploadedAt);

/// <summary>
/// An e-mail to the citizen was refused for good by the mail server (an SMTP 5xx reply): the caseworker sees it and
/// reaches the citizen another way. <see cref="Reply"/> is the server's reply, which names no personal data of ours.
/// </summary>
public sealed record NotificationUndeliverable(string CaseNumber, string Trigger, Guid EventId, string MessageId, int SmtpStatus, string Reply, DateTimeOffset FailedAt);

/// <summary>
/// A message of the case's thread between the citizen and the office (decision 48). <see cref="Side"/> is <c>citizen</c>
/// or <c>office</c>; <see cref="Text"/> is personal data, stored sealed with the case's key (null once erased);
/// <see cref="Attachments"/> names documents of the case (their ids), empty for a message of text alone. It changes
/// neither the state nor the deadline.
/// </summary>
public sealed record CaseMessagePosted(
    string CaseNumber, Guid MessageId, string Side, string? Text, Actor PostedBy, DateTimeOffset PostedAt, IReadOnlyList<string> Attachments);

public static class MessageSides
{
    public const string Citizen = "citizen", Office = "office";

    /// <summary>The side whose messages <paramref name="side"/> reads.</summary>
    public static string Other(string side) => side == Citizen ? Office : Citizen;
}

public static class ErasureBases
{
    public const string Retention = "retention", Request = "request";
}

public static class CaseEventTypes
{
    /// <summary>Stable names stored with each event, independent of CLR type names.</summary>
    public static readonly IReadOnlyDictionary<Type, string> Names = new Dictionary<Type, string>
    {
        [typeof(CaseSubmitted)] = "case_submitted",
        [typeof(CaseClaimed)] = "case_claimed",
        [typeof(CaseAssigned)] = "case_assigned",
        [typeof(CaseReleased)] = "case_released",
        [typeof(CaseTakenOver)] = "case_taken_over",
        [typeof(CaseActionTaken)] = "case_action_taken",
        [typeof(InformationRequested)] = "information_requested",
        [typeof(InformationProvided)] = "information_provided",
        [typeof(CaseDecided)] = "case_decided",
        [typeof(CaseWithdrawn)] = "case_withdrawn",
        [typeof(CaseClosed)] = "case_closed",
        [typeof(DeadlineSuspended)] = "deadline_suspended",
        [typeof(DeadlineResumed)] = "deadline_resumed",
        [typeof(DeadlineExtended)] = "deadline_extended",
        [typeof(CitizenReminded)] = "citizen_reminded",
        [typeof(CaseEscalated)] = "case_escalated",
        [typeof(PersonalDataErased)] = "personal_data_erased",
        [typeof(LetterIssued)] = "letter_issued",
        [typeof(DocumentUploaded)] = "document_uploaded",
        [typeof(NotificationUndeliverable)] = "notification_undeliverable",
        [typeof(CaseMessagePosted)] = "case_message_posted",
    };

    /// <summary>Who caused an event: the person or office named in it, or the engine itself for the clock and the timers.</summary>
    public static Actor? ActorOf(object data) => data switch
    {
        CaseSubmitted e => e.SubmittedBy,
        CaseClaimed e => e.ClaimedBy,
        CaseAssigned e => e.AssignedBy,
        CaseReleased e => e.ReleasedBy,
        CaseTakenOver e => e.TakenOverBy,
        ICaseTransition t => t.TakenBy,
        CaseClosed => Actor.System,
        DeadlineExtended e => e.ExtendedBy,
        DeadlineSuspended or DeadlineResumed or CitizenReminded or CaseEscalated or NotificationUndeliverable => Actor.System,
        PersonalDataErased e => e.ErasedBy,
        LetterIssued => Actor.System,
        DocumentUploaded e => e.UploadedBy,
        CaseMessagePosted e => e.PostedBy,
        _ => null,
    };
}
