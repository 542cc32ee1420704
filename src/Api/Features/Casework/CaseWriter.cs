using System.Diagnostics;
using Marten;
using Vorgang.Api.Features.Deadlines;
using Vorgang.Api.Features.Letters;
using Vorgang.Api.Features.Notifications;
using Vorgang.Api.Features.Privacy;
using Vorgang.Api.Telemetry;
using Vorgang.Workflows.Audit;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Privacy;
using Wolverine;

namespace Vorgang.Api.Features.Casework;

/// <summary>What caused a change: the correlation id it belongs to and the request or message that caused it.</summary>
public sealed record CaseCause(string CorrelationId, string CausationId)
{
    /// <summary>A request: its trace as correlation, the request itself as causation.</summary>
    public static CaseCause Of(HttpContext context) =>
        new(Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier, context.TraceIdentifier);

    /// <summary>A message (a timer): the correlation it was sent under, the message itself as causation.</summary>
    public static CaseCause Of(Envelope envelope) =>
        new(envelope.CorrelationId ?? Activity.Current?.TraceId.ToString() ?? envelope.Id.ToString(), envelope.Id.ToString());

    public CaseStamp For(ProcessDefinition definition) => new(definition.Key, CorrelationId, CausationId);
}

/// <summary>A change to one case: its number, the version the caller last saw (null: whatever it is now) and what caused it.</summary>
public sealed record CaseCommand(string CaseNumber, long? ExpectedVersion, CaseCause Cause);

/// <summary>What a decision sees: the case with its personal values opened, its definition version, its key and the time.</summary>
public sealed record CaseContext(Case State, ProcessDefinition Definition, DataKey? Key, DateTimeOffset Now, IDocumentSession Session);

/// <summary>
/// What a change does: the events to append, or the problem that refuses it, or why nothing is to be done; and what
/// else the same transaction stores or deletes (<see cref="Alongside"/>, e.g. the key an erasure shreds).
/// </summary>
public sealed record CaseDecision(IReadOnlyList<object> Events, CaseProblem? Problem = null, string? SkippedBecause = null)
{
    public Action<IDocumentSession>? Alongside { get; init; }

    public static CaseDecision From(Decision decision) => new(decision.Events, decision.Problem);
    public static CaseDecision Skip(string reason) => new([], SkippedBecause: reason);
}

public enum CaseChangeResult { Changed, Skipped, NoCase, Refused, Conflict, Rejected }

/// <summary>The outcome of <see cref="CaseWriter.ChangeAsync"/>: the case after the change (opened) or why there was none.</summary>
public sealed record CaseChange(CaseChangeResult Result)
{
    public Case? Case { get; init; }
    public ProcessDefinition? Definition { get; init; }
    public IReadOnlyList<object> Events { get; init; } = [];
    /// <summary>For a conflict: the version the case is at.</summary>
    public long CurrentVersion { get; init; }
    public CaseProblem? Problem { get; init; }
    public IResult? Refusal { get; init; }
    public string? SkippedBecause { get; init; }
}

