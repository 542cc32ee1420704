using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Vorgang.Api.Problems;

namespace Vorgang.Api.Security;

/// <summary>
/// What every request meets before an endpoint sees it: a body size limit, security headers on every answer,
/// CORS closed unless origins are configured, and a rate limit per client. Rejections are problem responses.
/// </summary>
public static class Hardening
{
    public const long DefaultMaxRequestBodyBytes = 256 * 1024;
    public const int DefaultPerClientPerMinute = 600;
    public const int DefaultQueuedReads = 1000;

    /// <summary>One API read per core, and one more so that no core idles while a read waits for PostgreSQL (see <see cref="ReadAdmission"/>).</summary>
    public static int DefaultConcurrentReads => Environment.ProcessorCount + 1;

    /// <summary>The headers a browser client of the API sends and may read (see docs/api.md).</summary>
    public static readonly string[] CorsRequestHeaders = ["Authorization", "Content-Type", "Idempotency-Key", "X-Tracking-Code", "Accept-Language"];
    public static readonly string[] CorsExposedHeaders = ["Location", "Retry-After", "Idempotent-Replayed"];

    public static void AddHardening(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = HardeningSettings.From(configuration);
        services.AddSingleton(settings);
        services.AddSingleton<ReadLimiter>();

        // After the default writer, which keeps answering clients that accept JSON; this one answers all others.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, ProblemJsonWriter>());

        services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = settings.MaxRequestBodyBytes;
            // A browser sends some 15 headers and a bearer token of a few KiB; these leave ample room and no more.
            kestrel.Limits.MaxRequestHeaderCount = 64;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Limits.Http2.MaxRequestHeaderFieldSize = 16 * 1024;
        });

        services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            // Only the configured proxies are believed; everyone else could name any address and any scheme.
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.ForwardLimit = null;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var network in settings.TrustedProxies) forwarded.KnownIPNetworks.Add(network);
        });

        services.AddCors(cors => cors.AddDefaultPolicy(policy =>
        {
            // Without configured origins the policy allows none: no browser on another site may read an answer.
            if (settings.AllowedOrigins.Count == 0) return;
            policy.WithOrigins([.. settings.AllowedOrigins])
                .WithMethods(HttpMethods.Get, HttpMethods.Post)
                .WithHeaders(CorsRequestHeaders)
                .WithExposedHeaders(CorsExposedHeaders)
                .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
        }));

        if (settings.PerClientPerMinute > 0)
        {
            services.AddRateLimiter(limiter =>
            {
                limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                    context.Request.Path.StartsWithSegments("/health")
                        // An orchestrator's probes must never be refused, or it would restart a healthy engine.
                        ? RateLimitPartition.GetNoLimiter("health")
                        : RateLimitPartition.GetTokenBucketLimiter(ClientKey(context), _ => Bucket(settings.PerClientPerMinute)));
                limiter.OnRejected = RejectAsync;
            });
        }
    }

    public static void UseHardening(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<HardeningSettings>();
        // Behind a reverse proxy the client's address and scheme come from it: the rate limit and HSTS depend on them.
        if (settings.TrustedProxies.Count > 0) app.UseForwardedHeaders();
        app.UseMiddleware<SecurityHeaders>();
        app.UseMiddleware<RequestLimits>();
        app.UseCors();
        if (settings.PerClientPerMinute > 0)
        {
            app.UseMiddleware<EarlyAuthentication>();
            app.UseRateLimiter();
        }
    }

    /// <summary>
    /// A burst of a whole minute's allowance, refilled evenly: every second for a limit of 60 or more, else one
    /// token every few seconds — the limiter checks for refills only every 100 ms, so finer steps would be lost.
    /// </summary>
    private static TokenBucketRateLimiterOptions Bucket(int perMinute)
    {
        var period = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(60.0 / perMinute)));
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = Math.Max(1, (int)Math.Ceiling(perMinute * period.TotalSeconds / 60)),
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    /// <summary>
    /// Staff are counted by their verified user id (a city office may share one address); everyone else by address.
    /// An IPv6 client is counted by its /64 network, which it can otherwise walk through address by address.
    /// </summary>
    public static string ClientKey(HttpContext context)
    {
        if (context.User.Identity?.IsAuthenticated == true && context.User.FindFirst("sub")?.Value is { Length: > 0 } subject)
            return "sub:" + subject;
        var address = context.Connection.RemoteIpAddress;
        if (address is null) return "ip:unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            address = new IPAddress(bytes);
        }
        return "ip:" + address;
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken ct)
    {
        var context = rejected.HttpContext;
        var settings = context.RequestServices.GetRequiredService<HardeningSettings>();
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
            ? (int)Math.Ceiling(wait.TotalSeconds)
            : (int)Math.Ceiling(60.0 / settings.PerClientPerMinute);
        retryAfter = Math.Max(1, retryAfter);
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var details = Problems.Problems.Create(429, "rate-limited", "Too many requests.",
            $"This client sent more than {settings.PerClientPerMinute} requests a minute. Try again in {retryAfter} s.", context);
        await context.Response.WriteAsJsonAsync(details, (System.Text.Json.JsonSerializerOptions?)null, Problems.Problems.ContentType, ct);
    }
}

