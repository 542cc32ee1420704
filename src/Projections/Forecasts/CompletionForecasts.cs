using Marten;
using Npgsql;
using Vorgang.Projections.Caching;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Projections.Forecasts;

/// <summary>How the expected completion date was found: from recent cases of the service, or from its service norms.</summary>
public sealed record Forecast(int? RemainingWorkingDays, string Basis, int Samples)
{
    public const string History = "history", ServiceNorm = "service-norm", Unknown = "unknown";

    public DateOnly? ExpectedOn(DateOnly today) => RemainingWorkingDays is { } days ? WorkingDays.Add(today, days) : null;
}

/// <summary>
/// Predicts how many working days an open case still needs from its current state: the median of how long
/// recent cases of the same service took from that state to a positive end, or the service norms while
/// fewer than <see cref="MinimumSamples"/> such cases exist. Figures are cached for a minute and refreshed in the
/// background: they move slowly and citizens ask often.
/// </summary>
public sealed class CompletionForecasts(IDocumentStore store, TimeProvider time)
{
    public const int MinimumSamples = 5;
    public const int RecentCases = 200;

    /// <summary>Journeys that ended positively: the predicate of the index that serves the forecasts, and of their query.</summary>
    public const string EndedPositively = "closed_on is not null and (outcome = 'approved' or outcome = 'completed')";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(60);

    private readonly RefreshingCache<(string Service, string State), Forecast> _cache = new(time, CacheFor);
    private string? _table;

    /// <summary>Drops the cached figures, e.g. after a rebuild of the journeys.</summary>
    public void Forget() => _cache.Clear();

    public Task<Forecast> ForAsync(ProcessDefinition definition, string state, CancellationToken ct) =>
        _cache.GetAsync((definition.Id, state), key => LoadAsync(definition, key.State)).WaitAsync(ct);

    private async Task<Forecast> LoadAsync(ProcessDefinition definition, string state)
    {
        var (median, samples) = await RecentMedianAsync(definition.Id, state, CancellationToken.None);
        return samples >= MinimumSamples && median is { } days
            ? new Forecast((int)Math.Ceiling(days), Forecast.History, samples)
            : ServiceNorms.RemainingWorkingDays(definition, state) is { } norm
                ? new Forecast(norm, Forecast.ServiceNorm, samples)
                : new Forecast(null, Forecast.Unknown, samples);
    }

    private async Task<(double? Median, int Samples)> RecentMedianAsync(string serviceId, string state, CancellationToken ct)
    {
        _table ??= store.Options.FindOrResolveDocumentType(typeof(CaseJourney)).TableName.QualifiedName;
        await using var session = store.QuerySession();
        var connection = (NpgsqlConnection)session.Connection!;
        if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"""
            select percentile_cont(0.5) within group (order by (s->>'workingDays')::int), count(*)::int
            from (select data from {_table}
                  where service_id = $1 and {EndedPositively}
                  order by closed_on desc limit {RecentCases}) j,
                 jsonb_array_elements(j.data->'samples') s
            where s->>'state' = $2
            """, connection);
        command.Parameters.AddWithValue(serviceId);
        command.Parameters.AddWithValue(state);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.IsDBNull(0) ? null : reader.GetDouble(0), reader.GetInt32(1));
    }
}
