using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vorgang.Api.Hosting;
using Vorgang.Tests.Api;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Definitions;
using Xunit.Abstractions;

namespace Vorgang.Tests.Security;

/// <summary>
/// The other half of the fuzz: submissions that are valid but for one odd value — text from the far corners of
/// Unicode, numbers and dates at the edges, texts at their longest. They get past every check the bad requests
/// stop at, down to the database, so they find what only storing and reading back shows (PostgreSQL refuses NUL
/// and unpaired surrogates in jsonb, for one). Each may be stored or refused; none may fail, and whatever was stored
/// must read back in the citizen's and the staff view.
/// </summary>
public sealed class NearValidFuzzTests(AppFixture app, ITestOutputHelper output) : ApiTest(app)
{
    private const int Seed = 20261127;
    private const int VariantsPerField = 5;
    private const string Placeholder = "FUZZ-PLACEHOLDER";

    private static readonly string[] OddTexts =
    [
        "\"\\u202eevil\"", "\"zero\\u200bwidth\\u200d\"", "\"😀👩‍👩‍👧\"", "\"e\\u0301\\u0301\\u0301\"", "\"\\uffff\\ufffe\"", "\"\\u0001\\u001f\\u007f\"",
        "\"\\u2028\\u2029\"", "\"' OR 1=1--\"", "\"<script>alert(1)</script>\"", "\"\\u0000\"", "\"Er\\u0000ika\"", "\"\\ud800\"", "\"x\\udfff\"",
        "\"  padded  \"", "\"ﬁİß\"", "\"\\\\\\\"\\/\"", "\"{{7*7}}${x}\"", "\"%00%2e%2e\"",
    ];

    private static readonly string[] OddNumbers =
        ["0", "-0", "1e-30", "79228162514264337593543950335", "79228162514264337593543950336", "1E2", "0.30000000000000004", "-1", "1.0", "1e400", "-1e400", "123456789.123456789"];

    private static readonly string[] OddDates =
        ["\"0001-01-01\"", "\"9999-12-31\"", "\"2026-02-29\"", "\"2024-02-29\"", "\" 2026-01-01\"", "\"2026-1-1\"", "\"2026-13-01\""];

    private static readonly string[] OddBooleans = ["true", "false", "\"true\"", "1", "null"];

