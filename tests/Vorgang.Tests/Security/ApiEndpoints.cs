using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Vorgang.Tests.Security;

/// <summary>One route of the running engine: its pattern, e.g. <c>/api/cases/{caseNumber}</c>, and the methods it answers.</summary>
public sealed record ApiEndpoint(string Pattern, IReadOnlyList<string> Methods, IReadOnlyList<string> Parameters)
{
    /// <summary>A route without method metadata (the health check) answers every method.</summary>
    public bool AnyMethod { get; init; }

    public bool TakesBody => Methods.Contains("POST");

    public override string ToString() => $"{string.Join(",", Methods)} {Pattern}";
}

public static class ApiEndpoints
{
    /// <summary>
    /// Every route of the API the host serves, read from its endpoint data source, so that an endpoint added later is fuzzed
    /// without anyone remembering to list it.
    /// </summary>
    public static IReadOnlyList<ApiEndpoint> Discover(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Select(e => new ApiEndpoint(
                "/" + (e.RoutePattern.RawText ?? "").TrimStart('/'),
                e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.ToList() ?? ["GET"],
                e.RoutePattern.Parameters.Select(p => p.Name).ToList())
            {
                AnyMethod = e.Metadata.GetMetadata<HttpMethodMetadata>() is null,
            })
            // The portal's pages answer with pages, not problems; they have a fuzz of their own (PortalFuzzTests).
            .Where(e => !Vorgang.Web.PortalSetup.IsPortalPath(e.Pattern))
            .GroupBy(e => e.Pattern)
            .Select(g => g.First() with { Methods = g.SelectMany(e => e.Methods).Distinct().Order().ToList() })
            .OrderBy(e => e.Pattern, StringComparer.Ordinal)
            .ToList();
}
