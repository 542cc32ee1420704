using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using JasperFx.Core;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Marten;
using MimeKit;
using Vorgang.Api.Features.Casework;
using Vorgang.Api.Features.Deadlines;
using Vorgang.Api.Features.Letters;
using Vorgang.Api.Features.Privacy;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Notifications;
using Vorgang.Workflows.Privacy;
using Wolverine;
using Wolverine.ErrorHandling;
using Wolverine.Runtime.Handlers;

namespace Vorgang.Api.Features.Notifications;

/// <summary>
/// Send the citizen the mail for <paramref name="Trigger"/> caused by the event <paramref name="EventId"/> (at
/// <paramref name="EventVersion"/> of the case). Published with the events, on the bus whose outbox commits with their
/// session (decision 51).
/// </summary>
[Wolverine.Attributes.MessageIdentity("send_notification")]
public sealed record SendNotification(string CaseNumber, Guid EventId, long EventVersion, string Trigger, string State)
{
    /// <summary>The key of the mail: one per event and trigger, the same on every delivery of this message.</summary>
    public string Id => $"{EventId:N}.{Trigger}";
}

/// <summary>What was sent for one <see cref="SendNotification"/> (keyed by its <see cref="SendNotification.Id"/>): a redelivery finds it and sends nothing.</summary>
public sealed record NotificationSent(string Id, string CaseNumber, string Trigger, string MessageId, string Outcome, DateTimeOffset At);

/// <summary>Where mails go: <c>Vorgang:Mail:Smtp:Host</c>/<c>Port</c>, the sender <c>Vorgang:Mail:From</c>, and the domain of Message-IDs.</summary>
public sealed class MailSettings(IConfiguration configuration)
{
    public const string HostKey = "Vorgang:Mail:Smtp:Host", PortKey = "Vorgang:Mail:Smtp:Port", FromKey = "Vorgang:Mail:From",
        FromNameKey = "Vorgang:Mail:FromName", TimeoutKey = "Vorgang:Mail:Smtp:TimeoutSeconds";

    /// <summary>Without a host no mail is planned at all: an engine without a mail server stores no messages it could never send.</summary>
    public string? Host => configuration[HostKey] is { Length: > 0 } host ? host : null;
    public bool Enabled => Host is not null;
    public int Port => configuration.GetValue(PortKey, 25);
    public string From => configuration[FromKey] is { Length: > 0 } from ? from : "noreply@vorgang.example";
    public string FromName => configuration[FromNameKey] is { Length: > 0 } name ? name : "Stadtverwaltung";
    public TimeSpan Timeout => TimeSpan.FromSeconds(configuration.GetValue(TimeoutKey, 30.0));
    public string Domain => From.Contains('@') ? From[(From.LastIndexOf('@') + 1)..] : "vorgang.example";
    public string PublicUrl => configuration[ReceiptEndpoints.PublicUrlKey] is { Length: > 0 } url ? url.TrimEnd('/') : "http://localhost:8080";

    public string MessageId(SendNotification notification) => $"{notification.EventId:N}.{notification.Trigger}@{Domain}";
}

/// <summary>The mails of a change are planned with its events and stored in the same transaction (decision 51).</summary>
public static class NotificationSchedule
{
    public const string Queue = "notifications";

    /// <summary>A durable local queue: the messages wait in PostgreSQL, not in memory, until they are sent.</summary>
    public static void AddNotifications(this WolverineOptions options) =>
        options.PublishMessage<SendNotification>().ToLocalQueue(Queue).UseDurableInbox();

    /// <summary>Publishes a <see cref="SendNotification"/> for each event of <paramref name="events"/> a citizen should hear of.</summary>
    /// <param name="previousVersion">The case's version before <paramref name="events"/> (0 for a new case).</param>
    public static async ValueTask PublishAsync(IMessageBus bus, ProcessDefinition definition, string caseNumber, long previousVersion, IReadOnlyList<JasperFx.Events.IEvent> events)
    {
        var planned = NotificationPlan.Plan(definition, events.Select(e => e.Data).ToList());
        foreach (var p in planned)
        {
            var version = previousVersion + p.EventIndex + 1;
            await bus.PublishAsync(new SendNotification(caseNumber, EventId(events[p.EventIndex], caseNumber, version), version, p.Trigger, p.State));
        }
    }

