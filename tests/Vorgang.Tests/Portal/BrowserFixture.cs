using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Alba;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Vorgang.Tests.Portal;

/// <summary>
/// Debian's chromium, driven by Playwright (never <c>playwright install</c>), for the whole class. Pages load from a
/// listener on localhost: every request is answered by the shared test host in memory, so the browser sees the
/// engine's real answers, cookies and headers, and nothing leaves the machine.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private static readonly string[] Arguments =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private IPlaywright? _playwright;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = Arguments });
    }

    public async Task DisposeAsync()
    {
        if (_proxy is not null) await _proxy.DisposeAsync();
        await Browser.DisposeAsync();
        _playwright?.Dispose();
    }

    /// <summary>
    /// A fresh browser profile (no cookies) at <paramref name="width"/> pixels, served by <paramref name="host"/>. With
    /// <paramref name="httpCache"/> the browser keeps what it may cache, as a citizen's does; requests to other hosts are
    /// then only recorded, not stopped (Playwright turns the cache off for a context whose requests it routes).
    /// </summary>
    public async Task<IPage> OpenAsync(IAlbaHost host, int width = 1280, bool httpCache = false)
    {
        var origin = await ProxyAsync(host);
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = 900 }, BaseURL = origin });
        // Anything else would be a request to another host: there must be none.
        if (httpCache)
            context.Request += (_, request) =>
            {
                if (!request.Url.StartsWith(origin, StringComparison.Ordinal)) lock (OtherHosts) OtherHosts.Add(request.Url);
            };
        else
            await context.RouteAsync(url => !url.StartsWith(origin, StringComparison.Ordinal), route =>
            {
                OtherHosts.Add(route.Request.Url);
                return route.AbortAsync();
            });
        return await context.NewPageAsync();
    }

    public List<string> OtherHosts { get; } = [];

    private WebApplication? _proxy;
    private string? _origin;

    /// <summary>
    /// A real HTTP listener on localhost that hands every request to the test host in memory (redirects, cookies and
    /// headers as the engine sends them): the browser needs a socket, the shared host has none.
    /// </summary>
    private async Task<string> ProxyAsync(IAlbaHost host)
    {
        if (_origin is not null) return _origin;
        var http = new HttpClient(host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") };
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _proxy = builder.Build();
        _proxy.Run(async context =>
        {
            var request = context.Request;
            using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path + request.QueryString);
            if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
            {
                var body = new MemoryStream();
                await request.Body.CopyToAsync(body);
                message.Content = new ByteArrayContent(body.ToArray());
            }
            foreach (var (name, values) in request.Headers)
            {
                if (name is "Host" or "Content-Length" or "Transfer-Encoding") continue;
                if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)) message.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values!);
                else message.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values!);
            }
            using var response = await http.SendAsync(message);
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (name is "Transfer-Encoding") continue;
                context.Response.Headers[name] = values.ToArray();
            }
            await response.Content.CopyToAsync(context.Response.Body);
        });
        await _proxy.StartAsync();
        var address = _proxy.Urls.First();
        _origin = address.Replace("127.0.0.1", "localhost");
        return _origin;
    }

    private static readonly AxeRunOptions Wcag = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        // Only the violations come back in full: the passes of every rule on every node would cost a second a page.
        ResultTypes = [ResultType.Violations],
    };

    /// <summary>axe-core's violations of WCAG 2.1 A and AA on the page as it is now, one line each (empty when there are none).</summary>
    public static async Task<List<string>> AxeViolationsAsync(IPage page)
    {
        var result = await page.RunAxe(Wcag);
        return result.Violations.Select(v => $"{page.Url}: {v.Id} ({v.Impact}) {v.Help}: {string.Join(" | ", v.Nodes.Select(n => n.Target?.ToString()))}").ToList();
    }

    /// <summary><see cref="AxeViolationsAsync"/> at 1280 and at 320 pixels; the page is left at 1280.</summary>
    public static async Task<List<string>> AxeViolationsWideAndNarrowAsync(IPage page)
    {
        var violations = await AxeViolationsAsync(page);
        await page.SetViewportSizeAsync(320, 900);
        violations.AddRange(await AxeViolationsAsync(page));
        await page.SetViewportSizeAsync(1280, 900);
        return violations;
    }
}
