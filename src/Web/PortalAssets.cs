using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace Vorgang.Web;

/// <summary>
/// The portal's CSS and fonts (KERN UX, vendored in <c>wwwroot</c>) served from the assembly under <c>/assets/</c>: nothing
/// from another host, and the same in every environment (decision 34). Each file is read once; its address stays, its
/// ETag is its hash, and browsers may keep it for a day. CSS goes out Brotli- or gzip-compressed as the browser accepts,
/// compressed at build time (decision 38); the fonts are compressed already.
/// </summary>
public static class PortalAssets
{
    public const string Prefix = "/assets/";
    private const string ResourcePrefix = "portal-assets/";
    private const string CompressedPrefix = "portal-assets-compressed/";

    private sealed record Variant(byte[] Bytes, string ETag);

    private sealed record Asset(Variant Identity, string ContentType, Variant? Brotli, Variant? Gzip)
    {
        public bool Compressible => Brotli is not null || Gzip is not null;
    }

    private static readonly FrozenDictionary<string, Asset> Assets = Load();

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(PortalAssets).Assembly;
        byte[] Read(string name)
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
        var names = assembly.GetManifestResourceNames().ToHashSet(StringComparer.Ordinal);
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in names.Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var path = name[ResourcePrefix.Length..].Replace('\\', '/');
            var bytes = Read(name);
            var hash = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];
            // Each encoding is a representation of its own: its own ETag, so that a cache never answers one with the other.
            Variant? Compressed(string extension, string suffix) =>
                names.Contains(CompressedPrefix + path + extension) ? new Variant(Read(CompressedPrefix + path + extension), $"\"{hash}-{suffix}\"") : null;
            assets[path] = new Asset(new Variant(bytes, $"\"{hash}\""), ContentTypeOf(path), Compressed(".br", "br"), Compressed(".gz", "gz"));
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentTypeOf(string path) => Path.GetExtension(path) switch
    {
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".woff2" => "font/woff2",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        _ => "application/octet-stream",
    };

    public static bool Exists(string path) => Assets.ContainsKey(path);

    public static async Task ServeAsync(HttpContext context, string path)
    {
        if (!Assets.TryGetValue(path, out var asset))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        var (variant, encoding) = Choose(asset, context.Request);
        var headers = context.Response.Headers;
        headers.ETag = variant.ETag;
        headers.CacheControl = "public, max-age=86400";
        if (asset.Compressible) headers.Vary = "Accept-Encoding";
        if (context.Request.Headers.IfNoneMatch == variant.ETag)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        context.Response.ContentType = asset.ContentType;
        if (encoding is not null) headers.ContentEncoding = encoding;
        context.Response.ContentLength = variant.Bytes.Length;
        if (!HttpMethods.IsHead(context.Request.Method)) await context.Response.Body.WriteAsync(variant.Bytes, context.RequestAborted);
    }

    /// <summary>Brotli where accepted (browsers send it over HTTPS), else gzip, else the file as it is.</summary>
    private static (Variant Variant, string? Encoding) Choose(Asset asset, HttpRequest request)
    {
        if (!asset.Compressible || !StringWithQualityHeaderValue.TryParseList(request.Headers.AcceptEncoding, out var accepted))
            return (asset.Identity, null);
        bool Accepts(string coding) => accepted.Any(a => a.Value.Equals(coding, StringComparison.OrdinalIgnoreCase) && a.Quality is not 0);
        if (asset.Brotli is { } br && Accepts("br")) return (br, "br");
        if (asset.Gzip is { } gz && Accepts("gzip")) return (gz, "gzip");
        return (asset.Identity, null);
    }
}
