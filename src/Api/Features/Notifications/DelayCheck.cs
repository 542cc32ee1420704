using System.Security.Cryptography;
using System.Text;
using JasperFx.Core;
using Marten;
using Vorgang.Api.Features.Privacy;
using Vorgang.Projections.Forecasts;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Notifications;
using Wolverine;

namespace Vorgang.Api.Features.Notifications;

/// <summary>
/// Look whether the case's expected completion now passes its legal due date <paramref name="DueOn"/>, and if so tell the
/// citizen once (decision 52). Scheduled for the first day the service norms' forecast passes the due date.
/// </summary>
[Wolverine.Attributes.MessageIdentity("delay_check")]
public sealed record DelayCheck(string CaseNumber, DateOnly DueOn, DateTimeOffset At);

public static class DelayChecks
{
    public const string Queue = "delay-checks";

    public static void AddDelayChecks(this WolverineOptions options) =>
        options.PublishMessage<DelayCheck>().ToLocalQueue(Queue).UseDurableInbox();

    /// <summary>
    /// When the due date is set or moves, or the clock runs again, or the case enters another state: the check for the
    /// first day the forecast by the service norms passes the due date (at once when that day has come).
    /// </summary>
    public static async ValueTask ScheduleAsync(IMessageBus bus, ProcessDefinition definition, Case after, IReadOnlyList<object> events, DateTimeOffset now)
    {
        if (after.IsClosed || after.ClockStopped || after.DueOn is not { } due) return;
        if (!events.Any(e => e is CaseSubmitted or DeadlineResumed or DeadlineExtended or ICaseTransition)) return;
        var remaining = ServiceNorms.RemainingWorkingDays(definition, after.State) ?? 0;
        // From the working day after startBy on, today + remaining working days lies past the due date.
        var firstLate = WorkingDays.Add(WorkingDays.Subtract(due, remaining), 1);
        var at = BerlinClock.At(firstLate, CaseTimers.Morning);
        var check = new DelayCheck(after.Id, due, at);
        if (at <= now) await bus.PublishAsync(check);
        else await bus.ScheduleAsync(check, at - now);
    }

    /// <summary>The delay notice's key: one per case and due date, whatever event or check found it.</summary>
    public static Guid NoticeId(string caseNumber, DateOnly due) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"delay\n{caseNumber}\n{due:yyyy-MM-dd}"))[..16]);
}

/// <summary>
/// Asks the forecast the citizen's status page shows (<see cref="CitizenOutlooks"/>): when it passes the legal due date,
/// the delay notice is sent — keyed by case and due date, so a second check, a redelivery or a check after another
/// change sends nothing more. Not late yet (the history is faster than the norms): looks again the next working day,
/// until the due date.
/// </summary>
public static class DelayCheckHandler
{
    public static async Task Handle(DelayCheck check, IDocumentSession session, IMessageBus bus, DefinitionCatalog catalog, CitizenOutlooks outlooks,
        TimeProvider time, ILogger<DelayCheck> logger, CancellationToken ct)
    {
        var state = await session.LoadAsync<Case>(check.CaseNumber, ct);
        // Moved on: closed, waiting for the citizen, or a new due date (which scheduled its own check).
        if (state is null || state.IsClosed || state.ClockStopped || state.DueOn != check.DueOn) return;
        if (catalog.Get(state.ServiceId, state.DefinitionVersion) is not { } definition) return;
        var now = time.GetUtcNow();
        var today = BerlinClock.DateOf(now);
        var outlook = await outlooks.ForAsync(definition, state, today, state.Language, ct);
        if (outlook?.Delay is { Reason: "legal-deadline" })
        {
            logger.LogInformation("Case {CaseNumber} is expected after its due date {DueOn}: delay notice.", check.CaseNumber, check.DueOn);
            await bus.PublishAsync(new SendNotification(check.CaseNumber, DelayChecks.NoticeId(check.CaseNumber, check.DueOn), state.Version,
                NotificationTriggers.Delay, state.State));
            // The handler's session is enlisted in the outbox: the message is stored with its commit.
            await session.SaveChangesAsync(ct);
            return;
        }
        if (today >= check.DueOn) return;
        var next = BerlinClock.At(WorkingDays.Add(today, 1), CaseTimers.Morning);
        await bus.ScheduleAsync(check with { At = next }, next - now);
        await session.SaveChangesAsync(ct);
    }
}
