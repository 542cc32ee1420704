using Microsoft.AspNetCore.Http.Timeouts;
using Npgsql;

namespace Vorgang.Api.Problems;

/// <summary>
/// Tells a database that cannot be reached or used right now (stopped, restarting, overloaded, not answering) from a
/// fault in the request or in our code, and answers the former with 503 and Retry-After: the client may retry, and
/// with the same Idempotency-Key a submission that did commit after all is answered with its case.
/// </summary>
public static class DatabaseOutage
{
    public const string RetryAfterSeconds = "5";

    /// <summary>
    /// Looks at the whole chain: Marten wraps the driver's exception (MartenCommandException), and a transaction whose
    /// connection the server closed fails its rollback with an ObjectDisposedException around the server's error.
    /// </summary>
    public static bool Is(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // PostgresException.IsTransient leaves out the shutdown codes a restart sends to every open connection.
                case PostgresException postgres:
                    if (postgres.IsTransient || IsShutdownOrConnectionError(postgres.SqlState)) return true;
                    break;
                // Connection refused or reset, a dead socket, a connect, command or pool timeout.
                case NpgsqlException { IsTransient: true }:
                case TimeoutException:
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Any(Is):
                    return true;
            }
        }
        return false;
    }

    /// <summary>The request's time limit (Vorgang:RequestTimeoutSeconds) ran out while it waited, most likely for the database.</summary>
    public static bool TimedOut(HttpContext context) =>
        context.Features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested == true;

    public static Task WriteAsync(HttpContext context, CancellationToken ct = default)
    {
        var details = Problems.Create(503, "unavailable", "The service is briefly unavailable.", "Please try again in a moment.", context);
        context.Response.StatusCode = 503;
        context.Response.Headers.RetryAfter = RetryAfterSeconds;
        return context.Response.WriteAsJsonAsync(details, (System.Text.Json.JsonSerializerOptions?)null, Problems.ContentType, ct);
    }

    // 57P01 admin_shutdown (fast stop), 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or shutting down),
    // class 08: connection exceptions.
    private static bool IsShutdownOrConnectionError(string sqlState) =>
        sqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow ||
        sqlState.StartsWith("08", StringComparison.Ordinal);
}
