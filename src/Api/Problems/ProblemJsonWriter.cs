using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Vorgang.Api.Problems;

/// <summary>
/// Writes the problems the framework raises itself (401, 404, 405 …) as problem JSON whatever the client's Accept
/// header asks for. The default writer declines a client that does not accept JSON, and the status code page then
/// answers in plain text, without the rule.
/// </summary>
public sealed class ProblemJsonWriter(IOptions<ProblemDetailsOptions> options) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var details = context.ProblemDetails;
        details.Status ??= http.Response.StatusCode;
        details.Title ??= ReasonPhrases.GetReasonPhrase(details.Status.Value);
        options.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(http.Response.WriteAsJsonAsync(details, (System.Text.Json.JsonSerializerOptions?)null, Problems.ContentType));
    }
}
