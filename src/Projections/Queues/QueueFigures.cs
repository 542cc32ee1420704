using Marten;
using Npgsql;
using Vorgang.Projections.Caching;
using Vorgang.Projections.Forecasts;
using Vorgang.Workflows.Cases;

namespace Vorgang.Projections.Queues;

/// <summary>The team's overview: open cases per state and per risk band (unfiltered).</summary>
public sealed record QueueCounts(int Open, IReadOnlyDictionary<string, int> ByState, IReadOnlyDictionary<string, int> ByRisk);

/// <summary>
/// A team's counts and a citizen's place in the queue. Both count over every open case of the team, are asked
/// for far more often than they change meaningfully, and are served from a short-lived cache
/// (<c>Vorgang:Queues:CacheSeconds</c>, default 5; 0 turns it off) that is refreshed in the background.
/// </summary>
public sealed class QueueFigures(IDocumentStore store, NpgsqlDataSource dataSource, TimeProvider time, TimeSpan cacheFor)
{
    private readonly RefreshingCache<(string Team, DateOnly Today), QueueCounts> _counts = new(time, cacheFor);
    private readonly RefreshingCache<string, TeamOrder> _orders = new(time, cacheFor);
    private string? _table;

    private string Table => _table ??= store.Options.FindOrResolveDocumentType(typeof(QueueItem)).TableName.QualifiedName;

    public void Forget()
    {
        _counts.Clear();
        _orders.Clear();
    }

    /// <summary>One grouped query over the team's open cases, answered from the overview index.</summary>
    public Task<QueueCounts> CountsAsync(string team, DateOnly today, CancellationToken ct) =>
        cacheFor > TimeSpan.Zero
            ? _counts.GetAsync((team, today), key => LoadCountsAsync(key.Team, key.Today, CancellationToken.None)).WaitAsync(ct)
            : LoadCountsAsync(team, today, ct);

    private async Task<QueueCounts> LoadCountsAsync(string team, DateOnly today, CancellationToken ct)
    {
        var tightUntil = RiskBands.TightUntil(today);
        await using var command = dataSource.CreateCommand(
            $"""
            select state, {RiskBands.SqlCase}, count(*)::int
            from {Table} where team = $1 and is_open group by 1, 2
            """);
        command.Parameters.AddWithValue(team);
        command.Parameters.AddWithValue(today);
        command.Parameters.AddWithValue(tightUntil);
        var byState = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var byRisk = RiskBands.All.ToDictionary(b => b, _ => 0);
        var open = 0;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var n = reader.GetInt32(2);
                byState[reader.GetString(0)] = byState.GetValueOrDefault(reader.GetString(0)) + n;
                byRisk[reader.GetString(1)] += n;
                open += n;
            }
        }
        return new QueueCounts(open, byState, byRisk);
    }

    /// <summary>The case's place in its team's queue, in the order caseworkers see it (null once it left the queue).</summary>
    public async Task<QueuePosition?> PositionAsync(string caseNumber, string team, CancellationToken ct)
    {
        if (cacheFor > TimeSpan.Zero)
        {
            // Citizens look up random cases: a cache per case rarely hits, and counting who is ahead scans up to the whole
            // team's queue each time. Instead: the team's order, read at most every cacheFor, and a binary search in it.
            return await OrderKeyAsync(caseNumber, ct) is { } mine ? await PlaceAsync(team, mine, ct) : null;
        }
        await using var command = dataSource.CreateCommand(
            $"""
            with me as (select order_start_by s, order_due_on d, submitted_at t from {Table} where id = $1 and is_open)
            select (select count(*) from {Table} q
                    where q.team = $2 and q.is_open and (q.order_start_by, q.order_due_on, q.submitted_at) < (me.s, me.d, me.t))::int + 1,
                   (select count(*) from {Table} q where q.team = $2 and q.is_open)::int
            from me
            """);
        command.Parameters.AddWithValue(caseNumber);
        command.Parameters.AddWithValue(team);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new QueuePosition(reader.GetInt32(0), reader.GetInt32(1)) : null;
    }

    /// <summary>The place of a queue row already at hand (read with the case): no query at all while the team's order is fresh.</summary>
    public async Task<QueuePosition?> PositionAsync(QueueItem item, CancellationToken ct)
    {
        if (!item.IsOpen) return null;
        if (cacheFor <= TimeSpan.Zero) return await PositionAsync(item.Id, item.Team, ct);
        return await PlaceAsync(item.Team, new OrderKey(item.OrderStartBy, item.OrderDueOn, Microseconds(item.SubmittedAt)), ct);
    }

    /// <summary>A case's place in the team's cached order. A case newer than the cached order counts itself in.</summary>
    private async Task<QueuePosition> PlaceAsync(string team, OrderKey mine, CancellationToken ct)
    {
        var order = await _orders.GetAsync(team, t => LoadTeamOrderAsync(t, CancellationToken.None)).WaitAsync(ct);
        var ahead = order.CountBefore(mine);
        return new QueuePosition(ahead + 1, Math.Max(order.Count, ahead + 1));
    }

    // PostgreSQL keeps timestamps to the microsecond; a document's own value may carry more (ticks of 100 ns).
    private static long Microseconds(DateTimeOffset at) => at.UtcTicks - at.UtcTicks % 10;

    private async Task<TeamOrder> LoadTeamOrderAsync(string team, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            $"select order_start_by, order_due_on, submitted_at from {Table} where team = $1 and is_open order by 1, 2, 3");
        command.Parameters.AddWithValue(team);
        var keys = new List<OrderKey>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            keys.Add(new OrderKey(reader.GetFieldValue<DateOnly>(0), reader.GetFieldValue<DateOnly>(1), Microseconds(reader.GetFieldValue<DateTimeOffset>(2))));
        return new TeamOrder([.. keys]);
    }

    private async Task<OrderKey?> OrderKeyAsync(string caseNumber, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select order_start_by, order_due_on, submitted_at from {Table} where id = $1 and is_open");
        command.Parameters.AddWithValue(caseNumber);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new OrderKey(reader.GetFieldValue<DateOnly>(0), reader.GetFieldValue<DateOnly>(1), Microseconds(reader.GetFieldValue<DateTimeOffset>(2)))
            : null;
    }

    /// <summary>A place in the queue's order: start-by day, due day, moment of submission — as the order index sorts.</summary>
    private readonly record struct OrderKey(DateOnly StartBy, DateOnly DueOn, long SubmittedTicks) : IComparable<OrderKey>
    {
        public int CompareTo(OrderKey other)
        {
            var byStart = StartBy.CompareTo(other.StartBy);
            if (byStart != 0) return byStart;
            var byDue = DueOn.CompareTo(other.DueOn);
            return byDue != 0 ? byDue : SubmittedTicks.CompareTo(other.SubmittedTicks);
        }
    }

    private sealed class TeamOrder(OrderKey[] sorted)
    {
        public int Count => sorted.Length;

        /// <summary>How many cases come strictly before <paramref name="key"/> (a lower bound by binary search).</summary>
        public int CountBefore(OrderKey key)
        {
            int low = 0, high = sorted.Length;
            while (low < high)
            {
                var middle = (low + high) >>> 1;
                if (sorted[middle].CompareTo(key) < 0) low = middle + 1;
                else high = middle;
            }
            return low;
        }
    }
}
