namespace Vorgang.Tests.Infrastructure;

/// <summary>
/// The engine's clock in tests: the system clock, shifted by an offset a test may set (to the day a scenario needs, or
/// days ahead to let timers come due). Only the wall clock moves; timers and delays inside the host keep real time, so
/// nothing that waits on the clock (polling, retries) stalls — unlike a fake clock that only moves when told.
/// </summary>
public sealed class TestClock : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    /// <summary>From now on the clock shows <paramref name="now"/> and runs on from there.</summary>
    public void SetUtcNow(DateTimeOffset now) => Interlocked.Exchange(ref _offsetTicks, (now - System.GetUtcNow()).Ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    /// <summary>Back to the system's time.</summary>
    public void Reset() => Interlocked.Exchange(ref _offsetTicks, 0);
}
