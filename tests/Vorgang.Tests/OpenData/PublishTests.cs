using Vorgang.Api.Features.OpenData;
using Vorgang.Projections.Statistics;

namespace Vorgang.Tests.OpenData;

/// <summary>The published rows, from aggregates as PostgreSQL returns them.</summary>
public sealed class PublishTests
{
    private static readonly StatisticsPeriod Week = StatisticsPeriod.Week(new DateOnly(2026, 11, 9));
    private static readonly StatisticsPeriod Month = StatisticsPeriod.Month(new DateOnly(2026, 11, 1));

    [Fact]
    public void A_share_whose_within_or_missed_count_is_small_is_withheld_the_completed_count_is_not()
    {
        // 20 completed, 3 of them late: publishing 85 % would publish "3 late".
        var rows = OpenDataStatistics.Publish(PeriodKind.Month, [],
            [new("s", Week, 20, 4, 9, 17, 3), new("s", Month, 20, 4, 9, 17, 3)]);
        var row = Assert.Single(rows);
        Assert.Equal(20, row.Completed);
        Assert.Equal(4, row.MedianWorkingDays);
        Assert.Null(row.WithinDeadlineShare);
        Assert.True(row.Suppressed);
    }

    [Fact]
    public void All_in_time_is_published_as_one()
    {
        var rows = OpenDataStatistics.Publish(PeriodKind.Week, [new("s", Week, 8), new("s", Month, 8)],
            [new("s", Week, 8, 2, 3.3, 8, 0), new("s", Month, 8, 2, 3.3, 8, 0)]);
        var row = Assert.Single(rows);
        Assert.Equal((8, 8, 2.0, 3.3, 1.0, false), (row.Submitted, row.Completed, row.MedianWorkingDays, row.P90WorkingDays, row.WithinDeadlineShare, row.Suppressed));
    }

    [Fact]
    public void Cases_without_a_deadline_have_no_share_and_that_is_not_a_suppression()
    {
        var rows = OpenDataStatistics.Publish(PeriodKind.Week, [], [new("s", Week, 6, 1, 2, 0, 0), new("s", Month, 6, 1, 2, 0, 0)]);
        var row = Assert.Single(rows);
        Assert.Null(row.WithinDeadlineShare);
        Assert.False(row.Suppressed);
        Assert.Equal(0, row.Submitted);
    }

    [Fact]
    public void Csv_fields_are_quoted_per_rfc_4180()
    {
        Assert.Equal("plain", StatisticsCsv.Field("plain"));
        Assert.Equal("\"a,b\"", StatisticsCsv.Field("a,b"));
        Assert.Equal("\"say \"\"hi\"\"\"", StatisticsCsv.Field("say \"hi\""));
        Assert.Equal("\"two\r\nlines\"", StatisticsCsv.Field("two\r\nlines"));
        Assert.Equal("Straße", StatisticsCsv.Field("Straße"));
    }
}
