using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Alba;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vorgang.Api.Features.Tracking;
using Vorgang.Api.Hosting;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Security;

/// <summary>
/// Wrong tracking codes lock the case number (5 within 15 minutes → 15 minutes for everyone) and the client (20 across
/// numbers), whether the case exists or not; the counters live in PostgreSQL, so every engine instance enforces them.
/// </summary>
public sealed class TrackingLockoutTests(AppFixture app) : ApiTest(app)
{
    private const string Service = "change-of-address";
    private const string WrongCode = "AAAAA-AAAAA-AAAAA-AAAAA";
    private static readonly IPAddress Alice = IPAddress.Parse("203.0.113.10");
    private static readonly IPAddress Mallory = IPAddress.Parse("198.51.100.66");

    [Fact]
    public async Task Five_wrong_codes_lock_the_number_even_for_the_right_code_until_the_lock_ends()
    {
        var submitted = await Host.Submit(Service);
        for (var i = 0; i < 4; i++) Assert.Equal(404, (await Host.Track(submitted.CaseNumber, WrongCode, Mallory)).Status);
        // Four failures lock nothing yet.
        Assert.Equal(200, (await Host.Track(submitted.CaseNumber, submitted.TrackingCode, Alice)).Status);
        Assert.Equal(404, (await Host.Track(submitted.CaseNumber, WrongCode, Mallory)).Status);

        var locked = await Host.Track(submitted.CaseNumber, submitted.TrackingCode, Alice);
        AssertLocked(locked, maxSeconds: 15 * 60);
        Assert.DoesNotContain("Erika", locked.Text);

        App.Clock.Advance(TimeSpan.FromMinutes(14));
        AssertLocked(await Host.Track(submitted.CaseNumber, submitted.TrackingCode, Alice), maxSeconds: 60);
        App.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.Equal(200, (await Host.Track(submitted.CaseNumber, submitted.TrackingCode, Alice)).Status);
    }

    [Fact]
    public async Task A_number_nobody_uses_is_locked_exactly_like_one_in_use()
    {
        var submitted = await Host.Submit(Service);
        var unused = submitted.CaseNumber[..5] + "999999";
        foreach (var number in new[] { submitted.CaseNumber, unused })
            for (var i = 0; i < 5; i++)
                Assert.Equal(404, (await Host.Track(number, WrongCode, Mallory)).Status);

        var existing = await Host.Track(submitted.CaseNumber, WrongCode, Alice);
        var missing = await Host.Track(unused, WrongCode, Alice);
        AssertLocked(existing, maxSeconds: 15 * 60);
        AssertLocked(missing, maxSeconds: 15 * 60);
        Assert.Equal(Normalized(missing.Text, unused), Normalized(existing.Text, submitted.CaseNumber));
        Assert.Equal(missing.RetryAfter, existing.RetryAfter);
    }

