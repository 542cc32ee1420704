using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vorgang.Api.Hosting;
using Vorgang.Api.Security;
using Vorgang.Tests.Api;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Definitions;
using Wolverine;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace Vorgang.Tests.Security;

/// <summary>Body limit, JSON depth, unstorable text, security headers and closed CORS on the shared test host.</summary>
public sealed class HardeningTests(AppFixture app, ITestOutputHelper output) : ApiTest(app)
{
    private const string Service = "change-of-address";

    private long MaxBody => Host.Services.GetRequiredService<HardeningSettings>().MaxRequestBodyBytes;

    private async Task<ApiResponse> Post(string url, HttpContent content, string? token = null)
    {
        var client = Host.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (content.Headers.ContentLength is null) request.Headers.TransferEncodingChunked = true;
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.Ordinal) == true && text.Length > 0 ? JsonNode.Parse(text) : null;
        return new ApiResponse((int)response.StatusCode, text, json, response);
    }

    /// <summary>A submission of exactly <paramref name="size"/> bytes: the example with an unknown field padded to fit, so that the engine refuses it if it reads it.</summary>
    private async Task<byte[]> SubmissionOfSize(long size)
    {
        var body = new JsonObject { ["data"] = await Host.Example(Service), ["language"] = "en", ["padding"] = "" };
        var empty = Encoding.UTF8.GetByteCount(body.ToJsonString());
        body["padding"] = new string('p', (int)(size - empty));
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        Assert.Equal(size, bytes.Length);
        return bytes;
    }

    private static HttpContent Declared(byte[] bytes) => new ByteArrayContent(bytes) { Headers = { ContentType = new("application/json") } };

    private static HttpContent Chunked(byte[] bytes) => new StreamContent(new UnseekableStream(bytes)) { Headers = { ContentType = new("application/json") } };

    private async Task AssertNothingSubmitted()
    {
        var queue = await Host.Get("/api/queues/registration-office", App.Token("caseworker", "registration-office", "Anna", "anna"));
        Assert.Equal(0, (long)queue.Json!["total"]!);
    }

    // ---- body size ----

    [Fact]
    public async Task A_body_over_the_limit_with_its_length_declared_is_413()
    {
        var response = await Post($"/api/services/{Service}/cases", Declared(await SubmissionOfSize(MaxBody + 1)));
        var problem = response.AssertProblem(413, "payload-too-large");
        Assert.Contains(MaxBody.ToString(System.Globalization.CultureInfo.InvariantCulture), (string)problem["detail"]!);
        await AssertNothingSubmitted();
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_413_not_500()
    {
        var submission = await Post($"/api/services/{Service}/cases", Chunked(await SubmissionOfSize(MaxBody + 1)));
        submission.AssertProblem(413, "payload-too-large");

        var submitted = await Host.Submit(Service);
        var action = await Post($"/api/cases/{submitted.CaseNumber}/actions/claim", Chunked(new byte[MaxBody * 3]),
            App.Token("caseworker", "registration-office", "Anna", "anna"));
        action.AssertProblem(413, "payload-too-large");
        Assert.Null((await Host.StaffCase(submitted.CaseNumber, App.Token("admin")))["assignee"]);
    }

    [Fact]
    public async Task A_body_of_exactly_the_limit_is_read()
    {
        foreach (var content in new[] { Declared(await SubmissionOfSize(MaxBody)), Chunked(await SubmissionOfSize(MaxBody)) })
        {
            var response = await Post($"/api/services/{Service}/cases", content);
            var violation = Assert.Single(response.AssertProblem(400, "unknown-field").AssertConsistentErrors());
            Assert.Equal("padding", violation.Field);
        }
        await AssertNothingSubmitted();
    }

    /// <summary>
    /// The largest submission (or action) any shipped service accepts — every text at its maximum length (10,000 where
    /// the definition sets none), every list full, every address part at 200 characters, all in umlauts — must fit the
    /// default limit with room to spare as a browser sends it (UTF-8, two bytes each), and fit at all as a client sends
    /// it that escapes every non-ASCII character (<c>\u00e4</c>, six bytes each).
    /// </summary>
    [Fact]
    public void The_largest_legitimate_submission_of_every_shipped_service_fits_the_default_limit()
    {
        var catalog = Host.Services.GetRequiredService<DefinitionCatalog>();
        var sizes = catalog.LatestVersions.ToDictionary(d => d.Id, d =>
        {
            var form = Largest(d.Form);
            var inputs = d.Actions.Select(a => Largest(a.Inputs)).DefaultIfEmpty(new JsonObject()).MaxBy(Utf8Size)!;
            var submission = new JsonObject { ["data"] = form, ["language"] = "de" };
            var action = new JsonObject { ["expectedVersion"] = long.MaxValue, ["input"] = inputs };
            return (Submission: Utf8Size(submission), Action: Utf8Size(action),
                Escaped: Math.Max(Encoding.UTF8.GetByteCount(submission.ToJsonString()), Encoding.UTF8.GetByteCount(action.ToJsonString())));
        });
        foreach (var (id, size) in sizes)
            output.WriteLine($"{id}: submission {size.Submission:N0} bytes, largest action {size.Action:N0} bytes, escaped at most {size.Escaped:N0} bytes");
        Assert.Equal(5, sizes.Count);
        Assert.All(sizes, s =>
        {
            Assert.True(Math.Max(s.Value.Submission, s.Value.Action) * 2 <= Hardening.DefaultMaxRequestBodyBytes,
                $"{s.Key} needs {s.Value} bytes; the default limit is {Hardening.DefaultMaxRequestBodyBytes}");
            Assert.True(s.Value.Escaped <= Hardening.DefaultMaxRequestBodyBytes, $"{s.Key} needs {s.Value.Escaped} bytes escaped");
        });
    }

    private static long Utf8Size(JsonObject body) =>
        Encoding.UTF8.GetByteCount(body.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));

    private static JsonObject Largest(IReadOnlyList<FieldDefinition> fields)
    {
        var result = new JsonObject();
        foreach (var field in fields)
        {
            result[field.Id] = field.Type switch
            {
                FieldTypes.Text or FieldTypes.Email or FieldTypes.Phone => new string('ä', field.MaxLength ?? 10_000),
                FieldTypes.Number or FieldTypes.Integer => 123456789012345.678m,
                FieldTypes.Date => "2026-11-26",
                FieldTypes.Boolean => true,
                FieldTypes.Choice => field.Options.Select(o => o.Value).MaxBy(v => v.Length),
                FieldTypes.Address => new JsonObject(FieldTypes.AddressParts.Select(p => KeyValuePair.Create(p, (JsonNode?)new string('ä', 200)))),
                FieldTypes.List => new JsonArray(Enumerable.Range(0, field.MaxItems ?? 100).Select(_ => (JsonNode?)Largest(field.Fields)).ToArray()),
                _ => "?",
            };
        }
        return result;
    }

    // ---- JSON depth and unstorable text ----

    [Theory]
    [InlineData(33)]
    [InlineData(10_000)]
    public async Task Deeply_nested_json_is_400_naming_the_depth(int depth)
    {
        var nested = string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
        var submit = await Host.Call(HttpMethod.Post, $"/api/services/{Service}/cases", $"{{\"data\": {nested}}}");
        var problem = submit.AssertProblem(400, "malformed-json");
        Assert.Contains("nested deeper than 32 levels", (string)problem["detail"]!);

        var submitted = await Host.Submit(Service);
        var action = await Host.Call(HttpMethod.Post, $"/api/track/{submitted.CaseNumber}/actions/withdraw",
            $"{{\"expectedVersion\": 1, \"input\": {{\"reason\": {string.Concat(Enumerable.Repeat("[", depth))}]}}}}",
            headers: new Dictionary<string, string> { ["X-Tracking-Code"] = submitted.TrackingCode });
        action.AssertProblem(400, "malformed-json");
    }

    [Fact]
    public async Task Json_within_the_depth_limit_is_read()
    {
        // 31 levels inside the body's own object and its "data": the form then refuses the unknown field, the parser does not.
        var nested = string.Concat(Enumerable.Repeat("[", 30)) + new string(']', 30);
        var data = (await Host.Example(Service)).ToJsonString().TrimEnd('}') + $", \"deep\": {nested}}}";
        var response = await Host.Call(HttpMethod.Post, $"/api/services/{Service}/cases", $"{{\"data\": {data}}}");
        var violation = Assert.Single(response.AssertProblem(400, "invalid-form").AssertConsistentErrors());
        Assert.Equal(("deep", "unknown-field"), (violation.Field, violation.Rule));
    }

    [Fact]
    public async Task Thousands_of_wrong_fields_get_a_short_answer()
    {
        var fields = string.Join(",", Enumerable.Range(0, 20_000).Select(i => $"\"f{i}\":1"));
        var response = await Host.Call(HttpMethod.Post, $"/api/services/{Service}/cases", $"{{\"data\": {{{fields}}}}}");
        var problem = response.AssertProblem(400, "invalid-form");
        Assert.Equal(Vorgang.Api.Problems.Problems.MaxReportedErrors, problem.AssertConsistentErrors().Count);
        Assert.True((int)problem["omittedErrors"]! > 19_000, response.Text[..200]);
        Assert.True(response.Text.Length < 100_000, $"{response.Text.Length} characters");
    }

    [Fact]
    public async Task A_property_named_twice_is_400()
    {
        var response = await Host.Call(HttpMethod.Post, $"/api/services/{Service}/cases", "{\"language\": \"de\", \"language\": \"en\"}");
        var problem = response.AssertProblem(400, "malformed-json");
        Assert.Contains("same property twice", (string)problem["detail"]!);
    }

    [Theory]
    [InlineData("\"Er\\u0000ika\"")]
    [InlineData("\"\\ud800\"")]
    [InlineData("\"x\\udc00\"")]
    public async Task Text_that_cannot_be_stored_is_400_naming_the_field(string literal)
    {
        // Otherwise valid: without the check PostgreSQL would refuse the event and the client would see a 500.
        var data = await Host.Example(Service);
        data["firstName"] = "PLACEHOLDER";
        var body = new JsonObject { ["data"] = data, ["language"] = "en" }.ToJsonString().Replace("\"PLACEHOLDER\"", literal);
        var response = await Host.Call(HttpMethod.Post, $"/api/services/{Service}/cases", body);
        var violation = Assert.Single(response.AssertProblem(400, "invalid-character").AssertConsistentErrors());
        Assert.Equal("data.firstName", violation.Field);
        await AssertNothingSubmitted();
    }

    [Fact]
    public async Task A_property_name_that_is_not_unicode_is_400()
    {
        var response = await Host.Call(HttpMethod.Post, $"/api/services/{Service}/cases", "{\"data\": {\"\\ud800\": 1}}");
        response.AssertProblem(400, "invalid-character");
    }

    [Fact]
    public async Task Invalid_utf8_in_a_value_is_400()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"data\": {\"firstName\": \"X\"}, \"language\": \"en\"}").ToList();
        bytes.InsertRange(bytes.IndexOf((byte)'X'), new byte[] { 0xC0, 0xAF });
        var response = await Post($"/api/services/{Service}/cases", Declared([.. bytes]));
        var violation = Assert.Single(response.AssertProblem(400, "invalid-character").AssertConsistentErrors());
        Assert.Equal("data.firstName", violation.Field);
    }

    [Theory]
    [InlineData("/api/services/change-of-address?version=abc")]
    [InlineData("/api/services/change-of-address?version=99999999999")]
    [InlineData("/api/services/change-of-address?version=")]
    [InlineData("/api/services/change-of-address/diagram?version=1.5")]
    public async Task An_unreadable_service_version_is_400_not_the_latest_version(string url)
    {
        var violation = Assert.Single((await Host.Get(url)).AssertProblem(400, "integer").AssertConsistentErrors());
        Assert.Equal("version", violation.Field);
    }

    [Fact]
    public async Task A_nul_character_in_the_query_is_400()
    {
        var response = await Host.Get("/api/queues/registration-office?service=a%00b", App.Token("admin"));
        response.AssertProblem(400, "invalid-character");
    }

    // ---- headers ----

    public static TheoryData<string> Addresses => new() { "/api/services", "/api/services/nope", "/api/queues/registration-office", "/openapi/v1.json", "/health", "/api/nowhere" };

    [Theory]
    [MemberData(nameof(Addresses))]
    public async Task Every_answer_carries_the_security_headers(string url)
    {
        var response = await Host.Get(url);
        AssertSecurityHeaders(response);
        Assert.Null(response.Header("Strict-Transport-Security"));
        Assert.Null(response.Header("Server"));
        if (url.StartsWith("/api", StringComparison.Ordinal)) Assert.Equal("no-store", response.Header("Cache-Control"));
    }

    [Fact]
    public async Task Error_answers_carry_the_security_headers_too()
    {
        var tooLarge = await Post($"/api/services/{Service}/cases", Declared(new byte[MaxBody + 1]));
        tooLarge.AssertProblem(413, "payload-too-large");
        AssertSecurityHeaders(tooLarge);
        var malformed = await Host.Call(HttpMethod.Post, $"/api/services/{Service}/cases", "{");
        malformed.AssertProblem(400, "malformed-json");
        AssertSecurityHeaders(malformed);
        Assert.Equal("no-store", malformed.Header("Cache-Control"));
    }

    [Fact]
    public async Task Strict_transport_security_is_sent_over_https()
    {
        var client = Host.Server.CreateClient();
        client.BaseAddress = new Uri("https://localhost/");
        var response = await client.GetAsync("/api/services");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("max-age=31536000; includeSubDomains", string.Join(",", response.Headers.GetValues("Strict-Transport-Security")));
    }

    [Fact]
    public async Task Open_data_may_still_be_cached_and_the_openapi_document_still_works()
    {
        var statistics = await Host.Get("/api/open-data/statistics");
        Assert.Equal(200, statistics.Status);
        Assert.Equal("public, max-age=300", statistics.Header("Cache-Control"));

        var openApi = await Host.Get("/openapi/v1.json");
        Assert.Equal(200, openApi.Status);
        Assert.NotNull(openApi.Json!["openapi"]);
        Assert.NotNull(openApi.Json!["paths"]!["/api/services/{serviceId}/cases"]);
        (await Host.Get("/openapi/v2.json")).AssertProblem(404, "not-found");
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("text/csv")]
    [InlineData("application/xml")]
    public async Task Problems_the_framework_raises_are_json_whatever_the_client_accepts(string accept)
    {
        var headers = new Dictionary<string, string> { ["Accept"] = accept };
        (await Host.Get("/api/queues/registration-office", headers: headers)).AssertProblem(401, "unauthenticated");
        // Every address outside /api, /openapi and /health is the portal's, which answers with a page (PortalPagesTests).
        (await Host.Get("/api/nowhere", headers: headers)).AssertProblem(404, "not-found");
        (await Host.Call(HttpMethod.Delete, "/api/services", headers: headers)).AssertProblem(405, "method-not-allowed");
    }

    [Fact]
    public async Task Cors_is_closed_when_no_origins_are_configured()
    {
        var preflight = await Preflight(Host, "https://portal.jena.example");
        Assert.Equal(204, preflight.Status);
        Assert.Null(preflight.Header("Access-Control-Allow-Origin"));
        Assert.Null(preflight.Header("Access-Control-Allow-Headers"));
        var get = await Host.Get("/api/services", headers: new Dictionary<string, string> { ["Origin"] = "https://portal.jena.example" });
        Assert.Equal(200, get.Status);
        Assert.Null(get.Header("Access-Control-Allow-Origin"));
    }

    internal static Task<ApiResponse> Preflight(Alba.IAlbaHost host, string origin, IDictionary<string, string>? extra = null)
    {
        var headers = new Dictionary<string, string>
        {
            ["Origin"] = origin,
            ["Access-Control-Request-Method"] = "POST",
            ["Access-Control-Request-Headers"] = "content-type,idempotency-key",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) headers[k] = v;
        return host.Call(HttpMethod.Options, "/api/services/change-of-address/cases", headers: headers);
    }

    internal static void AssertSecurityHeaders(ApiResponse response)
    {
        Assert.Equal("nosniff", response.Header("X-Content-Type-Options"));
        Assert.Equal("DENY", response.Header("X-Frame-Options"));
        Assert.Equal("no-referrer", response.Header("Referrer-Policy"));
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", response.Header("Content-Security-Policy"));
        Assert.Equal("same-origin", response.Header("Cross-Origin-Resource-Policy"));
    }

    [Theory]
    [InlineData("*")]
    public void A_wildcard_origin_is_refused_at_start(string origin)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Vorgang:Cors:AllowedOrigins:0"] = origin }).Build();
        Assert.Throws<InvalidOperationException>(() => HardeningSettings.From(configuration));
    }

    [Fact]
    public void Settings_have_defaults_and_refuse_nonsense()
    {
        var defaults = HardeningSettings.From(new ConfigurationBuilder().Build());
        Assert.Equal(256 * 1024, defaults.MaxRequestBodyBytes);
        Assert.Equal(600, defaults.PerClientPerMinute);
        Assert.Empty(defaults.AllowedOrigins);
        var proxies = HardeningSettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Vorgang:ForwardedHeaders:KnownProxies:0"] = "10.0.0.7", ["Vorgang:ForwardedHeaders:KnownProxies:1"] = "fd00::/8",
        }).Build()).TrustedProxies;
        Assert.Equal(["10.0.0.7/32", "fd00::/8"], proxies.Select(p => p.ToString()));
        foreach (var (key, value) in new[]
                 {
                     ("Vorgang:Limits:MaxRequestBodyBytes", "0"), ("Vorgang:RateLimits:PerClientPerMinute", "-1"), ("Vorgang:ForwardedHeaders:KnownProxies:0", "proxy.local"),
                 })
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
            Assert.Throws<InvalidOperationException>(() => HardeningSettings.From(configuration));
        }
    }

    internal sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}

