using System.Diagnostics;
using System.Text.Json.Nodes;
using Npgsql;
using Vorgang.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Vorgang.Tests.Resilience;

/// <summary>
/// The engine is killed (SIGKILL) again and again while citizens submit; their clients retry with the same
/// Idempotency-Key until they are answered. Afterwards nothing is lost, nothing is doubled, and what the engine stored
/// in one transaction with each case — read models, hash chain, timers — is all there, once.
/// </summary>
[Collection(ResilienceCollection.Name)]
public sealed class CrashSafetyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Applications = 400;
    private const int Workers = 6;
    private const int Kills = 3;
    // Fixed, so that a failure can be run again with the same kill moments (as far as the machine's timing allows).
    private const int Seed = 20261126;

    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        // A database of its own on the shared test cluster: only the engine dies here, never the database.
        _connectionString = await TestDatabase.CreateDatabaseAsync("crash");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Killing_the_engine_during_submissions_loses_and_duplicates_nothing()
    {
        var random = new Random(Seed);
        using var client = new LoadClient(TimeSpan.FromSeconds(30));
        EngineProcess? engine = await EngineProcess.StartAsync(Environment());
        try
        {
            client.Engine = engine.Url;
            var examples = await client.ExamplesAsync(LoadClient.Services);
            var applications = Enumerable.Range(0, Applications)
                .Select(i => LoadClient.Services[i % LoadClient.Services.Length])
                .Select((service, i) => new Application($"crash-{i:D4}-{Guid.NewGuid():N}", service, examples[service]))
                .ToArray();

            // Workers take the next application when theirs is accepted; the kills follow the count of accepted ones.
            var next = -1;
            var accepted = 0;
            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
            {
                for (var i = Interlocked.Increment(ref next); i < applications.Length; i = Interlocked.Increment(ref next))
                {
                    await client.SubmitUntilAcceptedAsync(applications[i], stop.Token);
                    Interlocked.Increment(ref accepted);
                }
            })).ToArray();

            var kills = new List<string>();
            var restarts = new List<double>();
            var lastRestart = 0.0;
            for (var k = 1; k <= Kills; k++)
            {
                var threshold = Applications * k / (Kills + 1) + random.Next(-Applications / 16, Applications / 16);
                while (Volatile.Read(ref accepted) < threshold && !stop.IsCancellationRequested) await Task.Delay(5);
                await Task.Delay(random.Next(0, 200));
                var inFlight = client.InFlight;
                var at = client.Now;
                var dying = engine;
                engine = null;
                dying.Kill();
                await dying.DisposeAsync();
                kills.Add($"after {Volatile.Read(ref accepted)} accepted, {inFlight} request(s) in flight, at {at:F1} s");

                var started = Stopwatch.StartNew();
                engine = await EngineProcess.StartAsync(Environment());
                client.Engine = engine.Url;
                restarts.Add(started.Elapsed.TotalSeconds);
                lastRestart = client.Now;
            }
            await Task.WhenAll(workers);
            var submitted = client.Now;

            await using var store = StoreInspection.Open(_connectionString);
            // The async statistics projection catches up with the log after the last restart.
            while (await store.CountAsync("select count(*) from {schema}.mt_doc_casestatistic") < Applications && client.Now - submitted < 60)
                await Task.Delay(100);
            var statisticsCaughtUp = client.Now - lastRestart;

            // Every client was answered, each time with one and the same case for its key.
            Assert.Equal(Applications, client.Accepted.Count);
            foreach (var (key, answers) in client.Accepted)
            {
                Assert.Single(answers.Select(a => (a.CaseNumber, a.TrackingCode)).Distinct());
            }
            var caseOf = client.Accepted.ToDictionary(a => a.Key, a => a.Value.First());
            Assert.Equal(Applications, caseOf.Values.Select(a => a.CaseNumber).Distinct().Count());

            var attempts = client.Attempts.Where(a => a.Kind == "submit").ToList();
            // A killed engine answers nothing; a running one answers 201 (new or replayed) and nothing else: no 500, no 503.
            Assert.All(attempts, a => Assert.True(a.Status is null or 201, $"unexpected answer: {a}"));
            var unanswered = attempts.Count(a => a.Status is null);
            var replayedDuringRun = attempts.Count(a => a.Status == 201 && a.Replayed);

            // The same key once more, now that all is quiet: the same case and tracking code, marked as replayed.
            foreach (var application in applications)
            {
                var (attempt, body) = await client.SendAsync("replay", HttpMethod.Post, $"/api/services/{application.ServiceId}/cases", application.Body,
                    new Dictionary<string, string> { ["Idempotency-Key"] = application.Key });
                Assert.True(attempt is { Status: 201, Replayed: true }, $"replay of {application.Key}: {attempt}");
                Assert.Equal(caseOf[application.Key].CaseNumber, (string)body!["caseNumber"]!);
                Assert.Equal(caseOf[application.Key].TrackingCode, (string)body["trackingCode"]!);
            }

            // Exactly the clients' cases are in the store: one stream each, whole, with its receipt.
            var streams = await store.StreamsAsync();
            Assert.Equal(caseOf.Values.Select(a => a.CaseNumber).Order(), streams.Keys.Order());
            var events = await store.EventCountsAsync();
            Assert.All(streams, s => Assert.Equal((s.Value, s.Value), events[s.Key]));
            Assert.Equal(Applications, await store.CountAsync("select count(*) from {schema}.mt_doc_submissionreceipt"));

            // Read models written in the events' transaction agree with their events.
            Assert.Empty(await store.InconsistentReadModelsAsync(streams.Keys, statistics: false));

            // Each case's timers are stored once: those its submission calls for, no more, no fewer.
            var timers = await store.ScheduledTimersAsync();
            var planned = await store.TimersPlannedAtSubmissionAsync(streams.Keys);
            Assert.Equal(planned.Select(t => t.ToString()).Order(), timers.Select(t => t.ToString()).Order());
            Assert.Equal(0, await store.CountAsync("select count(*) from {schema}.wolverine_dead_letters"));

            Assert.Empty(await store.InconsistentReadModelsAsync(streams.Keys, statistics: true));

            // Citizens and staff see every case, at the version of its stream.
            var admin = LoadClient.Token("admin");
            foreach (var (key, acceptance) in caseOf)
            {
                var (tracked, view) = await client.SendAsync("track", HttpMethod.Get, $"/api/track/{acceptance.CaseNumber}",
                    headers: new Dictionary<string, string> { ["X-Tracking-Code"] = acceptance.TrackingCode });
                Assert.True(tracked.Status == 200, $"tracking {acceptance.CaseNumber}: {tracked}");
                Assert.Equal(streams[acceptance.CaseNumber], (long)view!["version"]!);
                var (read, staffView) = await client.SendAsync("staff", HttpMethod.Get, $"/api/cases/{acceptance.CaseNumber}", token: admin);
                Assert.True(read.Status == 200, $"staff view of {acceptance.CaseNumber}: {read}");
                Assert.Equal(streams[acceptance.CaseNumber], (long)staffView!["version"]!);
            }

            // Every hash chain holds.
            var (verified, chains) = await client.SendAsync("verify", HttpMethod.Get, "/api/audit/verify", token: LoadClient.Token("auditor"));
            Assert.True(verified.Status == 200, $"audit verify: {verified}");
            Assert.Equal(Applications, (int)chains!["cases"]!);
            Assert.Equal(Applications, (int)chains["intact"]!);
            Assert.Equal(0, (int)chains["broken"]!);

            var numbers = streams.Keys.Select(n => long.Parse(n[5..])).ToList();
            output.WriteLine($"{Applications} applications from {Workers} clients, {Kills} kills (SIGKILL), all in {submitted:F1} s:");
            foreach (var kill in kills) output.WriteLine($"  killed {kill}");
            output.WriteLine($"  restarts took {string.Join(", ", restarts.Select(r => $"{r:F1} s"))} until the engine listened");
            output.WriteLine($"  {attempts.Count} submission requests: {unanswered} unanswered (engine killed or down), " +
                             $"{replayedDuringRun} answered as replays during the run (the case was stored, its answer lost)");
            output.WriteLine($"  case numbers {numbers.Min()}..{numbers.Max()}: {numbers.Max() - numbers.Min() + 1 - numbers.Count} left unused by requests that died");
            output.WriteLine($"  {timers.Count} timers stored for {streams.Count} cases, as planned; the async statistics complete {statisticsCaughtUp:F1} s after the last restart");
        }
        finally
        {
            if (engine is not null) await engine.DisposeAsync();
        }
    }

    private Dictionary<string, string> Environment() => new()
    {
        ["ConnectionStrings__Marten"] = _connectionString,
        ["Vorgang__Auth__DevelopmentKey"] = AppFixture.DevelopmentKey,
        // One load client from one address: the per-client rate limit would throttle the load itself.
        ["Vorgang__RateLimits__PerClientPerMinute"] = "0",
    };
}
