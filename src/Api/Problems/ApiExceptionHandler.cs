using System.Text.Json;
using JasperFx;
using Microsoft.AspNetCore.Diagnostics;

namespace Vorgang.Api.Problems;

/// <summary>
/// The last line of defence: no exception reaches a client as a stack trace. Known client faults and
/// concurrency conflicts get their own status; a database outage is 503; anything else a plain 500.
/// </summary>
public sealed class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        // An outage is expected and logged once per request without the stack: during one, every request fails alike.
        if (DatabaseOutage.Is(exception) || DatabaseOutage.TimedOut(context))
        {
            logger.LogWarning("Request {Path} answered 503, the database is unavailable: {Error}", context.Request.Path, Innermost(exception));
            await DatabaseOutage.WriteAsync(context, ct);
            return true;
        }

        var (status, rule, title, detail) = exception switch
        {
            ConcurrencyException =>
                (409, "version-conflict", "The case was changed by someone else.", "Load the case again and retry with its current version."),
            BadHttpRequestException bad when bad.StatusCode == 413 =>
                (413, "payload-too-large", "The request body is too large.", bad.Message),
            BadHttpRequestException bad =>
                (bad.StatusCode, "bad-request", "The request could not be read.", bad.Message),
            JsonException json =>
                (400, "malformed-json", "The request body is not valid JSON for this endpoint.", JsonMessage(json)),
            _ => (500, "internal-error", "Something went wrong on our side.", "The error has been logged. Please try again later."),
        };
        if (status >= 500) logger.LogError(exception, "Request {Path} failed", context.Request.Path);
        else logger.LogInformation("Request {Path} refused: {Rule}: {Message}", context.Request.Path, rule, exception.Message);

        var details = Problems.Create(status, rule, title, detail, context);
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(details, (JsonSerializerOptions?)null, Problems.ContentType, ct);
        return true;
    }

    // The cause, e.g. "SocketException: Connection refused", rather than Marten's wrapper.
    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return $"{e.GetType().Name}: {e.Message}";
    }

    // System.Text.Json messages name the path and position but may also name CLR types; keep only the former.
    private static string JsonMessage(JsonException e) =>
        e.Path is null ? "The JSON is malformed." : $"The JSON is malformed or has a wrong type at '{e.Path}' (line {e.LineNumber + 1}).";
}
