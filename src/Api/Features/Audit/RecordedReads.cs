using System.Diagnostics;
using Marten;
using Vorgang.Workflows.Audit;
using Vorgang.Workflows.Cases;

namespace Vorgang.Api.Features.Audit;

/// <summary>Records a staff read of a case's personal data in the request that reads it; without the record, no answer.</summary>
public static class RecordedReads
{
    public static async Task RecordAsync(
        IDocumentSession session, Caller reader, string caseNumber, long caseVersion, string endpoint, HttpContext context,
        TimeProvider time, CancellationToken ct)
    {
        var query = context.Request.QueryString.HasValue ? context.Request.QueryString.Value![1..] : null;
        if (query?.Length > 500) query = query[..500];
        session.Insert(new PersonalDataRead(
            Guid.CreateVersion7(), caseNumber, caseVersion, endpoint, query,
            reader.Id, reader.Role, reader.Name, reader.Team, time.GetUtcNow(),
            Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier));
        await session.SaveChangesAsync(ct);
    }
}
