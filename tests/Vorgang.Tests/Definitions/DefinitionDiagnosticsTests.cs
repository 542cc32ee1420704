using Vorgang.Api.Cli;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Tests.Definitions;

/// <summary>
/// Broken definitions produce located findings: each case breaks a small valid definition in one way
/// (keeping the number of lines, so that the line numbers below are those of <see cref="Valid"/>).
/// </summary>
[Collection(Vorgang.Tests.Engine.CommandLineCollection.Name)]
public sealed class DefinitionDiagnosticsTests
{
    private const string File = "sample-service/v1.yaml";
    private static readonly DateOnly Today = new(2026, 3, 2);

    /// <summary>Line numbers are given in the comments on the right of the test cases below.</summary>
    public static readonly string Valid = """
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

        """.ReplaceLineEndings("\n");

    /// <summary>One way to break the definition, the finding it must produce, and every rule reported alongside.</summary>
    public sealed record Breakage(
        (string Old, string New)[] Edits, string Rule, string Path, int Line, string[] AllRules,
        Severity Severity = Severity.Error, string? MessageContains = null);

    private static readonly Dictionary<string, Breakage> Breakages = new()
    {
        // YAML syntax: located at the offending line; nothing else is checked.
        ["yaml-syntax: wrong indentation"] = new([("    status: { de: Eingegangen, en: Received }", "   status: broken")],
            "yaml-syntax", "", 26, ["yaml-syntax"]),
        ["yaml-syntax: unclosed quote"] = new([("  name: Erika", "  name: \"Erika")],
            "yaml-syntax", "", 63, ["yaml-syntax"]),
        ["yaml-syntax: duplicate key"] = new([("    initial: true", "    id: again")],
            "yaml-syntax", "", 25, ["yaml-syntax"], MessageContains: "Duplicate key"),
        // Schema: unknown and missing keys, patterns, constants.
        ["schema: missing required key"] = new([("team: sample-team", "# no team")],
            "schema/required", "", 1, ["schema/required"], MessageContains: "team"),
        ["schema: unsupported dsl"] = new([("dsl: vorgang/v1", "dsl: vorgang/v2")],
            "schema/const", "/dsl", 1, ["schema/const"]),
        ["schema: action without role (empty by)"] = new([("    by: [caseworker]", "    by: []")],
            "schema/minItems", "/actions/0/by", 41, ["schema/minItems"]),
        ["schema: reserved action id claim"] = new([("  - id: start-review", "  - id: claim")],
            "schema/pattern", "/actions/0/id", 39, ["schema/pattern"]),
        ["schema: invalid relative date"] = new([("    maxDate: today", "    maxDate: today+3x")],
            "schema/pattern", "/form/2/maxDate", 22, ["schema/pattern"]),
        ["schema: admin may not act"] = new([("    by: [caseworker]", "    by: [admin]")],
            "schema/pattern", "/actions/0/by/0", 41, ["schema/pattern"]),
        ["schema: a state's status text without English"] = new([("    status: { de: Eingegangen, en: Received }", "    status: { de: Eingegangen }")],
            "schema/required", "/states/0/status", 26, ["schema/required"], MessageContains: "en"),
        ["schema: a state's empty German status text"] = new([("    status: { de: Eingegangen, en: Received }", "    status: { de: \"\", en: Received }")],
            "schema/minLength", "/states/0/status/de", 26, ["schema/minLength"]),
        ["schema: a state without a status text"] = new([("    status: { de: Eingegangen, en: Received }", "    # no status")],
            "schema/required", "/states/0", 24, ["schema/required"], MessageContains: "status"),
        // Semantic checks.
        ["personal data without retention"] = new([("    pattern: \"^[A-Z]\"", "    personal: true")],
            "retention-missing", "/retention", 1, ["retention-missing"], Severity.Warning),
        ["retention of no days"] = new([("parties: [school]", "parties: [school]\nretention: { erasePersonalDataAfterDays: 0 }")],
            "schema/minimum", "/retention/erasePersonalDataAfterDays", 8, ["schema/minimum"]),
        ["unknown target state"] = new([("    to: in-review", "    to: in-revew")],
            "unknown-state", "/actions/0/to", 43, ["unknown-state", "unreachable-state", "unreachable-state"], MessageContains: "'in-revew'"),
        ["unknown source state"] = new([("    from: [in-review]", "    from: [in-revew]")],
            "unknown-state", "/actions/1/from/0", 52, ["unknown-state", "unreachable-state"], MessageContains: "'in-revew'"),
        ["unreachable state"] = new([("    to: approved", "    to: withdrawn")],
            "unreachable-state", "/states/2", 30, ["unreachable-state"], MessageContains: "'approved'"),
        ["no final state"] = new([
                ("    final: true\n    outcome: approved", "    final: false\n    # no outcome"),
                ("    final: true\n    outcome: withdrawn", "    final: false\n    # no outcome")],
            "no-final-state", "/states", 23,
            ["no-final-state", "decision-not-final", "withdraw-target", "dead-end-state", "dead-end-state"]),
        ["duplicate state id"] = new([("  - id: withdrawn", "  - id: approved")],
            "duplicate-id", "/states/3", 34, ["duplicate-id", "unknown-state"], MessageContains: "'approved'"),
        ["duplicate action id"] = new([("  - id: withdraw\n", "  - id: approve\n")],
            "duplicate-id", "/actions/2", 56, ["duplicate-id"], MessageContains: "'approve'"),
        ["unknown role"] = new([("    by: [caseworker]", "    by: [clerk]")],
            "unknown-role", "/actions/0/by/0", 41, ["unknown-role"], MessageContains: "'clerk'"),
        ["expression that does not parse"] = new([("    guard: \"age >= 18\"", "    guard: \"age >= (18\"")],
            "expression", "/actions/1/guard", 54, ["expression"]),
        ["expression naming an unknown field"] = new([("    guard: \"age >= 18\"", "    guard: \"agee >= 18\"")],
            "unknown-name", "/actions/1/guard", 54, ["unknown-name"], MessageContains: "'agee'"),
        ["expression naming an unknown address part"] = new([("    visibleWhen: \"name != 'anonymous'\"", "    visibleWhen: \"[name.city] != 'Jena'\"")],
            "unknown-name", "/form/1/visibleWhen", 18, ["unknown-name"], MessageContains: "'name.city'"),
        ["unknown function"] = new([("    guard: \"age >= 18\"", "    guard: \"exec(age) > 1\"")],
            "expression", "/actions/1/guard", 54, ["expression"], MessageContains: "unknown function 'exec'"),
        ["dead-end state"] = new([("    from: [in-review]", "    from: [submitted]"), ("    from: [submitted, in-review]", "    from: [submitted]")],
            "dead-end-state", "/states/1", 27, ["dead-end-state"], MessageContains: "'in-review'"),
        ["decision to a non-final state"] = new([("    to: approved", "    to: in-review")],
            "decision-not-final", "/actions/1/to", 53, ["decision-not-final", "unreachable-state"]),
        ["withdrawal to a state without outcome withdrawn"] = new([("    to: withdrawn", "    to: approved")],
            "withdraw-target", "/actions/2/to", 61, ["withdraw-target", "unreachable-state"]),
        ["invalid regex pattern"] = new([("    pattern: \"^[A-Z]\"", "    pattern: \"^[A-Z\"")],
            "invalid-pattern", "/form/0/pattern", 13, ["invalid-pattern"]),
        ["impossible date"] = new([("    maxDate: today", "    maxDate: 2026-02-30")],
            "invalid-date", "/form/2/maxDate", 22, ["invalid-date"], MessageContains: "'2026-02-30'"),
        ["example below the minimum"] = new([("  age: 40", "  age: -1")],
            "invalid-example", "/example/age", 64, ["invalid-example"], MessageContains: "age: The value must be at least 0. (min)"),
        ["example after the latest date"] = new([("  birthDate: \"today-40y\"", "  birthDate: \"today+1d\"")],
            "invalid-example", "/example/birthDate", 65, ["invalid-example"], MessageContains: "(maxDate)"),
        ["example with an unknown field"] = new([("  age: 40", "  agee: 40")],
            "invalid-example", "/example/agee", 64, ["invalid-example"], MessageContains: "(unknown-field)"),
        ["waitingFor an undeclared party"] = new([("    waitingFor: school", "    waitingFor: parents")],
            "unknown-party", "/states/1/waitingFor", 29, ["unknown-party"], MessageContains: "'parents'"),
        ["input shadowing a form field outside provide-information"] = new([("      - id: note", "      - id: age")],
            "input-shadows-field", "/actions/0/inputs/0/id", 45, ["input-shadows-field"], MessageContains: "'age'"),
        ["input type differs from the field it supplements"] = new([
                ("  - id: start-review\n", "  - id: start-review\n    kind: provide-information\n"),
                ("    by: [caseworker]", "    by: [school]"),
                ("      - id: note\n        type: text", "      - id: age\n        type: text")],
            "input-type-mismatch", "/actions/0/inputs/0/type", 47, ["input-type-mismatch"]),
        // Warnings do not make a file invalid.
        ["guard without message (warning)"] = new([("    guardMessage: { de: Zu jung., en: Too young. }", "    # no guard message")],
            "guard-without-message", "/actions/1/guard", 54, ["guard-without-message"], Severity.Warning),
        ["no example (warning)"] = new([("example:\n  name: Erika\n  age: 40\n  birthDate: \"today-40y\"", "#\n#\n#\n#")],
            "no-example", "", 1, ["no-example"], Severity.Warning),
    };

