using Marten;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Privacy;

namespace Vorgang.Api.Features.Privacy;

/// <summary>Where requests get a case's data key: created with the case, opened per request, never cached across requests (an erasure on another instance must take effect at once).</summary>
public sealed class PersonalDataVault(KeyRing ring)
{
    public KeyRing Ring => ring;

    /// <summary>A new key for a new case, stored in the same transaction as the case's first event.</summary>
    public DataKey Create(IDocumentSession session, string caseNumber, (string Issuer, string Subject)? account, DateTimeOffset now)
    {
        var (stored, key) = ring.Create(caseNumber, account, now);
        session.Insert(stored);
        return key;
    }

    /// <summary>The case's key, or null when its personal data was erased (or it never had a key).</summary>
    public async Task<DataKey?> KeyAsync(IQuerySession session, string caseNumber, CancellationToken ct) =>
        Open(await session.LoadAsync<SubjectKey>(caseNumber, ct));

    public DataKey? Open(SubjectKey? stored) => stored is null ? null : ring.Open(stored);

    /// <summary>The case with its personal values readable, for a decision or a view.</summary>
    public async Task<Case> OpenAsync(IQuerySession session, Case state, CancellationToken ct) =>
        PersonalData.HasSealed(state.Data) || PersonalData.HasSealed(state.Applicant)
            ? PersonalData.OpenCase(state, await KeyAsync(session, state.Id, ct))
            : state;

    /// <summary>Events as they are to be stored: sealed with the case's key (loaded when not given).</summary>
    public static IReadOnlyList<object> Seal(IReadOnlyList<object> events, ProcessDefinition definition, DataKey? key) =>
        key is null ? events : events.Select(e => PersonalData.SealEvent(e, definition, key)).ToList();
}
