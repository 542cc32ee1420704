namespace Vorgang.Workflows.Deadlines;

/// <summary>Deadlines and date rules count in the city's time zone, whatever the server's.</summary>
public static class BerlinClock
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    public static DateOnly Today(this TimeProvider time) => DateOf(time.GetUtcNow());

    /// <summary>The moment as a clock in Germany shows it.</summary>
    public static DateTime LocalTimeOf(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Berlin).DateTime;

    public static DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Berlin).DateTime);

    /// <summary>The instant at which the clocks in Berlin show <paramref name="time"/> on <paramref name="date"/> (summer time included).</summary>
    public static DateTimeOffset At(DateOnly date, TimeOnly time)
    {
        var local = date.ToDateTime(time);
        return new DateTimeOffset(local, Berlin.GetUtcOffset(local));
    }
}
