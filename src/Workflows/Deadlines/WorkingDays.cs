using Vorgang.Workflows.Deadlines;

namespace Vorgang.Workflows.Deadlines;

/// <summary>
/// Counting of deadlines in the city's working days: Monday to Friday without Thuringia's public holidays
/// (<see cref="WorkingCalendar.Thuringia"/>, which also lists the holidays by name).
/// </summary>
public static class WorkingDays
{
    private static WorkingCalendar Thuringia => WorkingCalendar.Thuringia;

    /// <summary>The working day so many working days after <paramref name="start"/>; <paramref name="start"/> itself for 0 or less.</summary>
    public static DateOnly Add(DateOnly start, int workingDays) => workingDays <= 0 ? start : Thuringia.Add(start, workingDays);

    public static bool IsWorkingDay(DateOnly date) => Thuringia.IsWorkingDay(date);

    /// <summary>The working day <paramref name="workingDays"/> working days before <paramref name="date"/>.</summary>
    public static DateOnly Subtract(DateOnly date, int workingDays) => workingDays <= 0 ? date : Thuringia.Add(date, -workingDays);

    /// <summary>Working days after <paramref name="from"/> up to and including <paramref name="to"/> (0 when to ≤ from).</summary>
    public static int Count(DateOnly from, DateOnly to) => Thuringia.Count(from, to);

    public static DateOnly? DueDate(Definitions.Duration? period, DateOnly start) => period switch
    {
        { WorkingDays: { } wd } => Add(start, wd),
        { CalendarDays: { } cd } => start.AddDays(cd),
        _ => null,
    };
}
