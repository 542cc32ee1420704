using System.Security.Cryptography;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Api.Features.Letters;

/// <summary>
/// Issues the letters of a change as it is decided (in <see cref="Casework.CaseWriter"/>, so every way an action is
/// taken — staff, citizen, party, timer — issues them alike): for each step whose action has a letter template, the PDF
/// and a <see cref="LetterIssued"/> event right after the step, carrying the PDF's SHA-256.
/// </summary>
public sealed class LetterIssuer(IConfiguration configuration)
{
    public string Sender => configuration[ReceiptEndpoints.SenderKey] is { Length: > 0 } sender ? sender : "Stadtverwaltung";

    /// <summary>The change's events with the letter events inserted, and each letter's bytes by document id.</summary>
    public (IReadOnlyList<object> Events, IReadOnlyList<(Guid DocumentId, byte[] Pdf)> Files) Issue(ProcessDefinition definition, Case before, IReadOnlyList<object> events)
    {
        if (!definition.Actions.Any(a => a.Letter is not null)) return (events, []);
        var result = new List<object>(events.Count + 1);
        var files = new List<(Guid, byte[])>();
        var state = before;
        foreach (var @event in events)
        {
            result.Add(@event);
            state = state.Fold(@event);
            if (@event is not ICaseTransition taken || definition.Action(taken.ActionId) is not { Letter: { } template } action) continue;
            var pdf = LetterPdf.Render(DecisionLetters.For(definition, action, template, state, taken, Sender));
            var documentId = DocumentIdOf(state.Id, state.Version, template.Id);
            var issued = new LetterIssued(state.Id, documentId, template.Id, template.Kind, action.Id, state.Language,
                template.Title.For(state.Language), Convert.ToHexStringLower(SHA256.HashData(pdf)), pdf.Length, taken.TakenAt);
            result.Add(issued);
            state = state.Fold(issued);
            files.Add((documentId, pdf));
        }
        return (result, files);
    }

    /// <summary>Derived from the case, the step's version and the letter, so that the same events name the same document.</summary>
    private static Guid DocumentIdOf(string caseNumber, long version, string letterId) =>
        new(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"letter\n{caseNumber}\n{version}\n{letterId}"))[..16]);
}
