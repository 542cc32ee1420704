using System.Threading.RateLimiting;
using Alba;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Vorgang.Api.Security;
using Vorgang.Tests.Api;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Tests.Security;

/// <summary>
/// Reads take turns (Vorgang:Limits:ConcurrentReads): in an engine that lets one read run at a time, the test holds
/// that one place itself and watches what the engine does with the next requests.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class ReadAdmissionTests : IAsyncLifetime
{
    private const string Service = "change-of-address";
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await TestDatabase.CreateDatabaseAsync("admission");

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<IAlbaHost> StartEngine(int concurrent, int queued) => EngineHosts.StartAsync(_connectionString, TimeProvider.System,
        new Dictionary<string, string>
        {
            ["Vorgang:Limits:ConcurrentReads"] = concurrent.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Vorgang:Limits:QueuedReads"] = queued.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    private static string Token(IAlbaHost engine, string role, string? team) =>
        StaffAuth.MintToken(engine.Services.GetRequiredService<IConfiguration>(), role, team, "Anna", "anna", TimeSpan.FromHours(1));

    private static async Task<RateLimitLease> TakeTheOnlyPlace(IAlbaHost engine)
    {
        var lease = await engine.Services.GetRequiredService<ReadLimiter>().Limiter!.AcquireAsync(1);
        Assert.True(lease.IsAcquired);
        return lease;
    }

    [Fact]
    public async Task A_read_waits_for_its_turn_and_is_then_answered()
    {
        await using var engine = await StartEngine(concurrent: 1, queued: 10);
        var submitted = await engine.Submit(Service);
        var caseworker = Token(engine, Roles.Caseworker, "registration-office");

        var place = await TakeTheOnlyPlace(engine);
        var waiting = engine.Get("/api/queues/registration-office", caseworker);
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted, "the read ran although no place was free");

        place.Dispose();
        var answered = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(200, answered.Status);
        Assert.Equal(submitted.CaseNumber, (string)answered.Json!["items"]![0]!["caseNumber"]!);
    }

    [Fact]
    public async Task A_read_whose_client_leaves_while_waiting_gives_up_its_place_in_line()
    {
        await using var engine = await StartEngine(concurrent: 1, queued: 10);
        var limiter = engine.Services.GetRequiredService<ReadLimiter>().Limiter!;
        using var place = await TakeTheOnlyPlace(engine);

        using var client = engine.Server.CreateClient();
        using var leaving = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/queues/registration-office");
        request.Headers.Authorization = new("Bearer", Token(engine, Roles.Caseworker, "registration-office"));
        var waiting = client.SendAsync(request, leaving.Token);
        await Eventually(() => limiter.GetStatistics()!.CurrentQueuedCount == 1, "the read never took its place in line");

        // The engine does not cancel a request's work when its client leaves (ClientDisconnects), but a read still
        // waiting for its turn leaves the line at once, well before the 15 s time limit would take it out.
        await leaving.CancelAsync();
        await Eventually(() => limiter.GetStatistics()!.CurrentQueuedCount == 0, "the departed client's read kept its place in line");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    private static async Task Eventually(Func<bool> condition, string failure)
    {
        for (var i = 0; i < 100 && !condition(); i++) await Task.Delay(50);
        Assert.True(condition(), failure);
    }

    [Fact]
    public async Task A_read_beyond_the_waiting_room_is_refused_with_503_and_retry_after()
    {
        await using var engine = await StartEngine(concurrent: 1, queued: 0);
        using var place = await TakeTheOnlyPlace(engine);

        var refused = await engine.Get("/api/queues/registration-office", Token(engine, Roles.Caseworker, "registration-office"));
        // A deliberate answer of a busy server, not an error: the one 5xx a client may see, and it says when to come back.
        Assert.Equal(503, refused.Status);
        Assert.Equal("application/problem+json", refused.MediaType);
        var problem = Assert.IsType<System.Text.Json.Nodes.JsonObject>(refused.Json);
        Assert.Equal("overloaded", (string)problem["rule"]!);
        Assert.Equal(503, (int)problem["status"]!);
        Assert.Contains("Try again in 1 s", (string)problem["detail"]!);
        Assert.Equal("1", refused.Response.Headers.RetryAfter?.ToString());
    }

    [Fact]
    public async Task Writes_and_reads_without_a_time_limit_do_not_wait_for_a_place()
    {
        await using var engine = await StartEngine(concurrent: 1, queued: 0);
        var data = await engine.Example(Service);
        using var place = await TakeTheOnlyPlace(engine);

        // A submission and a whole-store verification go through while the only place for reads is taken.
        await engine.Submit(Service, data).WaitAsync(TimeSpan.FromSeconds(10));
        var verified = await engine.Get("/api/audit/verify", Token(engine, Roles.Auditor, null)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(200, verified.Status);
        Assert.True((long)verified.Json!["cases"]! >= 1);
    }

    [Fact]
    public async Task Zero_lets_every_read_run_at_once()
    {
        await using var engine = await StartEngine(concurrent: 0, queued: 0);
        Assert.Null(engine.Services.GetRequiredService<ReadLimiter>().Limiter);
        var reads = Enumerable.Range(0, 8).Select(_ => engine.Get("/api/services")).ToList();
        Assert.All(await Task.WhenAll(reads), r => Assert.Equal(200, r.Status));
    }
}