/// <summary>The operator's settings: <c>Vorgang:Limits</c>, <c>Vorgang:RateLimits</c>, <c>Vorgang:Cors</c> and <c>Vorgang:ForwardedHeaders</c>.</summary>
public sealed record HardeningSettings(long MaxRequestBodyBytes, int PerClientPerMinute, IReadOnlyList<string> AllowedOrigins)
{
    /// <summary>API reads that run at once (<see cref="ReadAdmission"/>); 0 lets all run at once.</summary>
    public int ConcurrentReads { get; init; } = Hardening.DefaultConcurrentReads;

    /// <summary>API reads that may wait for their turn before further ones are refused with 503.</summary>
    public int QueuedReads { get; init; } = Hardening.DefaultQueuedReads;

    /// <summary>The largest body of a document upload: <c>Vorgang:Documents:MaxSizeMiB</c> and 1 MiB for the multipart framing.</summary>
    public long MaxUploadBodyBytes { get; init; } = 51L * 1024 * 1024;

    /// <summary>The reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (addresses or networks).</summary>
    public IReadOnlyList<System.Net.IPNetwork> TrustedProxies { get; init; } = [];

    public static HardeningSettings From(IConfiguration configuration)
    {
        var maxBody = configuration.GetValue("Vorgang:Limits:MaxRequestBodyBytes", Hardening.DefaultMaxRequestBodyBytes);
        if (maxBody <= 0) throw new InvalidOperationException("Vorgang:Limits:MaxRequestBodyBytes must be a positive number of bytes.");
        var perMinute = configuration.GetValue("Vorgang:RateLimits:PerClientPerMinute", Hardening.DefaultPerClientPerMinute);
        if (perMinute < 0) throw new InvalidOperationException("Vorgang:RateLimits:PerClientPerMinute must be 0 (off) or a positive number.");
        var origins = configuration.GetSection("Vorgang:Cors:AllowedOrigins").GetChildren()
            .Select(c => c.Value?.Trim().TrimEnd('/'))
            .Where(o => !string.IsNullOrEmpty(o))
            .Select(o => o!)
            .ToList();
        if (origins.Contains("*"))
            throw new InvalidOperationException("Vorgang:Cors:AllowedOrigins lists origins such as https://portal.example.org; '*' is not allowed.");
        var proxies = new List<System.Net.IPNetwork>();
        foreach (var entry in configuration.GetSection("Vorgang:ForwardedHeaders:KnownProxies").GetChildren().Select(c => c.Value?.Trim()).Where(v => !string.IsNullOrEmpty(v)))
        {
            var text = entry!.Contains('/') ? entry : IPAddress.TryParse(entry, out var single) ? $"{single}/{(single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)}" : entry;
            if (!System.Net.IPNetwork.TryParse(text, out var network))
                throw new InvalidOperationException($"Vorgang:ForwardedHeaders:KnownProxies: '{entry}' is neither an address nor a network such as 10.0.0.0/8.");
            proxies.Add(network);
        }
        var concurrentReads = configuration.GetValue("Vorgang:Limits:ConcurrentReads", Hardening.DefaultConcurrentReads);
        if (concurrentReads < 0) throw new InvalidOperationException("Vorgang:Limits:ConcurrentReads must be 0 (no limit) or a positive number.");
        var queuedReads = configuration.GetValue("Vorgang:Limits:QueuedReads", Hardening.DefaultQueuedReads);
        if (queuedReads < 0) throw new InvalidOperationException("Vorgang:Limits:QueuedReads must be 0 or a positive number.");
        return new HardeningSettings(maxBody, perMinute, origins)
        {
            TrustedProxies = proxies,
            ConcurrentReads = concurrentReads,
            QueuedReads = queuedReads,
            MaxUploadBodyBytes = Math.Max(maxBody, (configuration.GetValue($"{Features.Documents.DocumentOptions.Section}:MaxSizeMiB", 50L) + 1) * 1024 * 1024),
        };
    }
}

