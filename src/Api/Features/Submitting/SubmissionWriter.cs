using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Marten;
using Vorgang.Api.Problems;
using Vorgang.Api.Telemetry;
using Wolverine;
using Wolverine.Marten.Publishing;
using Wolverine.Runtime;

namespace Vorgang.Api.Features.Submitting;

/// <summary>
/// Writes new cases in groups: the submissions that arrive while one transaction is being written go into the next
/// one together (group commit). Each submission's events, documents and timers are added to a shared session; one
/// round trip and one commit then serve them all, instead of one each. A submission is answered only once its own
/// group is committed, so what it answers with (the citizen view, read-your-writes) holds as before.
/// <para>
/// When a group fails, nothing of it was stored, and each of its submissions is written again on its own, so that one
/// submission's refusal (a concurrent request with the same Idempotency-Key) reaches only that submission's caller.
/// A group that fails because the database is unavailable fails as a whole: each request answers 503 at once.
/// </para>
/// </summary>
public sealed class SubmissionWriter : IHostedService
{
    /// <summary>Adds one submission to <paramref name="session"/>; timers go on <paramref name="bus"/>, whose outbox commits with it. May run twice (see above).</summary>
    public delegate ValueTask Write(IDocumentSession session, IMessageBus bus);

    public const string WritersKey = "Vorgang:Submissions:Writers";
    public const string MaxGroupKey = "Vorgang:Submissions:MaxGroup";

    private sealed class Pending(Write write, ActivityContext trace)
    {
        private const int Queued = 0, Taken = 1, Withdrawn = 2;
        private int _state = Queued;
        private CancellationTokenRegistration _withdrawal;

        public Write Write { get; } = write;
        public ActivityContext Trace { get; } = trace;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>A writer takes it, unless its request gave up first; from then on its transaction decides.</summary>
        public bool Take()
        {
            if (Interlocked.CompareExchange(ref _state, Taken, Queued) != Queued) return false;
            _withdrawal.Dispose();
            return true;
        }

        /// <summary>If the request gives up (its time limit) while this still waits for a writer, it is never written.</summary>
        public void WithdrawOn(CancellationToken ct) => _withdrawal = ct.UnsafeRegister(static (state, token) =>
        {
            var pending = (Pending)state!;
            if (Interlocked.CompareExchange(ref pending._state, Withdrawn, Queued) == Queued) pending.Done.TrySetCanceled(token);
        }, this);
    }

    private static readonly Histogram<int> GroupSizes = VorgangTelemetry.Meter.CreateHistogram<int>(
        "vorgang.submissions.group_size", "{case}", "Submissions written in one transaction.");

    private readonly OutboxedSessionFactory _sessions;
    private readonly IWolverineRuntime _runtime;
    private readonly int _writers;
    private readonly int _maxGroup;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();
    private Task[] _running = [];

    public SubmissionWriter(OutboxedSessionFactory sessions, IWolverineRuntime runtime, IConfiguration configuration)
    {
        _sessions = sessions;
        _runtime = runtime;
        // Two writers keep PostgreSQL busy on both cores of a small server: one group executes while the next fills.
        _writers = Math.Max(0, configuration.GetValue(WritersKey, 2));
        _maxGroup = Math.Max(1, configuration.GetValue(MaxGroupKey, 32));
    }

    /// <summary>
    /// Completes when the submission is committed; throws what writing it alone threw. Cancelled while it still waits
    /// for a writer, it is withdrawn and never written; once a writer has taken it, its transaction decides.
    /// </summary>
    public Task WriteAsync(Write write, CancellationToken ct = default)
    {
        var pending = new Pending(write, Activity.Current?.Context ?? default);
        if (_running.Length > 0)
        {
            pending.WithdrawOn(ct);
            if (_queue.Writer.TryWrite(pending)) return pending.Done.Task;
        }
        // Without writers (configured off, or stopping) the request writes its own transaction.
        return pending.Take() ? AloneAsync(pending) : pending.Done.Task;

        async Task AloneAsync(Pending alone)
        {
            await WriteAloneAsync(alone);
            await alone.Done.Task;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _running = Enumerable.Range(0, _writers).Select(_ => Task.Run(WriteGroupsAsync, CancellationToken.None)).ToArray();
        return Task.CompletedTask;
    }

    /// <summary>Writes what is queued, then stops: a submission accepted into the queue is written, not dropped.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_running).WaitAsync(cancellationToken);
    }

    /// <summary>Submissions waiting for a writer.</summary>
    public int Queued => _queue.Reader.Count;

    private async Task WriteGroupsAsync()
    {
        var group = new List<Pending>(_maxGroup);
        while (await _queue.Reader.WaitToReadAsync())
        {
            group.Clear();
            // No waiting for a group to fill: whatever queued up meanwhile goes now, so a lone submission is not delayed.
            while (group.Count < _maxGroup && _queue.Reader.TryRead(out var next))
                if (next.Take()) group.Add(next);
            if (group.Count == 0) continue;
            GroupSizes.Record(group.Count);
            if (group.Count == 1) await WriteAloneAsync(group[0]);
            else await WriteGroupAsync(group);
        }
    }

    private async Task WriteGroupAsync(List<Pending> group)
    {
        // A group belongs to several requests' traces: its own span, linked to each of them.
        using var activity = VorgangTelemetry.Source.StartActivity(
            "submissions write", ActivityKind.Internal, parentContext: default,
            links: group.Where(p => p.Trace != default).Select(p => new ActivityLink(p.Trace)));
        activity?.SetTag("vorgang.submissions.group_size", group.Count);
        try
        {
            var bus = new MessageContext(_runtime);
            await using var session = OpenSession(bus);
            foreach (var pending in group) await pending.Write(session, bus);
            await session.SaveChangesAsync();
        }
        catch (Exception e) when (DatabaseOutage.Is(e))
        {
            // Not one submission's fault: written alone, each would wait for the same outage in turn.
            foreach (var pending in group) pending.Done.TrySetException(e);
            return;
        }
        catch (Exception)
        {
            activity?.SetTag("vorgang.submissions.retried_alone", true);
            foreach (var pending in group) await WriteAloneAsync(pending);
            return;
        }
        foreach (var pending in group) pending.Done.TrySetResult();
    }

    private async Task WriteAloneAsync(Pending pending)
    {
        // Written alone, the submission's database work stays in the request's own trace.
        using var activity = Activity.Current?.Context == pending.Trace ? null
            : VorgangTelemetry.Source.StartActivity("submission write", ActivityKind.Internal, pending.Trace);
        try
        {
            var bus = new MessageContext(_runtime);
            await using var session = OpenSession(bus);
            await pending.Write(session, bus);
            await session.SaveChangesAsync();
            pending.Done.TrySetResult();
        }
        catch (Exception e)
        {
            pending.Done.TrySetException(e);
        }
    }

    private IDocumentSession OpenSession(MessageContext bus)
    {
        var session = _sessions.OpenSession(bus);
        // Each submission stamps its own events (its trace, its request); nothing session-wide may override them.
        session.CorrelationId = null;
        session.CausationId = null;
        return session;
    }
}
