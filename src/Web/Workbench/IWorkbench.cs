using System.Text.Json.Nodes;

namespace Vorgang.Web.Workbench;

/// <summary>
/// What the caseworker's workbench asks of the engine, answered by the API host with the API's own code: the queue
/// endpoint's query and refusals, the staff view with its access check and recorded read, and actions through the
/// case writer with the API's authorisation (decision 33). The pages decide nothing about who may do what.
/// </summary>
public interface IWorkbench
{
    /// <summary>A team's open cases, most urgent first, with counts — refused exactly as <c>GET /api/queues/{team}</c> refuses.</summary>
    Task<Answer<StaffQueue>> QueueAsync(QueueQuery query, HttpContext context, CancellationToken ct);

    /// <summary>A party's cases (a school's): those waiting for it, or all addressed to it — refused exactly as <c>GET /api/parties/{party}/cases</c> refuses.</summary>
    Task<Answer<PartyCases>> PartyCasesAsync(PartyQuery query, HttpContext context, CancellationToken ct);

    /// <summary>The staff view of a case in the page's language (the read recorded), or 404 for a case the caller may not reach.</summary>
    Task<Answer<StaffCase>> CaseAsync(string caseNumber, string language, HttpContext context, CancellationToken ct);

    /// <summary>One document of the case, as the API's staff download answers it (access checked, the read recorded, the file streamed).</summary>
    Task<IResult> DocumentAsync(string caseNumber, string documentId, HttpContext context, CancellationToken ct);

    /// <summary>An action (claim, release, assign, take-over or a step of the process) at the version the page showed.</summary>
    Task<PortalActionResult> ActAsync(string caseNumber, string actionId, long expectedVersion, JsonObject input, HttpContext context, CancellationToken ct);

    /// <summary>A letter the case issued, as its PDF (the read recorded), or the refusal of <c>GET /api/cases/{n}/letters/{id}</c>.</summary>
    Task<IResult> LetterAsync(string caseNumber, string documentId, HttpContext context, CancellationToken ct);
    /// <summary>The office writes to the citizen (the API's <c>POST /api/cases/{caseNumber}/messages</c>, refused as it refuses).</summary>
    Task<PortalActionResult> WriteAsync(string caseNumber, string text, HttpContext context, CancellationToken ct);
}

/// <summary>An answer with the API's status: 200 with the value, or the refusal's status and its text.</summary>
public sealed record Answer<T>(int Status, T? Value, string? Problem = null) where T : class;

/// <summary>The queue's filters as the page's address carries them (bookmarkable).</summary>
public sealed record QueueQuery(string Team, int Page, string? Service, string? State, string? Assignee, string? Risk, int PageSize = 25);

public sealed record StaffQueue(
    string Team, long Total, int Page, int PageSize, IReadOnlyList<StaffQueue.Row> Rows,
    int Open, IReadOnlyDictionary<string, int> ByState, IReadOnlyDictionary<string, int> ByRisk)
{
    public sealed record Row(
        string CaseNumber, string ServiceId, string State, DateTimeOffset SubmittedAt, DateOnly? DueOn, int? DaysLeft,
        string? AssigneeId, string? AssigneeName, bool WaitingForCitizen, string Risk, bool ClockStopped)
    {
        /// <summary>The citizen's messages the office has not read yet.</summary>
        public int UnreadMessages { get; init; }
    }
}

/// <summary>A party's list as the page's address carries it: <c>waiting</c> (what waits for the party) or <c>all</c>.</summary>
public sealed record PartyQuery(string Party, string Show, int Page, string? Service, int PageSize = 25);

public sealed record PartyCases(string Party, string? Organisation, string Show, long Total, int Page, int PageSize, IReadOnlyList<PartyCases.Row> Rows)
{
    /// <param name="Actions">The ids of the party's actions in the case's state, while it waits for the party.</param>
    public sealed record Row(
        string CaseNumber, string ServiceId, int DefinitionVersion, string State, DateTimeOffset SubmittedAt, DateOnly? DueOn, int? DaysLeft,
        string? Risk, bool Waiting, IReadOnlyList<string> Actions, bool IsClosed, string? Outcome, bool ClockStopped);
}

/// <summary>What a caseworker sees of a case: the form, the state, the deadline and its history, the timeline, the actions open to them.</summary>
public sealed record StaffCase(
    string CaseNumber, string ServiceId, int DefinitionVersion, string ServiceTitle, string State, string StatusText, string Team, long Version,
    string? AssigneeId, string? AssigneeName, DateTimeOffset SubmittedAt, bool IsClosed, string? Outcome, string Language,
    JsonObject Data, IReadOnlyDictionary<string, object?> Computed, IReadOnlyList<StaffCase.Fee> Fees, IReadOnlyList<StaffCase.Document> Documents,
    IReadOnlyList<CaseStatus.Action> Actions, StaffCase.DeadlineInfo? Deadline, IReadOnlyList<StaffCase.Event> Timeline,
    string? Applicant, DateTimeOffset? PersonalDataErasedAt)
{
    public sealed record Fee(string Label, decimal? Amount);
    public sealed record Document(string Label, bool Required);
    /// <summary>A document uploaded to the case (opened through the page's <c>?handler=document&amp;id=</c>, a recorded read).</summary>
    public sealed record Upload(Guid Id, string? Label, string ContentType, long Length, DateTimeOffset UploadedAt, string UploadedBy);

    public IReadOnlyList<Upload> Uploads { get; init; } = [];
    /// <summary>The labels of the documents the case still needs.</summary>
    public IReadOnlyList<string> MissingDocuments { get; init; } = [];
    public sealed record DeadlineInfo(DateOnly? DueOn, bool ClockStopped, IReadOnlyList<string> History);
    /// <summary>One event: when, what (its stable type), by whom, and a short detail (the step's label, a take-over's reason).</summary>
    public sealed record Event(DateTimeOffset At, string Type, string? ActorName, string? ActorRole, string? Detail);
    public sealed record Letter(string DocumentId, string Title, string Kind, DateTimeOffset IssuedAt);

    /// <summary>The letters the case's actions issued to the citizen.</summary>
    public IReadOnlyList<Letter> Letters { get; init; } = [];

    /// <summary>The message thread as the office reads it (the read recorded); null for those who take no part in it (parties).</summary>
    public IReadOnlyList<ThreadMessage>? Messages { get; init; }
    /// <summary>The citizen's messages that were new to the office before this page showed them.</summary>
    public int UnreadMessages { get; init; }
    /// <summary>Whether the caller may write to the citizen (a caseworker of the team).</summary>
    public bool MayWrite { get; init; }
}
