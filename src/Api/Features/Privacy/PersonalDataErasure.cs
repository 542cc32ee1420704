using Marten;
using Vorgang.Api.Features.Casework;
using Vorgang.Api.Telemetry;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Privacy;
using Wolverine;

namespace Vorgang.Api.Features.Privacy;

public enum ErasureResult { Erased, AlreadyErased, NoCase, NotFinal, Conflict }

public sealed record ErasureOutcome(ErasureResult Result, Case? Case, DateTimeOffset? ErasedAt);

/// <summary>
/// Erases a final case's personal data: one transaction appends <c>personal_data_erased</c> (through the
/// <see cref="CaseWriter"/>, chained and stamped like every event), deletes the case's key — every sealed value in its
/// events is unreadable from then on — and drops what else could point at the person (the idempotency receipt, whose
/// hash covers the form). The case snapshot strips its sealed values as it applies the event; the other read models
/// never held any.
/// </summary>
public static class PersonalDataErasure
{
    private const string AlreadyErased = "already-erased", NotFinal = "not-final";

    public static async Task<ErasureOutcome> EraseAsync(
        CaseWriter writer, IDocumentSession session, IMessageBus bus, string caseNumber, string basis, Func<ProcessDefinition, string> reason, Actor by,
        CaseCause cause, CancellationToken ct)
    {
        var change = await writer.ChangeAsync(session, bus, new CaseCommand(caseNumber, ExpectedVersion: null, cause), authorize: null, c =>
        {
            if (c.State.PersonalDataErasedAt is not null) return ValueTask.FromResult(CaseDecision.Skip(AlreadyErased));
            // An open case still needs its data to be decided; the citizen withdraws first, or the office decides.
            if (!c.State.IsClosed) return ValueTask.FromResult(CaseDecision.Skip(NotFinal));
            return ValueTask.FromResult(new CaseDecision([new PersonalDataErased(caseNumber, basis, reason(c.Definition), by, c.Now)])
            {
                Alongside = s =>
                {
                    s.Delete<SubjectKey>(caseNumber);
                    // The documents' chunks cannot be opened without the key; they go too (decision 45).
                    Documents.DocumentChunks.DeleteFor(s, caseNumber);
                    s.DeleteWhere<SubmissionReceipt>(r => r.CaseNumber == caseNumber);
                    s.DeleteWhere<Letters.LetterFile>(f => f.CaseNumber == caseNumber);
                },
            });
        }, ct);

        switch (change.Result)
        {
            case CaseChangeResult.NoCase: return new(ErasureResult.NoCase, null, null);
            case CaseChangeResult.Conflict: return new(ErasureResult.Conflict, change.Case, null);
            case CaseChangeResult.Skipped when change.SkippedBecause == AlreadyErased:
                return new(ErasureResult.AlreadyErased, change.Case, change.Case!.PersonalDataErasedAt);
            case CaseChangeResult.Skipped: return new(ErasureResult.NotFinal, change.Case, null);
        }
        var erased = change.Events.OfType<PersonalDataErased>().Single();
        VorgangTelemetry.PersonalDataErased.Add(1, new("service", change.Definition!.Id), new("basis", basis));
        return new(ErasureResult.Erased, change.Case, erased.ErasedAt);
    }
}