    public static TheoryData<string> BreakageNames() => new(Breakages.Keys);

    [Fact]
    public void Notification_texts_name_known_states_and_placeholders_only()
    {
        var text = Valid.Replace("parties: [school]\n", """
            parties: [school]
            notifications:
              - trigger: submitted
                subject: { de: "Eingang {caseNumber}", en: "Received {trackingCode}" }
                body: { de: "Hallo {name}", en: "Hello {name}" }
              - trigger: decided
                state: nowhere
                subject: { de: Fertig, en: Done }
                body: { de: Fertig, en: Done }

            """);
        var result = DefinitionLoader.Load(text, File, Today);
        var all = string.Join(Environment.NewLine, result.Diagnostics);
        var placeholder = Assert.Single(result.Diagnostics, d => d.Rule == "unknown-placeholder");
        Assert.Equal(("/notifications/0/subject/en", 10), (placeholder.Path, placeholder.Line));
        Assert.Contains("{trackingCode}", placeholder.Message);
        var state = Assert.Single(result.Diagnostics, d => d.Rule == "unknown-state");
        Assert.Equal(("/notifications/1/state", 13), (state.Path, state.Line));
        Assert.True(result.Diagnostics.Count == 2, all);

        var unknownTrigger = DefinitionLoader.Load(text.Replace("trigger: decided", "trigger: approved"), File, Today);
        Assert.Contains(unknownTrigger.Diagnostics, d => d.Rule.StartsWith("schema/", StringComparison.Ordinal) && d.Path == "/notifications/1/trigger");
    }

