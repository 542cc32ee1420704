using System.Text.Json.Nodes;
using Alba;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Vorgang.Api.Features.Notifications;
using Vorgang.Api.Security;
using Vorgang.Tests.Infrastructure;
using Wolverine;
using Wolverine.Persistence.Durability.ScheduledMessageManagement;
using Wolverine.Runtime;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Tests.Notifications;

/// <summary>An engine host (Alba, real PostgreSQL) whose mails go to a real SMTP server in the test process.</summary>
public sealed class MailFixture : IAsyncLifetime
{
    public TestSmtpServer Smtp { get; } = new();
    public TestClock Clock { get; } = new();
    public LockedList<string> Logs { get; } = new();
    public IAlbaHost Host { get; private set; } = null!;
    public const string PublicUrl = "https://portal.jena.example";

    public async Task InitializeAsync()
    {
        var connectionString = await TestDatabase.CreateDatabaseAsync("mail");
        Host = await AlbaHost.For<Program>(x =>
        {
            x.UseSetting("ConnectionStrings:Marten", connectionString);
            x.UseSetting("Vorgang:Auth:DevelopmentKey", AppFixture.DevelopmentKey);
            x.UseSetting("Vorgang:TrackingCodeSecret", "test-tracking-secret");
            x.UseSetting(MasterKey.ConfigurationKey, AppFixture.MasterKey);
            x.UseSetting("Vorgang:RateLimits:PerClientPerMinute", "0");
            x.UseSetting(MailSettings.HostKey, "127.0.0.1");
            x.UseSetting(MailSettings.PortKey, Smtp.Port.ToString());
            x.UseSetting(MailSettings.FromKey, "noreply@jena.example");
            x.UseSetting("Vorgang:PublicUrl", PublicUrl);
            x.ConfigureServices(services =>
            {
                services.DisableAllExternalWolverineTransports();
                services.RunWolverineInSoloMode();
                services.MartenDaemonModeIsSolo();
                services.AddSingleton<TimeProvider>(Clock);
                services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(new CapturingLoggerProvider(Logs));
                services.ConfigureWolverine(options => options.Durability.ScheduledJobPollingTime = TimeSpan.FromMilliseconds(250));
            });
        });
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Smtp.DisposeAsync();
    }

    public string Admin() =>
        StaffAuth.MintToken(Host.Services.GetRequiredService<IConfiguration>(), "admin", null, "Ada Admin", "ada", TimeSpan.FromHours(1));

    public string Token(string subject = "anna") =>
        StaffAuth.MintToken(Host.Services.GetRequiredService<IConfiguration>(), "caseworker", "registration-office", "Anna Schmidt", subject, TimeSpan.FromHours(1));
}

[CollectionDefinition(Name)]
public sealed class MailCollection : ICollectionFixture<MailFixture>
{
    public const string Name = "mail";
}

/// <summary>E-mail notifications end to end: HTTP in, SMTP out, one mail per event, nothing personal beyond the name.</summary>
[Collection(MailCollection.Name)]
public sealed class NotificationTests(MailFixture mail)
{
    private IAlbaHost Host => mail.Host;

    private static string Recipient(string tag) => $"erika.{tag}.{Guid.NewGuid():N}@example.org";

    private async Task<(string CaseNumber, string TrackingCode, JsonObject Data)> Submit(string address)
    {
        var data = await Host.Example("change-of-address");
        data["email"] = address;
        data["landlordConfirmationAvailable"] = false;
        data.Remove("landlordName");
        var accepted = await Host.Submit("change-of-address", data);
        return (accepted.CaseNumber, accepted.TrackingCode, data);
    }

    private async Task<IReadOnlyList<MimeMessage>> MailsTo(string address, int expected)
    {
        var mails = await mail.Smtp.WaitFor(all => all.Count(m => To(m) == address) >= expected);
        // A moment more: a second copy of one would arrive now.
        await Task.Delay(500);
        return mail.Smtp.Messages.Where(m => To(m) == address).ToList();
    }

    private static string To(MimeMessage m) => m.To.Mailboxes.Single().Address;

