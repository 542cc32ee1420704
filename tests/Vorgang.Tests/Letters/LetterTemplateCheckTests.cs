using Vorgang.Api.Features.Letters;
using Vorgang.Tests.Definitions;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Tests.Letters;

/// <summary>What the definition check says about letter templates, and that a letter is the same file for the same events.</summary>
public sealed class LetterTemplateCheckTests
{
    private static readonly DateOnly Today = new(2026, 3, 2);
    private const string Anchor = "    guardMessage: { de: Zu jung., en: Too young. }\n";

    private const string Letter = """
            letter:
              id: approval
              title: { de: Genehmigung, en: Approval }
              to: { de: "{name}", en: "{name}" }
              text: { de: "Genehmigt für {name} am {issuedOn}.", en: "Approved for {name} on {issuedOn}." }
              facts:
                - label: { de: Alter, en: Age }
                  value: "{age}"
              legalRemedy: { de: Widerspruch binnen eines Monats., en: Object within one month. }

        """;

    private static LoadResult Load(string letter)
    {
        var text = DefinitionDiagnosticsTests.Valid.Replace(Anchor, Anchor + letter.ReplaceLineEndings("\n"));
        Assert.NotEqual(DefinitionDiagnosticsTests.Valid, text);
        return DefinitionLoader.Load(text, "sample-service/v1.yaml", Today);
    }

    [Fact]
    public void A_letter_naming_form_fields_and_built_ins_with_a_legal_remedy_has_no_findings()
    {
        var result = Load(Letter);
        Assert.True(result.Diagnostics.Count == 0, string.Join(Environment.NewLine, result.Diagnostics));
        Assert.Equal("approval", result.Definition!.Action("approve")!.Letter!.Id);
    }

    [Theory]
    [InlineData("{name}\", en: \"{name}\" }", "{nmae}\", en: \"{name}\" }", "unknown-placeholder", "/actions/1/letter/to/de")]
    [InlineData("value: \"{age}\"", "value: \"{note}\"", "unknown-placeholder", "/actions/1/letter/facts/0/value")]
    [InlineData("title: { de: Genehmigung, en: Approval }", "title: { de: \"Genehmigung {name}\", en: Approval }", "letter-title-placeholder", "/actions/1/letter/title/de")]
    [InlineData("      legalRemedy: { de: Widerspruch binnen eines Monats., en: Object within one month. }\n", "", "decision-without-legal-remedy", "/actions/1/letter")]
    public void A_broken_letter_is_reported_where_it_is_broken(string old, string @new, string rule, string path)
    {
        Assert.Contains(old, Letter);
        var result = Load(Letter.Replace(old, @new));
        var finding = Assert.Single(result.Diagnostics, d => d.Rule == rule);
        Assert.Equal(path, finding.Path);
        Assert.True(finding.Line > 0);
        Assert.False(result.IsValid);
    }

    [Fact]
    public void An_outcome_document_needs_no_legal_remedy()
    {
        var result = Load(Letter.Replace("      legalRemedy: { de: Widerspruch binnen eines Monats., en: Object within one month. }\n", "      kind: document\n"));
        Assert.True(result.Diagnostics.Count == 0, string.Join(Environment.NewLine, result.Diagnostics));
    }

    [Fact]
    public void An_internal_input_is_never_printed()
    {
        var text = DefinitionDiagnosticsTests.Valid
            .Replace("    guard: \"age >= 18\"\n", "    inputs:\n      - id: check\n        type: text\n        label: { de: Vermerk, en: Note }\n        internal: true\n    guard: \"age >= 18\"\n")
            .Replace(Anchor, Anchor + Letter.Replace("value: \"{age}\"", "value: \"{check}\"").ReplaceLineEndings("\n"));
        var result = DefinitionLoader.Load(text, "sample-service/v1.yaml", Today);
        var finding = Assert.Single(result.Diagnostics, d => d.Rule == "letter-internal-input");
        Assert.Equal("/actions/1/letter/facts/0/value", finding.Path);
    }

    [Fact]
    public void The_same_events_give_the_same_letter_byte_for_byte()
    {
        var definition = Load(Letter).Definition!;
        var submitted = new CaseSubmitted("2026-000042", definition.Id, 1, "in-review", "sample-team", "de",
            new System.Text.Json.Nodes.JsonObject { ["name"] = "Erika", ["age"] = 40 }, "hash", null, Actor.AnonymousCitizen(),
            new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        var state = Case.Create(submitted);
        var decided = new CaseDecided(state.Id, "approve", "in-review", "approved", "approved", new(), new Actor("c1", "caseworker", "Clara", Channels.Office),
            new DateTimeOffset(2026, 3, 4, 10, 30, 0, TimeSpan.Zero));
        var issuer = new LetterIssuer(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());

        var (events, files) = issuer.Issue(definition, state, [decided]);
        var (again, filesAgain) = issuer.Issue(definition, state, [decided]);

        var issued = Assert.Single(events.OfType<LetterIssued>());
        Assert.Equal(issued, Assert.Single(again.OfType<LetterIssued>()));
        Assert.Equal(Assert.Single(files).Pdf, Assert.Single(filesAgain).Pdf);
        Assert.Equal("04.03.2026", System.Text.RegularExpressions.Regex.Match(
            string.Join(" ", UglyToad.PdfPig.PdfDocument.Open(files[0].Pdf).GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text)), @"\d\d\.\d\d\.\d{4}").Value);
    }
}