    /// <summary>Marten's id of the event, or (should the store assign it only at commit) one derived from the case and version.</summary>
    private static Guid EventId(JasperFx.Events.IEvent e, string caseNumber, long version) =>
        e.Id != Guid.Empty ? e.Id : new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"{caseNumber}\n{version}"))[..16]);
}

/// <summary>An SMTP server refused for now (4xx), or could not be reached: Wolverine tries again later.</summary>
public sealed class MailDeferredException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Sends one mail over SMTP with MailKit. A 5xx reply is a <see cref="SmtpCommandException"/> the handler records; anything transient is a <see cref="MailDeferredException"/>.</summary>
public sealed class Mailer(MailSettings settings)
{
    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        using var client = new SmtpClient { Timeout = (int)settings.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(settings.Host ?? "localhost", settings.Port, SecureSocketOptions.Auto, ct);
            await client.SendAsync(message, ct);
            await client.DisconnectAsync(true, ct);
        }
        catch (SmtpCommandException e) when ((int)e.StatusCode >= 500)
        {
            throw;
        }
        catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or SocketException or IOException or TimeoutException or ServiceNotConnectedException)
        {
            throw new MailDeferredException($"The mail server did not take the mail now: {e.Message}", e);
        }
    }
}

/// <summary>
/// Renders and sends one notification, exactly once per event and trigger (decision 51): a mail already recorded is
/// not sent again; a mail sent but not yet recorded (the engine died in between) is sent again with the same
/// Message-ID, which receivers deduplicate. A permanent refusal appends <c>notification_undeliverable</c>.
/// </summary>
public static class SendNotificationHandler
{
    /// <summary>Transient failures wait and try again, for about a day in all; a caseworker acting at the same moment as a refusal is recorded retries at once.</summary>
    public static void Configure(HandlerChain chain)
    {
        chain.OnException<MailDeferredException>()
            .RetryWithCooldown(1.Seconds(), 5.Seconds(), 30.Seconds())
            .Then.ScheduleRetry(2.Minutes(), 10.Minutes(), 30.Minutes(), 1.Hours(), 2.Hours(), 4.Hours(), 8.Hours(), 8.Hours())
            .Then.MoveToErrorQueue();
        chain.OnException<JasperFx.ConcurrencyException>().Or<CaseChangedMeanwhileException>()
            .RetryWithCooldown(100.Milliseconds(), 500.Milliseconds(), 2.Seconds());
    }

    public static async Task Handle(
        SendNotification notification, Wolverine.Envelope envelope, IDocumentSession session, IMessageBus bus, CaseWriter writer,
        DefinitionCatalog catalog, PersonalDataVault vault, MailSettings settings, Mailer mailer, TimeProvider time,
        ILogger<SendNotification> logger, CancellationToken ct)
    {
        if (await session.LoadAsync<NotificationSent>(notification.Id, ct) is not null) return;
        var messageId = settings.MessageId(notification);

        var stored = await session.LoadAsync<Case>(notification.CaseNumber, ct);
        var definition = stored is null ? null : catalog.Get(stored.ServiceId, stored.DefinitionVersion);
        var key = stored is null ? null : await vault.KeyAsync(session, stored.Id, ct);
        // After an erasure the key is gone: no address, no name, no mail. That is what erasure means.
        var opened = stored is null || key is null ? null : PersonalData.OpenCase(stored, key);
        var address = opened is null || definition is null ? null : Address(definition, opened);
        if (settings.Host is null || address is null || definition is null || opened is null)
        {
            var why = settings.Host is null ? "no mail server configured" : address is null ? "no e-mail address (or it was erased)" : "no such case";
            logger.LogInformation("Notification {Trigger} for case {CaseNumber}: not sent, {Reason}.", notification.Trigger, notification.CaseNumber, why);
            session.Store(new NotificationSent(notification.Id, notification.CaseNumber, notification.Trigger, messageId, "skipped", time.GetUtcNow()));
            await session.SaveChangesAsync(ct);
            return;
        }

        var message = Compose(definition, opened, notification, settings, address, messageId);
        try
        {
            await mailer.SendAsync(message, ct);
        }
        catch (SmtpCommandException refused)
        {
            // Refused for good: tell the caseworker, through the one write path, and remember it with the same commit.
            var record = new NotificationSent(notification.Id, notification.CaseNumber, notification.Trigger, messageId, "undeliverable", time.GetUtcNow());
            var change = await writer.ChangeAsync(session, bus, new CaseCommand(notification.CaseNumber, null, CaseCause.Of(envelope)), authorize: null,
                c => ValueTask.FromResult(new CaseDecision([new NotificationUndeliverable(notification.CaseNumber, notification.Trigger,
                    notification.EventId, messageId, (int)refused.StatusCode, refused.Message.Trim(), c.Now)]) { Alongside = s => s.Store(record) }), ct);
            if (change.Result == CaseChangeResult.Conflict) throw new CaseChangedMeanwhileException(notification.CaseNumber);
            logger.LogWarning("Notification {Trigger} for case {CaseNumber} refused by the mail server: {Status}.", notification.Trigger, notification.CaseNumber, (int)refused.StatusCode);
            return;
        }
        session.Store(new NotificationSent(notification.Id, notification.CaseNumber, notification.Trigger, messageId, "sent", time.GetUtcNow()));
        await session.SaveChangesAsync(ct);
        logger.LogInformation("Notification {Trigger} for case {CaseNumber} sent as {MessageId}.", notification.Trigger, notification.CaseNumber, messageId);
    }

