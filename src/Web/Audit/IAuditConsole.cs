namespace Vorgang.Web.Audit;

/// <summary>
/// What the auditor's console asks of the engine, answered by the API host with the API's own access checks, replay and
/// read recording (<c>/api/cases/{n}/history</c>, <c>/state</c>, <c>/api/audit/…</c>): the pages never decide who may
/// read a case themselves.
/// </summary>
public interface IAuditConsole
{
    /// <summary>Who is asking: nobody signed in as staff, a role the console is not for, a caseworker (their team's cases) or an auditor or admin.</summary>
    AuditCaller Caller(HttpContext context);

    /// <summary>
    /// The case's full history, and the case as it was at <paramref name="asOf"/> when one is given; the read of its
    /// personal data is recorded once. Null for a case the caller may not reach, exactly as for one that does not exist.
    /// </summary>
    Task<AuditCase?> CaseAsync(string caseNumber, AsOfQuery? asOf, string language, HttpContext context, CancellationToken ct);

    /// <summary>The verification of the whole store: running now with its progress, or the last one's result, or none yet.</summary>
    Task<StoreCheck?> StoreCheckAsync(CancellationToken ct);

    /// <summary>Starts the verification of the whole store in the background unless one is running (auditors and admins only).</summary>
    Task<StoreCheckStart> StartStoreCheckAsync(HttpContext context, CancellationToken ct);
}

public enum AuditCaller { NotSignedIn, NotAllowed, Caseworker, Auditor }

/// <summary>A version or a moment to see the case as it was then.</summary>
public sealed record AsOfQuery(long? Version, DateTimeOffset? At);

public enum StoreCheckStart { Started, AlreadyRunning, NotAllowed }

/// <summary>
/// One case as the console shows it. <see cref="Chain"/> and <see cref="Reads"/> are null for callers the audit endpoints
/// refuse (caseworkers). <see cref="States"/>, <see cref="Path"/> and <see cref="Transitions"/> are the path as of
/// <see cref="AsOf"/> when one is shown, else the path up to now; <see cref="Diagram"/> is the definition's Mermaid source.
/// </summary>
public sealed record AuditCase(
    string CaseNumber, string ServiceId, string ServiceTitle, int DefinitionVersion, long Version, string State,
    IReadOnlyList<AuditEvent> Events, AuditAsOf? AsOf, bool AsOfMissing, AuditChain? Chain, IReadOnlyList<AuditRead>? Reads,
    IReadOnlyList<AuditStep> States, IReadOnlyList<string> Path, IReadOnlyList<AuditTransition> Transitions, string Diagram);

/// <summary>One event: who did what, when, through which channel, under which definition, in which correlation; its data opened.</summary>
public sealed record AuditEvent(
    long Version, long Sequence, string Type, DateTimeOffset At, string? ActorName, string? ActorRole, string? Channel,
    string? Definition, string? CorrelationId, string? CausationId, IReadOnlyList<AuditValue> Data);

/// <summary>A value of an event or a case, by its path (<c>data.street</c>); <see cref="Erased"/> where a personal value's key is gone.</summary>
public sealed record AuditValue(string Name, string? Value, bool Erased);

/// <summary>The case as it was at a version: what the staff view showed then.</summary>
public sealed record AuditAsOf(
    long Version, DateTimeOffset At, string State, string StatusText, string Definition, string? Assignee, DateOnly? DueOn,
    bool IsClosed, IReadOnlyList<AuditValue> Data);

public sealed record AuditChain(bool Intact, long Events, string? Head, long? BrokenAt, string? Problem);

public sealed record AuditRead(DateTimeOffset At, string ReaderName, string ReaderRole, string? ReaderTeam, string Endpoint, string? Query, long CaseVersion);

/// <summary>A state of the definition, and whether this case has been in it (and is in it now).</summary>
public sealed record AuditStep(string Id, string StatusText, bool Initial, bool Final, bool Visited, bool Current);

/// <summary>A step the case took: the definition's action, from which state to which, in the order taken.</summary>
public sealed record AuditTransition(string ActionId, string From, string To);

/// <summary>The whole store's verification: progress while it runs, the counts and the broken cases when done.</summary>
public sealed record StoreCheck(
    bool Running, DateTimeOffset StartedAt, string StartedBy, long Checked, long Total, DateTimeOffset? FinishedAt,
    long? Intact, long? Broken, long? Events, string? HeadsDigest, IReadOnlyList<string> BrokenCases, string? Failure);
