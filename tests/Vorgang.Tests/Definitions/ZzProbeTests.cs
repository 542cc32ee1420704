using Vorgang.Workflows.Definitions;
using Xunit.Abstractions;

namespace Vorgang.Tests.Definitions;

public sealed class ZzProbeTests(ITestOutputHelper output)
{
    private const string Base = """
        dsl: vorgang/v1
        id: sample-service
        version: 1
        title: { de: Beispiel, en: Sample }
        summary: { de: Ein Beispiel., en: A sample. }
        team: sample-team
        parties: [school]
        form:
          - id: name
            type: text
            label: { de: Name, en: Name }
            required: true
            pattern: "^[A-Z]"
          - id: age
            type: integer
            label: { de: Alter, en: Age }
            min: 0
            visibleWhen: "name != 'anonymous'"
          - id: birthDate
            type: date
            label: { de: Geburtsdatum, en: Date of birth }
            maxDate: today
        states:
          - id: submitted
            initial: true
            status: { de: Eingegangen, en: Received }
          - id: in-review
            status: { de: In Prüfung, en: In review }
            waitingFor: school
          - id: approved
            final: true
            outcome: approved
            status: { de: Genehmigt, en: Approved }
          - id: withdrawn
            final: true
            outcome: withdrawn
            status: { de: Zurückgezogen, en: Withdrawn }
        actions:
          - id: start-review
            label: { de: Prüfen, en: Review }
            by: [caseworker]
            from: [submitted]
            to: in-review
            inputs:
              - id: note
                type: text
                label: { de: Notiz, en: Note }
          - id: approve
            kind: decide
            label: { de: Genehmigen, en: Approve }
            by: [caseworker, school]
            from: [in-review]
            to: approved
            guard: "age >= 18"
            guardMessage: { de: Zu jung., en: Too young. }
          - id: withdraw
            kind: withdraw
            label: { de: Zurückziehen, en: Withdraw }
            by: [citizen]
            from: [submitted, in-review]
            to: withdrawn
        example:
          name: Erika
          age: 40
          birthDate: "today-40y"
        """;

    [Theory]
    [InlineData("", "")]
    [InlineData("title: { de: Beispiel, en: Sample }", "title: &t { de: Beispiel, en: Sample }")]
    [InlineData("summary: { de: Ein Beispiel., en: A sample. }", "summary: *t")]
    [InlineData("dsl: vorgang/v1", "dsl: vorgang/v2")]
    [InlineData("    by: [caseworker]", "    by: [clerk]")]
    [InlineData("    by: [caseworker]", "    by: [admin]")]
    [InlineData("    label: { de: Name, en: Name }", "    label: { de: Name, en: Name")]
    [InlineData("    initial: true", "    id: again")]
    [InlineData("    status: { de: Eingegangen, en: Received }", "   status: broken")]
    [InlineData("  name: Erika", "  name: \"Erika")]
    [InlineData("    maxDate: today", "    maxdate: today")]
    [InlineData("    maxDate: today", "    maxDate: today+3x")]
    [InlineData("    maxDate: today", "    maxDate: 2026-02-30")]
    [InlineData("    maxDate: today", "    maxDate: today-9999y")]
    [InlineData("  birthDate: \"today-40y\"", "  birthDate: \"today-9999y\"")]
    [InlineData("    by: [caseworker]", "    by: []")]
    [InlineData("  - id: start-review", "  - id: claim")]
    [InlineData("    guard: \"age >= 18\"", "    guard: \"exec(age)\"")]
    [InlineData("    guard: \"age >= 18\"", "    guard: \"age >= (18\"")]
    [InlineData("    guard: \"age >= 18\"", "    guard: \"TODAY() > 1\"")]
    [InlineData("    pattern: \"^[A-Z]\"", "    pattern: \"^[A-Z\"")]
    [InlineData("team: sample-team", "team: sample-team\nfoo: &a bar\nbar: *a")]
    [InlineData("team: sample-team", "? [a, b]\n: c")]
    [InlineData("  age: 40", "  age: -1")]
    [InlineData("    to: in-review", "    to: in-revew")]
    public void Probe(string old, string @new)
    {
        var text = old.Length == 0 ? Base : Base.Replace(old, @new);
        try
        {
            var r = DefinitionLoader.Load(text, "sample-service/v1.yaml", new DateOnly(2026, 3, 2));
            output.WriteLine($"def={(r.Definition is null ? "null" : "ok")}");
            foreach (var d in r.Diagnostics) output.WriteLine(d.ToString());
        }
        catch (Exception e) { output.WriteLine("THROWS " + e); }
    }

    [Fact]
    public void ProbeRules()
    {
        var today = new DateOnly(2026, 3, 2);
        foreach (var t in new[] { "TODAY()", "today()", "abs(-1)", "Abs(-1)", "DaysSince('2026-03-01')", "'a' in ('a','b')", "in('a','a','b')", "1 + count(x)", "isSet(x)", "x > 1", "Sqrt(s) > 1", "s + 1", "if(true, 1, 2)" })
        {
            try { output.WriteLine($"{t} => check {Rules.Check(t).Error} params [{string.Join(",", Rules.Check(t).Parameters)}] => {Rules.Evaluate(t, new Dictionary<string, object?> { ["x"] = null, ["s"] = "abc" }, today)} ({Rules.Evaluate(t, new Dictionary<string, object?> { ["x"] = null, ["s"] = "abc" }, today)?.GetType().Name})"); }
            catch (Exception e) { output.WriteLine($"{t} => THROWS {e.GetType().Name}: {e.Message}"); }
        }
    }
}
