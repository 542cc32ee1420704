using System.Diagnostics;
using System.Globalization;

namespace Vorgang.Api.Telemetry;

/// <summary>
/// With <c>Vorgang:Diagnostics:ServerTiming</c> set, every answer carries <c>Server-Timing: app;dur=…</c> (W3C Server
/// Timing): the engine's own time from the request's arrival in the pipeline to the start of its answer, in
/// milliseconds. A browser's developer tools show it; the benchmark reads it for the server-side latency (decision 41).
/// Off by default: the figure tells a client how long the engine worked, which it needs no more than it needs a profile.
/// </summary>
public static class ServerTiming
{
    public const string Setting = "Vorgang:Diagnostics:ServerTiming";

    public static void UseServerTiming(this IApplicationBuilder app)
    {
        if (!app.ApplicationServices.GetRequiredService<IConfiguration>().GetValue(Setting, false)) return;
        app.Use((context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            context.Response.OnStarting(() =>
            {
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                context.Response.Headers["Server-Timing"] = "app;dur=" + ms.ToString("0.###", CultureInfo.InvariantCulture);
                return Task.CompletedTask;
            });
            return next(context);
        });
    }
}
