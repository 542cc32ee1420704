using System.Diagnostics;

namespace Vorgang.Benchmarks;

/// <summary>One endpoint's first and second request on a freshly started engine without load.</summary>
public sealed record FirstCall(string Endpoint, double FirstMs, double SecondMs);

/// <summary>
/// A freshly started engine's way to its first answer: from the spawn of its process to "listening", and to the first 2xx
/// of a real request (a submission of the mix, with an Idempotency-Key), tried every few milliseconds from the spawn on.
/// </summary>
/// <param name="FirstRequestMs">How long the request that got the first answer took, from its sending to its answer.</param>
public sealed record StartProbe(double ListeningMs, double FirstAnswerMs, double FirstRequestMs, double EngineCpuMs, IReadOnlyList<FirstCall> FirstCalls);

/// <summary>The mixed submission load on a freshly started engine, from the moment it listens: two windows one after the other.</summary>
public sealed record ColdStartResult(WrkResult First, WrkResult Next, double ListeningMs);

public static class ColdStart
{
    /// <summary>Length of each measured window of the cold start (the first and the next).</summary>
    public const int WindowSeconds = 10;

    /// <summary>The engine spawned, and a submission tried from then on until one is answered; then each endpoint's first requests.</summary>
    public static async Task<StartProbe> ProbeAsync(string repo, string connectionString, SubmissionPool pool, SeedResult seed, string caseworker, string auditor)
    {
        var (service, body) = pool.Sample(1).First();
        await using var engine = Engine.Spawn(repo, connectionString);
        double firstAnswer;
        double firstRequest;
        var tries = 0;
        while (true)
        {
            tries++;
            var sent = engine.SinceSpawn;
            try
            {
                using var response = await engine.SubmitAsync(service, body, Guid.NewGuid().ToString());
                if (response.IsSuccessStatusCode)
                {
                    firstAnswer = engine.SinceSpawn.TotalMilliseconds;
                    firstRequest = firstAnswer - sent.TotalMilliseconds;
                    break;
                }
                // An engine that answers but refuses (other than "not ready yet") has a fault the benchmark must not hide.
                if ((int)response.StatusCode is not (503 or 502))
                    throw new InvalidOperationException($"The fresh engine refused a submission ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync()}");
            }
            catch (HttpRequestException) when (engine.SinceSpawn < TimeSpan.FromSeconds(60))
            {
                // Not listening yet.
            }
            if (engine.SinceSpawn > TimeSpan.FromSeconds(60)) throw new InvalidOperationException("The fresh engine did not answer within 60 s.");
            await Task.Delay(5);
        }
        var cpu = engine.CpuMs();
        await engine.ListeningAsync();
        var listening = engine.ListeningAfter!.Value.TotalMilliseconds;
        Console.WriteLine($"Fresh engine: listening after {listening:N0} ms, first submission answered after {firstAnswer:N0} ms ({tries} tries; that request took {firstRequest:N0} ms), engine CPU by then {cpu:N0} ms");

        // Each endpoint's first request on this engine, then its second: the one-time cost (code generation, JIT, first
        // use of its documents) against the cost of a request that follows it.
        var calls = new List<FirstCall>();
        async Task Time(string endpoint, Func<Task<double>> call)
        {
            var first = await call();
            var second = await call();
            calls.Add(new FirstCall(endpoint, first, second));
        }
        var samples = pool.Sample(2).ToList();
        foreach (var other in samples.Select(s => s.Service).Distinct().Where(s => s != service))
        {
            var bodies = samples.Where(s => s.Service == other).Select(s => s.Body).ToList();
            var next = 0;
            await Time($"POST /api/services/{other}/cases", async () =>
            {
                var watch = Stopwatch.StartNew();
                using var response = await engine.SubmitAsync(other, bodies[next++ % bodies.Count], Guid.NewGuid().ToString());
                response.EnsureSuccessStatusCode();
                return watch.Elapsed.TotalMilliseconds;
            });
        }
        var tracked = 0;
        await Time("GET /api/track/{number}", () => Get(engine, $"/api/track/{seed.OpenCaseNumbers[tracked++]}", ("X-Tracking-Code", CityGenerator.TrackingCode)));
        await Time("GET /api/queues/{team}", () => Get(engine, $"/api/queues/{seed.BiggestTeam}", ("Authorization", $"Bearer {caseworker}")));
        var version = 1;
        await Time("GET /api/cases/{number}/state?version=", () => Get(engine, $"/api/cases/{seed.LongCaseNumber}/state?version={version++}", ("Authorization", $"Bearer {auditor}")));
        await Time("GET /api/services/{id}/example", () => Get(engine, $"/api/services/{service}/example?lang=de", null));
        foreach (var c in calls) Console.WriteLine($"  {c.Endpoint}: first {c.FirstMs:N1} ms, second {c.SecondMs:N1} ms");
        return new StartProbe(listening, firstAnswer, firstRequest, cpu, calls);
    }

    private static async Task<double> Get(Engine engine, string path, (string, string)? header)
    {
        var (status, ms) = await engine.TimeGetAsync(path, header);
        if (status is < 200 or > 299) throw new InvalidOperationException($"GET {path} answered {status} on the fresh engine.");
        return ms;
    }

    /// <summary>
    /// The engine spawned after a checkpoint, and the mixed load started the moment it listens (its script written
    /// beforehand): the first window, then at once the next.
    /// </summary>
    public static async Task<ColdStartResult> LoadAsync(string repo, string connectionString, int postmasterPid, SubmissionPool pool, int connections)
    {
        var script = await Scripts.WriteAsync(Scripts.Mix(pool));
        try
        {
            await Checkpoints.ForceAsync(connectionString);
            var checkpointsBefore = await Checkpoints.CountAsync(connectionString);
            await using var engine = Engine.Spawn(repo, connectionString);
            var url = await engine.ListeningAsync();
            var listening = engine.ListeningAfter!.Value.TotalMilliseconds;
            var wrk = new Wrk(url, WindowSeconds, 0, new CpuMeter(engine.ProcessId, postmasterPid), connectionString);
            var first = await wrk.MeasureAsync($"cold start, first {WindowSeconds} s", script, connections, WindowSeconds, checkpointsBefore);
            var next = await wrk.MeasureAsync($"cold start, next {WindowSeconds} s", script, connections, WindowSeconds);
            return new ColdStartResult(first, next, listening);
        }
        finally
        {
            File.Delete(script);
        }
    }
}
