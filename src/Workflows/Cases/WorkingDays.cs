namespace Vorgang.Workflows.Cases;

/// <summary>Counting of deadlines in working days (Monday to Friday).</summary>
public static class WorkingDays
{
    public static DateOnly Add(DateOnly start, int workingDays)
    {
        var date = start;
        var left = workingDays;
        while (left > 0)
        {
            date = date.AddDays(1);
            if (IsWorkingDay(date)) left--;
        }
        return date;
    }

    public static bool IsWorkingDay(DateOnly date) => date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);

    /// <summary>The working day <paramref name="workingDays"/> working days before <paramref name="date"/>.</summary>
    public static DateOnly Subtract(DateOnly date, int workingDays)
    {
        var left = workingDays;
        while (left > 0)
        {
            date = date.AddDays(-1);
            if (IsWorkingDay(date)) left--;
        }
        return date;
    }

    /// <summary>Working days after <paramref name="from"/> up to and including <paramref name="to"/> (0 when to ≤ from).</summary>
    public static int Count(DateOnly from, DateOnly to)
    {
        var count = 0;
        for (var date = from.AddDays(1); date <= to; date = date.AddDays(1))
        {
            if (IsWorkingDay(date)) count++;
        }
        return count;
    }

    public static DateOnly? DueDate(Definitions.Duration? period, DateOnly start) => period switch
    {
        { WorkingDays: { } wd } => Add(start, wd),
        { CalendarDays: { } cd } => start.AddDays(cd),
        _ => null,
    };
}
