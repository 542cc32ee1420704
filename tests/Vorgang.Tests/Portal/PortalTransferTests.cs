using System.IO.Compression;
using System.Net;
using Microsoft.Playwright;
using Vorgang.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Vorgang.Tests.Portal;

/// <summary>
/// What a citizen's browser downloads (decision 38): the first visit of the start page at most 100 KB including CSS and
/// fonts, a later page at most 20 KB — counted in chromium as the encoded bodies of every response, as they came over
/// the wire. And how the CSS is served: compressed as the browser accepts, each encoding with its own ETag.
/// </summary>
public sealed class PortalTransferTests(AppFixture app, BrowserFixture browser, ITestOutputHelper output) : ApiTest(app), IClassFixture<BrowserFixture>
{
    private const long FirstVisitLimit = 100_000;
    private const long LaterPageLimit = 20_000;

    [Fact]
    public async Task The_first_visit_of_the_start_page_transfers_at_most_100_KB_and_a_later_page_at_most_20_KB()
    {
        var page = await browser.OpenAsync(Host, httpCache: true);
        var transfers = new List<(string Url, long Bytes)>();
        var pending = new List<Task>();
        page.RequestFinished += (_, request) => pending.Add(Record(request));
        async Task Record(IRequest request)
        {
            var sizes = await request.SizesAsync();
            // An answer from the browser's cache came over no wire (Playwright then reports less than nothing).
            lock (transfers) transfers.Add((request.Url, Math.Max(0, sizes.ResponseBodySize)));
        }
        async Task<long> VisitAsync(Func<Task> navigate)
        {
            transfers.Clear();
            await navigate();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            // The fonts are fetched once the text that needs them is laid out; wait until all have arrived.
            await page.EvaluateAsync("() => document.fonts.ready");
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await Task.WhenAll(pending.ToArray());
            lock (transfers)
            {
                foreach (var (url, bytes) in transfers) output.WriteLine($"{bytes,8:N0} bytes  {url}");
                output.WriteLine($"{transfers.Sum(t => t.Bytes),8:N0} bytes in all");
                return transfers.Sum(t => t.Bytes);
            }
        }

        var first = await VisitAsync(() => page.GotoAsync("/"));
        // The text really is in Fira Sans, not in a fallback.
        Assert.True(await page.EvaluateAsync<bool>("() => document.fonts.check('600 16px \"Fira Sans\"') && document.fonts.check('400 16px \"Fira Sans\"')"));
        Assert.Contains(transfers, t => t.Url.EndsWith("/assets/kern/kern.min.css", StringComparison.Ordinal));
        Assert.Contains(transfers, t => t.Url.EndsWith(".woff2", StringComparison.Ordinal));
        Assert.InRange(first, 1, FirstVisitLimit);

        var later = await VisitAsync(() => page.ClickAsync(".portal-services a[href='/services/defect-report']"));
        Assert.EndsWith("/services/defect-report", page.Url);
        Assert.InRange(later, 1, LaterPageLimit);
        Assert.Empty(browser.OtherHosts);
    }

    [Fact]
    public async Task Css_is_served_with_Brotli_or_gzip_as_accepted_each_with_its_own_ETag_and_the_same_content()
    {
        using var http = Host.Server.CreateClient();
        async Task<HttpResponseMessage> Get(string? acceptEncoding, string? ifNoneMatch = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/assets/kern/kern.min.css");
            if (acceptEncoding is not null) request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
            if (ifNoneMatch is not null) request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
            return await http.SendAsync(request);
        }
        using var plain = await Get(null);
        var original = await plain.Content.ReadAsByteArrayAsync();
        Assert.Empty(plain.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", plain.Headers.Vary);

        using var brotli = await Get("gzip, deflate, br");
        Assert.Equal(["br"], brotli.Content.Headers.ContentEncoding);
        var brotliBytes = await brotli.Content.ReadAsByteArrayAsync();
        Assert.Equal(original, Decompress(new BrotliStream(new MemoryStream(brotliBytes), CompressionMode.Decompress)));

        using var gzip = await Get("gzip, deflate");
        Assert.Equal(["gzip"], gzip.Content.Headers.ContentEncoding);
        var gzipBytes = await gzip.Content.ReadAsByteArrayAsync();
        Assert.Equal(original, Decompress(new GZipStream(new MemoryStream(gzipBytes), CompressionMode.Decompress)));
        Assert.True(brotliBytes.Length < gzipBytes.Length && gzipBytes.Length < original.Length / 5);

        using var refused = await Get("br;q=0, gzip;q=0");
        Assert.Empty(refused.Content.Headers.ContentEncoding);

        var tags = new[] { plain, brotli, gzip }.Select(r => r.Headers.ETag!.Tag).ToList();
        Assert.Equal(3, tags.Distinct().Count());
        using var revalidated = await Get("gzip, deflate, br", brotli.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        using var otherEncoding = await Get("gzip", brotli.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, otherEncoding.StatusCode);

        // Fonts are compressed already: no second encoding, no Vary.
        using var woff2 = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/assets/kern/fonts/FiraSans-Regular.woff2") { Headers = { { "Accept-Encoding", "gzip, br" } } });
        Assert.Empty(woff2.Content.Headers.ContentEncoding);
        Assert.Empty(woff2.Headers.Vary);
    }

    private static byte[] Decompress(Stream stream)
    {
        using (stream)
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
    }
}