    private static IEnumerable<string> Variants(FieldDefinition field, Random random)
    {
        IEnumerable<string> all = field.Type switch
        {
            FieldTypes.Text or FieldTypes.Email or FieldTypes.Phone =>
            [
                .. OddTexts,
                Quote(new string('ä', field.MaxLength ?? 10_000)),
                Quote(string.Concat(Enumerable.Repeat("😀", (field.MaxLength ?? 10_000) / 2))),
                Quote(new string('a', (field.MaxLength ?? 10_000) + 1)),
            ],
            FieldTypes.Number or FieldTypes.Integer => OddNumbers,
            FieldTypes.Date => OddDates,
            FieldTypes.Boolean => OddBooleans,
            FieldTypes.Choice => field.Options.SelectMany(o => new[] { Quote(o.Value), Quote(o.Value.ToUpperInvariant()), Quote(o.Value + " ") }).Append("\"\"").ToArray(),
            FieldTypes.Address => OddTexts.Select(t => $"{{\"street\": {t}, \"houseNumber\": \"1\", \"postalCode\": \"07743\", \"city\": \"Jena\"}}")
                .Append("{\"street\": \"A\", \"houseNumber\": \"1\", \"postalCode\": \"0774３\", \"city\": \"Jena\"}")
                .Append($"{{\"street\": {Quote(new string('ä', 200))}, \"houseNumber\": {Quote(new string('1', 200))}, \"postalCode\": \"07743\", \"city\": {Quote(new string('ä', 200))}, \"addition\": {Quote(new string('ä', 200))}}}")
                .ToArray(),
            FieldTypes.List => ["[]", $"[{string.Join(",", Enumerable.Repeat("{}", (field.MaxItems ?? 100) + 1))}]"],
            _ => OddTexts,
        };
        return all.OrderBy(_ => random.Next()).Take(VariantsPerField);
    }

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    [Fact]
    public async Task Submissions_with_one_odd_but_plausible_value_are_stored_or_refused_never_failed()
    {
        var catalog = Host.Services.GetRequiredService<DefinitionCatalog>();
        var random = new Random(Seed);
        var endpoint = ApiEndpoints.Discover(Host.Services).Single(e => e.Pattern == "/api/services/{serviceId}/cases");
        var requests = new List<FuzzRequest>();
        foreach (var definition in catalog.LatestVersions)
        {
            var example = await Host.Example(definition.Id);
            foreach (var field in definition.Form)
            {
                foreach (var literal in Variants(field, random))
                {
                    var data = (JsonObject)example.DeepClone();
                    data[field.Id] = Placeholder;
                    var json = new JsonObject { ["data"] = data, ["language"] = random.Next(2) == 0 ? "de" : "en" }.ToJsonString()
                        .Replace($"\"{Placeholder}\"", literal);
                    requests.Add(new FuzzRequest($"near-valid {field.Type}", endpoint, "POST", $"/api/services/{definition.Id}/cases", [],
                        new FuzzBody(Encoding.UTF8.GetBytes(json), "application/json", false)) { MayBeAccepted = true });
                }
            }
        }

        var fingerprint = await DatabaseFingerprint.ForSchemaAsync(Host.Services.GetRequiredService<NpgsqlDataSource>(), VorgangSetup.Schema);
        // What a submission writes, and the async daemon (if a test before started it) never does.
        static bool Written(string name) => name.StartsWith("mt_events", StringComparison.Ordinal) || name.StartsWith("mt_streams", StringComparison.Ordinal)
            || name.StartsWith("sequence ", StringComparison.Ordinal) || name == "max seq_id" || name.Contains("receipt", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("wolverine_incoming", StringComparison.Ordinal);
        var client = Host.Server.CreateClient();
        var findings = new List<string>();
        var stored = new List<(string CaseNumber, string TrackingCode, FuzzRequest Request)>();
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var watch = Stopwatch.StartNew();
        var before = await fingerprint.TakeAsync();
        foreach (var request in requests)
        {
            var (status, mediaType, text, response) = await FuzzTests.SendAsync(client, request);
            var outcome = $"{request.Family} {status}";
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            foreach (var finding in FuzzTests.Judge(request, status, mediaType, text, response))
                findings.Add($"{finding}\n    request: {request}\n    answer: {status} {mediaType}: {FuzzTests.Shorten(text)}");
            var after = await fingerprint.TakeAsync();
            if (status == 201)
            {
                var accepted = JsonNode.Parse(text)!;
                stored.Add(((string)accepted["caseNumber"]!, (string)accepted["trackingCode"]!, request));
            }
            else if (before.ChangedNames(after).Where(Written).ToList() is { Count: > 0 } changed)
            {
                findings.Add($"A refused submission wrote {string.Join(", ", changed)}\n    request: {request}\n    answer: {status}: {FuzzTests.Shorten(text)}");
            }
            before = after;
        }

        var admin = App.Token("admin", name: "Adam", subject: "adam");
        foreach (var (caseNumber, trackingCode, request) in stored)
        {
            foreach (var (url, headers) in new[]
                     {
                         ($"/api/track/{caseNumber}", new Dictionary<string, string> { ["X-Tracking-Code"] = trackingCode }),
                         ($"/api/cases/{caseNumber}", new Dictionary<string, string> { ["Authorization"] = "Bearer " + admin }),
                         ($"/api/cases/{caseNumber}/history", new Dictionary<string, string> { ["Authorization"] = "Bearer " + admin }),
                     })
            {
                var read = new FuzzRequest("read back", request.Endpoint, "GET", url, [.. headers], null);
                var (status, mediaType, text, response) = await FuzzTests.SendAsync(client, read);
                if (status != 200) findings.Add($"Stored by {request} but {url} answers {status}: {FuzzTests.Shorten(text)}");
                foreach (var finding in FuzzTests.Judge(read, status, mediaType, text, response)) findings.Add($"{finding}\n    reading back: {url}\n    stored by: {request}");
            }
        }

        output.WriteLine($"{requests.Count} submissions, {stored.Count} stored and read back, in {watch.Elapsed.TotalSeconds:F1} s");
        foreach (var (outcome, count) in outcomes) output.WriteLine($"  {outcome}: {count}");
        Assert.True(findings.Count == 0, $"{findings.Count} findings; the first ones:\n" + string.Join("\n", findings.Take(25)));
        Assert.True(stored.Count >= 20 && stored.Count < requests.Count, $"{stored.Count} of {requests.Count} stored: the variants should be neither all refused nor all accepted");
    }
}
