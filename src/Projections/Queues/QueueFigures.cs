using System.Collections.Concurrent;
using Marten;
using Npgsql;
using Vorgang.Projections.Forecasts;
using Vorgang.Workflows.Cases;

namespace Vorgang.Projections.Queues;

/// <summary>The team's overview: open cases per state and per risk band (unfiltered).</summary>
public sealed record QueueCounts(int Open, IReadOnlyDictionary<string, int> ByState, IReadOnlyDictionary<string, int> ByRisk);

/// <summary>
/// A team's counts and a citizen's place in the queue. Both count over every open case of the team, are asked
/// for far more often than they change meaningfully, and are served from a short-lived cache
/// (<c>Vorgang:Queues:CacheSeconds</c>, default 5; 0 turns it off).
/// </summary>
public sealed class QueueFigures(IDocumentStore store, NpgsqlDataSource dataSource, TimeProvider time, TimeSpan cacheFor)
{
    private readonly ConcurrentDictionary<(string Team, DateOnly Today), (QueueCounts Counts, DateTimeOffset At)> _counts = new();
    private readonly ConcurrentDictionary<string, (QueuePosition? Position, DateTimeOffset At)> _positions = new();
    private string? _table;

    private string Table => _table ??= store.Options.FindOrResolveDocumentType(typeof(QueueItem)).TableName.QualifiedName;

    public void Forget()
    {
        _counts.Clear();
        _positions.Clear();
    }

    /// <summary>One grouped query over the team's open cases, answered from the overview index.</summary>
    public async Task<QueueCounts> CountsAsync(string team, DateOnly today, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_counts.TryGetValue((team, today), out var cached) && now - cached.At < cacheFor) return cached.Counts;
        var tightUntil = WorkingDays.Add(today, 2);
        await using var command = dataSource.CreateCommand(
            $"""
            select state,
                   case when due_on is null then '{RiskBands.NoDeadline}'
                        when clock_stopped then '{RiskBands.Paused}'
                        when due_on < $2 then '{RiskBands.Overdue}'
                        when start_by < $2 then '{RiskBands.Late}'
                        when start_by <= $3 then '{RiskBands.Tight}'
                        else '{RiskBands.OnTrack}' end,
                   count(*)::int
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
        var counts = new QueueCounts(open, byState, byRisk);
        if (cacheFor > TimeSpan.Zero) _counts[(team, today)] = (counts, now);
        return counts;
    }

    /// <summary>The case's place in its team's queue, in the order caseworkers see it (null once it left the queue).</summary>
    public async Task<QueuePosition?> PositionAsync(string caseNumber, string team, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_positions.TryGetValue(caseNumber, out var cached) && now - cached.At < cacheFor) return cached.Position;
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
        QueuePosition? position = null;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct)) position = new QueuePosition(reader.GetInt32(0), reader.GetInt32(1));
        }
        if (cacheFor > TimeSpan.Zero) _positions[caseNumber] = (position, now);
        return position;
    }
}