/// <summary>
/// The one way a case changes (decision 29). It starts a case with its key, or fetches one for writing at the expected
/// version, lets the caller's rule refuse it, lets the pure decision decide on the opened values, seals the personal
/// values with the case's key, chains and stamps the events (<see cref="CaseChain"/>), plans the timers the change
/// sets (on the bus whose outbox commits with the session) and commits. Submissions, staff, citizen, party and account
/// actions, timers and erasure all come through here; <see cref="CaseStreamGuard"/> refuses whatever does not.
/// </summary>
public sealed class CaseWriter(
    DefinitionCatalog catalog, PersonalDataVault vault, LetterIssuer letters, Webhooks.WebhookFanOut webhooks, TimeProvider time, MailSettings mail)
{
    /// <summary>
    /// Adds a new case to <paramref name="session"/> (committed by its owner, e.g. a group of submissions): its key, its
    /// first event sealed, chained and stamped, and its first timers.
    /// </summary>
    public async ValueTask StartAsync(
        IDocumentSession session, IMessageBus bus, ProcessDefinition definition, CaseSubmitted submitted, (string Issuer, string Subject)? account,
        CaseCause cause, DateTimeOffset now)
    {
        var key = vault.Create(session, submitted.CaseNumber, account, now);
        var started = CaseChain.StartStream(session, submitted.CaseNumber, cause.For(definition), PersonalData.SealEvent(submitted, definition, key));
        // The due-soon and overdue escalations (and the initial state's timers), stored with the submission.
        await CaseTimerSchedule.ScheduleAsync(bus, CaseTimers.Plan(definition, Case.Create(submitted), [submitted]), now);
        // And the mail that says it arrived, in the same transaction (decision 51).
        if (mail.Enabled)
        {
            await NotificationSchedule.PublishAsync(bus, definition, submitted.CaseNumber, 0, started.Events);
            await DelayChecks.ScheduleAsync(bus, definition, Case.Create(submitted), [submitted], now);
        }
        await webhooks.PublishAsync(session, bus, definition, Case.Create(submitted), [submitted], firstVersion: 1, CancellationToken.None);
    }

    /// <summary>
    /// Changes one case and commits. <paramref name="authorize"/> sees the stored case first (or null for none) so that
    /// it can answer a missing case exactly like a forbidden one; a stale <see cref="CaseCommand.ExpectedVersion"/>, or a
    /// writer that commits first, is a <see cref="CaseChangeResult.Conflict"/>.
    /// </summary>
    public async Task<CaseChange> ChangeAsync(
        IDocumentSession session, IMessageBus bus, CaseCommand command,
        Func<Case?, ProcessDefinition?, IResult?>? authorize,
        Func<CaseContext, ValueTask<CaseDecision>> decide,
        CancellationToken ct)
    {
        var caseNumber = command.CaseNumber;
        if (!CaseNumbers.IsWellFormed(caseNumber))
            return authorize?.Invoke(null, null) is { } refusedUnseen ? new(CaseChangeResult.Refused) { Refusal = refusedUnseen } : new(CaseChangeResult.NoCase);

        var stream = await session.Events.FetchForWriting<Case>(caseNumber, ct);
        var stored = stream.Aggregate;
        var definition = stored is null ? null : catalog.Get(stored.ServiceId, stored.DefinitionVersion);
        if (authorize?.Invoke(stored, definition) is { } refused) return new(CaseChangeResult.Refused) { Refusal = refused };
        if (stored is null || definition is null) return new(CaseChangeResult.NoCase);
        var current = Math.Max(stream.CurrentVersion ?? 0, stored.Version);
        // The snapshot and the stream's version are two reads: under a concurrent commit the snapshot may already show a
        // newer version than the stream did. A snapshot past what the client saw is the same conflict.
        if (command.ExpectedVersion is { } expected && (stream.CurrentVersion != expected || stored.Version > expected))
            return new(CaseChangeResult.Conflict) { CurrentVersion = current, Case = stored, Definition = definition };

        // Decide on the opened values; store the new events sealed with the same key.
        var key = await vault.KeyAsync(session, caseNumber, ct);
        var state = PersonalData.OpenCase(stored, key) with { Version = stream.CurrentVersion ?? stored.Version };
        var now = time.GetUtcNow();
        var decision = await decide(new CaseContext(state, definition, key, now, session));
        if (decision.Problem is { } problem) return new(CaseChangeResult.Rejected) { Problem = problem, Case = state, Definition = definition };
        if (decision.SkippedBecause is not null || decision.Events.Count == 0)
            return new(CaseChangeResult.Skipped) { SkippedBecause = decision.SkippedBecause ?? "nothing to do", Case = state, Definition = definition };

        // The letters the steps issue, with their events, stored sealed in the same transaction.
        if (key is not null)
        {
            var (events, files) = letters.Issue(definition, state, decision.Events);
            decision = decision with { Events = events };
            foreach (var (documentId, pdf) in files) session.Store(LetterFile.Seal(key, documentId, pdf));
        }

        await CaseChain.AppendAsync(session, stream, command.Cause.For(definition), PersonalDataVault.Seal(decision.Events, definition, key), ct);
        decision.Alongside?.Invoke(session);
        var after = decision.Events.Aggregate(state, (s, e) => s.Fold(e));
        await CaseTimerSchedule.ScheduleAsync(bus, CaseTimers.Plan(definition, after, decision.Events), now);
        if (mail.Enabled)
        {
            await NotificationSchedule.PublishAsync(bus, definition, caseNumber, stream.CurrentVersion ?? stored.Version,
                stream.Events.Skip(stream.Events.Count - decision.Events.Count).ToList());
            await DelayChecks.ScheduleAsync(bus, definition, after, decision.Events, now);
        }
        await webhooks.PublishAsync(session, bus, definition, after, decision.Events, firstVersion: state.Version + 1, ct);
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (JasperFx.ConcurrencyException)
        {
            // The timers and mails went down with the transaction; drop them from the bus too, or its flush after the
            // request would store them on their own.
            if (bus is Wolverine.Runtime.MessageContext outbox) await outbox.ClearAllAsync();
            // Someone else changed the case between our read and our commit: the same answer as a stale version.
            await using var fresh = session.DocumentStore.QuerySession();
            var now2 = await fresh.Events.FetchStreamStateAsync(caseNumber, ct);
            return new(CaseChangeResult.Conflict) { CurrentVersion = now2?.Version ?? current + 1, Case = stored, Definition = definition };
        }

        foreach (var closed in decision.Events.OfType<CaseClosed>())
            VorgangTelemetry.CasesClosed.Add(1, new("service", definition.Id), new("outcome", closed.Outcome));
        return new(CaseChangeResult.Changed) { Case = after, Definition = definition, Events = decision.Events };
    }
}
