using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Timeouts;
using Vorgang.Api.Telemetry;

namespace Vorgang.Api.Security;

/// <summary>
/// Admission control for reads: at most <c>Vorgang:Limits:ConcurrentReads</c> API reads (GET and HEAD under /api) run at
/// once; the others wait in order of arrival, up to <c>Vorgang:Limits:QueuedReads</c>, and beyond that are refused
/// with 503 and Retry-After.
/// </summary>
/// <remarks>
/// Every read holds a PostgreSQL backend while it runs. With more reads in flight than the machine has cores, the
/// backends and the engine's threads take turns on the cores, and a read that loses its turn waits for all the
/// others: the median stays low, the slowest percent grows tenfold. Queued in order instead, each read waits for the
/// few ahead of it. In the benchmark (docs/benchmarks.md) this took the team queue's p99 under eight clients from
/// 14–25 ms to about 5 ms at the same throughput. The default, one per core and one more, was the best measured with
/// PostgreSQL on the same machine; with PostgreSQL on a server of its own, about twice the database's cores (the
/// usual size of a connection pool) keeps the cores busy while reads wait for the network. Writes are not held back:
/// submissions share commits, which needs many of them in flight, and reads without a time limit (a whole-store
/// verification) would hold a place for minutes.
/// </remarks>
public sealed class ReadAdmission(RequestDelegate next, ReadLimiter reads, HardeningSettings settings)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (reads.Limiter is not { } limiter || !IsAdmitted(context))
        {
            await next(context);
            return;
        }
        using var lease = await TakeTurnAsync(limiter, context);
        if (lease is null)
        {
            context.Response.StatusCode = StatusCodes.Status499ClientClosedRequest;
            return;
        }
        if (!lease.IsAcquired)
        {
            ReadLimiter.Refused.Add(1);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "1";
            await context.Response.WriteAsJsonAsync(
                Problems.Problems.Create(503, "overloaded", "The engine is busy.",
                    $"All {settings.ConcurrentReads} places for reads are taken and {settings.QueuedReads} more reads are waiting. Try again in 1 s.", context),
                (System.Text.Json.JsonSerializerOptions?)null, Problems.Problems.ContentType);
            return;
        }
        await next(context);
    }

    /// <summary>A place at once if one is free; else a wait in line until the time limit, or until the client leaves (null).</summary>
    private static async ValueTask<RateLimitLease?> TakeTurnAsync(ConcurrencyLimiter limiter, HttpContext context)
    {
        var free = limiter.AttemptAcquire(1);
        if (free.IsAcquired) return free;
        free.Dispose();
        var clientGone = context.Features.Get<Hosting.ClientConnection>()?.Gone ?? CancellationToken.None;
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(clientGone, context.RequestAborted);
        try
        {
            return await limiter.AcquireAsync(1, waiting.Token);
        }
        catch (OperationCanceledException) when (clientGone.IsCancellationRequested)
        {
            // Nobody is left to answer; the time limit's own cancellation goes on to its 503.
            return null;
        }
    }

    private static bool IsAdmitted(HttpContext context) =>
        (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        && context.Request.Path.StartsWithSegments("/api")
        && context.GetEndpoint()?.Metadata.GetMetadata<DisableRequestTimeoutAttribute>() is null;
}

/// <summary>The engine's one limiter of concurrent reads (none when <c>Vorgang:Limits:ConcurrentReads</c> is 0).</summary>
public sealed class ReadLimiter : IDisposable
{
    public static readonly System.Diagnostics.Metrics.Counter<long> Refused = VorgangTelemetry.Meter.CreateCounter<long>(
        "vorgang.reads.refused", "{request}", "API reads refused with 503 because too many were already waiting.");

    public ReadLimiter(HardeningSettings settings)
    {
        if (settings.ConcurrentReads > 0)
        {
            Limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = settings.ConcurrentReads,
                QueueLimit = settings.QueuedReads,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        }
    }

    public ConcurrencyLimiter? Limiter { get; }

    public void Dispose() => Limiter?.Dispose();
}