    [Fact]
    public void The_unbroken_definition_is_valid()
    {
        var result = DefinitionLoader.Load(Valid, File, Today);

        Assert.True(result.Diagnostics.Count == 0, string.Join(Environment.NewLine, result.Diagnostics));
        Assert.True(result.IsValid);
        Assert.Equal("sample-service@v1", result.Definition!.Key);
    }

    [Theory]
    [MemberData(nameof(BreakageNames))]
    public void A_broken_definition_yields_a_located_finding(string name)
    {
        var breakage = Breakages[name];
        var text = Break(breakage.Edits);

        var result = DefinitionLoader.Load(text, File, Today);

        var all = string.Join(Environment.NewLine, result.Diagnostics);
        Assert.True(breakage.AllRules.Order().SequenceEqual(result.Diagnostics.Select(d => d.Rule).Order()), all);
        var found = Assert.Single(result.Diagnostics, d => d.Rule == breakage.Rule);
        Assert.Equal(File, found.File);
        Assert.Equal(breakage.Path, found.Path);
        Assert.Equal(breakage.Line, found.Line);
        Assert.Equal(breakage.Severity, found.Severity);
        Assert.False(string.IsNullOrWhiteSpace(found.Message));
        if (breakage.MessageContains is { } part) Assert.Contains(part, found.Message);
        var level = found.Severity == Severity.Error ? "error" : "warning";
        Assert.Equal($"{File}:{found.Line}: {level} [{found.Rule}] {(found.Path == "" ? "/" : found.Path)}: {found.Message}", found.ToString());
        Assert.Matches(@"^sample-service/v1\.yaml:\d+: (error|warning) \[[A-Za-z/-]+\] /[A-Za-z0-9/-]*: .+$", found.ToString());
        Assert.Equal(breakage.Severity == Severity.Warning, result.IsValid);
    }

