using System.Globalization;
using Marten;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Vorgang.Web.Drafts;

namespace Vorgang.Web;

/// <summary>How the API host adds the citizen portal: Razor Pages on the same host and port (decision 33), KERN UX assets (decision 34), drafts (decision 35).</summary>
public static class PortalSetup
{
    public const string DraftCookiePrefix = "vg-draft-";
    public const string TrackCookie = "vg-track";

    /// <summary>Pages of the portal in German at <c>/</c> and in English under <c>/en/</c>; the English addresses beside the German ones.</summary>
    private static readonly (string Page, string English)[] EnglishRoutes =
    [
        ("/Index", "en"),
        ("/Service", "en/services/{serviceId}"),
        ("/Step", "en/services/{serviceId}/form/{stepId}"),
        ("/Check", "en/services/{serviceId}/check"),
        ("/Confirmation", "en/services/{serviceId}/confirmation"),
        ("/Track", "en/track"),
        ("/TrackCase", "en/track/{caseNumber}"),
        ("/Info", "en/{slug:regex(^(accessibility|easy-read|imprint|privacy)$)}"),
        ("/MyApplications", "en/my-applications"),
        ("/MyApplication", "en/my-applications/{caseNumber}"),
        ("/SignIn", "en/sign-in"),
        ("/StaffSignIn", "en/staff/sign-in"),
        ("/SignOut", "en/sign-out"),
        ("/Staff/Index", "en/staff"),
        ("/Staff/Case", "en/staff/cases/{caseNumber}"),
        ("/Audit", "en/audit"),
        ("/AuditCase", "en/audit/cases/{caseNumber}"),
    ];

    public static IServiceCollection AddPortal(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var options = configuration.GetSection("Vorgang:Portal").Get<PortalOptions>() ?? new PortalOptions();
        services.AddSingleton(options);
        services.AddSingleton(new InfoTexts(InfoTexts.Folder(options.TextsPath, environment.ContentRootPath)));
        services.AddSingleton<DraftStore>();
        services.AddLocalization();
        // German and English text as it is, not as numeric character references (smaller pages, readable source).
        services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddAntiforgery(options =>
        {
            options.Cookie = new PortalCookie { Name = "vg-antiforgery", SameSite = SameSiteMode.Strict, HttpOnly = true };
            options.FormFieldName = "__antiforgery";
            // The engine's SecurityHeaders set X-Frame-Options on every answer already.
            options.SuppressXFrameOptionsHeader = true;
        });
        services.AddRazorPages(options =>
        {
            foreach (var (page, english) in EnglishRoutes) options.Conventions.AddPageRoute(page, english);
            options.Conventions.ConfigureFilter(new DeclaredHandlersOnly());
        });
        return services;
    }

    /// <summary>The drafts' table, with the index the clean-up deletes by.</summary>
    public static void AddPortalDocuments(this StoreOptions store) => store.Schema.For<Draft>().Index(d => d.ExpiresAt);

    /// <summary>Everything that is not the API's (its JSON, its OpenAPI document, the health checks) is the portal's.</summary>
    public static bool IsPortalPath(PathString path) =>
        !path.StartsWithSegments("/api") && !path.StartsWithSegments("/openapi") && !path.StartsWithSegments("/health");

    /// <summary>The language of an address: English under <c>/en</c>. Compared as text: an address is never decoded twice.</summary>
    public static string LanguageOf(string path) =>
        path.Equals("/en", StringComparison.OrdinalIgnoreCase) || path.StartsWith("/en/", StringComparison.OrdinalIgnoreCase) ? "en" : "de";

