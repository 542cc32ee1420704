using Marten;

namespace Vorgang.Workflows.Audit;

/// <summary>
/// Refuses, at commit, any event on a case stream that did not come through <see cref="CaseChain"/>: without its hash
/// link or its stamp (<see cref="CaseStamp"/>) the whole transaction fails and nothing is stored (decision 29).
/// </summary>
public sealed class CaseStreamGuard : DocumentSessionListenerBase
{
    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        // Every event stream of this store is a case stream (decision 2).
        foreach (var stream in session.PendingChanges.Streams())
        {
            foreach (var e in stream.Events)
            {
                if (e.GetHeader(CaseChain.HashHeader) is null || e.GetHeader(CaseStamp.DefinitionHeader) is null || e.CorrelationId is null)
                    throw new UnsealedCaseEventException(stream.Key ?? stream.Id.ToString(), e.EventTypeName ?? e.Data.GetType().Name);
            }
        }
        return Task.CompletedTask;
    }
}

/// <summary>An event reached a case stream around <see cref="CaseChain"/>: a defect of the code that appended it, never of a request.</summary>
public sealed class UnsealedCaseEventException(string caseNumber, string eventType)
    : InvalidOperationException($"Event '{eventType}' on case {caseNumber} has no hash link or stamp: every append to a case goes through CaseChain (decision 29).");
