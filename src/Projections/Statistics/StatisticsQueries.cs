using Marten;
using Npgsql;

namespace Vorgang.Projections.Statistics;

/// <summary>Cases of a service submitted in a period.</summary>
public sealed record SubmittedFigures(string ServiceId, StatisticsPeriod Period, int Count);

/// <summary>Cases of a service completed in a period, their processing-time percentiles, and how many of those with a deadline met it and missed it.</summary>
public sealed record CompletedFigures(string ServiceId, StatisticsPeriod Period, int Count, double? Median, double? P90, int WithinDeadline, int MissedDeadline);

/// <summary>The open-data aggregates, read from the columns and indexes that <see cref="StatisticsSetup"/> declares.</summary>
public static class StatisticsQueries
{
    /// <summary>
    /// Aggregates the case facts in PostgreSQL, in one round trip of three grouped queries that each read one covering
    /// index of <see cref="StatisticsSetup"/> in its order: submissions per service and day (days add up to weeks and
    /// months here), completions per service and week, and per service and month, with their percentiles. Both kinds
    /// of period are needed to decide what to withhold. Only aggregates leave the database.
    /// </summary>
    public static async Task<(IReadOnlyList<SubmittedFigures> Submitted, IReadOnlyList<CompletedFigures> Completed)> LoadAsync(
        IDocumentStore store, NpgsqlDataSource dataSource, string? serviceId, CancellationToken ct)
    {
        var table = store.Options.FindOrResolveDocumentType(typeof(CaseStatistic)).TableName.QualifiedName;
        const string service = "($1::text is null or service_id = $1)";

        await using var batch = dataSource.CreateBatch();
        Add(batch, serviceId, $"select service_id, submitted_on, count(*)::int from {table} where {service} group by 1, 2");
        foreach (var column in new[] { "closed_week", "closed_month" })
        {
            Add(batch, serviceId,
                $"""
                select service_id, {column}, count(*)::int,
                       (count(*) filter (where within_deadline))::int, (count(*) filter (where not within_deadline))::int,
                       percentile_cont(0.5) within group (order by processing_days),
                       percentile_cont(0.9) within group (order by processing_days)
                from {table} where {StatisticsSetup.CompletedPredicate} and {service} group by 1, 2
                """);
        }

        var submitted = new Dictionary<(string, StatisticsPeriod), int>();
        var completed = new List<CompletedFigures>();
        await using var reader = await batch.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var day = reader.GetFieldValue<DateOnly>(1);
            foreach (var period in new[] { StatisticsPeriod.Week(day), StatisticsPeriod.Month(day) })
                submitted[(reader.GetString(0), period)] = submitted.GetValueOrDefault((reader.GetString(0), period)) + reader.GetInt32(2);
        }
        foreach (var kind in new[] { PeriodKind.Week, PeriodKind.Month })
        {
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                completed.Add(new(reader.GetString(0), new StatisticsPeriod(kind, reader.GetFieldValue<DateOnly>(1)), reader.GetInt32(2),
                    reader.GetDouble(5), reader.GetDouble(6), reader.GetInt32(3), reader.GetInt32(4)));
            }
        }
        return (submitted.Select(x => new SubmittedFigures(x.Key.Item1, x.Key.Item2, x.Value)).ToList(), completed);
    }

    private static void Add(NpgsqlBatch batch, string? serviceId, string sql) => batch.BatchCommands.Add(new NpgsqlBatchCommand(sql)
    {
        Parameters = { new() { Value = (object?)serviceId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text } },
    });
}
