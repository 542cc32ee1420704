using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace Vorgang.Benchmarks;

/// <summary>The first requests of the start page on a freshly started engine, before anything else has been asked of it.</summary>
/// <param name="FirstMs">The very first request after the engine listens (includes what the first page pays once: JIT, Razor, DI).</param>
/// <param name="SecondMs">The next request.</param>
/// <param name="TenthMs">The tenth (the median of requests 3 to 20), still without load.</param>
public sealed record StartPageCold(double FirstMs, double SecondMs, double TenthMs, int Bytes);

/// <summary>One of the portal's pages under load, with the size of its HTML (uncompressed, as it is sent: decision 38).</summary>
public sealed record PageResult(string Page, string Path, int HtmlBytes, WrkResult Load);

/// <summary>
/// The portal's pages as a citizen's browser asks for them: the start page, a service page, and the status page of an
/// open case, opened with the encrypted cookie the tracking form sets (<c>vg-track</c>).
/// </summary>
public static partial class PortalPages
{
    public const string ServicePath = "/services/defect-report";

    /// <summary>Status pages opened by the load: cookies for this many random open cases.</summary>
    public const int TrackedCases = 500;

    private static HttpClient Client(string url) =>
        new(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60),
        };

    public static async Task<StartPageCold> StartPageColdAsync(string url)
    {
        using var http = Client(url);
        async Task<(double Ms, int Bytes)> Get()
        {
            var watch = Stopwatch.StartNew();
            using var response = await http.GetAsync("/");
            var body = await response.Content.ReadAsByteArrayAsync();
            response.EnsureSuccessStatusCode();
            return (watch.Elapsed.TotalMilliseconds, body.Length);
        }
        var first = await Get();
        var second = await Get();
        var rest = new List<double>();
        for (var i = 0; i < 18; i++) rest.Add((await Get()).Ms);
        rest.Sort();
        return new StartPageCold(first.Ms, second.Ms, rest[rest.Count / 2], first.Bytes);
    }

    public static async Task<int> HtmlBytesAsync(string url, string path, string? cookie = null)
    {
        using var http = Client(url);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (cookie is not null) request.Headers.TryAddWithoutValidation("Cookie", cookie);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}, not a page.");
        return body.Length;
    }

    [GeneratedRegex("name=\"__antiforgery\" type=\"hidden\" value=\"([^\"]+)\"|type=\"hidden\" name=\"__antiforgery\" value=\"([^\"]+)\"|name=\"__antiforgery\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    private static string CookieValue(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.Select(c => c.Split(';')[0]).FirstOrDefault(c => c.StartsWith(name + "=", StringComparison.Ordinal))
              ?? throw new InvalidOperationException($"No {name} cookie was set.")
            : throw new InvalidOperationException($"No {name} cookie was set.");

    /// <summary>
    /// Enters case number and tracking code in the tracking form (with its antiforgery token) as a citizen does, for
    /// <paramref name="count"/> of the open cases, and keeps the <c>vg-track</c> cookie each answer sets: the Cookie
    /// headers the status page load rotates through. Each is checked to open its status page.
    /// </summary>
    public static async Task<IReadOnlyList<(string CaseNumber, string Cookie)>> TrackCookiesAsync(string url, IReadOnlyList<string> openCases, int count)
    {
        using var http = Client(url);
        using var form = await http.GetAsync("/track");
        var html = await form.Content.ReadAsStringAsync();
        var match = AntiforgeryField().Match(html);
        if (!match.Success) throw new InvalidOperationException("The tracking form has no antiforgery field.");
        var token = WebUtility.HtmlDecode(match.Groups.Values.Skip(1).First(g => g.Success).Value);
        var antiforgery = CookieValue(form, "vg-antiforgery");
        var cookies = new List<(string, string)>();
        foreach (var caseNumber in openCases.Take(count))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/track")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["caseNumber"] = caseNumber, ["trackingCode"] = CityGenerator.TrackingCode, ["__antiforgery"] = token,
                }),
            };
            request.Headers.TryAddWithoutValidation("Cookie", antiforgery);
            using var response = await http.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.Redirect || response.Headers.Location?.OriginalString != $"/track/{caseNumber}")
                throw new InvalidOperationException($"Tracking {caseNumber} answered {(int)response.StatusCode} {response.Headers.Location}, not the status page.");
            cookies.Add((caseNumber, CookieValue(response, "vg-track")));
        }
        foreach (var (caseNumber, cookie) in cookies.Take(20)) await HtmlBytesAsync(url, $"/track/{caseNumber}", cookie);
        return cookies;
    }

    public static string Get(string path) => $$"""
        wrk.method = "GET"
        wrk.path = "{{path}}"
        """;

    /// <summary>The status page of a random one of the tracked cases, with the cookie the tracking form set for it.</summary>
    public static string StatusPages(IReadOnlyList<(string CaseNumber, string Cookie)> tracked) => $$"""
        local pages = { {{string.Join(",", tracked.Select(t => $"{{ \"{t.CaseNumber}\", \"{t.Cookie}\" }}"))}} }
        math.randomseed(11)
        request = function()
          local page = pages[math.random(#pages)]
          return wrk.format("GET", "/track/" .. page[1], { ["Cookie"] = page[2] })
        end
        """;
}