    [Fact]
    public async Task A_locked_number_refuses_citizen_actions_too_and_nothing_changes()
    {
        var submitted = await Host.Submit(Service);
        for (var i = 0; i < 5; i++)
            Assert.Equal(404, (await Host.Withdraw(submitted.CaseNumber, WrongCode, Mallory)).Status);

        AssertLocked(await Host.Withdraw(submitted.CaseNumber, submitted.TrackingCode, Alice), maxSeconds: 15 * 60);
        App.Clock.Advance(TimeSpan.FromMinutes(16));
        var view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode, Alice);
        Assert.Equal(200, view.Status);
        Assert.False((bool)JsonNode.Parse(view.Text)!["isClosed"]!);
        Assert.Equal(200, (await Host.Withdraw(submitted.CaseNumber, submitted.TrackingCode, Alice)).Status);
    }

    [Fact]
    public async Task A_right_code_does_not_wipe_out_what_others_tried()
    {
        var submitted = await Host.Submit(Service);
        for (var i = 0; i < 4; i++) Assert.Equal(404, (await Host.Track(submitted.CaseNumber, WrongCode, Mallory)).Status);
        Assert.Equal(200, (await Host.Track(submitted.CaseNumber, submitted.TrackingCode, Alice)).Status);
        Assert.Equal(200, (await Host.Track(submitted.CaseNumber, submitted.TrackingCode, Mallory)).Status);
        Assert.Equal(404, (await Host.Track(submitted.CaseNumber, WrongCode, Mallory)).Status);
        AssertLocked(await Host.Track(submitted.CaseNumber, submitted.TrackingCode, Alice), maxSeconds: 15 * 60);
    }

    [Fact]
    public async Task Failures_older_than_the_window_no_longer_count()
    {
        var submitted = await Host.Submit(Service);
        for (var i = 0; i < 4; i++) Assert.Equal(404, (await Host.Track(submitted.CaseNumber, WrongCode, Mallory)).Status);
        App.Clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        for (var i = 0; i < 4; i++) Assert.Equal(404, (await Host.Track(submitted.CaseNumber, WrongCode, Mallory)).Status);
        Assert.Equal(200, (await Host.Track(submitted.CaseNumber, submitted.TrackingCode, Alice)).Status);
    }

    [Fact]
    public async Task A_client_guessing_across_numbers_is_locked_and_others_are_not()
    {
        var mine = await Host.Submit(Service);
        var hers = await Host.Submit(Service);
        // Twenty numbers, four tries each at most: no number reaches its own limit, the client does.
        var year = mine.CaseNumber[..4];
        for (var i = 0; i < 20; i++)
            Assert.Equal(404, (await Host.Track($"{year}-{500000 + i / 4:D6}", WrongCode, Mallory)).Status);

        var locked = await Host.Track(mine.CaseNumber, mine.TrackingCode, Mallory);
        AssertLocked(locked, maxSeconds: 15 * 60);
        Assert.Contains("your connection", (string)JsonNode.Parse(locked.Text)!["detail"]!);
        Assert.Equal(200, (await Host.Track(hers.CaseNumber, hers.TrackingCode, Alice)).Status);
        // The numbers Mallory tried are not locked for anyone else.
        Assert.Equal(404, (await Host.Track($"{year}-500000", WrongCode, Alice)).Status);
    }

    [Fact]
    public async Task An_IPv6_client_is_counted_by_its_64_bit_prefix()
    {
        var mine = await Host.Submit(Service);
        var year = mine.CaseNumber[..4];
        for (var i = 0; i < 20; i++)
        {
            // Every request from another address of the same /64.
            var address = IPAddress.Parse($"2001:db8:1:2::{i + 1:x}");
            Assert.Equal(404, (await Host.Track($"{year}-{600000 + i:D6}", WrongCode, address)).Status);
        }
        AssertLocked(await Host.Track(mine.CaseNumber, mine.TrackingCode, IPAddress.Parse("2001:db8:1:2::ffff")), maxSeconds: 15 * 60);
        Assert.Equal(200, (await Host.Track(mine.CaseNumber, mine.TrackingCode, IPAddress.Parse("2001:db8:1:3::1"))).Status);
    }

    [Fact]
    public async Task A_code_typed_in_lower_case_with_spaces_still_opens_the_case()
    {
        var submitted = await Host.Submit(Service);
        Assert.Equal(200, (await Host.Track(submitted.CaseNumber, submitted.TrackingCode.ToLowerInvariant().Replace("-", " "), Alice)).Status);
    }

    [Fact]
    public async Task Rows_whose_window_and_lock_are_over_are_cleaned_up()
    {
        var dataSource = Host.Services.GetRequiredService<NpgsqlDataSource>();
        var clock = new TestClock();
        var lockout = new TrackingLockout(dataSource, clock, Host.Services.GetRequiredService<EngineSecrets>(), new TrackingLockoutOptions());
        await lockout.RecordFailureAsync(lockout.Keys("2026-000001", Mallory), CancellationToken.None);
        Assert.Equal(2, await Rows(dataSource));

        clock.Advance(TimeSpan.FromMinutes(16));
        await lockout.RecordFailureAsync(lockout.Keys("2026-000002", Alice), CancellationToken.None);
        // The expired pair is gone; the two rows just written remain.
        Assert.Equal(2, await Rows(dataSource));
        Assert.Null(await lockout.LockedAsync(lockout.Keys("2026-000001", Mallory), CancellationToken.None));
    }

    [Fact]
    public async Task Counts_and_locks_hold_across_engine_instances()
    {
        // Two engines on one database, both configured for three failures: what one counted, the other sees.
        var database = await TestDatabase.CreateDatabaseAsync("lockout");
        var clock = new TestClock();
        var settings = new Dictionary<string, string> { ["Vorgang:Tracking:CaseFailureLimit"] = "3" };
        await using var first = await EngineHosts.StartAsync(database, clock, settings);
        await using var second = await EngineHosts.StartAsync(database, clock, settings);

        var submitted = await first.Submit(Service);
        Assert.Equal(404, (await first.Track(submitted.CaseNumber, WrongCode, Mallory)).Status);
        Assert.Equal(404, (await second.Track(submitted.CaseNumber, WrongCode, Mallory)).Status);
        Assert.Equal(200, (await second.Track(submitted.CaseNumber, submitted.TrackingCode, Alice)).Status);
        Assert.Equal(404, (await first.Track(submitted.CaseNumber, WrongCode, Mallory)).Status);

        AssertLocked(await second.Track(submitted.CaseNumber, submitted.TrackingCode, Alice), maxSeconds: 15 * 60);
        AssertLocked(await first.Track(submitted.CaseNumber, submitted.TrackingCode, Alice), maxSeconds: 15 * 60);
        clock.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(200, (await second.Track(submitted.CaseNumber, submitted.TrackingCode, Alice)).Status);
    }

    private static async Task<long> Rows(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand($"select count(*) from {VorgangSetup.Schema}.{TrackingLockout.TableName}");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static void AssertLocked(TrackingAnswer answer, int maxSeconds)
    {
        Assert.True(answer.Status == 429, $"Expected 429 but got {answer.Status}: {answer.Text}");
        Assert.Equal("application/problem+json", answer.ContentType);
        var problem = JsonNode.Parse(answer.Text)!;
        Assert.Equal("too-many-attempts", (string)problem["rule"]!);
        Assert.Equal(429, (int)problem["status"]!);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["title"]));
        Assert.NotNull(answer.RetryAfter);
        Assert.InRange(answer.RetryAfter!.Value, 1, maxSeconds);
    }

    private static string Normalized(string text, string caseNumber) =>
        Regex.Replace(text.Replace(caseNumber, "{n}", StringComparison.Ordinal), "\"traceId\":\"[^\"]*\"", "\"traceId\":\"…\"");
}

