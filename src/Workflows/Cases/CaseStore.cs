using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;

namespace Vorgang.Workflows.Cases;

public static class CaseStore
{
    /// <summary>The event store as the case engine needs it: string stream keys (case numbers), stable event names, full metadata.</summary>
    /// <param name="snapshot">False only to bulk-load events whose snapshots are rebuilt afterwards (the benchmark does).</param>
    public static void AddCases(this StoreOptions options, bool snapshot = true)
    {
        options.Events.StreamIdentity = StreamIdentity.AsString;
        options.Events.MetadataConfig.CorrelationIdEnabled = true;
        options.Events.MetadataConfig.CausationIdEnabled = true;
        options.Events.MetadataConfig.HeadersEnabled = true;
        options.Events.MetadataConfig.UserNameEnabled = true;
        foreach (var (type, name) in CaseEventTypes.Names)
        {
            options.Events.MapEventType(type, name);
        }
        if (snapshot) options.Projections.Snapshot<Case>(SnapshotLifecycle.Inline);
        options.Schema.For<SubmissionReceipt>().Duplicate(x => x.CaseNumber);
        options.Schema.For<MessageReadMarker>();
        // The data subjects' keys, in their own table; a citizen account finds its cases through the account hash.
        options.Schema.For<Vorgang.Workflows.Privacy.SubjectKey>().Duplicate(x => x.AccountHash!);
    }
}

/// <summary>Remembers an idempotent submission: the same Idempotency-Key for the same service returns the same case.</summary>
public sealed record SubmissionReceipt(string Id, string CaseNumber, string RequestHash, DateTimeOffset ReceivedAt);
