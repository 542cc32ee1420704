using Vorgang.Workflows.Deadlines;
using Vorgang.Workflows.Cases;

namespace Vorgang.Tests.Deadlines;

/// <summary>Thuringia's public holidays, computed by rule, and counting working days across them.</summary>
public sealed class WorkingCalendarTests
{
    private static readonly WorkingCalendar Thuringia = WorkingCalendar.Thuringia;

    [Theory]
    [InlineData(2019, "2019-04-21")]
    [InlineData(2020, "2020-04-12")]
    [InlineData(2021, "2021-04-04")]
    [InlineData(2022, "2022-04-17")]
    [InlineData(2023, "2023-04-09")]
    [InlineData(2024, "2024-03-31")]
    [InlineData(2025, "2025-04-20")]
    [InlineData(2026, "2026-04-05")]
    [InlineData(2027, "2027-03-28")]
    [InlineData(2028, "2028-04-16")]
    [InlineData(2029, "2029-04-01")]
    [InlineData(2030, "2030-04-21")]
    [InlineData(2008, "2008-03-23")] // early
    [InlineData(2038, "2038-04-25")] // latest possible date
    [InlineData(2285, "2285-03-22")] // earliest possible date
    public void Easter_follows_the_gregorian_computus(int year, string easterSunday)
    {
        Assert.Equal(DateOnly.Parse(easterSunday), WorkingCalendar.Easter(year));
    }

    [Fact]
    public void The_holidays_of_2026_with_their_german_names()
    {
        Assert.Equal(
        [
            ("2026-01-01", "Neujahr"),
            ("2026-04-03", "Karfreitag"),
            ("2026-04-06", "Ostermontag"),
            ("2026-05-01", "Tag der Arbeit"),
            ("2026-05-14", "Christi Himmelfahrt"),
            ("2026-05-25", "Pfingstmontag"),
            ("2026-09-20", "Weltkindertag"),
            ("2026-10-03", "Tag der Deutschen Einheit"),
            ("2026-10-31", "Reformationstag"),
            ("2026-12-25", "1. Weihnachtsfeiertag"),
            ("2026-12-26", "2. Weihnachtsfeiertag"),
        ], Thuringia.Holidays(2026).Select(h => (h.Date.ToString("yyyy-MM-dd"), h.Name)));
    }

    [Theory]
    [InlineData("2024-03-29", "Karfreitag")]
    [InlineData("2024-04-01", "Ostermontag")]
    [InlineData("2024-05-09", "Christi Himmelfahrt")]
    [InlineData("2024-05-20", "Pfingstmontag")]
    [InlineData("2024-09-20", "Weltkindertag")]
    [InlineData("2025-04-18", "Karfreitag")]
    [InlineData("2025-05-29", "Christi Himmelfahrt")]
    [InlineData("2025-06-09", "Pfingstmontag")]
    [InlineData("2025-10-31", "Reformationstag")]
    [InlineData("2027-03-26", "Karfreitag")]
    [InlineData("2027-03-29", "Ostermontag")]
    [InlineData("2027-05-06", "Christi Himmelfahrt")]
    [InlineData("2027-05-17", "Pfingstmontag")]
    [InlineData("2019-09-20", "Weltkindertag")] // the first one
    [InlineData("2030-05-30", "Christi Himmelfahrt")]
    [InlineData("2030-06-10", "Pfingstmontag")]
    public void Moveable_feasts_and_state_holidays_fall_on_their_dates(string date, string name)
    {
        var day = DateOnly.Parse(date);

        Assert.Equal(name, Thuringia.HolidayOn(day)?.Name);
        Assert.False(Thuringia.IsWorkingDay(day));
        Assert.False(WorkingDays.IsWorkingDay(day));
    }

    [Theory]
    [InlineData("2018-09-20")] // Weltkindertag became a holiday in Thuringia in 2019
    [InlineData("2026-06-04")] // Corpus Christi: only in some municipalities of the Eichsfeld, not in Jena
    [InlineData("2026-11-18")] // Repentance Day: a holiday in Saxony only
    [InlineData("2026-12-24")] // Christmas Eve and New Year's Eve are working days by law
    [InlineData("2026-12-31")]
    public void Days_that_are_no_holiday_in_jena_are_working_days(string date)
    {
        Assert.Null(Thuringia.HolidayOn(DateOnly.Parse(date)));
        Assert.True(Thuringia.IsWorkingDay(DateOnly.Parse(date)));
    }

