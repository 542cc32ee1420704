using System.Net;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vorgang.Api.Hosting;
using Vorgang.Tests.Infrastructure;
using Vorgang.Tests.Workbench;
using Vorgang.Workflows.Audit;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Xunit.Abstractions;

namespace Vorgang.Tests.Portal;

/// <summary>
/// Hostile values in every staff and audit form (the sibling of <see cref="PortalFuzzTests"/>, which covers the citizens'):
/// the queue's filters and the "open by number" box, every action form's inputs with claim, release, assign and take-over,
/// the console's case lookup, <c>?version=</c> and <c>?at=</c>, the store check. Overlong values, control characters, wrong
/// types, huge numbers, negative versions, no antiforgery token: never a server error, never internals in the answer, and a
/// case changes only through a form its page offered, at the version it showed.
/// </summary>
public sealed class StaffPagesFuzzTests(AppFixture app, ITestOutputHelper output) : ApiTest(app)
{
    private static readonly string[] Hostile =
    [
        .. PortalFuzzTests.Garbage,
        "-1", "0", "1", "2", "99999999999999999999", "9223372036854775807", "-9223372036854775808", "1.5", "1e3", "0x10", "+3", " 2 ",
        "\r\n", "\u0001\u0002", "\u007f", "2026-000001", "2026-999999", "0000-000000", "mine", "unassigned", "all", "waiting", "overdue",
        "1800-01-01", "1892-06-01 12:00", "0001-01-01", "0001-01-01T00:00Z", "9999-12-31T23:59+14:00", "2026-12-03T10:15:00-14:00",
        "03.12.2026 25:61", "31.02.2026", "2026-12-03T10:15:00+25:00", "yesterday", new string('9', 400),
    ];

    private readonly List<string> _findings = [];
    private readonly SortedDictionary<int, int> _statuses = [];
    private readonly Random _random = new(20261215);
    private int _requests;

    private string Any(params string[] also) => _random.Next(also.Length + 4) < also.Length ? also[_random.Next(also.Length)] : Hostile[_random.Next(Hostile.Length)];

    private async Task<HttpResponseMessage> Record(Task<HttpResponseMessage> sending, string what)
    {
        var response = await sending;
        _requests++;
        var status = (int)response.StatusCode;
        _statuses[status] = _statuses.GetValueOrDefault(status) + 1;
        var text = await response.Content.ReadAsStringAsync();
        if (status >= 500) _findings.Add($"{status} for {what}");
        if (text.Contains("Exception", StringComparison.Ordinal) || text.Contains("Npgsql", StringComparison.Ordinal) || text.Contains("   at ", StringComparison.Ordinal))
            _findings.Add($"Internals in the answer to {what}");
        if (text.Contains("<script>alert", StringComparison.Ordinal)) _findings.Add($"Markup given back unescaped by {what}");
        return response;
    }

