using FluentValidation;
using JasperFx.Events;
using Marten;
using Vorgang.Api.Features.Casework;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Privacy;
using Wolverine.Marten.Publishing;
using Wolverine.Runtime;

namespace Vorgang.Api.Features.Messages;

/// <summary>A message to the other side of the case's thread.</summary>
/// <param name="Text">The message: 1 to 5000 characters after trimming, line breaks allowed, no other control characters.</param>
/// <param name="ExpectedVersion">Optional: the version of the case the writer last saw; a newer one answers 409. Without it the message is appended at whatever version the case is at.</param>
public sealed record MessageRequest(string? Text, long? ExpectedVersion)
{
    public const int MaxLength = 5000;
    public static readonly IValidator<MessageRequest> Rules = new Validator();

    /// <summary>The text as it is stored: trimmed, line breaks as <c>\n</c>.</summary>
    public string Normalized => (Text ?? "").Trim().ReplaceLineEndings("\n");

    private sealed class Validator : AbstractValidator<MessageRequest>
    {
        public Validator()
        {
            RuleFor(r => r.Text).Cascade(CascadeMode.Stop)
                .Must(t => !string.IsNullOrWhiteSpace(t)).WithErrorCode("required").WithMessage("Write a message (text).")
                .Must(t => t!.Trim().ReplaceLineEndings("\n").Length <= MaxLength).WithErrorCode("maxLength")
                .WithMessage($"A message has at most {MaxLength} characters.")
                .Must(t => !t!.Any(c => char.IsControl(c) && c is not '\n' and not '\r')).WithErrorCode("control-characters")
                .WithMessage("A message may contain line breaks but no other control characters (such as tabs).");
            RuleFor(r => r.ExpectedVersion).GreaterThanOrEqualTo(0).When(r => r.ExpectedVersion is not null).WithErrorCode("integer")
                .WithMessage("'expectedVersion' must be a whole number ≥ 0: the version of the case you last saw.");
        }
    }
}

/// <summary>
/// One message as a side of the thread reads it. <see cref="Author"/> is the member of staff who wrote an office message,
/// for staff only: the citizen reads "the office", never a name. <see cref="Text"/> is null once the personal data was erased.
/// </summary>
public sealed record MessageView(Guid Id, string Side, string? Author, string? Text, DateTimeOffset PostedAt, long Version, IReadOnlyList<string> Attachments)
{
    /// <summary>A message of the other side that the reader's side had not read before this answer.</summary>
    public bool New { get; init; }
}

/// <summary>The thread of a case, oldest first; <see cref="Unread"/> counts the other side's messages that were new to the reader's side.</summary>
public sealed record MessageThread(string CaseNumber, long Version, int Unread, IReadOnlyList<MessageView> Messages);

/// <summary>
/// The message thread of a case (decision 48): messages are events (<see cref="CaseMessagePosted"/>) written through the
/// <see cref="CaseWriter"/>, sealed with the case's key; each side's read marker is a document beside the case (decision 49).
/// The API's endpoints and the pages (<c>IPortalEngine</c>, <c>IWorkbench</c>) share this code.
/// </summary>
public static class CaseMessages
{
    /// <summary>How often a message without an expected version is tried again after losing a race to another writer.</summary>
    private const int Attempts = 5;

    public static CaseProblem Erased(string caseNumber) => new(409, "personal-data-erased", "The personal data of this case was erased.",
        $"Case {caseNumber} takes no more messages: messages are personal data, and its personal data was erased.");

    /// <summary>The decision: a message for every case whose personal data is still there (open or closed), sealed by the writer.</summary>
    public static CaseDecision Decide(CaseContext c, Guid messageId, string side, string text, Actor by)
    {
        // Without the key the text could not be sealed, and an erased case keeps no personal data.
        if (c.Key is null || c.State.PersonalDataErasedAt is not null) return new CaseDecision([], Erased(c.State.Id));
        return new CaseDecision([new CaseMessagePosted(c.State.Id, messageId, side, text, by, c.Now, [])]);
    }

