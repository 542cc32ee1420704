using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Wolverine;

namespace Vorgang.Api.Features.Webhooks;

/// <summary>
/// A city system that wants to hear of case events: its address, which service (or all) and which event types (or all),
/// the secret the deliveries are signed with (Standard Webhooks), and how its deliveries fare.
/// </summary>
public sealed record WebhookSubscription
{
    public required Guid Id { get; init; }
    public required string Url { get; init; }
    public string? ServiceId { get; init; }
    /// <summary>Stable event names (<c>case_submitted</c>, <c>case_decided</c>, …); empty for every event.</summary>
    public IReadOnlyList<string> EventTypes { get; init; } = [];
    /// <summary><c>whsec_</c> and the base64 of 32 random bytes: shown once, when the subscription is made.</summary>
    public required string Secret { get; init; }
    public string? Description { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required string CreatedBy { get; init; }
    /// <summary>Set when a delivery failed for the whole retry schedule: nothing is sent until an admin resumes it.</summary>
    public WebhookPause? Pause { get; init; }
    public DateTimeOffset? LastDeliveredAt { get; init; }
    public WebhookFailure? LastFailure { get; init; }

    public DateTimeOffset? PausedAt => Pause?.At;
    public string? PausedBecause => Pause?.Because;

    public bool Wants(string serviceId, string eventType) =>
        (ServiceId is null || ServiceId == serviceId) && (EventTypes.Count == 0 || EventTypes.Contains(eventType));
}

public sealed record WebhookFailure(DateTimeOffset At, string Error);

/// <summary>Why a subscription is paused, with the failure that paused it.</summary>
public sealed record WebhookPause(DateTimeOffset At, string Because, WebhookFailure Failure);

/// <summary>One event for one subscription, on its way; <see cref="Attempt"/> counts from 1.</summary>
/// <param name="DeliveryId">The <c>webhook-id</c>: the same for every attempt and replay, so that the receiver can drop duplicates.</param>
public sealed record WebhookDelivery(Guid DeliveryId, Guid SubscriptionId, string CaseNumber, long Version, string EventType, string Payload, DateTimeOffset CreatedAt, int Attempt);

/// <summary>A delivery that failed for the whole retry schedule (or met a paused subscription), kept for an admin to replay.</summary>
public sealed record WebhookDeadLetter
{
    public required Guid Id { get; init; }
    public required Guid SubscriptionId { get; init; }
    public required string CaseNumber { get; init; }
    public required long Version { get; init; }
    public required string EventType { get; init; }
    public required string Payload { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset DiedAt { get; init; }
    public required int Attempts { get; init; }
    public required string Reason { get; init; }
}

/// <summary>
/// Hands every case event that a subscription wants to a durable local queue, on the bus whose outbox commits with the
/// events: no delivery without its event, no event without its deliveries. The payload says what happened to which case
/// and never carries personal data; a receiver with the right to read the case asks the API for more.
/// </summary>
public sealed class WebhookFanOut(IConfiguration configuration, TimeProvider time)
{
    public const string Queue = "webhooks";
    private readonly TimeSpan _cacheFor = TimeSpan.FromSeconds(configuration.GetValue("Vorgang:Webhooks:CacheSeconds", 5));
    private sealed record Snapshot(DateTimeOffset At, IReadOnlyList<WebhookSubscription> Active);
    private Snapshot? _cached;

    public static void Route(WolverineOptions options) => options.PublishMessage<WebhookDelivery>().ToLocalQueue(Queue).UseDurableInbox();

    /// <summary>Forget the subscriptions read, after an admin changed them (other instances see the change within the cache's lifetime).</summary>
    public void Invalidate() => _cached = null;

    private async Task<IReadOnlyList<WebhookSubscription>> ActiveAsync(IQuerySession session, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_cached is { } cached && now - cached.At < _cacheFor) return cached.Active;
        // Paused ones too: their deliveries wait as dead letters until an admin resumes the subscription.
        var active = await session.Query<WebhookSubscription>().ToListAsync(ct);
        _cached = new Snapshot(now, active);
        return active;
    }

    /// <param name="firstVersion">The stream version of the first of <paramref name="events"/>.</param>
    public async ValueTask PublishAsync(IQuerySession session, IMessageBus bus, ProcessDefinition definition, Case after, IReadOnlyList<object> events, long firstVersion, CancellationToken ct)
    {
        var subscriptions = await ActiveAsync(session, ct);
        if (subscriptions.Count == 0) return;
        var now = time.GetUtcNow();
        for (var i = 0; i < events.Count; i++)
        {
            if (!CaseEventTypes.Names.TryGetValue(events[i].GetType(), out var type)) continue;
            var version = firstVersion + i;
            string? payload = null;
            foreach (var subscription in subscriptions.Where(s => s.Wants(definition.Id, type)))
            {
                payload ??= Payload(definition, after, type, version, now);
                await bus.PublishAsync(new WebhookDelivery(DeliveryIdOf(subscription.Id, after.Id, version), subscription.Id, after.Id, version, type, payload, now, 1));
            }
        }
    }

    /// <summary>What a receiver learns: the event's type and the case's number, service, version, state and outcome — no personal data.</summary>
    public static string Payload(ProcessDefinition definition, Case after, string type, long version, DateTimeOffset now) => new JsonObject
    {
        ["type"] = type,
        ["timestamp"] = now.ToString("O"),
        ["data"] = new JsonObject
        {
            ["caseNumber"] = after.Id,
            ["serviceId"] = definition.Id,
            ["definitionVersion"] = definition.Version,
            ["version"] = version,
            ["state"] = after.State,
            ["isClosed"] = after.IsClosed,
            ["outcome"] = after.Outcome,
            ["href"] = $"/api/cases/{after.Id}",
        },
    }.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    public static Guid DeliveryIdOf(Guid subscriptionId, string caseNumber, long version) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"webhook\n{subscriptionId:D}\n{caseNumber}\n{version}"))[..16]);

    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