    /// <summary>
    /// Friendly pages instead of problem JSON on the portal's addresses: an exception or a status without a body is
    /// answered by the error page in the language of the address asked for, without internals. Must come before
    /// routing, which runs again for the error page.
    /// </summary>
    public static void UsePortalErrors(this IApplicationBuilder app)
    {
        app.UseStatusCodePagesWithReExecute("/error/{0}");
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Vorgang.Web").LogError(e, "Page {Path} failed", context.Request.Path);
                var original = context.Request.Path;
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                context.Features.Set<IStatusCodeReExecuteFeature>(new PageFailed(original, context.Request.PathBase, context.Request.QueryString.Value));
                context.SetEndpoint(null);
                context.Request.RouteValues.Clear();
                context.Request.Path = "/error/500";
                context.Request.Method = HttpMethods.Get;
                try { await next(context); }
                finally { context.Request.Path = original; }
            }
        });
    }

    /// <summary>The request's language from its address (or the address an error page stands in for), and the assets.</summary>
    public static void UsePortal(this IApplicationBuilder app)
    {
        app.Use((context, next) =>
        {
            var path = context.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalPath ?? context.Request.Path.Value ?? "/";
            var culture = CultureInfo.GetCultureInfo(LanguageOf(path) == "en" ? "en" : "de");
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
            if (context.Request.Path.StartsWithSegments(PortalAssets.Prefix.TrimEnd('/'), out var rest)
                && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
                return PortalAssets.ServeAsync(context, rest.Value!.TrimStart('/'));
            if (IsPortalPath(context.Request.Path))
            {
                // Pages may show personal data: nothing of them is kept by a browser or a proxy. Nor are they compressed:
                // a secret beside reflected input would leak through the compressed size (BREACH; decision 38).
                context.Response.OnStarting(() =>
                {
                    if (!context.Response.Headers.ContainsKey("Cache-Control")) context.Response.Headers.CacheControl = "no-store";
                    return Task.CompletedTask;
                });
            }
            return next(context);
        });
    }

    public static void MapPortal(this IEndpointRouteBuilder endpoints) => endpoints.MapRazorPages();

    /// <summary>The page's content security policy: only this host's styles, fonts and images; no script at all; forms only to this host.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>
    /// The workbench's queue, the one page with a script (decision 42): this host's script file only — never inline —
    /// and requests back to this host for the rows it refreshes.
    /// </summary>
    public const string QueueContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; font-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>The policy of the page at <paramref name="path"/>.</summary>
    public static string ContentSecurityPolicyFor(PathString path) =>
        path.Equals("/staff", StringComparison.OrdinalIgnoreCase) || path.Equals("/en/staff", StringComparison.OrdinalIgnoreCase)
            ? QueueContentSecurityPolicy
            : ContentSecurityPolicy;

    /// <summary>
    /// Whether the portal's cookies are Secure (decision 37): always over HTTPS (directly, or through a trusted proxy's
    /// forwarded headers), and outside Development also over plain HTTP from another machine — only a browser on the
    /// engine's own machine (the README's first start) gets cookies it can send back over plain HTTP.
    /// </summary>
    public static bool SecureCookies(HttpContext context) =>
        context.Request.IsHttps
        || (!context.RequestServices.GetRequiredService<IHostEnvironment>().IsDevelopment()
            && (context.Connection.RemoteIpAddress is not { } remote || !System.Net.IPAddress.IsLoopback(remote)));

    public static CookieOptions CookieOptions(HttpContext context, TimeSpan? lifetime = null) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = SecureCookies(context),
        Path = "/",
        MaxAge = lifetime,
        IsEssential = true,
    };
}

/// <summary>A cookie of the portal's: Secure as <see cref="PortalSetup.SecureCookies"/> decides for the request (decision 37).</summary>
public sealed class PortalCookie : CookieBuilder
{
    public override CookieOptions Build(HttpContext context, DateTimeOffset expiresFrom)
    {
        var options = base.Build(context, expiresFrom);
        options.Secure = PortalSetup.SecureCookies(context);
        return options;
    }
}

/// <summary>What the error page learns of the page that failed: its address (for the language) and the status.</summary>
internal sealed class PageFailed(string originalPath, string originalPathBase, string? originalQueryString) : IStatusCodeReExecuteFeature
{
    public string OriginalPath { get; set; } = originalPath;
    public string OriginalPathBase { get; set; } = originalPathBase;
    public string? OriginalQueryString { get; set; } = originalQueryString;
    public int OriginalStatusCode => StatusCodes.Status500InternalServerError;
    public Endpoint? Endpoint => null;
    public RouteValueDictionary? RouteValues => null;
}

/// <summary>
/// A page answers only the methods it has a handler for: Razor Pages would otherwise render a page without running
/// any handler (a POST to the confirmation), with nothing loaded. Anything else is 405, shown as the friendly page.
/// </summary>
internal sealed class DeclaredHandlersOnly : Microsoft.AspNetCore.Mvc.Filters.IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(Microsoft.AspNetCore.Mvc.Filters.PageHandlerSelectedContext context) => Task.CompletedTask;

    public Task OnPageHandlerExecutionAsync(Microsoft.AspNetCore.Mvc.Filters.PageHandlerExecutingContext context, Microsoft.AspNetCore.Mvc.Filters.PageHandlerExecutionDelegate next)
    {
        if (context.HandlerMethod is null)
        {
            context.Result = new Microsoft.AspNetCore.Mvc.StatusCodeResult(StatusCodes.Status405MethodNotAllowed);
            return Task.CompletedTask;
        }
        return next();
    }
}