    /// <summary>
    /// Appends the message through the <see cref="CaseWriter"/>. With an expected version a stale one is a conflict; without
    /// one a lost race is tried again at the new version, so that no message is lost (the same message id each time).
    /// </summary>
    public static async Task<CaseChange> PostAsync(
        CaseWriter writer, OutboxedSessionFactory sessions, IWolverineRuntime runtime, CaseCause cause, string caseNumber,
        MessageRequest request, string side, Actor by, Func<Case?, ProcessDefinition?, Microsoft.AspNetCore.Http.IResult?> authorize, CancellationToken ct)
    {
        var messageId = Guid.CreateVersion7();
        var text = request.Normalized;
        for (var attempt = 1; ; attempt++)
        {
            // As a Wolverine endpoint's session would be: enrolled in the outbox, so that whatever the change sends commits with it.
            var bus = new MessageContext(runtime);
            await using var session = sessions.OpenSession(bus);
            var change = await writer.ChangeAsync(session, bus, new CaseCommand(caseNumber, request.ExpectedVersion, cause), authorize,
                c => ValueTask.FromResult(Decide(c, messageId, side, text, by)), ct);
            if (change.Result != CaseChangeResult.Conflict || request.ExpectedVersion is not null || attempt == Attempts) return change;
        }
    }

    /// <summary>What a thread is read from, in one round trip: the case's events, its key and the reader's marker.</summary>
    public sealed record Loaded(IReadOnlyList<IEvent> Events, SubjectKey? Key, MessageReadMarker? Marker);

    public static async Task<Loaded> LoadAsync(IQuerySession session, string caseNumber, string readerSide, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var events = batch.Events.FetchStream(caseNumber);
        var key = batch.Load<SubjectKey>(caseNumber);
        var marker = batch.Load<MessageReadMarker>(MessageReadMarker.IdFor(caseNumber, readerSide));
        await batch.Execute(ct);
        return new Loaded(await events, await key, await marker);
    }

    /// <summary>The thread as <paramref name="readerSide"/> reads it, from the case's events with the texts opened.</summary>
    public static MessageThread Thread(string caseNumber, IReadOnlyList<IEvent> events, DataKey? key, MessageReadMarker? marker, string readerSide)
    {
        var fromOther = 0;
        var messages = new List<MessageView>();
        foreach (var e in events)
        {
            if (e.Data is not CaseMessagePosted posted) continue;
            var opened = (CaseMessagePosted)PersonalData.OpenEvent(posted, key);
            var isNew = false;
            if (opened.Side != readerSide) isNew = ++fromOther > (marker?.Read ?? 0);
            var author = readerSide == MessageSides.Office && opened.Side == MessageSides.Office ? opened.PostedBy.Name : null;
            messages.Add(new MessageView(opened.MessageId, opened.Side, author, opened.Text, opened.PostedAt, e.Version, opened.Attachments) { New = isNew });
        }
        return new MessageThread(caseNumber, events.Count > 0 ? events[^1].Version : 0, messages.Count(m => m.New), messages);
    }

    /// <summary>
    /// Marks the other side's messages in <paramref name="thread"/> read by <paramref name="readerSide"/> (stored by the
    /// caller's commit). Only ever forward: a read of an older thread does not make messages unread again.
    /// </summary>
    public static bool MarkRead(IDocumentSession session, MessageThread thread, MessageReadMarker? marker, string readerSide, DateTimeOffset now)
    {
        var read = thread.Messages.Count(m => m.Side != readerSide);
        if (read <= (marker?.Read ?? 0)) return false;
        session.Store(new MessageReadMarker(MessageReadMarker.IdFor(thread.CaseNumber, readerSide), thread.CaseNumber, readerSide, read, now));
        return true;
    }

    /// <summary>The unread messages of the other side for <paramref name="readerSide"/> of the case.</summary>
    public static async Task<int> UnreadAsync(IQuerySession session, Case state, string readerSide, CancellationToken ct) =>
        MessageReadMarker.Unread(state, readerSide, await session.LoadAsync<MessageReadMarker>(MessageReadMarker.IdFor(state.Id, readerSide), ct));
}