    [Fact]
    public void Every_year_since_2019_has_eleven_holidays_and_one_that_coincides_counts_once()
    {
        for (var year = 2019; year <= 2030; year++)
            Assert.Equal(11, Thuringia.Holidays(year).Count);
        Assert.Equal(10, Thuringia.Holidays(2018).Count);
        // 2008: Ascension Day fell on 1 May.
        Assert.Equal(9, Thuringia.Holidays(2008).Count);
        Assert.Equal("Tag der Arbeit", Thuringia.HolidayOn(new DateOnly(2008, 5, 1))!.Name);
    }

    [Theory]
    [InlineData("2026-04-02", 1, "2026-04-07")]  // Thursday before Easter → Tuesday after
    [InlineData("2026-03-30", 10, "2026-04-15")] // ten working days across Easter
    [InlineData("2026-12-23", 2, "2026-12-28")]  // Christmas on a Friday and the weekend
    [InlineData("2026-12-31", 1, "2027-01-04")]  // New Year on a Friday
    [InlineData("2024-09-19", 1, "2024-09-23")]  // Weltkindertag on a Friday
    [InlineData("2018-09-19", 1, "2018-09-20")]  // before 2019 a working day
    [InlineData("2025-10-30", 1, "2025-11-03")]  // Reformation Day on a Friday
    [InlineData("2025-05-28", 1, "2025-05-30")]  // Ascension Day
    [InlineData("2026-05-22", 1, "2026-05-26")]  // Whit Monday
    [InlineData("2026-04-30", 1, "2026-05-04")]  // 1 May on a Friday
    [InlineData("2026-04-03", 0, "2026-04-03")]  // 0 days: the start, even on a holiday
    [InlineData("2026-04-05", 1, "2026-04-07")]  // from Easter Sunday
    [InlineData("2026-04-07", -1, "2026-04-02")] // backwards across Easter
    [InlineData("2026-04-15", -2, "2026-04-13")]
    public void Adding_working_days_skips_weekends_and_holidays(string start, int days, string expected)
    {
        Assert.Equal(DateOnly.Parse(expected), Thuringia.Add(DateOnly.Parse(start), days));
        if (days >= 0) Assert.Equal(DateOnly.Parse(expected), WorkingDays.Add(DateOnly.Parse(start), days));
        else Assert.Equal(DateOnly.Parse(expected), WorkingDays.Subtract(DateOnly.Parse(start), -days));
    }

    [Theory]
    [InlineData("2026-04-02", "2026-04-09", 3)]  // 7, 8, 9 April
    [InlineData("2026-04-02", "2026-04-02", 0)]
    [InlineData("2026-04-09", "2026-04-02", 0)]  // backwards counts nothing
    [InlineData("2026-12-18", "2027-01-08", 13)] // Christmas and New Year
    [InlineData("2026-01-01", "2026-12-31", 254)] // 261 weekdays less 7 holidays on weekdays (20 Sep, 3 and 31 Oct, 26 Dec fall on weekends)
    public void Counting_working_days_counts_the_days_after_the_first_up_to_the_last(string from, string to, int expected)
    {
        Assert.Equal(expected, Thuringia.Count(DateOnly.Parse(from), DateOnly.Parse(to)));
        Assert.Equal(expected, WorkingDays.Count(DateOnly.Parse(from), DateOnly.Parse(to)));
    }

    [Fact]
    public void Count_undoes_Add_on_every_day_of_several_years()
    {
        for (var day = new DateOnly(2019, 1, 1); day < new DateOnly(2031, 1, 1); day = day.AddDays(7))
            foreach (var n in new[] { 1, 5, 10, 20, 60 })
            {
                var due = Thuringia.Add(day, n);
                Assert.Equal(n, Thuringia.Count(day, due));
                Assert.True(Thuringia.IsWorkingDay(due), $"{day} + {n} = {due} is no working day");
            }
    }
}
