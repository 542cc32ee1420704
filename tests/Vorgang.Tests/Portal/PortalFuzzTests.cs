using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vorgang.Api.Hosting;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Definitions;
using Xunit.Abstractions;

namespace Vorgang.Tests.Portal;

/// <summary>
/// Bad form bodies posted to every form of the portal: without a valid antiforgery token nothing is stored at all;
/// with one, the pages answer with their errors, never with a server error, and no case comes into being.
/// </summary>
public sealed class PortalFuzzTests(AppFixture app, ITestOutputHelper output) : ApiTest(app)
{
    internal static readonly string[] Garbage =
    [
        "", " ", "\0", "a\0b", new string('x', 20_000), "<script>alert(1)</script>", "'; drop table x; --", "\uD800", "1e309", "-0", "NaN",
        "true", "[]", "{}", "2026-02-30", "99999-01-01", "../../etc/passwd", "%00", "😀", "\u202Eabc",
    ];

    private static readonly string[] Names =
    [
        "f.firstName", "f.newAddress.postalCode", "f.householdMembers[0].firstName", "f.householdMembers[99999].x", "f.grade", "f.distanceKm",
        "f.category", "f.hazard", "f.latitude", "f.unknownField", "f.", "f", "f.[0]", "f.newAddress", "actionId", "expectedVersion",
        "caseNumber", "trackingCode", "add", "change", "handler", "__antiforgery",
    ];

    [Fact]
    public async Task Bad_bodies_to_every_page_form_give_no_server_error_and_store_nothing()
    {
        var catalog = Host.Services.GetRequiredService<DefinitionCatalog>();
        var submitted = await Host.Submit("change-of-address");
        var paths = new List<string> { "/track", "/en/track", $"/track/{submitted.CaseNumber}", "/track/not-a-number", "/services/no-such-service", "/services/x/form/y", "/", "/services/%2500", "/en/track/%2500", "/en/services/%2500/form/%2500",
            "/sign-in", "/en/sign-in", "/sign-in?returnUrl=%2F%2Fevil.example", "/staff/sign-in", "/en/staff/sign-in", "/sign-out", "/en/sign-out",
            "/my-applications", $"/my-applications/{submitted.CaseNumber}", "/en/my-applications/%2500" };
        foreach (var d in catalog.LatestVersions)
        {
            paths.Add($"/services/{d.Id}");
            paths.Add($"/en/services/{d.Id}/check");
            paths.Add($"/services/{d.Id}/check");
            paths.AddRange(d.Pages.Select(s => $"/services/{d.Id}/form/{s.Id}"));
            paths.Add($"/services/{d.Id}/form/no-such-step");
            paths.Add($"/services/{d.Id}/confirmation");
        }
        var random = new Random(20261202);
        IEnumerable<KeyValuePair<string, string>> Body(string? token)
        {
            var fields = Enumerable.Range(0, random.Next(1, 8))
                .Select(_ => new KeyValuePair<string, string>(Names[random.Next(Names.Length)], Garbage[random.Next(Garbage.Length)])).ToList();
            if (token is not null) fields.Add(new("__antiforgery", token));
            return fields;
        }
        var contentTypes = new Func<IEnumerable<KeyValuePair<string, string>>, HttpContent>[]
        {
            f => new FormUrlEncodedContent(f),
            f => { var m = new MultipartFormDataContent(); foreach (var (k, v) in f) m.Add(new StringContent(v), k); return m; },
            f => new StringContent(string.Join("&", f.Select(x => x.Key + "=" + x.Value)), Encoding.UTF8, "text/plain"),
            _ => new StringContent("{\"f.firstName\": \"x\"}", Encoding.UTF8, "application/json"),
            _ => new ByteArrayContent([0xff, 0xfe, 0x00, 0x41]) { Headers = { { "Content-Type", "application/x-www-form-urlencoded" } } },
        };

        var findings = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        async Task PostAsync(PortalClient client, string path, HttpContent content)
        {
            using var response = await client.PostRawAsync(path, content);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var text = await response.Content.ReadAsStringAsync();
            if (status >= 500) findings.Add($"{status} for POST {path}");
            if (text.Contains("Exception", StringComparison.Ordinal) || text.Contains("Npgsql", StringComparison.Ordinal) || text.Contains("   at ", StringComparison.Ordinal))
                findings.Add($"Internals in the answer to POST {path}");
        }

        // Without a valid token: refused before anything runs, nothing stored.
        var stranger = new PortalClient(Host);
        await stranger.GetAsync("/track");
        var before = await CountsAsync();
        var requests = 0;
        foreach (var path in paths)
        {
            foreach (var content in contentTypes)
            {
                await PostAsync(stranger, path, content(Body(random.Next(2) == 0 ? null : "not-a-valid-token")));
                requests++;
            }
        }
        Assert.Equal(before, await CountsAsync());

        // With a valid token and a draft for every service: the pages answer with errors; no case is created.
        var citizen = new PortalClient(Host);
        foreach (var d in catalog.LatestVersions)
        {
            await citizen.GetAsync($"/services/{d.Id}");
            await citizen.SubmitAsync(citizen.Form());
        }
        await citizen.GetAsync("/track");
        var token = citizen.Form().QuerySelector("input[name=__antiforgery]")!.GetAttribute("value")!;
        var events = (await CountsAsync()).Events;
        foreach (var path in paths)
        {
            for (var i = 0; i < 12; i++)
            {
                await PostAsync(citizen, path, contentTypes[i % 3](Body(token)));
                requests++;
            }
        }
        Assert.Equal(events, (await CountsAsync()).Events);
        output.WriteLine($"{requests} requests to {paths.Count} addresses; statuses: {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}");
        Assert.True(findings.Count == 0, string.Join("\n", findings.Take(20)));
    }

    private async Task<(long Events, long Drafts, long Keys)> CountsAsync()
    {
        var dataSource = Host.Services.GetRequiredService<NpgsqlDataSource>();
        await using var command = dataSource.CreateCommand(
            $"select (select count(*) from {VorgangSetup.Schema}.mt_events), (select count(*) from {VorgangSetup.Schema}.mt_doc_draft), (select count(*) from {VorgangSetup.Schema}.mt_doc_subjectkey)");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }
}
