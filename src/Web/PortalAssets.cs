using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace Vorgang.Web;

/// <summary>
/// The portal's CSS and fonts (KERN UX, vendored in <c>wwwroot</c>) served from the assembly under <c>/assets/</c>: nothing
/// from another host, and the same in every environment (decision 34). Each file is read once; its address stays, its
/// ETag is its hash, and browsers may keep it for a day.
/// </summary>
public static class PortalAssets
{
    public const string Prefix = "/assets/";
    private const string ResourcePrefix = "portal-assets/";

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);

    private static readonly FrozenDictionary<string, Asset> Assets = Load();

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(PortalAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var path = name[ResourcePrefix.Length..].Replace('\\', '/');
            assets[path] = new Asset(bytes, ContentTypeOf(path), $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\"");
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentTypeOf(string path) => Path.GetExtension(path) switch
    {
        ".css" => "text/css; charset=utf-8",
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
        var headers = context.Response.Headers;
        headers.ETag = asset.ETag;
        headers.CacheControl = "public, max-age=86400";
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        context.Response.ContentType = asset.ContentType;
        context.Response.ContentLength = asset.Bytes.Length;
        if (!HttpMethods.IsHead(context.Request.Method)) await context.Response.Body.WriteAsync(asset.Bytes, context.RequestAborted);
    }
}
