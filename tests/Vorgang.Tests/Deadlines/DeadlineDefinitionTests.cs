using Vorgang.Tests.Definitions;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Tests.Deadlines;

/// <summary>The definition keys of the legal clock — <c>legalDeadline.extension</c>, state <c>reminder</c> and <c>timeout</c> — and their checks.</summary>
public sealed class DeadlineDefinitionTests
{
    private const string File = "sample-service/v1.yaml";
    private static readonly DateOnly Today = new(2026, 3, 2);

    /// <summary>The diagnostics sample with a legal deadline that may be extended and a waiting state that times out.</summary>
    private static readonly string WithTimers = DefinitionDiagnosticsTests.Valid
        .Replace("team: sample-team\n", "team: sample-team\nlegalDeadline: { workingDays: 10, basis: \"§ 1\", extension: { maxWorkingDays: 5 } }\n")
        .Replace("    waitingFor: school\n", "    waitingFor: school\n    timeout: { afterWorkingDays: 10, action: give-up }\n")
        .Replace("example:\n", """
              - id: give-up
                kind: withdraw
                label: { de: Beenden, en: Give up }
                by: [system]
                from: [in-review]
                to: withdrawn
            example:

            """.ReplaceLineEndings("\n"));

    private static LoadResult Load(string text) => DefinitionLoader.Load(text, File, Today);

    private static List<string> Rules(string text) => Load(text).Diagnostics.Select(d => d.Rule).ToList();

    [Fact]
    public void Extension_reminder_and_timeout_are_read_into_the_model()
    {
        var result = Load(WithTimers);

        Assert.True(result.Diagnostics.Count == 0, string.Join(Environment.NewLine, result.Diagnostics));
        var definition = result.Definition!;
        Assert.Equal(new DeadlineDefinition { WorkingDays = 10, Basis = "§ 1", Extension = new ExtensionDefinition { MaxWorkingDays = 5 } }, definition.LegalDeadline);
        Assert.Equal(new TimeoutDefinition { AfterWorkingDays = 10, Action = "give-up" }, definition.State("in-review")!.Timeout);
    }

    [Fact]
    public void The_shipped_definitions_declare_their_timers()
    {
        var change = ShippedDefinitions.Definition("change-of-address");
        Assert.Equal(10, change.LegalDeadline!.Extension!.MaxWorkingDays);
        Assert.Equal(5, change.State("waiting-for-citizen")!.Reminder!.AfterWorkingDays);
        Assert.Equal("close-unanswered", change.State("waiting-for-citizen")!.Timeout!.Action);
        Assert.Equal("close-unpaid", ShippedDefinitions.Definition("residential-parking-permit").State("awaiting-payment")!.Timeout!.Action);
        Assert.Null(ShippedDefinitions.Definition("school-transport").LegalDeadline!.Extension);
    }

    [Fact]
    public void A_reminder_goes_to_a_citizen_the_state_waits_for()
    {
        var text = WithTimers.Replace("    timeout: { afterWorkingDays: 10, action: give-up }\n", "    reminder: { afterWorkingDays: 3 }\n    timeout: { afterWorkingDays: 10, action: give-up }\n");

        var found = Assert.Single(Load(text).Diagnostics);
        Assert.Equal(("reminder-without-waiting", "/states/1/reminder"), (found.Rule, found.Path));
    }

    [Theory]
    [InlineData("action: give-up }", "action: give-upp }", "unknown-action")]
    [InlineData("action: give-up }", "action: withdraw }", "timeout-action")] // the citizen's withdrawal: not a system action
    [InlineData("    waitingFor: school\n", "", "timeout-without-waiting")]
    public void A_timeout_takes_a_system_action_out_of_a_waiting_state(string old, string @new, string rule)
    {
        var rules = Rules(WithTimers.Replace(old, @new));

        Assert.Contains(rule, rules);
        Assert.DoesNotContain(rules, r => r.StartsWith("schema/", StringComparison.Ordinal));
    }

    [Fact]
    public void A_system_action_no_timeout_takes_is_a_warning()
    {
        var result = Load(WithTimers.Replace("    timeout: { afterWorkingDays: 10, action: give-up }\n", ""));

        var found = Assert.Single(result.Diagnostics);
        Assert.Equal(("system-action-without-timer", Severity.Warning), (found.Rule, found.Severity));
        Assert.True(result.IsValid);
    }

    [Fact]
    public void A_timeout_before_the_reminder_is_a_warning()
    {
        var text = WithTimers.Replace("    waitingFor: school\n", "    waitingFor: citizen\n    nextStep: { de: Bitte antworten., en: Please answer. }\n    reminder: { afterWorkingDays: 10 }\n");

        Assert.Equal(["timeout-before-reminder"], Rules(text));
    }

    [Theory]
    [InlineData("extension: { maxWorkingDays: 5 }", "extension: { maxWorkingDays: 0 }", "schema/minimum")]
    [InlineData("extension: { maxWorkingDays: 5 }", "extension: { maxDays: 5 }", "schema/required")]
    [InlineData("legalDeadline: { workingDays: 10, basis: \"§ 1\", extension", "legalDeadline: { basis: \"§ 1\", extension", "deadline-without-period")]
    [InlineData("  - id: give-up", "  - id: extend-deadline", "schema/pattern")] // a built-in action
    [InlineData("timeout: { afterWorkingDays: 10, action: give-up }", "timeout: { afterWorkingDays: 10 }", "schema/required")]
    public void Broken_deadline_keys_are_located_findings(string old, string @new, string rule)
    {
        var text = WithTimers.Replace(old, @new);
        Assert.NotEqual(WithTimers, text);

        Assert.Contains(rule, Rules(text));
    }

    [Fact]
    public void A_case_that_would_start_waiting_for_the_citizen_is_a_warning()
    {
        var text = WithTimers.Replace("    initial: true\n", "    initial: true\n    waitingFor: citizen\n    nextStep: { de: Bitte antworten., en: Please answer. }\n");

        var found = Assert.Single(Load(text).Diagnostics);
        Assert.Equal(("initial-waits-for-citizen", Severity.Warning, "/states/0/waitingFor"), (found.Rule, found.Severity, found.Path));
    }

    [Fact]
    public void A_final_state_has_no_timers()
    {
        var text = WithTimers.Replace("    outcome: approved\n", "    outcome: approved\n    reminder: { afterWorkingDays: 3 }\n");

        Assert.Contains("schema/const", Rules(text));
    }
}
