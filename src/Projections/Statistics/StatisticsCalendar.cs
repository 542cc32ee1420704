using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Projections.Statistics;

/// <summary>
/// The one place where the statistics turn instants into the city's dates and count working days.
/// It delegates to the engine's calendar (<see cref="WorkingDays"/>); when that calendar changes — public
/// holidays of Thuringia, say — only this file needs to follow, and a projection rebuild recounts history.
/// </summary>
public static class StatisticsCalendar
{
    public static DateOnly DateOf(DateTimeOffset instant) => BerlinClock.DateOf(instant);

    /// <summary>Working days after <paramref name="from"/> up to and including <paramref name="to"/>; 0 on the same day.</summary>
    /// <remarks>The same count as deadlines use: a case closed on its due date took exactly the legal number of working days.</remarks>
    public static int WorkingDaysBetween(DateOnly from, DateOnly to) => WorkingDays.Count(from, to);
}
