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

    public static DateOnly? DueDate(Definitions.Duration? period, DateOnly start) => period switch
    {
        { WorkingDays: { } wd } => Add(start, wd),
        { CalendarDays: { } cd } => start.AddDays(cd),
        _ => null,
    };
}
