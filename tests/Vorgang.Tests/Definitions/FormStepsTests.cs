using Vorgang.Workflows.Definitions;

namespace Vorgang.Tests.Definitions;

/// <summary>The form's pages in the portal (<c>steps</c>): every field once, a conditional field after what it depends on.</summary>
public sealed class FormStepsTests
{
    private const string File = "sample-service/v1.yaml";
    private static readonly DateOnly Today = new(2026, 3, 2);

    private static List<string> Rules(string steps) =>
        DefinitionLoader.Load(DefinitionDiagnosticsTests.Valid + "\n" + steps, File, Today).Diagnostics.Select(d => d.Rule).ToList();

    [Fact]
    public void Without_steps_each_field_is_a_page_of_its_own()
    {
        var definition = DefinitionLoader.Load(DefinitionDiagnosticsTests.Valid, File, Today).Definition!;
        Assert.Equal(["name", "age", "birthdate"], definition.Pages.Select(p => p.Id));
    }

    [Fact]
    public void Steps_that_ask_every_field_once_in_order_are_valid() =>
        Assert.Empty(Rules("""
            steps:
              - { id: who, title: { de: Wer, en: Who }, fields: [name] }
              - { id: more, title: { de: Mehr, en: More }, fields: [age, birthDate] }
            """));

    [Theory]
    [InlineData("- { id: all, title: { de: A, en: A }, fields: [name, age] }", "field-without-step")]
    [InlineData("- { id: all, title: { de: A, en: A }, fields: [name, age, birthDate, nobody] }", "unknown-field")]
    [InlineData("- { id: one, title: { de: A, en: A }, fields: [name, birthDate] }\n  - { id: two, title: { de: B, en: B }, fields: [age, name] }", "field-in-several-steps")]
    [InlineData("- { id: one, title: { de: A, en: A }, fields: [name, age, birthDate] }", "step-order")]
    [InlineData("- { id: Not_Kebab, title: { de: A, en: A }, fields: [name, age, birthDate] }", "schema/pattern")]
    public void A_broken_step_is_a_finding(string steps, string rule) =>
        Assert.Contains(rule, Rules("steps:\n  " + steps));
}
