using JasperFx;
using JasperFx.Core;
using Marten;
using Vorgang.Api.Features.Casework;
using Vorgang.Api.Features.Privacy;
using Vorgang.Api.Telemetry;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;
using Vorgang.Workflows.Definitions;
using Wolverine;
using Wolverine.ErrorHandling;
using Wolverine.Runtime.Handlers;

namespace Vorgang.Api.Features.Deadlines;

/// <summary>
/// Timers are durable scheduled messages to the engine itself (<see cref="CaseTimer"/>): stored with the events that set
/// them (Wolverine's outbox in the same Marten transaction), kept in PostgreSQL until they are due, so they survive a
/// restart, and delivered by the first engine instance that polls for due messages.
/// </summary>
public static class CaseTimerSchedule
{
    public const string Queue = "case-timers";

    /// <summary>Routes timers to a durable local queue: an inbox in PostgreSQL rather than memory.</summary>
    public static void AddCaseTimers(this WolverineOptions options) =>
        options.PublishMessage<CaseTimer>().ToLocalQueue(Queue).UseDurableInbox();

    /// <summary>
    /// Schedules the timers on the bus whose outbox holds the session of the events that set them, so that they are stored
    /// in the same transaction — or not at all. The delay is measured on the engine's clock, which tests may replace.
    /// </summary>
    public static async ValueTask ScheduleAsync(IMessageBus bus, IReadOnlyList<CaseTimer> timers, DateTimeOffset now)
    {
        foreach (var timer in timers)
            await bus.ScheduleAsync(timer, timer.FireAt - now);
    }
}

/// <summary>
/// A due timer: loads the case and acts only if it is still in the situation the timer was set for (<see cref="CaseTimers.Fire"/>),
/// appending the effect through the <see cref="CaseWriter"/> — a reminder, an escalation, the system action of a timeout, or
/// the erasure when the retention period ends — stamped with the timer message's correlation and id. A timer delivered
/// twice, or one whose case moved on, does nothing.
/// </summary>
public static class CaseTimerHandler
{
    /// <summary>A caseworker acting at the same moment wins the optimistic check; the timer then retries against the new state.</summary>
    public static void Configure(HandlerChain chain) =>
        chain.OnException<ConcurrencyException>().Or<CaseChangedMeanwhileException>()
            .RetryWithCooldown(100.Milliseconds(), 500.Milliseconds(), 2.Seconds());

    public static async Task Handle(
        CaseTimer timer, Envelope envelope, IDocumentSession session, IMessageBus bus, CaseWriter writer, TimeProvider time,
        ILogger<CaseTimer> logger, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (now < timer.FireAt)
        {
            // Delivered before its time (clocks of several hosts disagree): wait for the rest. The outbox stores it on save.
            await bus.ScheduleAsync(timer, timer.FireAt - now);
            await session.SaveChangesAsync(ct);
            return;
        }

        var cause = CaseCause.Of(envelope);
        if (timer.Kind == CaseTimerKinds.Retention)
        {
            await EraseAsync(timer, writer, session, bus, cause, logger, ct);
            return;
        }

        var change = await writer.ChangeAsync(session, bus, new CaseCommand(timer.CaseNumber, ExpectedVersion: null, cause), authorize: null, async c =>
        {
            var since = timer.Kind is CaseTimerKinds.Reminder or CaseTimerKinds.Timeout && c.State.Version > timer.Version
                ? (await c.Session.Events.FetchStreamAsync(timer.CaseNumber, fromVersion: timer.Version + 1, token: ct)).Select(e => e.Data).ToList()
                : [];
            var outcome = CaseTimers.Fire(c.Definition, c.State, timer, since, c.Now, BerlinClock.DateOf(c.Now));
            return outcome.SkippedBecause is { } reason ? CaseDecision.Skip(reason) : new CaseDecision(outcome.Events);
        }, ct);

        switch (change.Result)
        {
            case CaseChangeResult.NoCase:
                logger.LogWarning("Timer {Kind} for case {CaseNumber}: no such case (or definition); nothing to do.", timer.Kind, timer.CaseNumber);
                return;
            case CaseChangeResult.Conflict:
                throw new CaseChangedMeanwhileException(timer.CaseNumber);
            case CaseChangeResult.Skipped:
                VorgangTelemetry.TimersFired.Add(1, new("kind", timer.Kind), new("acted", false));
                logger.LogInformation("Timer {Kind} for case {CaseNumber} (set at version {Version}) does nothing: {Reason}.", timer.Kind, timer.CaseNumber, timer.Version, change.SkippedBecause);
                return;
        }

        VorgangTelemetry.TimersFired.Add(1, new("kind", timer.Kind), new("acted", true));
        var definition = change.Definition!;
        if (timer.Kind == CaseTimerKinds.Timeout && change.Events.OfType<ICaseTransition>().FirstOrDefault() is { } step)
            VorgangTelemetry.ActionsTaken.Add(1, new("service", definition.Id), new("action", step.ActionId), new("role", Roles.System));
        logger.LogInformation("Timer {Kind} for case {CaseNumber} appended {Events}.", timer.Kind, timer.CaseNumber,
            string.Join(", ", change.Events.Select(e => CaseEventTypes.Names.GetValueOrDefault(e.GetType()) ?? e.GetType().Name)));
    }

    private static async Task EraseAsync(
        CaseTimer timer, CaseWriter writer, IDocumentSession session, IMessageBus bus, CaseCause cause, ILogger logger, CancellationToken ct)
    {
        var outcome = await PersonalDataErasure.EraseAsync(writer, session, bus, timer.CaseNumber, ErasureBases.Retention,
            definition => $"The retention period of {definition.Retention?.ErasePersonalDataAfterDays} days after the case became final has ended.",
            Actor.System, cause, ct);
        if (outcome.Result == ErasureResult.Conflict) throw new CaseChangedMeanwhileException(timer.CaseNumber);
        VorgangTelemetry.TimersFired.Add(1, new("kind", timer.Kind), new("acted", outcome.Result == ErasureResult.Erased));
        logger.LogInformation("Timer {Kind} for case {CaseNumber}: {Result}.", timer.Kind, timer.CaseNumber, outcome.Result);
    }
}

/// <summary>Another writer committed to the case between a timer's read and its commit; the timer is tried again.</summary>
public sealed class CaseChangedMeanwhileException(string caseNumber) : Exception($"Case {caseNumber} was changed while a timer acted on it.");
