using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;

namespace Vorgang.Workflows.Cases;

public static class CaseStore
{
    /// <summary>The event store as the case engine needs it: string stream keys (case numbers), stable event names, full metadata.</summary>
    public static void AddCases(this StoreOptions options)
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
        options.Projections.Snapshot<Case>(SnapshotLifecycle.Inline);
        options.Schema.For<SubmissionReceipt>();
        options.Storage.ExtendedSchemaObjects.Add(CaseNumbers.Table(options.DatabaseSchemaName));
    }
}

/// <summary>Remembers an idempotent submission: the same Idempotency-Key for the same service returns the same case.</summary>
public sealed record SubmissionReceipt(string Id, string CaseNumber, string RequestHash, DateTimeOffset ReceivedAt);
