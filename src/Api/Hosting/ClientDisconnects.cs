using Microsoft.AspNetCore.Http.Timeouts;

namespace Vorgang.Api.Hosting;

/// <summary>The client's own connection: cancelled when the client goes away, kept aside by <see cref="ClientDisconnects"/>.</summary>
public sealed class ClientConnection(CancellationToken gone)
{
    public CancellationToken Gone { get; } = gone;
}

/// <summary>
/// A client that goes away does not cancel the work its request has under way: a request with a time limit is
/// cancelled by that limit alone (<c>Vorgang:RequestTimeoutSeconds</c>; with the limit switched off, every request stops
/// when its client leaves). Reads and writes take milliseconds, so finishing one costs less than cancelling it, and a
/// submission whose client left is completed, not cut off midway. Requests without a time limit of their own
/// (<see cref="DisableRequestTimeoutAttribute"/>: the whole-store verification) still stop when their client leaves.
/// What waits for the client only (a read's turn, see <see cref="Security.ReadAdmission"/>) asks
/// <see cref="ClientConnection"/>.
/// </summary>
/// <remarks>
/// Npgsql cancels a command from inside the token's callback, synchronously: it opens a second connection to PostgreSQL,
/// negotiates SSL and waits for the server to close it (npgsql/npgsql#3696, #5070). On Linux a synchronous socket
/// read waits for the thread pool to dispatch its socket event, while the callbacks hold pool threads, and so do the
/// commands that finish meanwhile and wait for those callbacks. When eight clients left at once, every pool thread
/// waited, and all requests stood still until the pool added threads, 0.5–1 s later (docs/benchmarks.md, "The stall
/// under as-of reads").
/// </remarks>
public sealed class ClientDisconnects(RequestDelegate next, Microsoft.Extensions.Options.IOptions<RequestTimeoutOptions> timeouts)
{
    private readonly bool _limited = timeouts.Value.DefaultPolicy is { Timeout: not null };

    public async Task InvokeAsync(HttpContext context)
    {
        if (!_limited || context.GetEndpoint()?.Metadata.GetMetadata<DisableRequestTimeoutAttribute>() is not null)
        {
            await next(context);
            return;
        }
        var client = context.RequestAborted;
        context.Features.Set(new ClientConnection(client));
        // The request time limit, next in the pipeline, links its own token to this one.
        context.RequestAborted = CancellationToken.None;
        try
        {
            await next(context);
        }
        finally
        {
            // Outside, the exception handler tells a client's departure (an aborted body read, say) from a fault by it.
            context.RequestAborted = client;
        }
    }
}
