namespace Vorgang.Workflows.Cases;

/// <summary>Deadlines and date rules count in the city's time zone, whatever the server's.</summary>
public static class BerlinClock
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    public static DateOnly Today(this TimeProvider time) => DateOf(time.GetUtcNow());

    public static DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Berlin).DateTime);
}
