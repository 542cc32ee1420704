using System.Globalization;

namespace Vorgang.Projections.Statistics;

public enum PeriodKind { Week, Month }

/// <summary>An ISO week (Monday to Sunday, <c>2026-W48</c>) or a calendar month (<c>2026-11</c>), named by its first day.</summary>
public readonly record struct StatisticsPeriod(PeriodKind Kind, DateOnly Start)
{
    public DateOnly End => Kind == PeriodKind.Week ? Start.AddDays(6) : Start.AddMonths(1).AddDays(-1);

    public string Label => Kind == PeriodKind.Week
        ? $"{ISOWeek.GetYear(Start.ToDateTime(TimeOnly.MinValue)):D4}-W{ISOWeek.GetWeekOfYear(Start.ToDateTime(TimeOnly.MinValue)):D2}"
        : Start.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public bool Overlaps(StatisticsPeriod other) => Start <= other.End && other.Start <= End;

    public bool Within(StatisticsPeriod other) => other.Start <= Start && End <= other.End;

    public static StatisticsPeriod Week(DateOnly day) => new(PeriodKind.Week, day.AddDays(-(((int)day.DayOfWeek + 6) % 7)));

    public static StatisticsPeriod Month(DateOnly day) => new(PeriodKind.Month, new DateOnly(day.Year, day.Month, 1));

    public static StatisticsPeriod Of(PeriodKind kind, DateOnly day) => kind == PeriodKind.Week ? Week(day) : Month(day);

    public override string ToString() => Label;
}