/// <summary>
/// A second engine with a low rate limit (5 a minute) and one allowed origin, on a database of its own. The client's
/// address comes from a test header, as it would come from the connection (or a trusted proxy) in production.
/// </summary>
public sealed class LimitedEngineFixture : IAsyncLifetime
{
    public const string ClientHeader = "X-Test-Client-Address";
    public const string Portal = "https://portal.jena.example";
    public const int PerMinute = 5;
    public const string Proxies = "10.9.0.0/24";

    public Alba.IAlbaHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var database = await TestDatabase.CreateDatabaseAsync("limits");
        Host = await Alba.AlbaHost.For<Program>(x =>
        {
            x.UseSetting("ConnectionStrings:Marten", database);
            x.UseSetting("Vorgang:Auth:DevelopmentKey", AppFixture.DevelopmentKey);
            x.UseSetting("Vorgang:TrackingCodeSecret", "test-tracking-secret");
            x.UseSetting("Vorgang:RateLimits:PerClientPerMinute", PerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture));
            x.UseSetting("Vorgang:Cors:AllowedOrigins:0", Portal);
            x.UseSetting("Vorgang:ForwardedHeaders:KnownProxies:0", Proxies);
            x.ConfigureServices(services =>
            {
                services.DisableAllExternalWolverineTransports();
                services.RunWolverineInSoloMode();
                services.MartenDaemonModeIsSolo();
                services.AddTransient<Microsoft.AspNetCore.Hosting.IStartupFilter, ClientAddressFromHeader>();
            });
        });
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public string Token(string subject) =>
        StaffAuth.MintToken(Host.Services.GetRequiredService<IConfiguration>(), "auditor", null, subject, subject, TimeSpan.FromHours(1));

    public Task<ApiResponse> Get(string url, string client, string? token = null, IDictionary<string, string>? headers = null)
    {
        var all = new Dictionary<string, string>(headers ?? new Dictionary<string, string>()) { [ClientHeader] = client };
        return Host.Get(url, token, all);
    }

    private sealed class ClientAddressFromHeader : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            app.Use(async (HttpContext context, Func<Task> nextMiddleware) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[ClientHeader].ToString(), out var address)) context.Connection.RemoteIpAddress = address;
                await nextMiddleware();
            });
            next(app);
        };
    }
}

