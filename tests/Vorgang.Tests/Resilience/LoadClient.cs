using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Vorgang.Api.Security;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Resilience;

/// <summary>
/// The resilience checks start engines and restart databases and judge response times: they run alone, after the
/// other tests, so that neither disturbs the other's timing.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ResilienceCollection
{
    public const string Name = "resilience";
}

/// <summary>One HTTP exchange as the client saw it; <see cref="Status"/> is null when no response came (refused, reset, timed out).</summary>
public sealed record Attempt(
    string Kind, double StartedAt, double Seconds, int? Status, string? ContentType, string? Rule, bool RetryAfter, bool Replayed, string? Error)
{
    public bool Succeeded => Status is 200 or 201;
    public double EndedAt => StartedAt + Seconds;
}

/// <summary>An application a citizen sends until it is accepted: a service, its body and the client's Idempotency-Key.</summary>
public sealed record Application(string Key, string ServiceId, string Body);

/// <summary>A 201 for an application: the case number and tracking code it answered with.</summary>
public sealed record Acceptance(string CaseNumber, string TrackingCode, bool Replayed);

/// <summary>
/// Clients that behave as the API asks: a submission that fails in any way (no answer, 503, a connection reset by an
/// engine that died) is sent again with the same Idempotency-Key until it is accepted. Every exchange is recorded.
/// </summary>
public sealed class LoadClient : IDisposable
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<Attempt> _attempts = new();
    private int _inFlight;

    public LoadClient(TimeSpan requestTimeout)
    {
        // A fresh connection per engine: pooled ones to a killed engine fail once and are dropped.
        Http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5) })
        {
            Timeout = requestTimeout,
        };
    }

    public HttpClient Http { get; }

    /// <summary>Where the engine listens now; a restarted engine listens elsewhere.</summary>
    public Uri Engine { get; set; } = new("http://127.0.0.1:1");

    public double Now => _clock.Elapsed.TotalSeconds;
    public int InFlight => Volatile.Read(ref _inFlight);
    public IReadOnlyList<Attempt> Attempts => [.. _attempts];

    /// <summary>Those that submitted applications and their outcome, per key: every 201 the key received.</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<Acceptance>> Accepted { get; } = new();

    public async Task<(Attempt Attempt, JsonNode? Body)> SendAsync(
        string kind, HttpMethod method, string path, string? body = null, IReadOnlyDictionary<string, string>? headers = null, string? token = null,
        CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(method, new Uri(Engine, path));
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        foreach (var (name, value) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(name, value);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var started = Now;
        Interlocked.Increment(ref _inFlight);
        Attempt attempt;
        JsonNode? json = null;
        try
        {
            using var response = await Http.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            var contentType = response.Content.Headers.ContentType?.MediaType;
            if (contentType is "application/json" or "application/problem+json" && text.Length > 0) json = JsonNode.Parse(text);
            attempt = new Attempt(kind, started, Now - started, (int)response.StatusCode, contentType,
                json is JsonObject o && o["rule"] is JsonValue rule ? (string?)rule : null,
                response.Headers.RetryAfter is not null,
                response.Headers.TryGetValues("Idempotent-Replayed", out var replayed) && replayed.Contains("true"),
                json is null && (int)response.StatusCode >= 400 ? text[..Math.Min(text.Length, 200)] : null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !ct.IsCancellationRequested)
        {
            attempt = new Attempt(kind, started, Now - started, null, null, null, false, false, $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
        _attempts.Enqueue(attempt);
        return (attempt, json);
    }

    /// <summary>Sends the application until it is accepted, with the same Idempotency-Key every time.</summary>
    public async Task<Acceptance> SubmitUntilAcceptedAsync(Application application, CancellationToken ct)
    {
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = application.Key };
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var (attempt, body) = await SendAsync("submit", HttpMethod.Post, $"/api/services/{application.ServiceId}/cases", application.Body, headers, ct: ct);
            if (attempt.Status == 201)
            {
                var accepted = new Acceptance((string)body!["caseNumber"]!, (string)body["trackingCode"]!, attempt.Replayed);
                Accepted.GetOrAdd(application.Key, _ => new()).Enqueue(accepted);
                return accepted;
            }
            await Task.Delay(100, ct);
        }
    }

    public void Dispose() => Http.Dispose();

    /// <summary>A ready-to-send body per service, as the engine offers it.</summary>
    public async Task<Dictionary<string, string>> ExamplesAsync(IEnumerable<string> services)
    {
        var examples = new Dictionary<string, string>();
        foreach (var service in services)
        {
            var (attempt, body) = await SendAsync("example", HttpMethod.Get, $"/api/services/{service}/example");
            Assert.True(attempt.Status == 200, $"example of {service}: {attempt}");
            examples[service] = body!.ToJsonString();
        }
        return examples;
    }

    public static string Token(string role, string? team = null) =>
        StaffAuth.MintToken(
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Vorgang:Auth:DevelopmentKey"] = AppFixture.DevelopmentKey }).Build(),
            role, team, $"Resilience {role}", $"resilience-{role}", TimeSpan.FromHours(1));

    /// <summary>The shipped services, so that every kind of definition (deadlines, timers) takes part.</summary>
    public static readonly string[] Services =
        ["change-of-address", "defect-report", "residential-parking-permit", "school-transport", "building-permit-consultation"];
}