/// <summary>
/// Security headers on every answer, errors included: set when the response starts, after whatever cleared the
/// headers (the exception handler does).
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(static state =>
        {
            var context = (HttpContext)state;
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            // The API answers JSON (and CSV, text) only: nothing in an answer may load, run or be framed. A page (the API
            // reference) names its own policy, which still loads nothing from another host.
            headers.ContentSecurityPolicy = context.GetEndpoint()?.Metadata.GetMetadata<OpenApi.PagePolicy>()?.For(context)
                                            ?? (Vorgang.Web.PortalSetup.IsPortalPath(context.Request.Path)
                                                ? Vorgang.Web.PortalSetup.ContentSecurityPolicyFor(context.Request.Path)
                                                : "default-src 'none'; frame-ancestors 'none'");
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            if (context.Request.IsHttps) headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            // API answers carry personal data; an endpoint whose answer may be shared (open data) says so itself.
            if (context.Request.Path.StartsWithSegments("/api") && headers.CacheControl.Count == 0) headers.CacheControl = "no-store";
            headers.Remove("Server");
            return Task.CompletedTask;
        }, context);
        return next(context);
    }
}

/// <summary>
/// A body larger than <c>Vorgang:Limits:MaxRequestBodyBytes</c> is refused with 413: at once when its length is
/// declared, otherwise when reading passes the limit (Kestrel's own limit, and a counting stream for servers without
/// one). A NUL character in the path or query is refused: PostgreSQL cannot store it, so it could only fail later.
/// </summary>
public sealed class RequestLimits(RequestDelegate next, HardeningSettings settings)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        // An upload may be as large as the largest document allows (and its multipart framing); every other body is small.
        var max = Features.Documents.DocumentEndpoints.IsUpload(request) ? settings.MaxUploadBodyBytes : settings.MaxRequestBodyBytes;
        if (request.ContentLength > max)
        {
            // The unread body is not worth keeping the connection for.
            context.Response.Headers.Connection = "close";
            await WriteAsync(context, 413, "payload-too-large", "The request body is too large.",
                $"Send at most {max} bytes; this request declared {request.ContentLength}.");
            return;
        }
        if (request.Path.Value?.Contains('\0') == true || request.Query.Any(q => q.Key.Contains('\0') || q.Value.Any(v => v?.Contains('\0') == true)))
        {
            await WriteAsync(context, 400, "invalid-character", "The address contains a NUL character.",
                "Remove the NUL character (%00) from the path and the query.");
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = max;
        if (request.ContentLength is null) request.Body = new LimitedBody(request.Body, max);
        await next(context);
    }

    private static Task WriteAsync(HttpContext context, int status, string rule, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(Problems.Problems.Create(status, rule, title, detail, context),
            (System.Text.Json.JsonSerializerOptions?)null, Problems.Problems.ContentType);
    }
}

/// <summary>A request body that refuses to be read past the limit, as Kestrel's own body does.</summary>
internal sealed class LimitedBody(Stream inner, long limit) : Stream
{
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
        Count(await inner.ReadAsync(buffer, ct));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    private int Count(int read)
    {
        _read += read;
        if (_read > limit)
            throw new Microsoft.AspNetCore.Http.BadHttpRequestException($"Request body too large. The max request body size is {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
        return read;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>
/// Authenticates before the rate limiter, which counts staff by their verified <c>sub</c>. The handler keeps its
/// result for the request, so the authentication middleware later costs nothing. A failure here (say, the OIDC
/// provider is unreachable) only means the caller is counted by address; the authentication middleware meets the
/// same failure inside the exception handler.
/// </summary>
public sealed class EarlyAuthentication(RequestDelegate next, ILogger<EarlyAuthentication> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Headers.Authorization.Count > 0)
        {
            try
            {
                var result = await context.AuthenticateAsync();
                if (result.Succeeded) context.User = result.Principal;
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Authentication before rate limiting failed; counting the caller by address");
            }
        }
        await next(context);
    }
}