    /// <summary>The form's first e-mail field with a value. (A citizen account gives no address: its tokens carry only issuer, subject and name.)</summary>
    public static string? Address(ProcessDefinition definition, Case opened) =>
        definition.Form.Where(f => f.Type == "email")
            .Select(f => opened.Data[f.Id] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var text) ? text.Trim() : null)
            .FirstOrDefault(a => !string.IsNullOrEmpty(a) && MailboxAddress.TryParse(a, out _));

    /// <summary>The name a mail greets: the account's or the assisted applicant's name, else the form's first and last name.</summary>
    public static string Name(Case opened, string language)
    {
        if (opened.Applicant?["name"] is System.Text.Json.Nodes.JsonValue n && n.TryGetValue<string>(out var applicant) && applicant.Length > 0) return applicant;
        string? Field(string id) => opened.Data[id] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var t) ? t : null;
        var name = string.Join(' ', new[] { Field("firstName"), Field("lastName") }.Where(x => !string.IsNullOrWhiteSpace(x)));
        return name.Length > 0 ? name : Field("name") ?? (language == "en" ? "Sir or Madam" : "Damen und Herren");
    }

    /// <summary>The placeholders' values for a case; the due date is the one the citizen's status page shows.</summary>
    public static Dictionary<string, string> Values(ProcessDefinition definition, Case opened, string trigger, string state, string language, string publicUrl)
    {
        // The legal due date for a delay; the date by which the citizen should answer for the rest.
        var by = trigger != NotificationTriggers.Delay && definition.State(state)?.Timeout is { } timeout
            ? WorkingDays.Add(BerlinClock.DateOf(opened.LastChangedAt), timeout.AfterWorkingDays)
            : opened.DueOn;
        return new()
        {
            ["name"] = Name(opened, language),
            ["service"] = definition.Title.For(language),
            ["caseNumber"] = opened.Id,
            ["statusUrl"] = publicUrl + (language == "en" ? "/en/track/" : "/track/") + opened.Id,
            ["dueDate"] = by is { } date ? date.ToString(language == "en" ? "d MMMM yyyy" : "d. MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo(language == "en" ? "en-GB" : "de-DE")) : "",
        };
    }

    private static MimeMessage Compose(ProcessDefinition definition, Case opened, SendNotification notification, MailSettings settings, string address, string messageId)
    {
        var language = opened.Language is "en" ? "en" : "de";
        var rendered = NotificationPlan.Render(NotificationPlan.Template(definition, notification.Trigger, notification.State), language,
            Values(definition, opened, notification.Trigger, notification.State, language, settings.PublicUrl));
        var message = new MimeMessage { Subject = rendered.Subject, MessageId = messageId, Body = new TextPart("plain") { Text = rendered.Body } };
        message.From.Add(new MailboxAddress(settings.FromName, settings.From));
        message.To.Add(MailboxAddress.Parse(address));
        message.Headers.Add("Content-Language", language);
        message.Headers.Add("Auto-Submitted", "auto-generated");
        return message;
    }
}
