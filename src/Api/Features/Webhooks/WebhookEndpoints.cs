using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Api.Problems;
using Vorgang.Api.Security;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Wolverine;
using Wolverine.Http;

namespace Vorgang.Api.Features.Webhooks;

/// <summary>A new subscription: where to, for which service (none: all) and which event types (none: all).</summary>
/// <param name="Url">The receiver's address: https, or http for an allow-listed host.</param>
/// <param name="ServiceId">Only this service's cases; leave out for all services.</param>
/// <param name="EventTypes">Only these events (stable names such as <c>case_submitted</c>, <c>case_decided</c>); leave out for all.</param>
/// <param name="Description">What the receiving system is, for the admins who read the list.</param>
public sealed record WebhookSubscriptionRequest(string? Url, string? ServiceId, IReadOnlyList<string>? EventTypes, string? Description)
{
    public static readonly IValidator<WebhookSubscriptionRequest> Rules = new Validator();

    private sealed class Validator : AbstractValidator<WebhookSubscriptionRequest>
    {
        public Validator()
        {
            RuleFor(r => r.Url).Cascade(CascadeMode.Stop)
                .Must(u => !string.IsNullOrWhiteSpace(u)).WithErrorCode("required").WithMessage("Give the receiver's address.")
                .Must(u => u!.Length <= 2000).WithErrorCode("max-length").WithMessage("Use at most 2000 characters.")
                .Must(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
                .WithErrorCode("url").WithMessage("Give an absolute https address.");
            RuleForEach(r => r.EventTypes).Must(t => t is not null && CaseEventTypes.Names.Values.Contains(t)).WithErrorCode("unknown-event-type")
                .WithMessage(_ => $"Use the stable event names: {string.Join(", ", CaseEventTypes.Names.Values.Order(StringComparer.Ordinal))}.");
            RuleFor(r => r.Description).Must(d => d is null || d.Length <= 500).WithErrorCode("max-length").WithMessage("Use at most 500 characters.");
        }
    }
}

/// <summary>A subscription as admins see it; the secret only in the answer that made it.</summary>
public sealed record WebhookSubscriptionView(
    Guid Id, string Url, string? ServiceId, IReadOnlyList<string> EventTypes, string? Description, DateTimeOffset CreatedAt, string CreatedBy,
    string Status, DateTimeOffset? PausedAt, string? PausedBecause, DateTimeOffset? LastDeliveredAt, DateTimeOffset? LastFailedAt, string? LastError,
    int DeadLetters, string? Secret = null)
{
    public static WebhookSubscriptionView Of(WebhookSubscription s, int deadLetters, bool withSecret = false) => new(
        s.Id, s.Url, s.ServiceId, s.EventTypes, s.Description, s.CreatedAt, s.CreatedBy, s.PausedAt is null ? "active" : "paused",
        s.PausedAt, s.PausedBecause, s.LastDeliveredAt, s.Pause?.Failure.At ?? s.LastFailure?.At, s.Pause?.Failure.Error ?? s.LastFailure?.Error, deadLetters, withSecret ? s.Secret : null);
}

public sealed record WebhookSubscriptionList(IReadOnlyList<WebhookSubscriptionView> Subscriptions);

public sealed record WebhookDeadLetterList(Guid SubscriptionId, IReadOnlyList<WebhookDeadLetter> DeadLetters);

public sealed record WebhookReplay(Guid SubscriptionId, int Replayed);

/// <summary>Admins subscribe the city's other systems to case events, see how their deliveries fare, and replay dead letters.</summary>
[Authorize(Policy = StaffAuth.StaffPolicy)]
public static class WebhookEndpoints
{
    private static IResult? AdminOnly(HttpContext context)
    {
        var caller = context.User.StaffCaller();
        if (caller is null) return Access.NoRole(context);
        return caller.Role == Roles.Admin ? null
            : Problems.Problems.Status(context, 403, "role-not-allowed", "Only admins manage webhooks.", $"Role '{caller.Role}' cannot manage webhooks.");
    }

