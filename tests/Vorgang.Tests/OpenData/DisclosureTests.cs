using Vorgang.Api.Features.OpenData;
using Vorgang.Projections.Statistics;

namespace Vorgang.Tests.OpenData;

/// <summary>What must be withheld so that no count below five can be read or worked out from the week and month tables.</summary>
public sealed class DisclosureTests
{
    private static StatisticsPeriod W(int year, int month, int day) => StatisticsPeriod.Week(new DateOnly(year, month, day));
    private static StatisticsPeriod M(int year, int month) => StatisticsPeriod.Month(new DateOnly(year, month, 1));

    private static IReadOnlySet<StatisticsPeriod> Withhold(params (StatisticsPeriod Period, int Count)[] cells) =>
        Disclosure.Withhold(cells.ToDictionary(c => c.Period, c => Exposure.OfCount(c.Count)));

    [Fact]
    public void Periods_are_named_as_iso_weeks_and_months()
    {
        Assert.Equal("2026-W48", W(2026, 11, 26).Label);
        Assert.Equal(new DateOnly(2026, 11, 23), W(2026, 11, 26).Start);
        Assert.Equal(new DateOnly(2026, 11, 29), W(2026, 11, 29).End);
        // 1 January 2027 is a Friday: it belongs to the last week of 2026, which has 53.
        Assert.Equal("2026-W53", W(2027, 1, 1).Label);
        Assert.Equal("2026-11", M(2026, 11).Label);
        Assert.Equal(new DateOnly(2027, 2, 28), M(2027, 2).End);
    }

    [Fact]
    public void Nothing_is_withheld_when_every_count_is_at_least_five()
    {
        Assert.Empty(Withhold((W(2026, 11, 2), 5), (W(2026, 11, 9), 7), (M(2026, 11), 12)));
    }

    [Fact]
    public void A_small_week_in_a_published_month_takes_the_smallest_week_that_covers_it_along()
    {
        // February 2027 begins on a Monday and ends on a Sunday: its four weeks add up to it exactly.
        var withheld = Withhold(
            (W(2027, 2, 1), 20), (W(2027, 2, 8), 3), (W(2027, 2, 15), 9), (W(2027, 2, 22), 30), (M(2027, 2), 62));
        Assert.Equal([W(2027, 2, 8), W(2027, 2, 15)], withheld.OrderBy(p => p.Start));
    }

    [Fact]
    public void When_no_week_of_the_month_can_give_cover_the_month_is_withheld()
    {
        var withheld = Withhold((W(2027, 2, 1), 5), (W(2027, 2, 8), 2), (W(2027, 2, 15), 6), (M(2027, 2), 13));
        Assert.Equal([M(2027, 2), W(2027, 2, 8)], withheld.OrderBy(p => p.Kind == PeriodKind.Week).ThenBy(p => p.Start));
    }

    [Fact]
    public void Several_small_weeks_share_cover()
    {
        var withheld = Withhold((W(2027, 2, 1), 1), (W(2027, 2, 8), 1), (W(2027, 2, 15), 8), (W(2027, 2, 22), 12), (M(2027, 2), 22));
        Assert.Equal([W(2027, 2, 1), W(2027, 2, 8), W(2027, 2, 15)], withheld.OrderBy(p => p.Start));
    }

    [Fact]
    public void A_small_month_takes_every_week_that_overlaps_it_along()
    {
        // October 2026 has three cases: on Thursday the 1st (week 40, which began in September) and in the week of the 26th,
        // which runs into November. Those weeks are large because of their days in the neighbouring months.
        var withheld = Withhold(
            (W(2026, 9, 28), 9), (W(2026, 10, 26), 11), (M(2026, 9), 40), (M(2026, 10), 3), (M(2026, 11), 50));
        Assert.Equal([W(2026, 9, 28), M(2026, 10), W(2026, 10, 26)], withheld.OrderBy(p => p.Start));
    }

    [Fact]
    public void A_small_week_straddling_two_months_needs_cover_in_each_published_month()
    {
        // The week of 26 October 2026 runs into November.
        var withheld = Withhold(
            (W(2026, 10, 19), 10), (W(2026, 10, 26), 2), (W(2026, 11, 2), 12), (M(2026, 10), 30), (M(2026, 11), 40));
        Assert.Equal([W(2026, 10, 19), W(2026, 10, 26), W(2026, 11, 2)], withheld.OrderBy(p => p.Start));
    }

    [Fact]
    public void A_withheld_week_cannot_be_recomputed_from_the_published_figures()
    {
        // The attack: month minus the published weeks of the month. With cover, what is left mixes a small and a large
        // count, and every value from 1 to 4 for the small week stays consistent with what is published.
        var cells = new (StatisticsPeriod Period, int Count)[]
            { (W(2027, 2, 1), 20), (W(2027, 2, 8), 3), (W(2027, 2, 15), 9), (W(2027, 2, 22), 30), (M(2027, 2), 62) };
        var withheld = Withhold(cells);
        var published = cells.Where(c => !withheld.Contains(c.Period)).ToList();
        var rest = published.Single(c => c.Period.Kind == PeriodKind.Month).Count - published.Where(c => c.Period.Kind == PeriodKind.Week).Sum(c => c.Count);
        Assert.Equal(12, rest);
        // An observer knows a withheld count is between 1 and 4 when small and at least 5 otherwise.
        foreach (var small in Enumerable.Range(1, 4)) Assert.True(rest - small >= Disclosure.MinimumCount);
    }
}
