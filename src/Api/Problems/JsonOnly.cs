namespace Vorgang.Api.Problems;

/// <summary>Every API request with a body must say it is JSON; anything else is 415, before any endpoint reads it.</summary>
public sealed class JsonOnly(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        // Uploads are multipart; their endpoints check the type themselves.
        if (request.Path.StartsWithSegments("/api") && HttpMethods.IsPost(request.Method) && hasBody && !IsJson(request.ContentType)
            && !Features.Documents.DocumentEndpoints.IsUpload(request))
        {
            var details = Problems.Create(415, "unsupported-media-type", "Send the request body as JSON.",
                $"Content-Type '{request.ContentType}' is not supported; use 'application/json'.", context);
            context.Response.StatusCode = 415;
            await context.Response.WriteAsJsonAsync(details, (System.Text.Json.JsonSerializerOptions?)null, Problems.ContentType);
            return;
        }
        await next(context);
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null &&
        (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ||
         (contentType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && contentType.Split(';')[0].EndsWith("+json", StringComparison.OrdinalIgnoreCase)));
}
