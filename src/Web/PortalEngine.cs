using System.Text.Json.Nodes;
using Vorgang.Projections.Forecasts;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Web;

/// <summary>
/// What the pages ask of the engine, answered by the API host with the API's own code paths: submitting through the
/// submission endpoint's core, tracking with its lockout, citizen actions through <c>CaseActions</c>. The pages never
/// write a case themselves (decision 33).
/// </summary>
public interface IPortalEngine
{
    /// <summary>
    /// Submits <paramref name="data"/> once per <paramref name="idempotencyKey"/>: a repeat answers the same case. A signed-in
    /// citizen's case is linked to their account; a member of staff submits for <paramref name="onBehalfOf"/> at the counter.
    /// </summary>
    Task<PortalSubmission> SubmitAsync(
        string serviceId, JsonObject data, string language, string idempotencyKey, HttpContext context, CancellationToken ct, AssistedFor? onBehalfOf = null);

    /// <summary>Whether the signed-in member of staff may submit for a citizen (caseworkers and admins; auditors and parties may not).</summary>
    bool MaySubmitForOthers(HttpContext context);

    /// <summary>The signed-in citizen's applications, newest first (the API's <c>/api/me/cases</c>).</summary>
    Task<IReadOnlyList<MyApplication>> MyApplicationsAsync(string language, HttpContext context, CancellationToken ct);

    /// <summary>One of the signed-in citizen's applications, or null for anyone else's (or none).</summary>
    Task<CaseStatus?> MyApplicationAsync(string caseNumber, string language, HttpContext context, CancellationToken ct);

    /// <summary>A citizen action on one of the signed-in citizen's applications.</summary>
    Task<PortalActionResult> ActOnMyApplicationAsync(
        string caseNumber, string actionId, long expectedVersion, JsonObject input, string language, HttpContext context, CancellationToken ct);

    /// <summary>The tracking code of the case submitted with <paramref name="idempotencyKey"/> (derived, never stored).</summary>
    string TrackingCode(string serviceId, string idempotencyKey);

    /// <summary>The citizen's view of the case, refused while the number or the client is locked; a wrong code counts.</summary>
    Task<PortalTracking> TrackAsync(string caseNumber, string trackingCode, string language, HttpContext context, CancellationToken ct);

    /// <summary>The citizen's copy of the receipt (a PDF, the API's own), or null for a wrong number or code (which counts) or while locked.</summary>
    Task<IResult?> ReceiptAsync(string caseNumber, string trackingCode, string language, HttpContext context, CancellationToken ct);

    /// <summary>A letter issued to the citizen (a PDF, as stored when issued), or null for a wrong number, code or letter (which counts as a failure only for the code) or while locked.</summary>
    Task<IResult?> LetterAsync(string caseNumber, string trackingCode, string documentId, HttpContext context, CancellationToken ct);
    /// <summary>One document of the case as the API's citizen download answers it; null for a wrong number or code, or while locked (counted like the page).</summary>
    Task<IResult?> DocumentAsync(string caseNumber, string trackingCode, string documentId, HttpContext context, CancellationToken ct);

    Task<PortalActionResult> ActAsync(
        string caseNumber, string trackingCode, string actionId, long expectedVersion, JsonObject input, string language, HttpContext context, CancellationToken ct);

    /// <summary>The citizen writes to the office (the API's <c>POST /api/track/{caseNumber}/messages</c>); a wrong code counts.</summary>
    Task<PortalActionResult> WriteAsync(string caseNumber, string trackingCode, string text, HttpContext context, CancellationToken ct);
}

/// <summary>
/// One message of a case's thread as a page shows it: from the office or the citizen, the member of staff who wrote it
/// (for staff pages only), the text (null once erased), and whether it was new to the reader's side.
/// </summary>
public sealed record ThreadMessage(DateTimeOffset At, bool FromOffice, string? Author, string? Text, bool New);

/// <summary>A submission's answer: the case and its code, or the field errors (engine messages), or a problem's text.</summary>
public sealed record PortalSubmission(string? CaseNumber, string? TrackingCode, IReadOnlyList<FieldError> Errors, string? Problem = null)
{
    public bool Accepted => CaseNumber is not null;
}

/// <summary>The person a member of staff submits for at a counter, and how they were identified (e.g. an identity card).</summary>
public sealed record AssistedFor(string Name, string? IdentifiedBy);

/// <summary>One line of "my applications".</summary>
public sealed record MyApplication(
    string CaseNumber, string ServiceTitle, string StatusText, bool WaitingForYou, bool IsClosed, DateTimeOffset SubmittedAt, DateOnly? DueOn);

public enum TrackingOutcome { Found, NotFound, Locked }

public sealed record PortalTracking(TrackingOutcome Outcome, CaseStatus? Case = null, PortalLock? Lock = null);

/// <summary>Until when tracking is refused, and whether the case number (for everyone) or this connection is locked.</summary>
public sealed record PortalLock(DateTimeOffset Until, bool CaseNumberLocked);

public enum ActionOutcome { Taken, Invalid, Conflict, NotFound, Locked }

public sealed record PortalActionResult(ActionOutcome Outcome, IReadOnlyList<FieldError> Errors, string? Message = null, PortalLock? Lock = null);

/// <summary>The status page's content: the API's citizen view and the recorded reads of the citizen's data.</summary>
public sealed record CaseStatus(
    string CaseNumber, string ServiceId, string ServiceTitle, string StatusText, string? NextStep, bool WaitingForYou,
    string? NeededText, string? NeededMessage, DateOnly? NeededBy, bool IsClosed, string? Outcome,
    DateTimeOffset SubmittedAt, DateOnly? DueOn, long Version,
    IReadOnlyList<CaseStatus.Entry> Timeline, IReadOnlyList<CaseStatus.Action> Actions, CitizenOutlook? Outlook,
    IReadOnlyList<CaseStatus.Read> Reads)
{
    public sealed record Entry(DateTimeOffset At, string Title, string? Status, IReadOnlyDictionary<string, string>? Details);
    public sealed record Action(string Id, string Label, string Kind, IReadOnlyList<FieldDefinition> Inputs);
    public sealed record Read(DateTimeOffset At, string Text);
    public sealed record Letter(string DocumentId, string Title, string Kind, long Length, DateTimeOffset IssuedAt);

    /// <summary>The letters issued to the citizen: decisions and outcome documents.</summary>
    public IReadOnlyList<Letter> Letters { get; init; } = [];
    /// <summary>A document uploaded to the case: which of the service's documents it is, its type, size and when.</summary>
    public sealed record Document(Guid Id, string? Label, string ContentType, long Length, DateTimeOffset At);
    /// <summary>A document the office still needs.</summary>
    public sealed record MissingDocument(string Label, string? Description);

    public IReadOnlyList<Document> Documents { get; init; } = [];
    public IReadOnlyList<MissingDocument> MissingDocuments { get; init; } = [];

    /// <summary>The message thread, oldest first; null where the page does not show it.</summary>
    public IReadOnlyList<ThreadMessage>? Messages { get; init; }
    /// <summary>The office's messages that were new to the citizen before this page showed them.</summary>
    public int UnreadMessages { get; init; }
}
