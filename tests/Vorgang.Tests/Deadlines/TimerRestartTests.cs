using System.Text.Json.Nodes;
using Alba;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vorgang.Api.Security;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Cases;
using Wolverine;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Tests.Deadlines;

/// <summary>Timers live in PostgreSQL, not in the engine's memory: one set before a restart fires after it — once.</summary>
[Collection(AppCollection.Name)]
public sealed class TimerRestartTests : IAsyncLifetime
{
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        // A database of its own, so that these engines never share Wolverine's tables with the main test host.
        _connectionString = await TestDatabase.CreateDatabaseAsync("timers");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_reminder_set_before_a_restart_fires_once_after_it()
    {
        string caseNumber;
        var clock = new TestClock();
        await using (var engine = await StartEngine(clock))
        {
            clock.SetUtcNow(BerlinClock.At(new DateOnly(2026, 3, 30), new TimeOnly(9, 0)));
            var data = await engine.Example("change-of-address");
            data["landlordConfirmationAvailable"] = false;
            data.Remove("landlordName");
            caseNumber = (await engine.Submit("change-of-address", data)).CaseNumber;
            var anna = Token(engine, "anna");
            await engine.Act(caseNumber, anna, "start-review");
            clock.SetUtcNow(BerlinClock.At(new DateOnly(2026, 4, 2), new TimeOnly(9, 0)));
            await engine.Act(caseNumber, anna, "request-landlord-confirmation", new JsonObject { ["message"] = "Bitte Bestätigung senden." });
            Assert.True(await engine.ScheduledTimers() >= 4);
        }

        // A new engine process on the same database: the reminder is due on Monday 13 April.
        var later = new TestClock();
        await using (var engine = await StartEngine(later))
        {
            Assert.True(await engine.ScheduledTimers() >= 4, "the timers outlived the engine that set them");
            await engine.AdvanceTo(later, new DateOnly(2026, 4, 13), new TimeOnly(8, 0));
            Assert.Equal(1, await Reminders(engine, caseNumber));
        }

        // And after one more restart, nothing fires twice.
        var evenLater = new TestClock();
        await using (var engine = await StartEngine(evenLater))
        {
            await engine.AdvanceTo(evenLater, new DateOnly(2026, 4, 14), new TimeOnly(8, 0));
            Assert.Equal(1, await Reminders(engine, caseNumber));
        }
    }

    private static async Task<int> Reminders(IAlbaHost engine, string caseNumber)
    {
        await using var session = engine.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = await session.Events.FetchStreamAsync(caseNumber);
        return events.Count(e => e.Data is CitizenReminded);
    }

    private static string Token(IAlbaHost engine, string subject) =>
        StaffAuth.MintToken(engine.Services.GetRequiredService<IConfiguration>(), "caseworker", "registration-office", "Anna Schmidt", subject, TimeSpan.FromHours(1));

    private Task<IAlbaHost> StartEngine(TestClock clock) => AlbaHost.For<Program>(x =>
    {
        x.UseSetting("ConnectionStrings:Marten", _connectionString);
        x.UseSetting("Vorgang:Auth:DevelopmentKey", AppFixture.DevelopmentKey);
        x.UseSetting("Vorgang:TrackingCodeSecret", "test-tracking-secret");
        x.ConfigureServices(services =>
        {
            services.DisableAllExternalWolverineTransports();
            services.RunWolverineInSoloMode();
            services.MartenDaemonModeIsSolo();
            services.AddSingleton<TimeProvider>(clock);
            services.ConfigureWolverine(options => options.Durability.ScheduledJobPollingTime = TimeSpan.FromMilliseconds(250));
        });
    });
}
