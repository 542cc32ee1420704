using JasperFx;
using JasperFx.Core;
using Marten;
using Vorgang.Api.Features.Privacy;
using Vorgang.Api.Telemetry;
using Vorgang.Workflows.Audit;
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
/// appending the effect as events — a reminder, an escalation, or the system action of a timeout. A timer delivered twice,
/// or one whose case moved on, does nothing.
/// </summary>
public static class CaseTimerHandler
{
    /// <summary>A caseworker acting at the same moment wins the optimistic check; the timer then retries against the new state.</summary>
    public static void Configure(HandlerChain chain) =>
        chain.OnException<ConcurrencyException>().RetryWithCooldown(100.Milliseconds(), 500.Milliseconds(), 2.Seconds());

    public static async Task Handle(
        CaseTimer timer, IDocumentSession session, IMessageBus bus, DefinitionCatalog catalog, PersonalDataVault vault, TimeProvider time,
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

        if (timer.Kind == CaseTimerKinds.Retention)
        {
            await EraseAsync(timer, session, catalog, now, logger, ct);
            return;
        }

        var stream = await session.Events.FetchForWriting<Case>(timer.CaseNumber, ct);
        var stored = stream.Aggregate;
        var definition = stored is null ? null : catalog.Get(stored.ServiceId, stored.DefinitionVersion);
        if (stored is null || definition is null)
        {
            logger.LogWarning("Timer {Kind} for case {CaseNumber}: no such case (or definition); nothing to do.", timer.Kind, timer.CaseNumber);
            return;
        }
        // A timeout's system action may look at the form (its guard, computed values): decide on the opened values.
        var key = await vault.KeyAsync(session, timer.CaseNumber, ct);
        var state = Vorgang.Workflows.Privacy.PersonalData.OpenCase(stored, key);
        var since = timer.Kind is CaseTimerKinds.Reminder or CaseTimerKinds.Timeout && state.Version > timer.Version
            ? (await session.Events.FetchStreamAsync(timer.CaseNumber, fromVersion: timer.Version + 1, token: ct)).Select(e => e.Data).ToList()
            : [];

        var outcome = CaseTimers.Fire(definition, state, timer, since, now, BerlinClock.DateOf(now));
        if (outcome.SkippedBecause is { } reason)
        {
            VorgangTelemetry.TimersFired.Add(1, new("kind", timer.Kind), new("acted", false));
            logger.LogInformation("Timer {Kind} for case {CaseNumber} (set at version {Version}) does nothing: {Reason}.", timer.Kind, timer.CaseNumber, timer.Version, reason);
            return;
        }

        session.SetHeader("definition", definition.Key);
        await CaseChain.AppendAsync(session, stream, PersonalDataVault.Seal(outcome.Events, definition, key), ct);
        var after = outcome.Events.Aggregate(state, (s, e) => s.Fold(e));
        // A timeout's step may enter another state with timers of its own, or start the clock again.
        await CaseTimerSchedule.ScheduleAsync(bus, CaseTimers.Plan(definition, after, outcome.Events), now);
        await session.SaveChangesAsync(ct);

        VorgangTelemetry.TimersFired.Add(1, new("kind", timer.Kind), new("acted", true));
        if (timer.Kind == CaseTimerKinds.Timeout && definition.State(state.State)?.Timeout is { } timeout)
            VorgangTelemetry.ActionsTaken.Add(1, new("service", definition.Id), new("action", timeout.Action), new("role", Roles.System));
        foreach (var closed in outcome.Events.OfType<CaseClosed>())
            VorgangTelemetry.CasesClosed.Add(1, new("service", definition.Id), new("outcome", closed.Outcome));
        logger.LogInformation("Timer {Kind} for case {CaseNumber} appended {Events}.", timer.Kind, timer.CaseNumber,
            string.Join(", ", outcome.Events.Select(e => CaseEventTypes.Names.GetValueOrDefault(e.GetType()) ?? e.GetType().Name)));
    }

    private static async Task EraseAsync(CaseTimer timer, IDocumentSession session, DefinitionCatalog catalog, DateTimeOffset now, ILogger logger, CancellationToken ct)
    {
        var definition = await session.LoadAsync<Case>(timer.CaseNumber, ct) is { } state ? catalog.Get(state.ServiceId, state.DefinitionVersion) : null;
        var days = definition?.Retention?.ErasePersonalDataAfterDays;
        var outcome = await PersonalDataErasure.EraseAsync(session, catalog, timer.CaseNumber, ErasureBases.Retention,
            $"The retention period of {days} days after the case became final has ended.", Actor.System, now, ct);
        VorgangTelemetry.TimersFired.Add(1, new("kind", timer.Kind), new("acted", outcome.Result == ErasureResult.Erased));
        logger.LogInformation("Timer {Kind} for case {CaseNumber}: {Result}.", timer.Kind, timer.CaseNumber, outcome.Result);
    }
}
