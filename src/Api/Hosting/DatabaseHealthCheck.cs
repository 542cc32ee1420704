using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Vorgang.Api.Problems;

namespace Vorgang.Api.Hosting;

/// <summary>Readiness (<c>/health/ready</c>): PostgreSQL answers a trivial query within a few seconds.</summary>
public sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public const string ReadyTag = "ready";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Limit);
        // After the server restarted, the pool still holds connections to the old one: the first use of such a connection
        // fails and drops it. A second try, on a fresh connection, tells whether the database itself is there.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var command = dataSource.CreateCommand("select 1");
                await command.ExecuteScalarAsync(timeout.Token);
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (attempt < 2 && DatabaseOutage.Is(e) && !timeout.IsCancellationRequested)
            {
            }
            catch (Exception e) when (DatabaseOutage.Is(e) || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                return HealthCheckResult.Unhealthy($"PostgreSQL does not answer: {e.Message}");
            }
        }
    }
}
