using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vorgang.Api.Features.Notifications;
using Vorgang.Tests.Infrastructure;
using Vorgang.Tests.Resilience;
using Xunit.Abstractions;

namespace Vorgang.Tests.Notifications;

/// <summary>
/// The kill test: the engine commits the events and their mails' messages, the mail server holds the mails unanswered,
/// the engine is killed (SIGKILL) and started again. Every event's mail arrives — and as one Message-ID, however
/// often it was handed over.
/// </summary>
[Collection(ResilienceCollection.Name)]
public sealed class NotificationCrashTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Cases = 3;
    private string _connectionString = "";
    private readonly TestSmtpServer _smtp = new();

    public async Task InitializeAsync() => _connectionString = await TestDatabase.CreateDatabaseAsync("mailcrash");

    public async Task DisposeAsync() => await _smtp.DisposeAsync();

    [Fact]
    public async Task Killing_the_engine_between_commit_and_send_still_delivers_exactly_one_mail_per_event()
    {
        var addresses = Enumerable.Range(0, Cases).Select(i => $"citizen{i}.{Guid.NewGuid():N}@example.org").ToList();
        var caseNumbers = new List<string>();
        _smtp.Hold();
        var engine = await EngineProcess.StartAsync(Environment());
        try
        {
            var service = await engine.Http.GetFromJsonAsync<JsonObject>("/api/services/change-of-address");
            foreach (var address in addresses)
            {
                var data = (JsonObject)service!["example"]!.DeepClone();
                data["email"] = address;
                using var response = await engine.Http.PostAsJsonAsync("/api/services/change-of-address/cases", new JsonObject { ["data"] = data, ["language"] = "de" });
                Assert.Equal(201, (int)response.StatusCode);
                caseNumbers.Add((string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["caseNumber"]!);
            }
            // The events are committed; the mails are handed over but the server has not answered.
            // (As many at once as the queue sends in parallel; the others wait in the inbox.)
            for (var i = 0; i < 200 && _smtp.Held == 0; i++) await Task.Delay(100);
            await Task.Delay(500);
            Assert.True(_smtp.Held > 0, "the mail server holds a mail");
            Assert.Empty(_smtp.Messages);
        }
        finally
        {
            engine.Kill();
            output.WriteLine(engine.Output);
            await engine.DisposeAsync();
        }

        // The server now takes what it held, as a slow server would: the engine never heard that it did.
        _smtp.Release();
        await using var restarted = await EngineProcess.StartAsync(Environment());
        var received = await _smtp.WaitFor(all => caseNumbers.All(n => all.Any(m => m.Subject?.Contains(n) == true))
            && all.Count > all.Select(m => m.MessageId).Distinct().Count(), TimeSpan.FromSeconds(90));
        // A moment for any further copy.
        await Task.Delay(TimeSpan.FromSeconds(3));
        received = _smtp.Messages;
        output.WriteLine(string.Join('\n', received.Select(m => $"{m.MessageId} {m.Subject}")));

        foreach (var (caseNumber, address) in caseNumbers.Zip(addresses))
        {
            var mine = received.Where(m => m.To.Mailboxes.Single().Address == address).ToList();
            Assert.NotEmpty(mine);
            // Sent again after the restart, under the same Message-ID: receivers keep one.
            var messageId = Assert.Single(mine.Select(m => m.MessageId).Distinct());
            Assert.EndsWith(".submitted@jena.example", messageId);
            Assert.All(mine, m => Assert.Contains(caseNumber, m.Subject));
        }
        Assert.Equal(Cases, received.Select(m => m.MessageId).Distinct().Count());
        Assert.True(received.Count > Cases, "the held mails were sent again after the restart");
    }

    private Dictionary<string, string> Environment() => new()
    {
        ["ConnectionStrings__Marten"] = _connectionString,
        ["Vorgang__Auth__DevelopmentKey"] = AppFixture.DevelopmentKey,
        ["Vorgang__RateLimits__PerClientPerMinute"] = "0",
        [MailSettings.HostKey.Replace(":", "__")] = "127.0.0.1",
        [MailSettings.PortKey.Replace(":", "__")] = _smtp.Port.ToString(),
        [MailSettings.FromKey.Replace(":", "__")] = "noreply@jena.example",
        // Longer than the test holds the mails: the engine waits for the answer until it is killed.
        [MailSettings.TimeoutKey.Replace(":", "__")] = "300",
    };
}
