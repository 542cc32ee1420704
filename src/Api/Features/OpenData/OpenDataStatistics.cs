using System.Text.Json.Serialization;
using Marten;
using Npgsql;
using Vorgang.Projections;
using Vorgang.Projections.Statistics;

namespace Vorgang.Api.Features.OpenData;

/// <summary>One service in one period. Withheld figures are null and <see cref="Suppressed"/> is true.</summary>
/// <param name="Submitted">Cases submitted in the period, open or not.</param>
/// <param name="Completed">Cases closed in the period with any outcome but <c>withdrawn</c>.</param>
/// <param name="MedianWorkingDays">Median processing time of the completed cases, submission to closing, in working days.</param>
/// <param name="P90WorkingDays">90th percentile of the same (PostgreSQL <c>percentile_cont</c>, linear interpolation).</param>
/// <param name="WithinDeadlineShare">Share of the completed cases with a legal deadline that closed on or before the due date in force.</param>
public sealed record StatisticsRow(
    string ServiceId,
    string Period,
    DateOnly From,
    DateOnly To,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? Submitted,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? Completed,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? MedianWorkingDays,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? P90WorkingDays,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? WithinDeadlineShare,
    bool Suppressed);

/// <summary>The open-data table: one row per service and period in which something happened.</summary>
public sealed record StatisticsTable(string Period, int MinimumCount, IReadOnlyList<StatisticsRow> Rows);

/// <summary>Cases of a service submitted in a period.</summary>
public sealed record SubmittedFigures(string ServiceId, StatisticsPeriod Period, int Count);

/// <summary>Cases of a service completed in a period, their processing-time percentiles, and how many of those with a deadline met it and missed it.</summary>
public sealed record CompletedFigures(string ServiceId, StatisticsPeriod Period, int Count, double? Median, double? P90, int WithinDeadline, int MissedDeadline);

public static class OpenDataStatistics
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

    /// <summary>The published rows for one kind of period: figures of both kinds decide together what must be withheld.</summary>
    public static IReadOnlyList<StatisticsRow> Publish(PeriodKind kind, IReadOnlyList<SubmittedFigures> submitted, IReadOnlyList<CompletedFigures> completed)
    {
        var rows = new List<StatisticsRow>();
        foreach (var serviceId in submitted.Select(s => s.ServiceId).Concat(completed.Select(c => c.ServiceId)).Distinct().Order(StringComparer.Ordinal))
        {
            var byPeriodSubmitted = submitted.Where(s => s.ServiceId == serviceId).ToDictionary(s => s.Period);
            var byPeriodCompleted = completed.Where(c => c.ServiceId == serviceId).ToDictionary(c => c.Period);

            var submittedWithheld = Disclosure.Withhold(byPeriodSubmitted.ToDictionary(x => x.Key, x => Exposure.OfCount(x.Value.Count)));
            var completedWithheld = Disclosure.Withhold(byPeriodCompleted.ToDictionary(x => x.Key, x => Exposure.OfCount(x.Value.Count)));
            // The share publishes how many met the deadline and how many missed it (share × completed): both are protected
            // like the other counts. A withheld share blurs its month by min(met, missed): an observer knows no more than
            // that the met count lies between 0 and the completed count.
            var shareWithheld = Disclosure.Withhold(byPeriodCompleted.Values
                .Where(c => c.WithinDeadline + c.MissedDeadline > 0)
                .ToDictionary(c => c.Period, c => new Exposure(
                    Disclosure.IsSmall(c.WithinDeadline) || Disclosure.IsSmall(c.MissedDeadline),
                    completedWithheld.Contains(c.Period),
                    Math.Min(c.WithinDeadline, c.MissedDeadline))));

            var periods = byPeriodSubmitted.Keys.Concat(byPeriodCompleted.Keys).Where(p => p.Kind == kind).Distinct().OrderBy(p => p.Start);
            foreach (var period in periods)
            {
                var s = byPeriodSubmitted.GetValueOrDefault(period);
                var c = byPeriodCompleted.GetValueOrDefault(period);
                var fewCompleted = c is not null && Disclosure.IsSmall(c.Count);
                var withDeadline = c is null ? 0 : c.WithinDeadline + c.MissedDeadline;
                var suppressed = submittedWithheld.Contains(period) || completedWithheld.Contains(period) || (withDeadline > 0 && shareWithheld.Contains(period));
                rows.Add(new StatisticsRow(
                    serviceId, period.Label, period.Start, period.End,
                    submittedWithheld.Contains(period) ? null : s?.Count ?? 0,
                    completedWithheld.Contains(period) ? null : c?.Count ?? 0,
                    fewCompleted ? null : Round(c?.Median, 1),
                    fewCompleted ? null : Round(c?.P90, 1),
                    withDeadline == 0 || shareWithheld.Contains(period) ? null : Round((double)c!.WithinDeadline / withDeadline, 3),
                    suppressed));
            }
        }
        return rows;
    }

    private static double? Round(double? value, int digits) => value is { } v ? Math.Round(v, digits, MidpointRounding.AwayFromZero) : null;
}
