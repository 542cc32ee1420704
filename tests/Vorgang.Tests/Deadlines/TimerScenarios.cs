using Alba;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vorgang.Api.Hosting;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Cases;
using Wolverine.Persistence.Durability.ScheduledMessageManagement;
using Wolverine.Runtime;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Tests.Deadlines;

/// <summary>
/// Letting time pass for the engine's timers without waiting days: the clock moves, and every stored timer is made
/// due at once in Wolverine's own store. A timer delivered before its moment on the engine's clock schedules itself
/// again for the rest, so only those due by the new time act — through the real durable path (poll, deliver, handle).
/// </summary>
public static class TimerScenarios
{
    public const string MessageType = "case_timer";

    /// <summary>Moves the clock to <paramref name="moment"/> (Europe/Berlin local date and time) and waits until every timer due by then has fired.</summary>
    public static Task AdvanceTo(this IAlbaHost host, TestClock clock, DateOnly date, TimeOnly time) =>
        host.AdvanceTo(clock, BerlinClock.At(date, time));

    public static async Task AdvanceTo(this IAlbaHost host, TestClock clock, DateTimeOffset moment)
    {
        clock.SetUtcNow(moment);
        var scheduled = host.Services.GetRequiredService<IWolverineRuntime>().Storage.ScheduledMessages;
        var found = await scheduled.QueryAsync(new ScheduledMessageQuery { MessageType = MessageType, PageSize = 10_000 }, CancellationToken.None);
        foreach (var message in found.Messages)
            await scheduled.RescheduleAsync(message.Id, DateTimeOffset.UtcNow.AddSeconds(-1), CancellationToken.None);
        await host.WaitForTimers();
    }

    /// <summary>Stored timers, due or not.</summary>
    public static async Task<int> ScheduledTimers(this IAlbaHost host)
    {
        var scheduled = host.Services.GetRequiredService<IWolverineRuntime>().Storage.ScheduledMessages;
        return (await scheduled.QueryAsync(new ScheduledMessageQuery { MessageType = MessageType, PageSize = 10_000 }, CancellationToken.None)).TotalCount;
    }

    /// <summary>Waits until no timer is due and none is being handled (the inbox row of a handled one is gone or marked handled).</summary>
    public static async Task WaitForTimers(this IAlbaHost host, TimeSpan? timeout = null)
    {
        var dataSource = host.Services.GetRequiredService<NpgsqlDataSource>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var quietPolls = 0;
        while (true)
        {
            await using var command = dataSource.CreateCommand(
                $"select count(*) from {VorgangSetup.Schema}.wolverine_incoming_envelopes where message_type = $1 " +
                "and (status = 'Incoming' or (status = 'Scheduled' and execution_time <= now()))");
            command.Parameters.AddWithValue(MessageType);
            var busy = (long)(await command.ExecuteScalarAsync())!;
            // Twice quiet in a row: a timer handled at the edge of a poll may have scheduled the next one.
            quietPolls = busy == 0 ? quietPolls + 1 : 0;
            if (quietPolls == 2) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{busy} timer(s) still due or being handled after {timeout ?? TimeSpan.FromSeconds(30)}.");
            await Task.Delay(100);
        }
    }
}
