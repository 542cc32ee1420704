using System.Collections.Concurrent;

namespace Vorgang.Projections.Caching;

/// <summary>
/// Figures read from the database and kept for a short while, refreshed ahead of the callers: a value older than
/// <c>freshFor</c> is still answered while one reload runs in the background, so that no request waits for the reload
/// at every expiry (under load, that wait was the slowest percent of the requests). A value older than twice
/// <c>freshFor</c> (after a quiet spell, or while reloads fail) is not answered: the caller waits for a load, which every
/// caller of the same key shares. Time comes from the engine's <see cref="TimeProvider"/>, as everywhere else.
/// </summary>
/// <remarks>
/// FusionCache's eager refresh does the same, but it keeps time by the system clock, not a <see cref="TimeProvider"/>;
/// the tests move the engine's clock instead of waiting.
/// </remarks>
public sealed class RefreshingCache<TKey, TValue>(TimeProvider time, TimeSpan freshFor) where TKey : notnull
{
    private sealed class Slot
    {
        public Task<TValue>? Current;
        public DateTimeOffset LoadedAt;
        public Task<TValue>? Reload;
        public DateTimeOffset ReloadStartedAt;
    }

    private readonly ConcurrentDictionary<TKey, Slot> _slots = new();

    public void Clear() => _slots.Clear();

    /// <param name="load">Reads the value; it runs without the caller's cancellation, since other callers may share it.</param>
    public Task<TValue> GetAsync(TKey key, Func<TKey, Task<TValue>> load)
    {
        var now = time.GetUtcNow();
        var slot = _slots.GetOrAdd(key, static _ => new Slot());
        lock (slot)
        {
            if (slot.Reload is { IsCompleted: true } finished)
            {
                // A failed reload leaves the old value in place; the next caller tries again.
                if (finished.IsCompletedSuccessfully) (slot.Current, slot.LoadedAt) = (finished, slot.ReloadStartedAt);
                slot.Reload = null;
            }
            var current = slot.Current;
            if (current is null || current.IsFaulted || current.IsCanceled || now - slot.LoadedAt >= freshFor * 2)
            {
                // Nothing worth answering: one load, shared by everyone who asks meanwhile (a reload already under way is it).
                var loading = slot.Reload ?? Load(load, key);
                (slot.Current, slot.LoadedAt, slot.Reload) = (loading, slot.Reload is null ? now : slot.ReloadStartedAt, null);
                return loading;
            }
            if (now - slot.LoadedAt >= freshFor && current.IsCompletedSuccessfully && slot.Reload is null)
            {
                (slot.Reload, slot.ReloadStartedAt) = (Load(load, key), now);
                // Nobody awaits a background reload; its failure (the database away, say) only means the next caller tries again.
                slot.Reload.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
            return current;
        }
    }

    private static Task<TValue> Load(Func<TKey, Task<TValue>> load, TKey key) => Task.Run(() => load(key));
}
