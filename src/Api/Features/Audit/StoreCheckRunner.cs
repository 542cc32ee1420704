using Vorgang.Web.Audit;
using Vorgang.Workflows.Audit;

namespace Vorgang.Api.Features.Audit;

/// <summary>
/// The whole store's hash-chain verification started from the auditor's console: one at a time per engine process,
/// in the background, with its progress and last result kept for the page to show (decision 40).
/// </summary>
public sealed class StoreCheckRunner(CaseChainVerifier verifier, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<StoreCheckRunner> logger)
{
    /// <summary>How many broken cases the page lists; the verifier counts them all.</summary>
    public const int ListedBreaks = 20;

    private readonly Lock _gate = new();
    private StoreCheck? _state;

    public StoreCheck? Current
    {
        get { lock (_gate) return _state; }
    }

    /// <summary>Starts a verification unless one is running; false when one is.</summary>
    public bool TryStart(string startedBy)
    {
        lock (_gate)
        {
            if (_state is { Running: true }) return false;
            _state = new StoreCheck(true, time.GetUtcNow(), startedBy, 0, 0, null, null, null, null, null, [], null);
        }
        // Not the request's token: the check goes on after the page has answered, until the engine stops.
        _ = Task.Run(() => RunAsync(lifetime.ApplicationStopping));
        return true;
    }

    private async Task RunAsync(CancellationToken ct)
    {
        try
        {
            var total = await verifier.CountCasesAsync(ct);
            Update(s => s with { Total = total });
            var summary = await verifier.VerifyAllAsync((cases, _) => Update(s => s with { Checked = cases, Total = Math.Max(s.Total, cases) }), ct);
            Update(s => s with
            {
                Running = false, Checked = summary.Cases, Total = summary.Cases, FinishedAt = time.GetUtcNow(),
                Intact = summary.Intact, Broken = summary.Broken, Events = summary.Events, HeadsDigest = summary.HeadsDigest,
                BrokenCases = summary.BrokenCases.Take(ListedBreaks).Select(b => b.CaseNumber).ToList(),
            });
        }
        catch (Exception e)
        {
            if (e is not OperationCanceledException) logger.LogError(e, "The verification of the store's hash chains failed");
            Update(s => s with { Running = false, FinishedAt = time.GetUtcNow(), Failure = e is OperationCanceledException ? "stopped" : "failed" });
        }
    }

    private void Update(Func<StoreCheck, StoreCheck> change)
    {
        lock (_gate) _state = change(_state!);
    }
}
