using JasperFx.Events.Projections;
using Marten;
using Vorgang.Projections.Statistics;
using Weasel.Postgresql.Tables;

// In the namespace of ProjectionsSetup, so that registering the statistics there is one line.
namespace Vorgang.Projections;

public static class StatisticsSetup
{
    /// <summary>
    /// Which facts are completed cases, as SQL over the duplicated columns: closed with any outcome but <c>withdrawn</c>
    /// (how long a citizen took to change their mind says nothing about the office). The open-data query uses this very
    /// text so that PostgreSQL matches it to the partial index below.
    /// </summary>
    public const string CompletedPredicate = "closed_on is not null and outcome <> 'withdrawn'";

    /// <summary>
    /// The facts behind open data: an async projection (it may lag; it never slows a submission) whose aggregated
    /// fields are duplicated into typed columns, with covering indexes shaped after the open-data queries: PostgreSQL
    /// counts and ranks straight from an index, in its order — no reading of documents, no sorting of a million rows.
    /// </summary>
    public static void AddCaseStatistics(this StoreOptions options)
    {
        options.Projections.Add(new CaseStatisticProjection(), ProjectionLifecycle.Async);
        options.Policies.ForAllDocuments(mapping =>
        {
            if (mapping.DocumentType != typeof(CaseStatistic) || mapping.Indexes.Any(i => i.Name == "mt_doc_casestatistic_idx_submitted")) return;
            // DuplicateField rather than Schema.For<T>().Duplicate(): the latter adds an index per column that no query uses.
            foreach (var member in new[]
                     {
                         nameof(CaseStatistic.ServiceId), nameof(CaseStatistic.SubmittedOn), nameof(CaseStatistic.ClosedOn),
                         nameof(CaseStatistic.ClosedWeek), nameof(CaseStatistic.ClosedMonth), nameof(CaseStatistic.Outcome),
                         nameof(CaseStatistic.ProcessingDays), nameof(CaseStatistic.WithinDeadline),
                     })
            {
                mapping.DuplicateField(member);
            }
            mapping.Indexes.Add(new IndexDefinition("mt_doc_casestatistic_idx_submitted") { Columns = ["service_id", "submitted_on"] });
            foreach (var period in new[] { "closed_week", "closed_month" })
            {
                mapping.Indexes.Add(new IndexDefinition($"mt_doc_casestatistic_idx_{period}")
                {
                    Columns = ["service_id", period, "processing_days", "within_deadline"],
                    Predicate = CompletedPredicate,
                });
            }
        });
    }
}