public sealed record TrackingAnswer(int Status, string Text, string? ContentType, int? RetryAfter);

/// <summary>Citizen requests from a given client address (the test server otherwise has none).</summary>
public static class TrackingRequests
{
    public static Task<TrackingAnswer> Track(this IAlbaHost host, string caseNumber, string code, IPAddress client) =>
        host.Send(client, "GET", $"/api/track/{caseNumber}", code, body: null);

    public static Task<TrackingAnswer> Withdraw(this IAlbaHost host, string caseNumber, string code, IPAddress client) =>
        host.Send(client, "POST", $"/api/track/{caseNumber}/actions/withdraw", code, """{"expectedVersion":1,"input":{}}""");

    private static async Task<TrackingAnswer> Send(this IAlbaHost host, IPAddress client, string method, string path, string code, string? body)
    {
        var context = await host.Server.SendAsync(c =>
        {
            c.Connection.RemoteIpAddress = client;
            c.Request.Method = method;
            c.Request.Path = path;
            c.Request.Headers["X-Tracking-Code"] = code;
            if (body is not null)
            {
                var bytes = Encoding.UTF8.GetBytes(body);
                c.Request.ContentType = "application/json";
                c.Request.ContentLength = bytes.Length;
                c.Request.Body = new MemoryStream(bytes);
            }
        });
        var text = await new StreamReader(context.Response.Body).ReadToEndAsync();
        int? retryAfter = int.TryParse(context.Response.Headers.RetryAfter.ToString(), out var seconds) ? seconds : null;
        return new TrackingAnswer(context.Response.StatusCode, text, context.Response.ContentType?.Split(';')[0], retryAfter);
    }
}
