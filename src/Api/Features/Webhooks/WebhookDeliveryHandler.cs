using System.Text;
using Marten;
using Marten.Patching;
using StandardWebhooks;
using Vorgang.Workflows.Definitions;
using Wolverine;

namespace Vorgang.Api.Features.Webhooks;

/// <summary>How long a failing delivery is retried: the waits before the 2nd, 3rd, … attempt (together more than 24 hours).</summary>
public sealed class WebhookRetries(IConfiguration configuration)
{
    public const string Key = "Vorgang:Webhooks:RetryDelays";

    public static readonly IReadOnlyList<TimeSpan> Default =
    [
        TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1),
        TimeSpan.FromHours(2), TimeSpan.FromHours(4), TimeSpan.FromHours(8), TimeSpan.FromHours(10),
    ];

    public IReadOnlyList<TimeSpan> Delays { get; } = configuration[Key] is { Length: > 0 } configured
        ? configured.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(d => TimeSpan.Parse(d, System.Globalization.CultureInfo.InvariantCulture)).ToList()
        : Default;
}

/// <summary>
/// Sends one delivery, signed per Standard Webhooks (<c>webhook-id</c>, <c>webhook-timestamp</c>,
/// <c>webhook-signature</c>: HMAC-SHA256 over id, timestamp and body with the subscription's secret). A 2xx answer is
/// success; anything else, a timeout or a refused connection is retried on <see cref="WebhookRetries"/>' schedule as a
/// scheduled message of the durable queue; after the last attempt the delivery becomes a dead letter and the
/// subscription is paused, so that one broken receiver does not keep the engine busy (decision 54).
/// </summary>
public static class WebhookDeliveryHandler
{
    public const string HttpClientName = "webhooks";

    public static async Task Handle(
        WebhookDelivery delivery, IDocumentSession session, IMessageBus bus, IHttpClientFactory clients, WebhookRetries retries, TimeProvider time,
        WebhookFanOut fanOut, ILogger<WebhookDelivery> logger, CancellationToken ct)
    {
        var subscription = await session.LoadAsync<WebhookSubscription>(delivery.SubscriptionId, ct);
        if (subscription is null) return; // deleted meanwhile: nobody waits for it
        var now = time.GetUtcNow();
        if (subscription.PausedAt is not null)
        {
            session.Store(DeadLetter(delivery, now, "The subscription is paused."));
            await session.SaveChangesAsync(ct);
            return;
        }

        var failure = await SendAsync(clients.CreateClient(HttpClientName), subscription, delivery, now, ct);
        if (failure is null)
        {
            session.Patch<WebhookSubscription>(subscription.Id).Set(s => s.LastDeliveredAt, now);
            await session.SaveChangesAsync(ct);
            return;
        }

        logger.LogInformation("Webhook delivery {Delivery} to {Subscription} failed (attempt {Attempt}): {Failure}", delivery.DeliveryId, subscription.Id, delivery.Attempt, failure);
        // One patch per session and document: Marten keeps only the last operation it queued for a document.
        var failed = new WebhookFailure(now, failure);
        if (delivery.Attempt <= retries.Delays.Count)
        {
            await bus.ScheduleAsync(delivery with { Attempt = delivery.Attempt + 1 }, retries.Delays[delivery.Attempt - 1]);
            session.Patch<WebhookSubscription>(subscription.Id).Set(s => s.LastFailure, failed);
        }
        else
        {
            session.Store(DeadLetter(delivery, now, failure));
            session.Patch<WebhookSubscription>(subscription.Id).Set(s => s.Pause,
                new WebhookPause(now, $"A delivery failed {delivery.Attempt} times since {delivery.CreatedAt:O}: {failure}", failed));
            fanOut.Invalidate();
        }
        await session.SaveChangesAsync(ct);
    }

    /// <summary>Null on a 2xx answer; otherwise what went wrong, in one line.</summary>
    private static async Task<string?> SendAsync(HttpClient client, WebhookSubscription subscription, WebhookDelivery delivery, DateTimeOffset now, CancellationToken ct)
    {
        var id = delivery.DeliveryId.ToString("D");
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", new StandardWebhook(subscription.Secret).Sign(id, now, delivery.Payload));
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return e is TaskCanceledException && !ct.IsCancellationRequested ? "timed out" : e.Message;
        }
    }

    private static WebhookDeadLetter DeadLetter(WebhookDelivery delivery, DateTimeOffset now, string reason) => new()
    {
        Id = delivery.DeliveryId, SubscriptionId = delivery.SubscriptionId, CaseNumber = delivery.CaseNumber, Version = delivery.Version,
        EventType = delivery.EventType, Payload = delivery.Payload, CreatedAt = delivery.CreatedAt, DiedAt = now, Attempts = delivery.Attempt, Reason = reason,
    };
}
