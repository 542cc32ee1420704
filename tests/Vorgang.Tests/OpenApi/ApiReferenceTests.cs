using System.Text.RegularExpressions;
using Vorgang.Tests.Api;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.OpenApi;

/// <summary>
/// The API reference page at /api/reference works without any network: the page and every script, style and image it
/// loads come from the engine, it names no other host, and its Content-Security-Policy lets the browser load nothing
/// from elsewhere (the Scalar bundle mentions hosts in its code — fonts, a proxy — that the configuration leaves off).
/// </summary>
public sealed partial class ApiReferenceTests(AppFixture app) : ApiTest(app)
{
    [GeneratedRegex("""(?:src|href)\s*=\s*["']([^"']+)["']""")]
    private static partial Regex Reference();

    [GeneratedRegex("""import\s*(?:\{[^}]*\}\s*from\s*)?["']([^"']+)["']""")]
    private static partial Regex ModuleImport();

    [GeneratedRegex("<script[^>]*>")]
    private static partial Regex ScriptTag();

    [GeneratedRegex("""https?://|//[a-z0-9.-]+\.[a-z]{2,}""", RegexOptions.IgnoreCase)]
    private static partial Regex OtherHost();

    [Fact]
    public async Task The_page_and_every_asset_it_loads_are_served_by_the_engine()
    {
        var redirect = await Host.Get("/api/reference");
        Assert.True(redirect.Status is 301 or 302, redirect.ToString());
        Assert.Equal("reference/", redirect.Header("Location"));

        var page = await Host.Get("/api/reference/");
        Assert.Equal(200, page.Status);
        Assert.Equal("text/html", page.MediaType);
        Assert.Contains("<title>Vorgang API</title>", page.Text);
        Assert.DoesNotMatch(OtherHost(), page.Text);

        var assets = Reference().Matches(page.Text).Concat(ModuleImport().Matches(page.Text)).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Contains("scalar.js", assets);
        foreach (var asset in assets)
        {
            Assert.False(OtherHost().IsMatch(asset), $"{asset} names another host");
            var url = asset.StartsWith('/') ? asset : "/api/reference/" + asset.TrimStart('.', '/');
            var response = await Host.Get(url);
            Assert.True(response.Status == 200, $"{url}: {response.Status}");
            Assert.True(response.Text.Length > 0, $"{url} is empty");
        }
        var bundle = await Host.Get("/api/reference/scalar.js");
        Assert.Equal("text/javascript", bundle.MediaType);
        Assert.True(bundle.Text.Length > 1_000_000, "the Scalar bundle is served from the package itself");
    }

    [Fact]
    public async Task The_configuration_reads_the_engine_s_own_document_without_fonts_telemetry_or_proxy()
    {
        var page = await Host.Get("/api/reference/");
        Assert.Contains("\"withDefaultFonts\":false", page.Text);
        Assert.Contains("\"telemetry\":false", page.Text);
        // Scalar's AI chat and developer toolbar are services of its own servers.
        Assert.Contains("\"agent\":{\"disabled\":true}", page.Text);
        Assert.Contains("\"showDeveloperTools\":\"never\"", page.Text);
        Assert.DoesNotContain("proxy", page.Text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"url\":\"openapi/v1.json\"", page.Text);
        // The initialiser resolves the document's address against the engine's origin, not against another host.
        var initialiser = await Host.Get("/api/reference/scalar.aspnetcore.js");
        Assert.Contains("window.location.origin", initialiser.Text);
        Assert.DoesNotMatch(OtherHost(), initialiser.Text);
    }

    [Fact]
    public async Task The_page_s_policy_lets_the_browser_load_nothing_from_another_host_and_the_API_keeps_its_own()
    {
        var page = await Host.Get("/api/reference/");
        var policy = page.Header("Content-Security-Policy")!;
        var directives = policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d.Split(' ').Skip(1).ToArray());
        Assert.Equal(["'none'"], directives["default-src"]);
        foreach (var fetch in new[] { "script-src", "style-src", "img-src", "font-src", "connect-src" })
        {
            Assert.Contains("'self'", directives[fetch]);
            Assert.All(directives[fetch], source => Assert.True(
                source is "'self'" or "data:" or "blob:" || (fetch == "style-src" && source == "'unsafe-inline'") || (fetch == "script-src" && source.StartsWith("'nonce-", StringComparison.Ordinal)),
                $"{fetch} allows {source}"));
        }
        // Inline script runs only with this response's nonce, which every script tag of the page carries.
        var nonce = Assert.Single(directives["script-src"], source => source.StartsWith("'nonce-", StringComparison.Ordinal))["'nonce-".Length..^1];
        var scripts = ScriptTag().Matches(page.Text);
        Assert.NotEmpty(scripts);
        Assert.All(scripts, tag => Assert.Contains($"nonce=\"{nonce}\"", tag.Value));
        Assert.NotEqual(nonce, (await Host.Get("/api/reference/")).Header("Content-Security-Policy")!.Split("'nonce-")[1].Split('\'')[0]);
        Assert.Equal(["'none'"], directives["frame-ancestors"]);
        Assert.Equal("DENY", page.Header("X-Frame-Options"));

        Assert.Equal("default-src 'none'; frame-ancestors 'none'", (await Host.Get("/api/services")).Header("Content-Security-Policy"));
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", (await Host.Get("/openapi/v1.json")).Header("Content-Security-Policy"));
    }
}
