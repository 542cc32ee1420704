using System.Globalization;
using System.Text.Json.Nodes;
using Vorgang.Api.Views;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Privacy;

namespace Vorgang.Api.Features.Letters;

/// <summary>
/// The letter an action issues (a <i>Bescheid</i> or an outcome document), from its template in the definition and the
/// case's opened values at the moment of the action. Issued once, by the action, and stored; it depends on nothing
/// but the case and the action, so the same events give the same bytes (decision 32).
/// </summary>
public static class DecisionLetters
{
    public static Letter For(ProcessDefinition definition, ActionDefinition action, LetterTemplate template, Case state, ICaseTransition taken, string sender)
    {
        var language = state.Language;
        string T(string de, string en) => language == "en" ? en : de;
        var culture = CultureInfo.GetCultureInfo(language == "en" ? "en-GB" : "de-DE");
        string Day(DateTimeOffset at) => BerlinClock.LocalTimeOf(at).ToString(language == "en" ? "d MMMM yyyy" : "dd.MM.yyyy", culture);
        var issuedAt = taken.TakenAt;

        string Value(string name)
        {
            switch (name)
            {
                case "caseNumber": return state.Id;
                case "service": return definition.Title.For(language);
                case "issuedOn": return Day(issuedAt);
                case "submittedOn": return Day(state.SubmittedAt);
            }
            var parts = name.Split('.', 2);
            var (field, value) = action.Inputs.FirstOrDefault(i => i.Id == parts[0]) is { } inputField
                ? (inputField, taken.Input[parts[0]])
                : (definition.Form.FirstOrDefault(f => f.Id == parts[0]), state.Data[parts[0]]);
            if (parts.Length == 2) value = (value as JsonObject)?[parts[1]];
            if (value is null) return "–";
            if (PersonalData.IsSealed(value)) return T("(gelöscht)", "(erased)");
            if (field is null || parts.Length == 2) return value is JsonValue v && v.TryGetValue<string>(out var text) ? text : value.ToJsonString();
            return FormValues.Printed(field, value, language);
        }
        string Fill(LocalizedText text) => LetterPlaceholders.Fill(text.For(language), Value);

        var blocks = new List<LetterBlock>();
        if (template.To is { } to) blocks.Add(new Paragraph(Fill(to)));
        var facts = new List<(string, string)>
        {
            (T("Vorgangsnummer", "Case number"), state.Id),
            (T("Leistung", "Service"), definition.Title.For(language)),
            (T("Datum", "Date"), Day(issuedAt)),
        };
        facts.AddRange(template.Facts.Select(f => (f.Label.For(language), LetterPlaceholders.Fill(f.Value, Value))));
        blocks.Add(new Facts(facts));
        blocks.AddRange(Paragraphs(Fill(template.Text)));
        if (template.Reasons is { } reasons)
        {
            blocks.Add(new Heading(T("Begründung", "Reasons")));
            blocks.AddRange(Paragraphs(Fill(reasons)));
        }
        if (template.LegalRemedy is { } remedy)
        {
            blocks.Add(new Heading(T("Rechtsbehelfsbelehrung", "How to appeal")));
            blocks.AddRange(Paragraphs(Fill(remedy)));
        }
        return new Letter(language, $"{template.Title.For(language)} {state.Id}", sender, issuedAt, blocks);
    }

    private static IEnumerable<Paragraph> Paragraphs(string text) =>
        text.Replace("\r\n", "\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => new Paragraph(p));
}