    private Task<HttpResponseMessage> Get(PortalClient browser, string path) =>
        Record(browser.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, path)), $"GET {path}");

    private Task<HttpResponseMessage> Post(PortalClient browser, string path, IEnumerable<KeyValuePair<string, string>> fields) =>
        Record(browser.PostRawAsync(path, new FormUrlEncodedContent(fields)), $"POST {path} {string.Join("&", fields.Select(f => f.Key + "=" + Shorten(f.Value)))}");

    private static string Shorten(string value) => value.Length > 40 ? value[..40] + "…" : value;

    private static string Escape(string value) => WebUtility.UrlEncode(value);

    /// <summary>A path segment: as in the query, except NUL, which the server refuses in a path before any page runs (the test host throws).</summary>
    private static string Segment(string value) => Escape(value.Replace("\0", "", StringComparison.Ordinal));

    private async Task<PortalClient> Staff(string role, string? team, string name)
    {
        var browser = new PortalClient(Host);
        await WorkbenchPagesTests.SignInStaffAsync(browser, role, team, name);
        Assert.NotNull(browser.Page.QuerySelector("form.portal-header__sign-out"));
        return browser;
    }

    private static string Token(PortalClient browser) => browser.Page.QuerySelector("input[name=__antiforgery]")!.GetAttribute("value")!;

    private async Task<long> EventsAsync()
    {
        await using var command = Host.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand($"select count(*) from {VorgangSetup.Schema}.mt_events");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<long> VersionAsync(string caseNumber)
    {
        await using var session = Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return (await session.LoadAsync<Case>(caseNumber))?.Version ?? 0;
    }

    /// <summary>Every input name of every action of the shipped services, and the built-ins' (assign, take-over, extend-deadline).</summary>
    private IReadOnlyList<string> InputNames()
    {
        var catalog = Host.Services.GetRequiredService<DefinitionCatalog>();
        return catalog.LatestVersions.SelectMany(d => d.Actions).SelectMany(a => a.Inputs).Select(i => "f." + i.Id)
            .Concat(["f.assigneeId", "f.assigneeName", "f.reason", "f.workingDays", "f.", "f", "f.confirmedGrade[0]"])
            .Distinct().ToList();
    }

    private IReadOnlyList<string> ActionIds() =>
        Host.Services.GetRequiredService<DefinitionCatalog>().LatestVersions.SelectMany(d => d.Actions).Select(a => a.Id)
            .Concat(["claim", "release", "assign", "take-over", "extend-deadline", "", "CLAIM", "claim ", "../claim"]).Distinct().ToList();

    [Fact]
    public async Task The_queue_s_filters_the_open_box_and_the_console_s_lookups_never_fail_and_change_nothing()
    {
        var schools = (await Host.Submit("school-transport")).CaseNumber;
        var address = (await Host.Submit("change-of-address")).CaseNumber;
        var browsers = new[]
        {
            await Staff("caseworker", "school-administration", "Sven Schulamt"), await Staff("caseworker", "registration-office", "Anna Schmidt"),
            await Staff("school", "grundschule-lobeda-west", "Grundschule Lobeda-West"), await Staff("auditor", null, "Ida Prüfer"),
            await Staff("admin", null, "Ada Admin"),
        };
        var events = await EventsAsync();
        var filters = new[] { "team", "service", "state", "assignee", "risk", "page", "open", "show", "overdue", "pageSize" };
        foreach (var browser in browsers)
        {
            for (var i = 0; i < 60; i++)
            {
                var query = string.Join("&", Enumerable.Range(0, _random.Next(1, 5))
                    .Select(_ => filters[_random.Next(filters.Length)] + "=" + Escape(Any("school-administration", "school-transport", "waiting-for-school", "mine", "all", "tight", schools))));
                await Get(browser, (_random.Next(3) == 0 ? "/en" : "") + "/staff?" + query);
                await Get(browser, "/audit?caseNumber=" + Escape(Any(schools, address, " " + schools + " ")));
                var number = Any(schools, address, schools, address);
                var asOf = _random.Next(3) switch
                {
                    0 => "?version=" + Escape(Any("1", "2", "3")),
                    1 => "?at=" + Escape(Any("2026-12-03 10:15", "03.12.2026 10:15")),
                    _ => "?version=" + Escape(Any("1")) + "&at=" + Escape(Any("2026-12-03T10:15:00Z")),
                };
                await Get(browser, (_random.Next(2) == 0 ? "/en" : "") + "/audit/cases/" + Segment(number) + asOf);
                await Get(browser, "/staff/cases/" + Segment(number));
            }
        }
        // And every hostile value once in each place, for the auditor (who reaches every page) and the team's caseworker.
        foreach (var value in Hostile)
        {
            foreach (var name in new[] { "version", "at" })
                await Get(browsers[3], $"/audit/cases/{schools}?{name}={Escape(value)}");
            await Get(browsers[3], "/audit?caseNumber=" + Escape(value));
            await Get(browsers[3], "/audit/cases/" + Segment(value));
            foreach (var name in filters)
                await Get(browsers[0], $"/staff?{name}={Escape(value)}");
            await Get(browsers[2], "/staff?show=" + Escape(value) + "&page=" + Escape(value));
        }
        Assert.Equal(events, await EventsAsync());
        output.WriteLine($"{_requests} requests; statuses: {string.Join(", ", _statuses.Select(s => $"{s.Key}×{s.Value}"))}");
        Assert.True(_findings.Count == 0, string.Join("\n", _findings.Distinct().Take(30)));
    }

    [Fact]
    public async Task Hostile_action_and_store_check_posts_never_fail_and_change_a_case_only_through_an_offered_form()
    {
        var schools = (await Host.Submit("school-transport")).CaseNumber;
        var address = (await Host.Submit("change-of-address")).CaseNumber;
        var sven = await Staff("caseworker", "school-administration", "Sven Schulamt");
        var ben = await Staff("caseworker", "school-administration", "Ben Weber");
        var anna = await Staff("caseworker", "registration-office", "Anna Schmidt");
        var school = await Staff("school", "grundschule-lobeda-west", "Grundschule Lobeda-West");
        var auditor = await Staff("auditor", null, "Ida Prüfer");
        var admin = await Staff("admin", null, "Ada Admin");
        var inputs = InputNames();
        var actions = ActionIds();
        var numbers = new[] { "not-a-number", "%2500", " ", "\r\n", new string('1', 2_000), "2026-999999", "2026-00000x" };

        List<KeyValuePair<string, string>> Fields(string? token, string? actionId, string? version)
        {
            var fields = Enumerable.Range(0, _random.Next(0, 6))
                .Select(_ => new KeyValuePair<string, string>(inputs[_random.Next(inputs.Count)], Any("4", "Weil.", "sven", "Sven Schulamt", "2026-12-31", "3")))
                .ToList();
            if (actionId is not null) fields.Add(new("actionId", actionId));
            if (version is not null) fields.Add(new("expectedVersion", version));
            // A field twice: the page reads both as one value, which names no action.
            if (_random.Next(6) == 0) fields.Add(new("actionId", actions[_random.Next(actions.Count)]));
            if (token is not null) fields.Add(new("__antiforgery", token));
            return fields;
        }

        // Without a valid antiforgery token nothing runs: no event at all, whoever posts, whatever to.
        var events = await EventsAsync();
        foreach (var browser in new[] { sven, anna, school, auditor, admin, new PortalClient(Host) })
        {
            foreach (var path in new[] { $"/staff/cases/{schools}", $"/en/staff/cases/{address}", "/audit", "/en/audit", "/staff" })
            {
                for (var i = 0; i < 6; i++)
                    await Post(browser, path, Fields(_random.Next(2) == 0 ? null : "CfDJ8not-a-token", actions[_random.Next(actions.Count)], (await VersionAsync(schools)).ToString()));
            }
        }
        Assert.Equal(events, await EventsAsync());

        // Callers who may not change these cases, with valid tokens, real action ids and the current version: nothing changes.
        foreach (var (browser, number) in new[] { (auditor, schools), (auditor, address), (anna, schools), (school, address) })
        {
            for (var i = 0; i < 25; i++)
            {
                var version = await VersionAsync(number);
                await Post(browser, (_random.Next(2) == 0 ? "/en" : "") + $"/staff/cases/{number}",
                    Fields(Token(browser), actions[_random.Next(actions.Count)], Any(version.ToString(), version.ToString(), "-1", "0")));
            }
        }
        Assert.Equal(events, await EventsAsync());

        // Those who may: only a form the page offered, posted at the version it showed, changes the case.
        foreach (var (browser, number) in new[] { (sven, schools), (school, schools), (ben, schools), (anna, address), (admin, address), (admin, schools), (sven, schools) })
        {
            for (var i = 0; i < 30; i++)
            {
                await browser.GetAsync($"/staff/cases/{number}");
                var offered = browser.All("form.portal-action").Select(f => f.Id!["action-".Length..]).ToList();
                var version = await VersionAsync(number);
                var actionId = _random.Next(3) == 0 || offered.Count == 0 ? actions[_random.Next(actions.Count)] : offered[_random.Next(offered.Count)];
                var sent = Any(version.ToString(), version.ToString(), version.ToString(), (version - 1).ToString(), (version + 1).ToString());
                var fields = Fields(Token(browser), actionId, sent);
                await Post(browser, $"/staff/cases/{number}", fields);
                var after = await VersionAsync(number);
                if (after == version) continue;
                var posted = fields.First(f => f.Key == "actionId").Value;
                if (!offered.Contains(posted) || sent != version.ToString())
                    _findings.Add($"{number} moved from {version} to {after} by '{posted}' at version '{sent}' (offered: {string.Join(", ", offered)})");
            }
            // Numbers that name no case, or none that can be.
            foreach (var number2 in numbers)
                await Post(browser, "/staff/cases/" + Segment(number2), Fields(Token(browser), actions[_random.Next(actions.Count)], "1"));
        }

        // The store check with hostile fields: started or refused, never a failure.
        foreach (var browser in new[] { auditor, admin, sven, school })
        {
            await browser.GetAsync("/audit");
            for (var i = 0; i < 5; i++) await Post(browser, (_random.Next(2) == 0 ? "/en" : "") + "/audit", Fields(Token(browser), Any(), Any()));
        }

        // What did change is sound: every chain intact, and every page of the cases shows it escaped.
        var verifier = Host.Services.GetRequiredService<CaseChainVerifier>();
        foreach (var number in new[] { schools, address })
        {
            Assert.True((await verifier.VerifyCaseAsync(number, CancellationToken.None))!.Intact, $"The chain of {number} is broken.");
            await Get(admin, $"/staff/cases/{number}");
            await Get(auditor, $"/audit/cases/{number}");
        }
        output.WriteLine($"{_requests} requests; statuses: {string.Join(", ", _statuses.Select(s => $"{s.Key}×{s.Value}"))}; " +
            $"versions now {await VersionAsync(schools)} and {await VersionAsync(address)}");
        Assert.True(_findings.Count == 0, string.Join("\n", _findings.Distinct().Take(30)));
    }
}
