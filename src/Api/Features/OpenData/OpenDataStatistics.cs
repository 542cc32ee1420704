using System.Text.Json.Serialization;
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

public static class OpenDataStatistics
{
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
