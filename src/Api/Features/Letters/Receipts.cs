using System.Globalization;
using System.Text.Json.Nodes;
using Vorgang.Api.Views;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Privacy;

namespace Vorgang.Api.Features.Letters;

/// <summary>
/// The receipt (<i>Eingangsbestätigung</i>) of a submission, from its first event alone: so it reads the same whenever it
/// is downloaded (decision 32). The citizen's copy prints the personal values the citizen gave; the office's copy
/// names those fields without their values. The tracking code is never printed.
/// </summary>
public static class Receipts
{
    public static Letter For(ProcessDefinition definition, CaseSubmitted submitted, string language, bool citizenCopy, string statusPageUrl, string sender)
    {
        string T(string de, string en) => language == "en" ? en : de;
        var culture = CultureInfo.GetCultureInfo(language == "en" ? "en-GB" : "de-DE");
        var received = BerlinClock.LocalTimeOf(submitted.SubmittedAt);
        var service = definition.Title.For(language);
        var personal = PersonalData.PersonalFormFields(definition);

        var facts = new List<(string, string)>
        {
            (T("Vorgangsnummer", "Case number"), submitted.CaseNumber),
            (T("Leistung", "Service"), service),
            (T("Eingegangen am", "Received on"), received.ToString(language == "en" ? "d MMMM yyyy, HH:mm" : "dd.MM.yyyy, HH:mm 'Uhr'", culture)),
        };
        if (submitted.DueOn is { } due && definition.LegalDeadline is not null)
            facts.Add((T("Gesetzliche Frist", "Legal deadline"), T("Entscheidung spätestens am ", "decided by ") + due.ToString(language == "en" ? "d MMMM yyyy" : "dd.MM.yyyy", culture)));

        var answers = new List<(string, string)>();
        foreach (var field in definition.Form)
        {
            if (submitted.Data[field.Id] is not { } value) continue;
            var withheld = personal.Contains(field.Id) && !citizenCopy;
            answers.Add((field.Label.For(language), withheld ? T("(personenbezogen, in dieser Ausfertigung nicht abgedruckt)", "(personal, not printed in this copy)")
                : PersonalData.IsSealed(value) ? T("(gelöscht)", "(erased)")
                : FormValues.Printed(field, value, language)));
        }

        var state = definition.State(submitted.State);
        var blocks = new List<LetterBlock>
        {
            new Paragraph(T($"Ihr Antrag „{service}“ ist bei uns eingegangen. Bitte bewahren Sie diese Bestätigung auf.",
                $"We have received your application “{service}”. Please keep this confirmation.")),
            new Facts(facts),
            new Heading(T("Was Sie eingereicht haben", "What you submitted")),
            answers.Count > 0 ? new Facts(answers) : new Paragraph(T("Keine Angaben.", "No answers.")),
            new Heading(T("Wie es weitergeht", "What happens next")),
            new Paragraph(state?.NextStep?.For(language) ?? state?.Status.For(language) ?? ""),
            new Heading(T("Stand Ihres Antrags", "Follow your application")),
            new QrCode(statusPageUrl, T(
                "Den aktuellen Stand, das voraussichtliche Datum und was wir von Ihnen brauchen, sehen Sie auf der Statusseite – mit Ihrer Vorgangsnummer und Ihrem Verfolgungscode. Den Code drucken wir zu Ihrem Schutz nicht ab.",
                "The status page shows where your application stands, when it will likely be done and what we need from you — with your case number and your tracking code. For your protection the code is not printed here.")),
        };
        if (!citizenCopy) blocks.Insert(0, new Paragraph(T("Ausfertigung für die Akte.", "Office copy.")));
        return new Letter(language, T("Eingangsbestätigung", "Confirmation of receipt") + " " + submitted.CaseNumber, sender, submitted.SubmittedAt, blocks);
    }
}
