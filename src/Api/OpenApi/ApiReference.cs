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

    /// <summary>Only the page's own scripts, styles, images and fonts, and requests to the engine (the API client of the page).</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static void MapApiReference(this WebApplication app) =>
        app.MapScalarApiReference(Path, options => options
                .WithTitle("Vorgang API")
                .WithOpenApiRoutePattern(ApiDocument.Path)
                .DisableDefaultFonts()
                .DisableTelemetry())
            .WithMetadata(new PagePolicy(ContentSecurityPolicy));
}

/// <summary>Endpoint metadata: the Content-Security-Policy of a page, instead of the API's, which lets nothing load.</summary>
public sealed record PagePolicy(string ContentSecurityPolicy);
