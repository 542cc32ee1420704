using JasperFx.Events.Projections;
using Marten;
using Vorgang.Projections.Forecasts;
using Vorgang.Projections.Queues;
using Vorgang.Workflows.Definitions;
using Weasel.Postgresql.Tables;

namespace Vorgang.Projections;

public static class ProjectionsSetup
{
    /// <summary>Registers the read models. They are disposable: each can be rebuilt from the event log.</summary>
    public static void AddReadModels(this StoreOptions options, DefinitionCatalog catalog)
    {
        options.Projections.Add(new QueueItemProjection(catalog), ProjectionLifecycle.Inline);
        options.Projections.Add<CaseJourneyProjection>(ProjectionLifecycle.Inline);
        options.Policies.ForAllDocuments(mapping =>
        {
            // Typed columns without an index each (Schema.For<T>().Duplicate() would add one per column, and every
            // index costs every write); then the few indexes the queries need, partial where they read only open cases.
            if (mapping.DocumentType == typeof(QueueItem) && !mapping.Indexes.Any(i => i.Name == "mt_doc_queueitem_idx_order"))
            {
                foreach (var member in new[]
                         {
                             nameof(QueueItem.Team), nameof(QueueItem.IsOpen), nameof(QueueItem.State), nameof(QueueItem.ServiceId),
                             nameof(QueueItem.DueOn), nameof(QueueItem.SubmittedAt), nameof(QueueItem.StartBy), nameof(QueueItem.ClockStopped),
                             nameof(QueueItem.AssigneeId), nameof(QueueItem.OrderStartBy), nameof(QueueItem.OrderDueOn),
                         })
                {
                    mapping.DuplicateField(member);
                }
                // The queue's order, for its pages and for a citizen's place in it.
                mapping.Indexes.Add(new IndexDefinition("mt_doc_queueitem_idx_order")
                {
                    Columns = ["team", "order_start_by", "order_due_on", "submitted_at"],
                    Predicate = "is_open",
                });
                // The team's overview (counts per state and risk band) straight from the index.
                mapping.Indexes.Add(new IndexDefinition("mt_doc_queueitem_idx_overview")
                {
                    Columns = ["team", "state", "due_on", "start_by", "clock_stopped"],
                    Predicate = "is_open",
                });
                mapping.Indexes.Add(new IndexDefinition("mt_doc_queueitem_idx_assignee") { Columns = ["team", "assignee_id"], Predicate = "is_open" });
                // A party's lists (PartyLists): its addressees' rows out of the whole city's, through an inverted index on
                // each list, partial so that the cases of services without parties (most of them) add nothing to it.
                foreach (var member in new[] { nameof(QueueItem.AddressedTo), nameof(QueueItem.AwaitedBy) })
                {
                    mapping.DuplicateField(member, "text[]");
                }
                mapping.Indexes.Add(new IndexDefinition(PartyLists.AwaitedIndex)
                {
                    Columns = ["awaited_by"], Method = IndexMethod.gin, Predicate = PartyLists.AwaitedPredicate,
                });
                mapping.Indexes.Add(new IndexDefinition(PartyLists.AddressedIndex)
                {
                    Columns = ["addressed_to"], Method = IndexMethod.gin, Predicate = PartyLists.AddressedPredicate,
                });
            }
            if (mapping.DocumentType == typeof(CaseJourney) && !mapping.Indexes.Any(i => i.Name == "mt_doc_casejourney_idx_recent"))
            {
                foreach (var member in new[] { nameof(CaseJourney.ServiceId), nameof(CaseJourney.ClosedOn), nameof(CaseJourney.Outcome) })
                {
                    mapping.DuplicateField(member);
                }
                // The most recent positively ended cases of a service, for forecasts. Marten compares the predicate
                // with the one PostgreSQL prints back; written with `in`, which PostgreSQL turns into `= ANY`, it never
                // matched, and every start dropped and built the index again.
                mapping.Indexes.Add(new IndexDefinition("mt_doc_casejourney_idx_recent")
                {
                    Columns = ["service_id", "closed_on"],
                    Predicate = Forecasts.CompletionForecasts.EndedPositively,
                });
            }
        });
        options.AddCaseStatistics();
    }
}
