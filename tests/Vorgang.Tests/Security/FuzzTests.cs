using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using Vorgang.Api.Hosting;
using Vorgang.Api.Security;
using Vorgang.Tests.Api;
using Vorgang.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Vorgang.Tests.Security;

/// <summary>
/// Well over a thousand generated bad requests against every endpoint the engine serves: none may cause a server
/// error, leak an internal name, answer a client error in any other shape than an RFC 9457 problem with a rule, or
/// change a single row of the database.
/// </summary>
public sealed partial class FuzzTests(AppFixture app, ITestOutputHelper output) : ApiTest(app)
{
    private const int Seed = 20261126;
    private const int RequestsPerReadEndpoint = 48;
    private const int RequestsPerWriteEndpoint = 17 * 12;

    [GeneratedRegex(@"`(?:GET|POST) (/api/[^`\s\[?]+)")]
    private static partial Regex DocumentedPath();

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Placeholder();

    private static string Normalized(string pattern) => Placeholder().Replace(pattern, "{}");

    /// <summary>The endpoints that docs/api.md promises, e.g. <c>/api/cases/{}/history</c>.</summary>
    private static IReadOnlyList<string> DocumentedEndpoints()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ozg.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var text = File.ReadAllText(Path.Combine(dir.FullName, "docs", "api.md"));
        return DocumentedPath().Matches(text).Select(m => Normalized(m.Groups[1].Value.TrimEnd('.', ','))).Distinct().Order().ToList();
    }

    [Fact]
    public void Endpoint_discovery_finds_every_documented_endpoint()
    {
        var discovered = ApiEndpoints.Discover(Host.Services).Select(e => Normalized(e.Pattern)).ToHashSet();
        var documented = DocumentedEndpoints();
        Assert.True(documented.Count >= 14, $"docs/api.md names only {documented.Count} endpoints: {string.Join(", ", documented)}");
        Assert.All(documented, path => Assert.Contains(path, discovered));
        Assert.Contains("/openapi/v1.json", discovered);
    }

    /// <summary>The fuzz is only as good as its fingerprint: it must see a submission, an action and a recorded read.</summary>
    [Fact]
    public async Task The_database_fingerprint_sees_every_kind_of_write()
    {
        var fingerprint = await DatabaseFingerprint.ForSchemaAsync(Host.Services.GetRequiredService<NpgsqlDataSource>(), VorgangSetup.Schema);
        var empty = await fingerprint.TakeAsync();
        var submitted = await Host.Submit("change-of-address");
        await App.CatchUpAsync();
        var afterSubmission = await fingerprint.TakeAsync();
        Assert.Contains("mt_events", empty.ChangedNames(afterSubmission));
        Assert.Contains("mt_streams", empty.ChangedNames(afterSubmission));

        await Host.StaffCase(submitted.CaseNumber, App.Token("auditor"));
        var afterRead = await fingerprint.TakeAsync();
        Assert.Contains(Assert.Single(afterSubmission.ChangedNames(afterRead)), fingerprint.Tables.Where(t => t.Contains("personaldataread", StringComparison.OrdinalIgnoreCase)));

        await Host.Act(submitted.CaseNumber, App.Token("caseworker", "registration-office", "anna", "anna"), "claim");
        var afterClaim = await fingerprint.TakeAsync();
        Assert.Contains("mt_events", afterRead.ChangedNames(afterClaim));
        Assert.Contains("sequence mt_events_sequence", afterRead.ChangedNames(afterClaim));
    }

    [Fact]
    public async Task Bad_requests_to_every_endpoint_are_refused_cleanly_and_change_nothing()
    {
        var world = await SeedAsync();
        var endpoints = ApiEndpoints.Discover(Host.Services);
        Assert.True(endpoints.Count >= 16, string.Join("\n", endpoints));
        var generator = new FuzzRequests(world, Seed);
        var requests = endpoints.SelectMany(e => generator.For(e, e.TakesBody ? RequestsPerWriteEndpoint : RequestsPerReadEndpoint)).ToList();
        Assert.True(requests.Count >= 1000, $"only {requests.Count} requests");
        foreach (var request in requests)
        {
            var said = request.Url + string.Concat(request.Headers.Select(h => h.Value)) + (request.Body is null ? "" : System.Text.Encoding.UTF8.GetString(request.Body.Bytes));
            Assert.DoesNotContain(FuzzRequests.LeakMarkers, m => said.Contains(m, StringComparison.Ordinal));
        }

        var fingerprint = await DatabaseFingerprint.ForSchemaAsync(Host.Services.GetRequiredService<NpgsqlDataSource>(), VorgangSetup.Schema);
        // The seeded cases' events reach the async read models first; then the database must hold still.
        await App.CatchUpAsync();
        var before = await fingerprint.TakeAsync();
        IReadOnlyList<string> drift = [];
        for (var attempt = 0; attempt < 20; attempt++)
        {
            await Task.Delay(250);
            var again = await fingerprint.TakeAsync();
            drift = before.Changes(again);
            before = again;
            if (drift.Count == 0) break;
        }
        Assert.True(drift.Count == 0, "The database changes by itself, so the fuzz could not tell what a request changed: " + string.Join("; ", drift));
        var reads = fingerprint.Tables.Where(t => t.Contains("personaldataread", StringComparison.OrdinalIgnoreCase)).ToHashSet();
        Assert.Single(reads);
        // A wrong tracking code is counted towards the lockout (docs/security-roles.md, "Tracking codes"): the one write a refusal makes, on purpose.
        var failures = fingerprint.Tables.Where(t => t == "tracking_failures").ToHashSet();
        Assert.Single(failures);

        var client = Host.Server.CreateClient();
        var findings = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        var answers = new Dictionary<ApiEndpoint, SortedDictionary<string, int>>();
        var watch = Stopwatch.StartNew();
        foreach (var request in requests)
        {
            var (status, mediaType, text, response) = await SendAsync(client, request);
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var answer = status >= 400 && mediaType == ApiAssertions.ProblemJson && TryRule(text) is { } rule ? $"{status} {rule}" : $"{status}";
            var byEndpoint = answers.TryGetValue(request.Endpoint, out var found) ? found : answers[request.Endpoint] = new SortedDictionary<string, int>(StringComparer.Ordinal);
            byEndpoint[answer] = byEndpoint.GetValueOrDefault(answer) + 1;
            foreach (var finding in Judge(request, status, mediaType, text, response)) findings.Add($"{finding}\n    request: {request}\n    answer: {status} {mediaType}: {Shorten(text)}");

            var after = await fingerprint.TakeAsync();
            var changed = before.ChangedNames(after);
            // A read that succeeds is recorded (who read which case); nothing else may be written by a request the fuzz sends.
            var allowed = (status is >= 200 and < 300 && (request.IsSafeMethod || request.Endpoint.AnyMethod) && changed.All(reads.Contains))
                || (status is 404 or 429 && request.Endpoint.Pattern.StartsWith("/api/track/", StringComparison.Ordinal) && changed.All(failures.Contains));
            if (changed.Count > 0 && !allowed)
                findings.Add($"The database changed: {string.Join("; ", before.Changes(after))}\n    request: {request}\n    answer: {status}: {Shorten(text)}");
            before = after;
        }

        output.WriteLine($"{requests.Count} requests to {endpoints.Count} endpoints in {watch.Elapsed.TotalSeconds:F1} s");
        output.WriteLine("statuses: " + string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}")));
        output.WriteLine("families: " + string.Join(", ", requests.GroupBy(r => r.Family).Select(g => $"{g.Key}×{g.Count()}")));
        foreach (var endpoint in endpoints)
            output.WriteLine($"  {endpoint}: {requests.Count(r => r.Endpoint == endpoint)} — {string.Join(", ", answers.GetValueOrDefault(endpoint, []).Select(a => $"{a.Key}×{a.Value}"))}");
        Assert.True(findings.Count == 0, $"{findings.Count} findings; the first ones:\n" + string.Join("\n", findings.Take(25)));
    }

    internal static IEnumerable<string> Judge(FuzzRequest request, int status, string? mediaType, string text, HttpResponseMessage? response)
    {
        if (response is null)
        {
            // The test server decodes the path as Kestrel does, and refuses a NUL in it as Kestrel does (400, before
            // the engine): the engine never sees such a request.
            if (!text.Contains("The path contains null characters.", StringComparison.Ordinal)) yield return $"The request failed: {text}";
            yield break;
        }
        if (status >= 500) yield return $"Server error {status}";
        if (request.ExpectedStatus is { } expected && status != expected) yield return $"Expected {expected}";
        // The health check reads no body and writes nothing, whatever the method.
        if (status is >= 200 and < 300 && !request.IsSafeMethod && !request.Endpoint.AnyMethod && !request.MayBeAccepted) yield return "A request with a fault was accepted";
        if (status is < 200 or (>= 300 and < 400)) yield return $"Unexpected status {status}";
        if (status >= 400 && request.Method != "HEAD")
        {
            if (mediaType != ApiAssertions.ProblemJson) yield return $"Client error without {ApiAssertions.ProblemJson}";
            JsonObject? problem = null;
            try { problem = JsonNode.Parse(text) as JsonObject; }
            catch (System.Text.Json.JsonException) { }
            if (problem is null) yield return "The problem is not a JSON object";
            else
            {
                if (problem["status"] is not JsonValue s || !s.TryGetValue<int>(out var st) || st != status) yield return "The problem's status is missing or wrong";
                if (string.IsNullOrWhiteSpace(problem["title"] is JsonValue t && t.TryGetValue<string>(out var title) ? title : null)) yield return "The problem has no title";
                if (string.IsNullOrWhiteSpace(problem["rule"] is JsonValue r && r.TryGetValue<string>(out var rule) ? rule : null)) yield return "The problem has no rule";
            }
        }
        // The API reference page's scripts are a library's source code (Scalar's), which names exceptions of its own.
        var pageScript = status == 200 && mediaType == "text/javascript" && request.Url.StartsWith(Vorgang.Api.OpenApi.ApiReference.Path + "/", StringComparison.Ordinal);
        foreach (var marker in FuzzRequests.LeakMarkers.Where(m => !pageScript && text.Contains(m, StringComparison.Ordinal)))
            yield return $"The answer names internals ('{marker}')";
        if (!response.Headers.TryGetValues("X-Content-Type-Options", out var nosniff) || !nosniff.Contains("nosniff")) yield return "No X-Content-Type-Options";
        if (response.Headers.Contains("Access-Control-Allow-Origin")) yield return "CORS allowed an origin although none is configured";
        if (response.Headers.Contains("Server")) yield return "A Server header";
    }

    internal static async Task<(int Status, string? MediaType, string Text, HttpResponseMessage? Response)> SendAsync(HttpClient client, FuzzRequest request)
    {
        try
        {
            using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Url);
            if (request.Body is { } body)
            {
                HttpContent content = body.Chunked ? new StreamContent(new UnseekableStream(body.Bytes)) : new ByteArrayContent(body.Bytes);
                if (body.ContentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", body.ContentType);
                message.Content = content;
                if (body.Chunked) message.Headers.TransferEncodingChunked = true;
            }
            foreach (var (name, value) in request.Headers) message.Headers.TryAddWithoutValidation(name, value);
            var response = await client.SendAsync(message);
            var text = await response.Content.ReadAsStringAsync();
            return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, text, response);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or UriFormatException or IOException)
        {
            return (0, null, e.ToString(), null);
        }
    }

    private static string? TryRule(string text)
    {
        try { return (string?)(JsonNode.Parse(text) as JsonObject)?["rule"]; }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException) { return null; }
    }

    internal static string Shorten(string text) => text.Length > 600 ? text[..600] + "…" : text;

    /// <summary>Real cases of every service (one claimed, one submitted with an Idempotency-Key), and what the fuzz needs to aim at them.</summary>
    private async Task<FuzzWorld> SeedAsync()
    {
        var configuration = Host.Services.GetRequiredService<IConfiguration>();
        var tokens = new Dictionary<string, string>();
        string Token(string role, string? team, string subject)
        {
            var key = $"{role}/{team}/{subject}";
            if (!tokens.TryGetValue(key, out var token)) tokens[key] = token = App.Token(role, team, subject, subject);
            return token;
        }

        var catalog = (await Host.Get("/api/services")).Json!.AsArray();
        var teams = catalog.ToDictionary(s => (string)s!["id"]!, s => (string)s!["team"]!);
        var examples = new Dictionary<string, JsonObject>();
        var parties = new HashSet<string>();
        var cases = new List<SeededCase>();
        const string idempotencyKey = "fuzz-seed-0001";
        var admin = Token("admin", null, "adam");
        foreach (var (serviceId, team) in teams)
        {
            var definition = (await Host.Get($"/api/services/{serviceId}")).Json!;
            examples[serviceId] = await Host.Example(serviceId);
            foreach (var party in definition["parties"]!.AsArray()) parties.Add((string)party!);
            var actions = definition["actions"]!.AsArray().Select(a => (Id: (string)a!["id"]!, By: a["by"]!.AsArray().Select(b => (string)b!).ToList())).ToList();
            var submitted = await Host.Submit(serviceId, idempotencyKey: cases.Count == 0 ? idempotencyKey : null);
            if (cases.Count == 1) await Host.Act(submitted.CaseNumber, Token("caseworker", team, "anna"), "claim");
            var version = (long)(await Host.StaffCase(submitted.CaseNumber, admin))["version"]!;
            cases.Add(new SeededCase(submitted.CaseNumber, submitted.TrackingCode, serviceId, team, version,
                [.. actions.Where(a => a.By.Any(b => b != "citizen")).Select(a => a.Id), "assign", "extend-deadline"],
                [.. actions.Where(a => a.By.Contains("citizen")).Select(a => a.Id)]));
        }
        Assert.True(cases.Count >= 5, "the fuzz needs a case of every shipped service");

        var expired = StaffAuth.MintToken(configuration, "caseworker", cases[0].Team, "Anna", "anna", TimeSpan.FromHours(-1));
        var foreign = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = StaffAuth.DefaultIssuer,
            Audience = StaffAuth.DefaultAudience,
            Claims = new Dictionary<string, object> { ["sub"] = "mallory", ["name"] = "Mallory", ["role"] = "admin" },
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey("another-signing-key-with-at-least-32-bytes"u8.ToArray()), SecurityAlgorithms.HmacSha256),
        });
        var maxBody = Host.Services.GetRequiredService<HardeningSettings>().MaxRequestBodyBytes;
        return new FuzzWorld(cases, teams, examples, [.. parties.Order()], Token, expired, foreign, idempotencyKey, maxBody);
    }

    /// <summary>A body whose length the client does not know in advance, so it goes out chunked.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