    [Fact]
    public void An_unknown_key_is_a_schema_finding_at_the_line_of_the_key()
    {
        // The schema reports additionalProperties violations through the `false` subschema; the rule is "schema/<keyword>".
        var result = DefinitionLoader.Load(Break([("    maxDate: today", "    maxdate: today")]), File, Today);

        var found = Assert.Single(result.Diagnostics);
        Assert.StartsWith("schema/", found.Rule);
        Assert.Equal(("/form/2/maxdate", 22), (found.Path, found.Line));
        Assert.Null(result.Definition);
    }

    [Theory]
    [InlineData("sample-service/v2.yaml")]
    [InlineData("other-service/v1.yaml")]
    [InlineData("sample-service/v1.yml")]
    [InlineData("v1.yaml")]
    public void A_file_name_that_does_not_match_id_and_version_is_a_finding_at_the_id(string file)
    {
        var result = DefinitionLoader.Load(Valid, file, Today);

        var found = Assert.Single(result.Diagnostics);
        Assert.Equal(("file-name", "/id", 2), (found.Rule, found.Path, found.Line));
        Assert.Contains("'sample-service/v1.yaml'", found.Message);
        Assert.Equal($"{file}:2: error [file-name] /id: {found.Message}", found.ToString());
    }

    [Theory]
    [InlineData("sample-service/v1.yaml")]
    [InlineData("archive/sample-service/v1.yaml")]
    [InlineData(@"archive\sample-service\v1.yaml")]
    public void A_file_under_its_service_folder_matches(string file)
    {
        Assert.Empty(DefinitionLoader.Load(Valid, file, Today).Diagnostics);
    }

    [Fact]
    public void A_folder_that_merely_ends_with_the_id_does_not_match()
    {
        var found = Assert.Single(DefinitionLoader.Load(Valid, "my-sample-service/v1.yaml", Today).Diagnostics);
        Assert.Equal("file-name", found.Rule);
    }

    [Fact]
    public void The_checker_itself_reports_what_the_schema_already_refuses()
    {
        // reserved-action and action-without-role cannot pass the schema; the checker still guards definitions built in code.
        var yaml = YamlDocument.Parse(Valid);
        var definition = DefinitionLoader.Load(Valid, File, Today).Definition!;
        var broken = definition with
        {
            Actions = [definition.Actions[0] with { Id = "claim", By = [] }, definition.Actions[1], definition.Actions[2] with { Kind = "cancel" }],
        };

        var found = DefinitionChecker.Check(broken, File, yaml.LineOf, Today);

        Assert.Equal(
            [("reserved-action", "/actions/0/id", 39), ("action-without-role", "/actions/0/by", 41), ("unknown-kind", "/actions/2/kind", 57)],
            found.Select(d => (d.Rule, d.Path, d.Line)));
    }

