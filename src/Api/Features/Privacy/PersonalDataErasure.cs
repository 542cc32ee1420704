using Marten;
using Vorgang.Api.Telemetry;
using Vorgang.Workflows.Audit;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Privacy;

namespace Vorgang.Api.Features.Privacy;

public enum ErasureResult { Erased, AlreadyErased, NoCase, NotFinal }

public sealed record ErasureOutcome(ErasureResult Result, Case? Case, DateTimeOffset? ErasedAt);

/// <summary>
/// Erases a final case's personal data: one transaction appends <c>personal_data_erased</c> (chained like every event),
/// deletes the case's key — every sealed value in its events is unreadable from then on — and drops what else could
/// point at the person (the idempotency receipt, whose hash covers the form). The case snapshot strips its sealed values
/// as it applies the event; the other read models never held any.
/// </summary>
public static class PersonalDataErasure
{
    public static async Task<ErasureOutcome> EraseAsync(
        IDocumentSession session, DefinitionCatalog catalog, string caseNumber, string basis, string reason, Actor by, DateTimeOffset now,
        CancellationToken ct)
    {
        if (!CaseNumbers.IsWellFormed(caseNumber)) return new(ErasureResult.NoCase, null, null);
        var stream = await session.Events.FetchForWriting<Case>(caseNumber, ct);
        var state = stream.Aggregate;
        var definition = state is null ? null : catalog.Get(state.ServiceId, state.DefinitionVersion);
        if (state is null || definition is null) return new(ErasureResult.NoCase, null, null);
        if (state.PersonalDataErasedAt is { } earlier) return new(ErasureResult.AlreadyErased, state, earlier);
        // An open case still needs its data to be decided; the citizen withdraws first, or the office decides.
        if (!state.IsClosed) return new(ErasureResult.NotFinal, state, null);

        var erased = new PersonalDataErased(caseNumber, basis, reason, by, now);
        session.SetHeader("definition", definition.Key);
        await CaseChain.AppendAsync(session, stream, [erased], ct);
        session.Delete<SubjectKey>(caseNumber);
        session.DeleteWhere<SubmissionReceipt>(r => r.CaseNumber == caseNumber);
        await session.SaveChangesAsync(ct);
        VorgangTelemetry.PersonalDataErased.Add(1, new("service", definition.Id), new("basis", basis));
        return new(ErasureResult.Erased, state.Fold(erased), now);
    }
}
