using System.Collections.Concurrent;
using Npgsql;
using Vorgang.Api.Hosting;
using Vorgang.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Vorgang.Tests.Resilience;

/// <summary>
/// PostgreSQL restarts (fast shutdown, start) while citizens submit and look up and staff read. Meanwhile the engine
/// answers 503 problems with Retry-After, quickly, and never 500; once the database is back it serves again without
/// being restarted, its background work (async projections, durable timers) included.
/// </summary>
[Collection(ResilienceCollection.Name)]
public sealed class DatabaseRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Submitters = 3;
    private const int Readers = 2;
    private const int Seed = 20261127;
    private static readonly TimeSpan Down = TimeSpan.FromSeconds(4);
    /// <summary>What a client may wait for an answer at most, outage or not.</summary>
    private const double MaxSeconds = 15;
    /// <summary>How soon after the database is back every kind of request must succeed again.</summary>
    private const double RecoverySeconds = 10;

    // A cluster of its own: restarting the shared one would break every other test's connections.
    private readonly string _root = TestDatabase.CreateTempDirectory("restart");
    private EmbeddedPostgres? _postgres;

    private string DataDirectory => Path.Combine(_root, "pgdata");

    public async Task InitializeAsync() => _postgres = await EmbeddedPostgres.StartAsync(DataDirectory);

    public async Task DisposeAsync()
    {
        if (_postgres is not null) await _postgres.StopAsync();
        TestDatabase.DeleteDirectory(_root);
    }

    [Fact]
    public async Task While_PostgreSQL_restarts_the_engine_answers_503_and_recovers_by_itself()
    {
        var postgres = _postgres!;
        var connectionString = postgres.ConnectionString;
        using var client = new LoadClient(TimeSpan.FromSeconds(30));
        await using var engine = await EngineProcess.StartAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__Marten"] = connectionString,
            ["Vorgang__Auth__DevelopmentKey"] = AppFixture.DevelopmentKey,
            // One load client from one address: the per-client rate limit would throttle the load itself.
            ["Vorgang__RateLimits__PerClientPerMinute"] = "0",
        });
        client.Engine = engine.Url;
        var examples = await client.ExamplesAsync(LoadClient.Services);
        var admin = LoadClient.Token("admin");

        // Cases to look up from the start, one per service.
        var known = new ConcurrentQueue<Acceptance>();
        var keys = 0;
        Application NextApplication()
        {
            var i = Interlocked.Increment(ref keys);
            var service = LoadClient.Services[i % LoadClient.Services.Length];
            return new Application($"restart-{i:D4}-{Guid.NewGuid():N}", service, examples[service]);
        }
        foreach (var _ in LoadClient.Services) known.Enqueue(await client.SubmitUntilAcceptedAsync(NextApplication(), CancellationToken.None));

        var stopping = false;
        // A submission under way is finished (with retries) even when the run ends, so that every key's outcome is known.
        using var safety = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var submitters = Enumerable.Range(0, Submitters).Select(_ => Task.Run(async () =>
        {
            while (!Volatile.Read(ref stopping)) known.Enqueue(await client.SubmitUntilAcceptedAsync(NextApplication(), safety.Token));
        }));
        var readers = Enumerable.Range(0, Readers).Select(r => Task.Run(async () =>
        {
            var random = new Random(Seed + r);
            while (!Volatile.Read(ref stopping))
            {
                var cases = known.ToArray();
                var target = cases[random.Next(cases.Length)];
                if (random.Next(2) == 0)
                {
                    await client.SendAsync("track", HttpMethod.Get, $"/api/track/{target.CaseNumber}",
                        headers: new Dictionary<string, string> { ["X-Tracking-Code"] = target.TrackingCode });
                }
                else
                {
                    await client.SendAsync("staff", HttpMethod.Get, $"/api/cases/{target.CaseNumber}", token: admin);
                }
                await Task.Delay(20);
            }
        }));
        var prober = Task.Run(async () =>
        {
            while (!Volatile.Read(ref stopping))
            {
                await client.SendAsync("ready", HttpMethod.Get, "/health/ready");
                await client.SendAsync("live", HttpMethod.Get, "/health");
                await Task.Delay(100);
            }
        });
        var load = submitters.Concat(readers).Append(prober).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(2));
        var stopAt = client.Now;
        await postgres.StopAsync();
        var stoppedAt = client.Now;
        await Task.Delay(Down);
        var startAt = client.Now;
        _postgres = postgres = await EmbeddedPostgres.StartAsync(DataDirectory, port: postgres.Port);
        var upAt = client.Now;

        string[] kinds = ["submit", "track", "staff", "ready"];
        while (!kinds.All(k => client.Attempts.Any(a => a.Kind == k && a.Succeeded && a.StartedAt >= upAt)) && client.Now - upAt < 30)
            await Task.Delay(50);
        var recovered = kinds.ToDictionary(k => k, k => client.Attempts.Where(a => a.Kind == k && a.Succeeded && a.StartedAt >= upAt).Select(a => a.EndedAt).DefaultIfEmpty(double.NaN).Min() - upAt);
        // Some steady load after recovery: it must all succeed.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Volatile.Write(ref stopping, true);
        await Task.WhenAll(load);
        var endedAt = client.Now;

        var attempts = client.Attempts;
        var api = attempts.Where(a => a.Kind is "submit" or "track" or "staff").ToList();
        var unavailable = api.Where(a => a.Status == 503).ToList();
        var failures = api.Where(a => !a.Succeeded).ToList();

        // Only success or 503 — no 500, no connection dropped, no request left hanging.
        Assert.All(api, a => Assert.True(a.Status is 200 or 201 or 503, $"unexpected answer: {a}"));
        Assert.All(attempts, a => Assert.True(a.Seconds < MaxSeconds, $"too slow: {a}"));
        // Every 503 is a problem the client can act on.
        Assert.NotEmpty(unavailable);
        Assert.All(unavailable, a => Assert.True(a is { ContentType: "application/problem+json", Rule: "unavailable", RetryAfter: true }, $"503 without problem details or Retry-After: {a}"));
        // Liveness never depends on the database; readiness does.
        Assert.All(attempts.Where(a => a.Kind == "live"), a => Assert.Equal(200, a.Status));
        Assert.Contains(attempts, a => a.Kind == "ready" && a.Status == 503 && a.StartedAt >= stoppedAt && a.EndedAt <= startAt);
        // Back without a restart of the engine, within a bounded time, and for good.
        Assert.All(recovered, r => Assert.True(r.Value < RecoverySeconds, $"{r.Key} not served again {RecoverySeconds} s after the database was back"));
        var lastFailure = failures.Concat(attempts.Where(a => a.Kind == "ready" && a.Status != 200)).Max(a => a.EndedAt);
        Assert.True(lastFailure - upAt < RecoverySeconds, $"a request failed {lastFailure - upAt:F1} s after the database was back");

        // Every application was accepted once: one case per key, and no case without a key.
        Assert.All(client.Accepted, a => Assert.Single(a.Value.Select(x => x.CaseNumber).Distinct()));
        await using var store = StoreInspection.Open(connectionString);
        var streams = await store.StreamsAsync();
        Assert.Equal(client.Accepted.Values.Select(a => a.First().CaseNumber).Order(), streams.Keys.Order());
        Assert.Empty(await store.InconsistentReadModelsAsync(streams.Keys, statistics: false));

        // The async daemon resumed: the statistics projection covers every case.
        while (await store.CountAsync("select count(*) from {schema}.mt_doc_casestatistic") < streams.Count && client.Now - endedAt < 60)
            await Task.Delay(100);
        var statisticsAt = client.Now;
        Assert.Empty(await store.InconsistentReadModelsAsync(streams.Keys, statistics: true));

        // Wolverine's durability agent resumed: a stored timer made due is picked up and handled. Fired before its
        // moment on the engine's clock, it sets itself again for that moment: still exactly one for its case.
        var (envelope, timer) = await store.MakeOneTimerDueAsync();
        var madeDueAt = client.Now;
        while (await store.IsWaitingAsync(envelope) && client.Now - madeDueAt < 30) await Task.Delay(100);
        Assert.False(await store.IsWaitingAsync(envelope), $"the durability agent did not deliver a due timer within 30 s\n{engine.Output}");
        var handledAt = client.Now;
        var again = (await store.ScheduledTimersAsync()).Where(t => t.CaseNumber == timer.CaseNumber && t.Kind == timer.Kind).ToList();
        Assert.Equal(timer, Assert.Single(again));

        string Figures(IEnumerable<Attempt> some) =>
            string.Join(", ", some.GroupBy(a => a.Status?.ToString() ?? "none").OrderBy(g => g.Key).Select(g => $"{g.Count()} × {g.Key}"));
        output.WriteLine($"PostgreSQL stopped at {stopAt:F1} s (took {stoppedAt - stopAt:F1} s), down {Down.TotalSeconds:F0} s, " +
                         $"started again at {startAt:F1} s (took {upAt - startAt:F1} s); load from {Submitters} submitters, {Readers} readers, 1 health prober until {endedAt:F1} s");
        foreach (var kind in kinds.Append("live"))
        {
            var these = attempts.Where(a => a.Kind == kind).ToList();
            output.WriteLine($"  {kind}: {Figures(these)}; slowest {these.Max(a => a.Seconds):F2} s" +
                             (recovered.TryGetValue(kind, out var r) ? $"; first success {r:F2} s after the database was back" : ""));
        }
        output.WriteLine($"  503s took {unavailable.Min(a => a.Seconds):F2}–{unavailable.Max(a => a.Seconds):F2} s; last failure ended {lastFailure - upAt:F2} s after the database was back");
        output.WriteLine($"  {client.Accepted.Count} applications, {streams.Count} cases; " +
                         $"{attempts.Count(a => a is { Kind: "submit", Status: 201, Replayed: true })} answered as replays (stored, but the answer was a 503)");
        // What the engine logged: why it answered 503, and which of its parts complained meanwhile.
        var log = engine.Output.Split('\n');
        const string because = "answered 503, the database is unavailable: ";
        foreach (var cause in log.Where(l => l.Contains(because)).Select(l => l[(l.IndexOf(because, StringComparison.Ordinal) + because.Length)..])
                     .GroupBy(c => c.Length > 60 ? c[..60] : c).OrderByDescending(g => g.Count()))
            output.WriteLine($"  503 because of {cause.Key}: {cause.Count()}");
        foreach (var source in log.Where(l => l.StartsWith("fail: ", StringComparison.Ordinal) || l.StartsWith("warn: ", StringComparison.Ordinal))
                     .GroupBy(l => l.Split('[')[0]).OrderByDescending(g => g.Count()))
            output.WriteLine($"  log: {source.Key} × {source.Count()}");
        output.WriteLine($"  statistics complete {statisticsAt - upAt:F1} s after the database was back; a timer made due was handled after {handledAt - madeDueAt:F1} s");
    }

    [Fact]
    public async Task A_request_the_database_does_not_answer_in_time_gets_503_after_the_request_timeout()
    {
        var connectionString = _postgres!.ConnectionString;
        using var client = new LoadClient(TimeSpan.FromSeconds(30));
        await using var engine = await EngineProcess.StartAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__Marten"] = connectionString,
            ["Vorgang__Auth__DevelopmentKey"] = AppFixture.DevelopmentKey,
            // One load client from one address: the per-client rate limit would throttle the load itself.
            ["Vorgang__RateLimits__PerClientPerMinute"] = "0",
            ["Vorgang__RequestTimeoutSeconds"] = "2",
        });
        client.Engine = engine.Url;
        var body = (await client.ExamplesAsync(["defect-report"]))["defect-report"];
        await client.SubmitUntilAcceptedAsync(new Application($"warm-up-{Guid.NewGuid():N}", "defect-report", body), CancellationToken.None);

        // The database is there but does not answer this request: the table it reads first is locked elsewhere.
        var application = new Application($"locked-{Guid.NewGuid():N}", "defect-report", body);
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = application.Key };
        Attempt waited;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var lockTable = new NpgsqlCommand($"lock table {VorgangSetup.Schema}.mt_doc_submissionreceipt in access exclusive mode", connection, transaction))
                await lockTable.ExecuteNonQueryAsync();

            (waited, _) = await client.SendAsync("submit", HttpMethod.Post, $"/api/services/{application.ServiceId}/cases", application.Body, headers);
            var (ready, _) = await client.SendAsync("ready", HttpMethod.Get, "/health/ready");
            Assert.Equal(200, ready.Status);
            await transaction.RollbackAsync();
        }

        Assert.True(waited is { Status: 503, ContentType: "application/problem+json", Rule: "unavailable", RetryAfter: true }, $"{waited}");
        Assert.InRange(waited.Seconds, 2, 2 + 6);
        // Nothing was stored: the same key now creates the case.
        var (again, _) = await client.SendAsync("submit", HttpMethod.Post, $"/api/services/{application.ServiceId}/cases", application.Body, headers);
        Assert.True(again is { Status: 201, Replayed: false }, $"{again}");
        output.WriteLine($"A submission waiting on a lock was answered 503 after {waited.Seconds:F2} s (request timeout 2 s).");
    }
}