[Collection(AppCollection.Name)]
public sealed class RateLimitAndCorsTests(LimitedEngineFixture engine) : IClassFixture<LimitedEngineFixture>
{
    /// <summary>Sends until refused (at most twice the limit); the answers in order.</summary>
    private async Task<List<ApiResponse>> Exhaust(string url, string client, string? token = null, Func<int, IDictionary<string, string>>? headers = null)
    {
        var answers = new List<ApiResponse>();
        for (var i = 0; i < LimitedEngineFixture.PerMinute * 2; i++)
        {
            var response = await engine.Get(url, client, token, headers?.Invoke(i));
            answers.Add(response);
            if (response.Status == 429) break;
        }
        return answers;
    }

    private async Task WarmUp(string url) => await engine.Get(url, "10.255.255.255");

    [Fact]
    public async Task A_client_over_its_limit_gets_429_with_retry_after_while_others_go_on()
    {
        await WarmUp("/api/services");
        var answers = await Exhaust("/api/services", "10.1.0.1");
        var refused = answers[^1];
        var problem = refused.AssertProblem(429, "rate-limited");
        Assert.Contains("5 requests a minute", (string)problem["detail"]!);
        // A whole minute's allowance first; a refill may come while a slow machine sends them.
        Assert.True(answers.Count > LimitedEngineFixture.PerMinute, string.Join(", ", answers.Select(a => a.Status)));
        Assert.All(answers[..^1], a => Assert.Equal(200, a.Status));
        var retryAfter = int.Parse(refused.Header("Retry-After")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        HardeningTests.AssertSecurityHeaders(refused);

        Assert.Equal(200, (await engine.Get("/api/services", "10.1.0.2")).Status);
        // Probes are never refused.
        Assert.Equal(200, (await engine.Get("/health", "10.1.0.1")).Status);
    }

    [Fact]
    public async Task Staff_are_counted_by_their_user_not_their_address()
    {
        await WarmUp("/api/audit/verify");
        var office = "10.2.0.1";
        var first = await Exhaust("/api/audit/verify", office, engine.Token("ida"));
        Assert.Equal(429, first[^1].Status);
        Assert.Equal(200, (await engine.Get("/api/audit/verify", office, engine.Token("otto"))).Status);
        Assert.Equal(200, (await engine.Get("/api/services", office)).Status);
    }

    [Fact]
    public async Task An_ipv6_client_is_counted_by_its_network()
    {
        await WarmUp("/api/services");
        Assert.Equal(429, (await Exhaust("/api/services", "2001:db8:1:1::1"))[^1].Status);
        Assert.Equal(429, (await engine.Get("/api/services", "2001:db8:1:1::2")).Status);
        Assert.Equal(200, (await engine.Get("/api/services", "2001:db8:1:2::1")).Status);
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_clients_are_counted_by_their_forwarded_address()
    {
        await WarmUp("/api/services");
        static Func<int, IDictionary<string, string>> From(Func<int, string> client) => i => new Dictionary<string, string> { ["X-Forwarded-For"] = client(i) };
        Assert.Equal(429, (await Exhaust("/api/services", "10.9.0.1", headers: From(_ => "203.0.113.7")))[^1].Status);
        Assert.Equal(200, (await engine.Get("/api/services", "10.9.0.2", headers: From(_ => "203.0.113.8")(0))).Status);

        // Anyone else may write any X-Forwarded-For: it is not believed, the sender is counted by its own address.
        Assert.Equal(429, (await Exhaust("/api/services", "10.6.0.1", headers: From(i => $"198.51.100.{i}")))[^1].Status);

        var https = await engine.Get("/api/services", "10.9.0.1", headers: new Dictionary<string, string>
        {
            ["X-Forwarded-For"] = "203.0.113.9", ["X-Forwarded-Proto"] = "https",
        });
        Assert.Equal(200, https.Status);
        Assert.StartsWith("max-age=", https.Header("Strict-Transport-Security"));
        var spoofed = await engine.Get("/api/services", "10.6.0.2", headers: new Dictionary<string, string> { ["X-Forwarded-Proto"] = "https" });
        Assert.Null(spoofed.Header("Strict-Transport-Security"));
    }

    [Fact]
    public async Task A_configured_origin_may_call_the_api_from_a_browser()
    {
        var client = new Dictionary<string, string> { [LimitedEngineFixture.ClientHeader] = "10.3.0.1" };
        var preflight = await HardeningTests.Preflight(engine.Host, LimitedEngineFixture.Portal, client);
        Assert.Equal(204, preflight.Status);
        Assert.Equal(LimitedEngineFixture.Portal, preflight.Header("Access-Control-Allow-Origin"));
        Assert.Contains("POST", preflight.Header("Access-Control-Allow-Methods")!);
        var allowed = preflight.Header("Access-Control-Allow-Headers")!.ToLowerInvariant();
        Assert.Contains("idempotency-key", allowed);
        Assert.Contains("content-type", allowed);

        var get = await engine.Get("/api/services", "10.3.0.1", headers: new Dictionary<string, string> { ["Origin"] = LimitedEngineFixture.Portal });
        Assert.Equal(200, get.Status);
        Assert.Equal(LimitedEngineFixture.Portal, get.Header("Access-Control-Allow-Origin"));
        var exposed = get.Header("Access-Control-Expose-Headers")!;
        foreach (var header in Hardening.CorsExposedHeaders) Assert.Contains(header, exposed);
    }

    [Fact]
    public async Task Another_origin_is_not_allowed()
    {
        var client = new Dictionary<string, string> { [LimitedEngineFixture.ClientHeader] = "10.4.0.1" };
        var preflight = await HardeningTests.Preflight(engine.Host, "https://evil.example", client);
        Assert.Null(preflight.Header("Access-Control-Allow-Origin"));
        var get = await engine.Get("/api/services", "10.4.0.1", headers: new Dictionary<string, string> { ["Origin"] = "https://evil.example" });
        Assert.Null(get.Header("Access-Control-Allow-Origin"));
    }
}

/// <summary>What only the real server shows: Kestrel's limits on bodies and headers, no Server header, a NUL in the path.</summary>
[Collection(AppCollection.Name)]
public sealed class KestrelLimitsTests : IAsyncLifetime
{
    private const int Limit = 10_000;
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _connectionString = await TestDatabase.CreateDatabaseAsync("kestrel");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static async Task<ApiResponse> Answer(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var json = response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.Ordinal) == true && text.Length > 0 ? JsonNode.Parse(text) : null;
        return new ApiResponse((int)response.StatusCode, text, json, response);
    }

    [Fact]
    public async Task The_engine_process_refuses_oversized_bodies_and_headers_and_names_no_server()
    {
        await using var engine = await EngineProcess.StartAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__Marten"] = _connectionString,
            ["Vorgang__Auth__DevelopmentKey"] = AppFixture.DevelopmentKey,
            ["Vorgang__Limits__MaxRequestBodyBytes"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var http = engine.Http;

        var services = await Answer(await http.GetAsync("/api/services"));
        Assert.Equal(200, services.Status);
        Assert.False(services.Response.Headers.Contains("Server"), "Kestrel named itself");
        HardeningTests.AssertSecurityHeaders(services);
        Assert.Equal("no-store", services.Header("Cache-Control"));

        var declared = await Answer(await http.PostAsync("/api/services/change-of-address/cases",
            new ByteArrayContent(new byte[Limit + 1]) { Headers = { ContentType = new("application/json") } }));
        declared.AssertProblem(413, "payload-too-large");
        HardeningTests.AssertSecurityHeaders(declared);

        var chunked = await Answer(await http.PostAsync("/api/services/change-of-address/cases",
            new StreamContent(new HardeningTests.UnseekableStream(new byte[Limit * 3])) { Headers = { ContentType = new("application/json") } }));
        chunked.AssertProblem(413, "payload-too-large");

        // Kestrel refuses these itself, before the engine sees them: a bare status, nothing to leak.
        var nul = await Answer(await http.GetAsync("/api/track/a%00b"));
        Assert.Equal(400, nul.Status);
        var crowded = new HttpRequestMessage(HttpMethod.Get, "/api/services");
        for (var i = 0; i < 100; i++) crowded.Headers.TryAddWithoutValidation($"X-Fill-{i}", "x");
        Assert.Equal(431, (await Answer(await http.SendAsync(crowded))).Status);
        var huge = new HttpRequestMessage(HttpMethod.Get, "/api/services");
        huge.Headers.TryAddWithoutValidation("X-Huge", new string('h', 40 * 1024));
        Assert.Equal(431, (await Answer(await http.SendAsync(huge))).Status);
        Assert.DoesNotContain(FuzzRequests.LeakMarkers, m => nul.Text.Contains(m, StringComparison.Ordinal));

        // And the engine still answers afterwards.
        Assert.Equal(200, (await Answer(await http.GetAsync("/api/services"))).Status);
    }
}

/// <summary>Definitions are written by people: a pattern that backtracks without end must cost a refusal, not a 500.</summary>
public sealed class PatternTimeoutTests(ITestOutputHelper output)
{
    [Fact]
    public void A_pattern_that_backtracks_without_end_refuses_the_value()
    {
        var field = new FieldDefinition { Id = "code", Type = FieldTypes.Text, Label = new("Code", "Code"), Pattern = "^(a|aa)+$" };
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var errors = FormValidator.Validate([field], new JsonObject { ["code"] = new string('a', 5_000) + "!" }, "en", new DateOnly(2026, 11, 26));
        output.WriteLine($"{watch.ElapsedMilliseconds} ms");
        Assert.Contains(errors, e => e is { Field: "code", Rule: "pattern" });
    }
}