    [Fact]
    public async Task Submission_request_and_decision_each_send_one_mail_that_links_to_the_status_page_and_holds_nothing_personal_but_the_name()
    {
        var address = Recipient("flow");
        var (caseNumber, trackingCode, data) = await Submit(address);
        var received = await MailsTo(address, 1);
        var submitted = Assert.Single(received);
        Assert.Contains(caseNumber, submitted.Subject);
        Assert.Contains($"{MailFixture.PublicUrl}/track/{caseNumber}", submitted.TextBody);
        Assert.Contains("Erika Mustermann", submitted.TextBody);
        Assert.Equal("noreply@jena.example", submitted.From.Mailboxes.Single().Address);
        Assert.EndsWith(".submitted@jena.example", submitted.MessageId);

        var anna = mail.Token();
        await Host.Act(caseNumber, anna, "start-review");
        Assert.Single(await MailsTo(address, 1)); // a step the citizen need not act on sends nothing
        await Host.Act(caseNumber, anna, "request-landlord-confirmation", new JsonObject { ["message"] = "Bitte Bestätigung senden." });
        received = await MailsTo(address, 2);
        Assert.Equal(2, received.Count);
        var request = received[1];
        var view = await Host.Track(caseNumber, trackingCode);
        var by = DateOnly.Parse((string)view["neededFromYou"]!["by"]!);
        Assert.Contains(by.ToString("d. MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("de-DE")), request.TextBody);
        Assert.EndsWith(".action-needed@jena.example", request.MessageId);

        await Host.Act(caseNumber, anna, "reject", new JsonObject { ["reason"] = "Keine Bestätigung des Vermieters." });
        received = await MailsTo(address, 3);
        Assert.Equal(3, received.Count);
        Assert.EndsWith(".decided@jena.example", received[2].MessageId);
        Assert.Equal(3, received.Select(m => m.MessageId).Distinct().Count());

        // No tracking code, no form value beyond the name, not even the address the mail goes to.
        var personal = new[] { trackingCode, address, (string)data["dateOfBirth"]!, (string)data["previousAddress"]!["street"]!,
            (string)data["newAddress"]!["street"]!, "Keine Bestätigung", "Bitte Bestätigung senden" };
        foreach (var m in received)
        foreach (var value in personal)
        {
            Assert.DoesNotContain(value, m.Subject);
            Assert.DoesNotContain(value, m.TextBody);
        }
    }

    [Fact]
    public async Task English_cases_get_english_mails()
    {
        var address = Recipient("en");
        var data = await Host.Example("change-of-address");
        data["email"] = address;
        var accepted = await Host.Submit("change-of-address", data, language: "en");
        var m = Assert.Single(await MailsTo(address, 1));
        Assert.Contains("We have received", m.Subject);
        Assert.Contains($"{MailFixture.PublicUrl}/en/track/{accepted.CaseNumber}", m.TextBody);
    }

    [Fact]
    public async Task A_message_delivered_twice_sends_one_mail()
    {
        var address = Recipient("twice");
        var (caseNumber, _, _) = await Submit(address);
        var first = Assert.Single(await MailsTo(address, 1));
        await using var session = Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var sent = Assert.Single(await session.Query<NotificationSent>().Where(n => n.CaseNumber == caseNumber).ToListAsync());
        Assert.Equal("sent", sent.Outcome);
        Assert.Equal(first.MessageId, sent.MessageId);

        // The same message again, as a redelivery would bring it.
        var events = await session.Events.FetchStreamAsync(caseNumber);
        var again = new SendNotification(caseNumber, events[0].Id, 1, "submitted", "submitted");
        Assert.Equal(sent.Id, again.Id);
        using var scope = Host.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync(again);
        Assert.Single(await MailsTo(address, 2));
    }

    [Fact]
    public async Task A_permanent_refusal_records_an_undeliverable_notification_the_caseworker_sees()
    {
        var address = Recipient("refused");
        mail.Smtp.Refused.Add(address);
        var (caseNumber, _, _) = await Submit(address);
        var anna = mail.Token();
        JsonNode? view = null;
        for (var i = 0; i < 100 && view?["undeliverableNotifications"] is null; i++)
        {
            await Task.Delay(100);
            view = await Host.StaffCase(caseNumber, anna);
        }
        var undeliverable = Assert.Single(view!["undeliverableNotifications"]!.AsArray());
        Assert.Equal("submitted", (string)undeliverable!["trigger"]!);
        Assert.Equal(550, (int)undeliverable["smtpStatus"]!);
        Assert.DoesNotContain(mail.Smtp.Messages, m => To(m) == address);

        await using var session = Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = await session.Events.FetchStreamAsync(caseNumber);
        Assert.Equal("notification_undeliverable", events[^1].EventTypeName);
        Assert.DoesNotContain(address, System.Text.Json.JsonSerializer.Serialize(events[^1].Data));

        // The workbench's case page says so in German.
        var browser = new Vorgang.Tests.Portal.PortalClient(Host);
        await Vorgang.Tests.Workbench.WorkbenchPagesTests.SignInStaffAsync(browser, "caseworker", "registration-office", "Anna Schmidt");
        await browser.GetAsync($"/staff/cases/{caseNumber}");
        Assert.Equal(200, browser.Status);
        Assert.Contains("E-Mail konnte nicht zugestellt werden", browser.Page.Body!.TextContent);
    }

    [Fact]
    public async Task Without_an_address_no_mail_is_sent()
    {
        var data = await Host.Example("change-of-address");
        data.Remove("email");
        var before = mail.Smtp.Messages.Count;
        var accepted = await Host.Submit("change-of-address", data);
        await using var session = Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        NotificationSent? record = null;
        for (var i = 0; i < 100 && record is null; i++)
        {
            await Task.Delay(100);
            record = await session.Query<NotificationSent>().FirstOrDefaultAsync(n => n.CaseNumber == accepted.CaseNumber);
        }
        Assert.Equal("skipped", record?.Outcome);
        Assert.DoesNotContain(mail.Smtp.Messages.Skip(before), m => m.Subject?.Contains(accepted.CaseNumber) == true);
    }

    [Fact]
    public async Task A_case_expected_after_its_legal_deadline_gets_one_delay_notice()
    {
        try
        {
            mail.Clock.SetUtcNow(BerlinClock.At(new DateOnly(2026, 3, 2), new TimeOnly(9, 0)));
            var address = Recipient("delay");
            var (caseNumber, _, _) = await Submit(address);
            Assert.Single(await MailsTo(address, 1));
            var anna = mail.Token();
            var due = DateOnly.Parse((string)(await Host.StaffCase(caseNumber, anna))["dueOn"]!);

            // Still in "submitted", the norms need 5 more working days: from the 5th working day before the due date on, it will be late.
            await AdvanceTo(BerlinClock.At(WorkingDays.Subtract(due, 6), new TimeOnly(8, 0)));
            Assert.Single(await MailsTo(address, 1));
            await AdvanceTo(BerlinClock.At(WorkingDays.Subtract(due, 4), new TimeOnly(8, 0)));
            var received = await MailsTo(address, 2);
            await using var command = Host.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand(
                "select string_agg(message_type || ' ' || status || ' ' || coalesce(execution_time::text, '-'), '; ') from vorgang.wolverine_incoming_envelopes");
            var envelopes = await command.ExecuteScalarAsync();
            Assert.True(2 == received.Count, envelopes + "\n" + string.Join('\n', mail.Logs.Where(l => (l.Contains("elay") || l.Contains("rror") || l.Contains("xception")) && !l.StartsWith("Debug") && !l.StartsWith("Trace"))));
            var delay = received[1];
            Assert.EndsWith("@jena.example", delay.MessageId);
            Assert.Contains("länger", delay.Subject);
            Assert.Contains(due.ToString("d. MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("de-DE")), delay.TextBody);

            // Another step checks again, and the forecast is still late: the notice for this due date was sent already.
            await Host.Act(caseNumber, anna, "start-review");
            await AdvanceTo(BerlinClock.At(WorkingDays.Subtract(due, 1), new TimeOnly(8, 0)));
            Assert.Equal(2, (await MailsTo(address, 3)).Count);
        }
        finally
        {
            mail.Clock.Reset();
        }
    }

    private async Task AdvanceTo(DateTimeOffset moment)
    {
        mail.Clock.SetUtcNow(moment);
        var scheduled = Host.Services.GetRequiredService<IWolverineRuntime>().Storage.ScheduledMessages;
        var found = await scheduled.QueryAsync(new ScheduledMessageQuery { MessageType = "delay_check", PageSize = 10_000 }, CancellationToken.None);
        foreach (var message in found.Messages)
            await scheduled.RescheduleAsync(message.Id, DateTimeOffset.UtcNow.AddSeconds(-1), CancellationToken.None);
        await Task.Delay(1500);
    }

    [Fact]
    public async Task Admins_preview_every_mail_of_a_version_with_sample_values()
    {
        var admin = mail.Admin();
        var (status, body, _) = await Host.Send(HttpMethod.Get, "/api/admin/services/change-of-address/versions/3/notifications/preview", token: admin);
        Assert.Equal(200, status);
        var previews = body!.AsArray();
        var submitted = previews.Single(p => (string)p!["trigger"]! == "submitted" && (string)p["language"]! == "de");
        Assert.Equal("definition", (string)submitted!["source"]!);
        Assert.Contains("2026-000123", (string)submitted["subject"]!);
        Assert.Contains("Erika Mustermann", (string)submitted["body"]!);
        Assert.Contains(previews, p => (string)p!["trigger"]! == "decided" && (string?)p["state"] == "registered");
        Assert.Contains(previews, p => (string)p!["trigger"]! == "delay" && (string)p["source"]! == "default");
        Assert.DoesNotContain(previews, p => ((string)p!["body"]!).Contains('{'));

        (status, body, _) = await Host.Send(HttpMethod.Get, "/api/admin/services/change-of-address/versions/1/notifications/preview?trigger=action-needed&lang=en", token: admin);
        Assert.Equal(200, status);
        var one = Assert.Single(body!.AsArray());
        Assert.Equal("default", (string)one!["source"]!);
        Assert.Contains("Please answer by 30 April 2026", (string)one["body"]!);

        (status, body, _) = await Host.Send(HttpMethod.Get, "/api/admin/services/change-of-address/versions/3/notifications/preview?trigger=nope&state=nowhere", token: admin);
        Assert.Equal(400, status);
        Assert.Equal(new[] { "trigger", "state" }, body!["violations"]!.AsArray().Select(v => (string)v!["field"]!));
        (status, body, _) = await Host.Send(HttpMethod.Get, "/api/admin/services/change-of-address/versions/3/notifications/preview", token: mail.Token());
        Assert.Equal(403, status);
        Assert.Equal("role-not-allowed", (string)body!["rule"]!);
        (status, _, _) = await Host.Send(HttpMethod.Get, "/api/admin/services/change-of-address/versions/9/notifications/preview", token: admin);
        Assert.Equal(404, status);
    }
}
