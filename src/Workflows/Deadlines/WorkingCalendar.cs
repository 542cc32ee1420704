using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace Vorgang.Workflows.Deadlines;

/// <summary>A public holiday: its date and its German name.</summary>
public sealed record Holiday(DateOnly Date, string Name);

/// <summary>
/// Working days of a German state: Monday to Friday without the public holidays, which are computed from rules
/// (fixed dates and the moveable feasts that follow Easter), never listed by hand per year.
/// </summary>
public sealed class WorkingCalendar
{
    /// <summary>
    /// Thuringia (Feiertagsgesetz des Freistaats Thüringen, ThürFtG): the national holidays, Reformation Day and, since
    /// 2019, Weltkindertag. Corpus Christi is a holiday only in some mainly Catholic municipalities (Eichsfeld), not in Jena,
    /// so it is left out.
    /// </summary>
    public static readonly WorkingCalendar Thuringia = new("Thüringen",
    [
        Fixed(1, 1, "Neujahr"),
        EasterBased(-2, "Karfreitag"),
        EasterBased(1, "Ostermontag"),
        Fixed(5, 1, "Tag der Arbeit"),
        EasterBased(39, "Christi Himmelfahrt"),
        EasterBased(50, "Pfingstmontag"),
        Fixed(9, 20, "Weltkindertag", fromYear: 2019),
        Fixed(10, 3, "Tag der Deutschen Einheit", fromYear: 1990),
        Fixed(10, 31, "Reformationstag"),
        Fixed(12, 25, "1. Weihnachtsfeiertag"),
        Fixed(12, 26, "2. Weihnachtsfeiertag"),
    ]);

    private readonly IReadOnlyList<Func<int, Holiday?>> _rules;
    // Holidays are looked up for every day counted; computing a year once keeps counting cheap.
    private readonly ConcurrentDictionary<int, FrozenDictionary<DateOnly, Holiday>> _years = new();

    public WorkingCalendar(string name, IReadOnlyList<Func<int, Holiday?>> rules)
    {
        Name = name;
        _rules = rules;
    }

    public string Name { get; }

    /// <summary>The public holidays of a year in date order, including those that fall on a weekend.</summary>
    public IReadOnlyList<Holiday> Holidays(int year) => Year(year).Values.OrderBy(h => h.Date).ToList();

    public Holiday? HolidayOn(DateOnly date) => Year(date.Year).GetValueOrDefault(date);

    public bool IsWorkingDay(DateOnly date) =>
        date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !Year(date.Year).ContainsKey(date);

    /// <summary>
    /// The working day <paramref name="workingDays"/> working days after <paramref name="start"/> (before it when negative).
    /// The start day itself never counts, as a period starting with an event does not count the day of the event (§ 187 Abs. 1 BGB);
    /// with 0 the start is returned as it is.
    /// </summary>
    public DateOnly Add(DateOnly start, int workingDays)
    {
        var step = workingDays < 0 ? -1 : 1;
        var left = Math.Abs(workingDays);
        var date = start;
        while (left > 0)
        {
            date = date.AddDays(step);
            if (IsWorkingDay(date)) left--;
        }
        return date;
    }

    /// <summary>Working days after <paramref name="from"/> up to and including <paramref name="to"/>; 0 when <paramref name="to"/> is not after <paramref name="from"/>. <c>Count(d, Add(d, n)) == n</c>.</summary>
    public int Count(DateOnly from, DateOnly to)
    {
        var count = 0;
        for (var date = from.AddDays(1); date <= to; date = date.AddDays(1))
        {
            if (IsWorkingDay(date)) count++;
        }
        return count;
    }

    /// <summary>Easter Sunday in the Gregorian calendar (the anonymous Gregorian computus of Meeus, Jones and Butcher).</summary>
    public static DateOnly Easter(int year)
    {
        var a = year % 19;
        var b = year / 100;
        var c = year % 100;
        var d = b / 4;
        var e = b % 4;
        var f = (b + 8) / 25;
        var g = (b - f + 1) / 3;
        var h = (19 * a + b - d - g + 15) % 30;
        var i = c / 4;
        var k = c % 4;
        var l = (32 + 2 * e + 2 * i - h - k) % 7;
        var m = (a + 11 * h + 22 * l) / 451;
        var month = (h + l - 7 * m + 114) / 31;
        var day = (h + l - 7 * m + 114) % 31 + 1;
        return new DateOnly(year, month, day);
    }

    /// <summary>A holiday on the same date every year, optionally only since a year (a law that introduced it).</summary>
    public static Func<int, Holiday?> Fixed(int month, int day, string name, int fromYear = 1) =>
        year => year >= fromYear ? new Holiday(new DateOnly(year, month, day), name) : null;

    /// <summary>A moveable feast: so many days after (or, when negative, before) Easter Sunday.</summary>
    public static Func<int, Holiday?> EasterBased(int daysAfterEaster, string name) =>
        year => new Holiday(Easter(year).AddDays(daysAfterEaster), name);

    private FrozenDictionary<DateOnly, Holiday> Year(int year) =>
        _years.TryGetValue(year, out var holidays) ? holidays : _years.GetOrAdd(year, static (y, rules) => rules
            .Select(rule => rule(y))
            .OfType<Holiday>()
            // Two rules on one day (Ascension on 1 May, as in 2008) make one day off; the first name wins.
            .DistinctBy(h => h.Date)
            .ToFrozenDictionary(h => h.Date), _rules);
}
