using Vorgang.Projections.Caching;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Forecasts;

public sealed class RefreshingCacheTests
{
    private readonly TestClock _clock = new();
    private int _loads;
    private TaskCompletionSource<int>? _gate;

    private RefreshingCache<string, int> NewCache() => new(_clock, TimeSpan.FromSeconds(5));

    /// <summary>Counts its calls; answers the call's number, or waits for <see cref="_gate"/> when one is set.</summary>
    private Task<int> Load(string _)
    {
        var n = Interlocked.Increment(ref _loads);
        return _gate is { } gate ? gate.Task : Task.FromResult(n);
    }

    [Fact]
    public async Task A_fresh_value_is_answered_without_loading_again()
    {
        var cache = NewCache();
        Assert.Equal(1, await cache.GetAsync("team", Load));
        _clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(1, await cache.GetAsync("team", Load));
        Assert.Equal(1, _loads);
    }

    [Fact]
    public async Task Callers_that_find_no_value_share_one_load()
    {
        var cache = NewCache();
        _gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = Enumerable.Range(0, 5).Select(_ => cache.GetAsync("team", Load)).ToList();
        _gate.SetResult(42);
        Assert.All(await Task.WhenAll(waiting), v => Assert.Equal(42, v));
        Assert.Equal(1, _loads);
    }

    [Fact]
    public async Task An_expired_value_is_answered_while_one_reload_runs_and_the_reloaded_one_follows()
    {
        var (cache, reload) = await ExpiredWithReloadHeldAsync();

        // Nobody waits for the reload: every caller meanwhile gets the old value, and only one reload starts.
        for (var i = 0; i < 5; i++) Assert.Equal(1, await cache.GetAsync("team", Load));
        await WaitForLoadsAsync(2);
        reload.SetResult(7);
        await WaitUntilAsync(async () => await cache.GetAsync("team", Load) == 7);
        Assert.Equal(2, _loads);
    }

    [Fact]
    public async Task A_value_twice_its_lifetime_old_is_not_answered_the_caller_waits_for_a_new_one()
    {
        var cache = NewCache();
        Assert.Equal(1, await cache.GetAsync("team", Load));
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(2, await cache.GetAsync("team", Load));
    }

    [Fact]
    public async Task A_failed_reload_keeps_the_old_value_and_the_next_caller_tries_again()
    {
        var (cache, reload) = await ExpiredWithReloadHeldAsync();
        Assert.Equal(1, await cache.GetAsync("team", Load));
        await WaitForLoadsAsync(2);
        reload.SetException(new InvalidOperationException("database away"));
        _gate = null;
        // The failed reload is noticed by the next caller, which still gets the old value and starts another reload.
        await WaitUntilAsync(async () => await cache.GetAsync("team", Load) == 3);
        Assert.Equal(3, _loads);
    }

    [Fact]
    public async Task A_failed_first_load_is_not_kept()
    {
        var cache = NewCache();
        _gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = cache.GetAsync("team", Load);
        _gate.SetException(new InvalidOperationException("database away"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => first);
        _gate = null;
        Assert.Equal(2, await cache.GetAsync("team", Load));
    }

    /// <summary>A cache whose value (1) has just expired, with the next load held at <see cref="_gate"/>.</summary>
    private async Task<(RefreshingCache<string, int> Cache, TaskCompletionSource<int> Reload)> ExpiredWithReloadHeldAsync()
    {
        var cache = NewCache();
        Assert.Equal(1, await cache.GetAsync("team", Load));
        _clock.Advance(TimeSpan.FromSeconds(6));
        _gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        return (cache, _gate);
    }

    private async Task WaitForLoadsAsync(int count) => await WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref _loads) >= count));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within 10 s.");
            await Task.Delay(10);
        }
    }
}
