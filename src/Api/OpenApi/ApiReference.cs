using Scalar.AspNetCore;

namespace Vorgang.Api.OpenApi;

/// <summary>
/// The API reference page (Scalar) at <c>/api/reference</c>, over the engine's own OpenAPI document. Its script comes
/// from the Scalar.AspNetCore package itself, so the page works without any network: default fonts (from a CDN) and
/// telemetry are off, and its Content-Security-Policy lets the browser load nothing from another host.
/// </summary>
public static class ApiReference
{
    public const string Path = "/api/reference";

    /// <summary>
    /// Only the page's own scripts (its inline start-up script by the nonce Scalar gives it for this request), styles,
    /// images and fonts, and requests to the engine (the page's API client). Scalar styles its components inline.
    /// </summary>
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static void MapApiReference(this WebApplication app) =>
        app.MapScalarApiReference(Path, options => options
                .WithTitle("Vorgang API")
                .WithOpenApiRoutePattern(ApiDocument.Path)
                .WithNonce()
                .DisableDefaultFonts()
                .DisableTelemetry()
                // The AI chat, the MCP offer and the developer toolbar are services of Scalar's own servers.
                .DisableAgent()
                .DisableMcp()
                .HideDeveloperTools())
            .WithMetadata(new PagePolicy(ContentSecurityPolicy));
}

/// <summary>Endpoint metadata: the Content-Security-Policy of a page, instead of the API's, which lets nothing load.</summary>
public sealed record PagePolicy(string ContentSecurityPolicy)
{
    /// <summary>The policy for this response, with the nonce the page's scripts carry (none: no inline script may run).</summary>
    public string For(HttpContext context) =>
        ContentSecurityPolicy.Replace(" 'nonce-{nonce}'",
            context.Items[ScalarOptions.NonceHttpContextItemKey] is string { Length: > 0 } nonce ? $" 'nonce-{nonce}'" : "", StringComparison.Ordinal);
}