    [Fact]
    public void Several_problems_are_all_reported_at_once()
    {
        var text = Break([("    to: in-review", "    to: in-revew"), ("    by: [caseworker]", "    by: [clerk]"), ("    waitingFor: school", "    waitingFor: parents")]);

        var result = DefinitionLoader.Load(text, File, Today);

        Assert.Equal(
            ["unknown-party", "unknown-role", "unknown-state", "unreachable-state", "unreachable-state"],
            result.Diagnostics.Select(d => d.Rule).Order());
        Assert.False(result.IsValid);
    }

    [Fact]
    public void An_alias_is_a_yaml_syntax_finding()
    {
        var text = Break([("title: { de: Beispiel, en: Sample }", "title: &t { de: Beispiel, en: Sample }"), ("summary: { de: Ein Beispiel., en: A sample. }", "summary: *t")]);

        var found = Assert.Single(DefinitionLoader.Load(text, File, Today).Diagnostics);
        Assert.Equal(("yaml-syntax", 5), (found.Rule, found.Line));
    }

    [Theory]
    [InlineData("    label: { de: Name, en: Name }", "    label: { de: Name, en: Name", "yaml-syntax")] // InvalidOperationException from the YamlDotNet scanner; Load catches only YamlException
    [InlineData("team: sample-team", "? [a, b]\n: c", "yaml-syntax")] // InvalidCastException: YamlDocument.cs line 52 casts every key to YamlScalarNode
    [InlineData("    maxDate: today", "    maxDate: today-9999y", "invalid-date")] // ArgumentOutOfRangeException in RelativeDate.TryResolve (AddYears)
    [InlineData("  birthDate: \"today-40y\"", "  birthDate: \"today-9999y\"", "invalid-example")] // the same, from DefinitionChecker.ResolveDates
    public void Load_never_throws_for_a_bad_file(string old, string @new, string rule)
    {
        var result = DefinitionLoader.Load(Valid.Replace(old, @new), File, Today);

        Assert.Contains(result.Diagnostics, d => d.Rule == rule);
    }

    [Fact]
    public async Task The_check_verb_fails_and_prints_the_located_finding()
    {
        using var folder = new TempFolder();
        folder.Write("sample-service/v1.yaml", Break([("    to: in-review", "    to: in-revew")]));
        var (stdout, stderr) = (new StringWriter(), new StringWriter());

        var exit = await Verbs.TryRunAsync(["definitions", "check", "--path", folder.Path], stdout, stderr);

        Assert.Equal(1, exit);
        var errors = stderr.ToString().ReplaceLineEndings("\n").TrimEnd().Split('\n');
        Assert.Contains("sample-service/v1.yaml:43: error [unknown-state] /actions/0/to: Action 'start-review' leads to unknown state 'in-revew'.", errors);
        Assert.Equal(3, errors.Length);
        Assert.Equal($"{folder.Path}: 1 file(s), 0 valid, 3 error(s), 0 warning(s).", stdout.ToString().Trim());
    }

    [Fact]
    public async Task The_check_verb_prints_warnings_to_stdout_and_passes()
    {
        using var folder = new TempFolder();
        folder.Write("sample-service/v1.yaml", Break([("    guardMessage: { de: Zu jung., en: Too young. }", "    # no guard message")]));
        var (stdout, stderr) = (new StringWriter(), new StringWriter());

        var exit = await Verbs.TryRunAsync(["definitions", "check", "--path", folder.Path], stdout, stderr);

        Assert.Equal(0, exit);
        Assert.Equal("", stderr.ToString());
        var lines = stdout.ToString().ReplaceLineEndings("\n").TrimEnd().Split('\n');
        Assert.Equal(
            [$"sample-service/v1.yaml:54: warning [guard-without-message] /actions/1/guard: Say in 'guardMessage' why the action is not possible when the guard fails.",
             $"{folder.Path}: 1 file(s), 1 valid, 0 error(s), 1 warning(s)."],
            lines);
    }

    [Fact]
    public async Task The_check_verb_fails_on_a_missing_folder()
    {
        var missing = Path.Combine(Path.GetTempPath(), "vorgang-no-such-folder-" + Guid.NewGuid().ToString("N"));
        var stderr = new StringWriter();

        var exit = await Verbs.TryRunAsync(["definitions", "check", "--path", missing], new StringWriter(), stderr);

        Assert.Equal(1, exit);
        Assert.Contains("[no-definitions]", stderr.ToString());
    }

