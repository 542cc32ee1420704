using System.Collections.Concurrent;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Workflows.Deadlines;

/// <summary>
/// What the service norms of a definition promise: the working days from entering a state until the case
/// usually ends, along the cheapest path to a final state with a positive outcome (approved or completed).
/// </summary>
public static class ServiceNorms
{
    private static readonly ConcurrentDictionary<(string Key, string State), int?> Cache = new();

    /// <returns>The working days, or null when no state on the way declares a norm.</returns>
    public static int? RemainingWorkingDays(ProcessDefinition definition, string state) =>
        Cache.GetOrAdd((definition.Key, state), static (k, d) => Compute(d, k.State), definition);

    private static int? Compute(ProcessDefinition definition, string start)
    {
        var origin = definition.State(start);
        if (origin is null || origin.Final) return origin is null ? null : 0;
        var positive = definition.States.Where(s => s.Final && s.Outcome is "approved" or "completed").Select(s => s.Id).ToHashSet();
        if (positive.Count == 0) positive = definition.States.Where(s => s.Final).Select(s => s.Id).ToHashSet();

        // Dijkstra over states; entering a state costs its norm, so the start's own norm counts too.
        var cost = new Dictionary<string, int> { [start] = Norm(origin) };
        var anyNorm = new Dictionary<string, bool> { [start] = origin.ServiceNorm is not null };
        var queue = new PriorityQueue<string, int>();
        queue.Enqueue(start, cost[start]);
        while (queue.TryDequeue(out var current, out var soFar))
        {
            if (soFar > cost[current]) continue;
            if (positive.Contains(current)) return anyNorm[current] ? soFar : null;
            foreach (var next in definition.Actions.Where(a => a.From.Contains(current)).Select(a => a.To).Distinct())
            {
                var target = definition.State(next);
                if (target is null) continue;
                var total = soFar + Norm(target);
                if (cost.TryGetValue(next, out var known) && known <= total) continue;
                cost[next] = total;
                anyNorm[next] = anyNorm[current] || target.ServiceNorm is not null;
                queue.Enqueue(next, total);
            }
        }
        return null;
    }

    private static int Norm(StateDefinition state) => state.ServiceNorm switch
    {
        { WorkingDays: { } wd } => wd,
        // Calendar days count as working days at five sevenths, rounded up.
        { CalendarDays: { } cd } => (cd * 5 + 6) / 7,
        _ => 0,
    };
}