    [WolverinePost("/api/admin/webhooks", OperationId = "createWebhookSubscription")]
    [EndpointSummary("Subscribe a system to case events (admins).")]
    [EndpointDescription("Deliveries are `POST`s of `{ type, timestamp, data: { caseNumber, serviceId, definitionVersion, version, state, isClosed, outcome, href } }` — never personal data — signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with the `secret` of this answer, which is shown only here. A failing receiver is retried for more than 24 hours; then the delivery is a dead letter and the subscription is paused. Targets on loopback or private networks are refused (`422 private-target`) unless allow-listed, plain http too (`422 https-required`).")]
    [Tags("Admin")]
    [ProducesResponseType<WebhookSubscriptionView>(201)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(403, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(422, "application/problem+json")]
    [Consumes(typeof(WebhookSubscriptionRequest), "application/json")]
    public static async Task<IResult> Create(
        WebhookSubscriptionRequest request, IDocumentSession session, DefinitionCatalog catalog, WebhookTargets targets, WebhookFanOut fanOut,
        TimeProvider time, HttpContext context, CancellationToken ct)
    {
        if (AdminOnly(context) is { } refused) return refused;
        if (RequestValidation.Check(WebhookSubscriptionRequest.Rules, request, context) is { } invalid) return invalid;
        if (request.ServiceId is { } serviceId && catalog.Latest(serviceId) is null)
            return Problems.Problems.Invalid(context, [new FieldError("serviceId", "unknown-service", $"There is no service '{serviceId}'.")], "The subscription names no service of this city.");
        var url = new Uri(request.Url!);
        if (await targets.RefusalAsync(url, ct) is { } refusal)
        {
            var problem = Problems.Problems.Create(422, refusal.Rule, "The engine does not send webhooks there.", refusal.Message, context);
            problem.Extensions["field"] = "url";
            return Results.Json(problem, (System.Text.Json.JsonSerializerOptions?)null, Problems.Problems.ContentType, 422);
        }
        var subscription = new WebhookSubscription
        {
            Id = Guid.NewGuid(), Url = url.ToString(), ServiceId = request.ServiceId, EventTypes = request.EventTypes?.Distinct().ToList() ?? [],
            Secret = WebhookFanOut.NewSecret(), Description = request.Description?.Trim(), CreatedAt = time.GetUtcNow(),
            CreatedBy = context.User.StaffCaller()!.Id,
        };
        session.Store(subscription);
        await session.SaveChangesAsync(ct);
        fanOut.Invalidate();
        return Results.Created($"/api/admin/webhooks/{subscription.Id}", WebhookSubscriptionView.Of(subscription, 0, withSecret: true));
    }

    [WolverineGet("/api/admin/webhooks", OperationId = "listWebhookSubscriptions")]
    [EndpointSummary("The webhook subscriptions, with how their deliveries fare (admins).")]
    [EndpointDescription("Each with `status` (`active` or `paused`, with when and why), the last delivery, the last failure and the number of dead letters. Secrets are not shown.")]
    [Tags("Admin")]
    [ProducesResponseType<WebhookSubscriptionList>(200)]
    [ProducesResponseType<ProblemDetails>(403, "application/problem+json")]
    public static async Task<IResult> List(IQuerySession session, HttpContext context, CancellationToken ct)
    {
        if (AdminOnly(context) is { } refused) return refused;
        var subscriptions = await session.Query<WebhookSubscription>().OrderBy(s => s.CreatedAt).ToListAsync(ct);
        var dead = (await session.Query<WebhookDeadLetter>().Select(d => d.SubscriptionId).ToListAsync(ct)).CountBy(id => id).ToDictionary();
        return Results.Ok(new WebhookSubscriptionList(subscriptions.Select(s => WebhookSubscriptionView.Of(s, dead.GetValueOrDefault(s.Id))).ToList()));
    }

    [WolverineGet("/api/admin/webhooks/{id}", OperationId = "getWebhookSubscription")]
    [EndpointSummary("One webhook subscription (admins).")]
    [EndpointDescription("As in the list; `404` for an id that names none.")]
    [Tags("Admin")]
    [ProducesResponseType<WebhookSubscriptionView>(200)]
    [ProducesResponseType<ProblemDetails>(403, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IResult> Get(string id, IQuerySession session, HttpContext context, CancellationToken ct)
    {
        if (AdminOnly(context) is { } refused) return refused;
        if (await LoadAsync(id, session, ct) is not { } subscription) return NoSubscription(context);
        var dead = await session.Query<WebhookDeadLetter>().CountAsync(d => d.SubscriptionId == subscription.Id, ct);
        return Results.Ok(WebhookSubscriptionView.Of(subscription, dead));
    }

    [WolverineDelete("/api/admin/webhooks/{id}", OperationId = "deleteWebhookSubscription")]
    [EndpointSummary("End a webhook subscription (admins).")]
    [EndpointDescription("Nothing more is sent; deliveries on their way are dropped, and its dead letters are deleted. `204`; `404` for an id that names none.")]
    [Tags("Admin")]
    [ProducesResponseType(204)]
    [ProducesResponseType<ProblemDetails>(403, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IResult> Delete(string id, IDocumentSession session, WebhookFanOut fanOut, HttpContext context, CancellationToken ct)
    {
        if (AdminOnly(context) is { } refused) return refused;
        if (await LoadAsync(id, session, ct) is not { } subscription) return NoSubscription(context);
        session.Delete(subscription);
        session.DeleteWhere<WebhookDeadLetter>(d => d.SubscriptionId == subscription.Id);
        await session.SaveChangesAsync(ct);
        fanOut.Invalidate();
        return Results.NoContent();
    }

    [WolverineGet("/api/admin/webhooks/{id}/dead-letters", OperationId = "listWebhookDeadLetters")]
    [EndpointSummary("The deliveries of a subscription that failed for good (admins).")]
    [EndpointDescription("Oldest first: the case, its version, the event type, the payload, how many attempts, when it gave up and why.")]
    [Tags("Admin")]
    [ProducesResponseType<WebhookDeadLetterList>(200)]
    [ProducesResponseType<ProblemDetails>(403, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IResult> DeadLetters(string id, IQuerySession session, HttpContext context, CancellationToken ct)
    {
        if (AdminOnly(context) is { } refused) return refused;
        if (await LoadAsync(id, session, ct) is not { } subscription) return NoSubscription(context);
        var letters = await session.Query<WebhookDeadLetter>().Where(d => d.SubscriptionId == subscription.Id).OrderBy(d => d.CreatedAt).ThenBy(d => d.Version).ToListAsync(ct);
        return Results.Ok(new WebhookDeadLetterList(subscription.Id, letters));
    }

    [WolverinePost("/api/admin/webhooks/{id}/resume", OperationId = "resumeWebhookSubscription")]
    [EndpointSummary("Resume a paused subscription and send its dead letters again (admins).")]
    [EndpointDescription("Clears the pause and hands every dead letter to the queue again, in the order of the events, with the same `webhook-id` as before (receivers drop what they already have). Answers how many were replayed (`202`).")]
    [Tags("Admin")]
    [ProducesResponseType<WebhookReplay>(202)]
    [ProducesResponseType<ProblemDetails>(403, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IResult> Resume(string id, IDocumentSession session, IMessageBus bus, WebhookFanOut fanOut, HttpContext context, CancellationToken ct)
    {
        if (AdminOnly(context) is { } refused) return refused;
        if (await LoadAsync(id, session, ct) is not { } subscription) return NoSubscription(context);
        var letters = await session.Query<WebhookDeadLetter>().Where(d => d.SubscriptionId == subscription.Id).OrderBy(d => d.CreatedAt).ThenBy(d => d.Version).ToListAsync(ct);
        session.Store(subscription with { Pause = null });
        foreach (var letter in letters)
        {
            session.Delete(letter);
            await bus.PublishAsync(new WebhookDelivery(letter.Id, subscription.Id, letter.CaseNumber, letter.Version, letter.EventType, letter.Payload, letter.CreatedAt, 1));
        }
        await session.SaveChangesAsync(ct);
        fanOut.Invalidate();
        return Results.Json(new WebhookReplay(subscription.Id, letters.Count), statusCode: 202);
    }

    private static async Task<WebhookSubscription?> LoadAsync(string id, IQuerySession session, CancellationToken ct) =>
        Guid.TryParse(id, out var guid) ? await session.LoadAsync<WebhookSubscription>(guid, ct) : null;

    private static IResult NoSubscription(HttpContext context) => Problems.Problems.NotFound(context, "There is no such webhook subscription.");
}