    [Fact]
    public void With_two_versions_the_latest_is_the_highest_and_the_older_stays_available()
    {
        using var folder = new TempFolder();
        folder.Write("sample-service/v2.yaml", Break([("version: 1", "version: 2"), ("title: { de: Beispiel, en: Sample }", "title: { de: Beispiel 2, en: Sample 2 }")]));
        folder.Write("sample-service/v1.yaml", Valid);

        var (catalog, diagnostics) = DefinitionCatalog.LoadDirectory(folder.Path, Today);

        Assert.Empty(diagnostics);
        Assert.Equal(2, catalog.Published.Count);
        var latest = catalog.Latest("sample-service");
        Assert.NotNull(latest);
        Assert.Equal(2, latest.Version);
        Assert.Equal("Sample 2", latest.Title.En);
        var first = catalog.Get("sample-service", 1);
        Assert.NotNull(first);
        Assert.Equal(("Sample", 1), (first.Title.En, first.Version));
        Assert.Same(latest, catalog.Get("sample-service", 2));
        Assert.Null(catalog.Get("sample-service", 3));
        Assert.Null(catalog.Latest("other-service"));
        Assert.Equal([latest], catalog.LatestVersions);
    }

    [Fact]
    public void A_broken_file_stays_out_of_the_catalog_while_valid_ones_load()
    {
        using var folder = new TempFolder();
        folder.Write("sample-service/v1.yaml", Valid);
        folder.Write("sample-service/v2.yaml", Break([("version: 1", "version: 2"), ("    to: in-review", "    to: in-revew")]));

        var (catalog, diagnostics) = DefinitionCatalog.LoadDirectory(folder.Path, Today);

        Assert.All(diagnostics, d => Assert.Equal("sample-service/v2.yaml", d.File));
        Assert.Contains(diagnostics, d => d.Rule == "unknown-state");
        Assert.Equal(1, catalog.Latest("sample-service")!.Version);
        Assert.Null(catalog.Get("sample-service", 2));
    }

    [Fact]
    public void Two_files_with_the_same_version_are_a_duplicate_version()
    {
        using var folder = new TempFolder();
        folder.Write("sample-service/v1.yaml", Valid);
        folder.Write("archive/sample-service/v1.yaml", Valid);

        var (catalog, diagnostics) = DefinitionCatalog.LoadDirectory(folder.Path, Today);

        var found = Assert.Single(diagnostics);
        Assert.Equal(("sample-service/v1.yaml", "duplicate-version", "/id", 1), (found.File, found.Rule, found.Path, found.Line));
        Assert.Contains("archive/sample-service/v1.yaml", found.Message);
        Assert.Single(catalog.Published);
    }

    [Fact]
    public void An_empty_folder_has_no_definitions()
    {
        using var folder = new TempFolder();

        var (catalog, diagnostics) = DefinitionCatalog.LoadDirectory(folder.Path, Today);

        Assert.Equal("no-definitions", Assert.Single(diagnostics).Rule);
        Assert.Empty(catalog.Published);
    }

    /// <summary>Applies one-for-one edits to the valid definition; each edit must match exactly once.</summary>
    private static string Break((string Old, string New)[] edits)
    {
        var text = Valid;
        foreach (var (old, @new) in edits)
        {
            var at = text.IndexOf(old, StringComparison.Ordinal);
            Assert.True(at >= 0, $"'{old}' is not in the definition.");
            Assert.True(text.IndexOf(old, at + 1, StringComparison.Ordinal) < 0, $"'{old}' occurs more than once.");
            text = string.Concat(text.AsSpan(0, at), @new, text.AsSpan(at + old.Length));
        }
        return text;
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("vorgang-definitions-").FullName;

        public void Write(string file, string text)
        {
            var full = System.IO.Path.Combine(Path, file);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            System.IO.File.WriteAllText(full, text);
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
