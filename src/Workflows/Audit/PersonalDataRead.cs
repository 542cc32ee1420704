using Marten;

namespace Vorgang.Workflows.Audit;

/// <summary>
/// A member of staff read a case's personal data: who (id, role, name, team), when, which case at which version, and
/// through which endpoint (<see cref="Endpoints"/>). Only ever inserted, in the request that read; never an event on
/// the case stream, whose version the read must not change.
/// </summary>
public sealed record PersonalDataRead(
    Guid Id,
    string CaseNumber,
    long CaseVersion,
    string Endpoint,
    string? Query,
    string ReaderId,
    string ReaderRole,
    string ReaderName,
    string? ReaderTeam,
    DateTimeOffset ReadAt,
    string? TraceId)
{
    public static class Endpoints
    {
        public const string StaffView = "staff-view", History = "history", StateAsOf = "state-as-of", StaffPage = "staff-page", AuditConsole = "audit-console",
            Documents = "documents", DocumentDownload = "document-download", Letter = "letter", Messages = "messages";
    }
}

public static class AuditStore
{
    /// <summary>Documents of the audit trail: recorded reads of personal data.</summary>
    public static void AddAudit(this StoreOptions options)
    {
        options.Listeners.Add(new CaseStreamGuard());
        options.Schema.For<PersonalDataRead>()
            .Duplicate(x => x.CaseNumber)
            .Duplicate(x => x.ReadAt);
    }
}
