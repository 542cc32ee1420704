using System.Text.Json;
using System.Text.Json.Nodes;
using Vorgang.Api.Cli;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Tests.Definitions;

/// <summary>The repository's <c>process-definitions/</c> folder and its files, found from the test binaries.</summary>
public static class ShippedDefinitions
{
    public static readonly string[] ServiceIds =
        ["building-permit-consultation", "change-of-address", "defect-report", "residential-parking-permit", "school-transport"];

    private static readonly Lazy<string> LazyFolder = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = new DirectoryInfo(Path.Combine(dir.FullName, "process-definitions"));
            if (candidate.Exists) return candidate.FullName;
        }
        throw new DirectoryNotFoundException($"No process-definitions folder above {AppContext.BaseDirectory}.");
    });

    /// <summary>The absolute path of the shipped definitions, without a trailing separator.</summary>
    public static string Folder => LazyFolder.Value;

    /// <summary>The city's date today, as the engine and the check verb see it.</summary>
    public static DateOnly Today => TimeProvider.System.Today();

    /// <summary>Every definition file, relative to the folder with forward slashes (<c>change-of-address/v1.yaml</c>).</summary>
    public static IEnumerable<string> Files() =>
        Directory.EnumerateFiles(Folder, "*.yaml", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Folder, "*.yml", SearchOption.AllDirectories))
            .Select(path => Path.GetRelativePath(Folder, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    public static LoadResult Load(string file, DateOnly today) =>
        DefinitionLoader.Load(File.ReadAllText(Path.Combine(Folder, file)), file, today);

    /// <summary>The highest version shipped for a service: the one new applications start under.</summary>
    public static int LatestVersion(string serviceId) =>
        Directory.EnumerateFiles(Path.Combine(Folder, serviceId), "v*.yaml")
            .Max(path => int.Parse(Path.GetFileNameWithoutExtension(path)[1..]));

    /// <summary>Loads a shipped definition (the latest version unless one is named) and fails the test if it has any finding.</summary>
    public static ProcessDefinition Definition(string serviceId, int? version = null, DateOnly? today = null)
    {
        var result = Load($"{serviceId}/v{version ?? LatestVersion(serviceId)}.yaml", today ?? Today);
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Diagnostics));
        return result.Definition!;
    }
}

[Collection(Vorgang.Tests.Engine.CommandLineCollection.Name)]
public sealed class ShippedDefinitionsTests
{
    private static readonly string Folder = ShippedDefinitions.Folder;
    private static readonly DateOnly Today = ShippedDefinitions.Today;

    public static TheoryData<string> Files() => new(ShippedDefinitions.Files());

    [Fact]
    public void The_catalog_loads_exactly_the_five_services_without_errors_or_warnings()
    {
        var (catalog, diagnostics) = DefinitionCatalog.LoadDirectory(Folder, Today);

        Assert.True(diagnostics.Count == 0, string.Join(Environment.NewLine, diagnostics));
        Assert.Equal(ShippedDefinitions.ServiceIds, catalog.LatestVersions.Select(d => d.Id));
        Assert.Equal(ShippedDefinitions.Files().Count(), catalog.Published.Count);
        foreach (var id in ShippedDefinitions.ServiceIds)
        {
            var latest = catalog.Latest(id);
            Assert.NotNull(latest);
            Assert.Same(latest, catalog.Get(id, latest.Version));
        }
    }

    [Fact]
    public void Published_definitions_keep_their_exact_text_and_its_hash()
    {
        var (catalog, _) = DefinitionCatalog.LoadDirectory(Folder, Today);

        foreach (var published in catalog.Published)
        {
            var text = File.ReadAllText(Path.Combine(Folder, published.File));
            Assert.Equal(text, published.Text);
            Assert.Equal(DefinitionCatalog.Hash(text), published.Sha256);
            Assert.Matches("^[0-9a-f]{64}$", published.Sha256);
            Assert.Equal($"{published.Definition.Id}/v{published.Definition.Version}.yaml", published.File);
        }
    }

    /// <summary>
    /// A city's database may hold cases under any version this repository has released, and the engine refuses
    /// to start when such a file changed (decision 5). <c>released.sha256</c> pins every released file; a change
    /// to what citizens see or do is a new version file, listed there with <c>sha256sum</c>.
    /// </summary>
    [Fact]
    public void Released_versions_are_never_edited_and_every_shipped_file_is_released()
    {
        var released = File.ReadAllLines(Path.Combine(Folder, "released.sha256"))
            .Where(line => line.Length > 0)
            .Select(line => line.Split("  ", 2))
            .ToDictionary(parts => parts[1], parts => parts[0]);

        foreach (var (file, sha256) in released)
        {
            Assert.True(File.Exists(Path.Combine(Folder, file)), $"{file} was released and must stay in the repository.");
            Assert.True(sha256 == DefinitionCatalog.Hash(File.ReadAllText(Path.Combine(Folder, file))),
                $"{file} was released and has changed; restore it and publish the change as a new version.");
        }
        Assert.Equal(ShippedDefinitions.Files(), released.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void A_shipped_file_has_no_findings(string file)
    {
        var result = ShippedDefinitions.Load(file, Today);

        Assert.True(result.Diagnostics.Count == 0, string.Join(Environment.NewLine, result.Diagnostics));
        Assert.True(result.IsValid);
        Assert.Equal(file, $"{result.Definition!.Id}/v{result.Definition.Version}.yaml");
        Assert.Equal(DefinitionChecker.SupportedDsl, result.Definition.Dsl);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void A_shipped_example_passes_the_form_validation_in_both_languages(string file)
    {
        var definition = ShippedDefinitions.Load(file, Today).Definition!;
        Assert.NotNull(definition.Example);

        var example = DefinitionChecker.ResolveExample(definition, Today);

        Assert.Empty(FormValidator.Validate(definition.Form, example, "de", Today));
        Assert.Empty(FormValidator.Validate(definition.Form, example, "en", Today));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void A_shipped_example_can_be_submitted(string file)
    {
        var definition = ShippedDefinitions.Load(file, Today).Definition!;
        var example = DefinitionChecker.ResolveExample(definition, Today);
        var now = DateTimeOffset.UtcNow;

        var decision = CaseDecider.Submit(definition, example, "de", "2026-000001", "hash", Actor.AnonymousCitizen(), now, Today);

        Assert.Null(decision.Problem);
        var submitted = Assert.IsType<CaseSubmitted>(Assert.Single(decision.Events));
        Assert.Equal(definition.InitialState.Id, submitted.State);
        Assert.Equal(WorkingDays.DueDate(definition.LegalDeadline, Today), submitted.DueOn);
    }

    [Fact]
    public void Resolving_the_example_replaces_relative_dates_without_changing_the_definition()
    {
        var today = new DateOnly(2026, 3, 2);
        var definition = ShippedDefinitions.Definition("change-of-address", today: today);

        var example = DefinitionChecker.ResolveExample(definition, today);

        Assert.Equal("2026-02-27", example["moveInDate"]!.GetValue<string>());
        Assert.Equal("1985-04-12", example["dateOfBirth"]!.GetValue<string>());
        Assert.Equal("today-3d", definition.Example!["moveInDate"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_check_verb_passes_on_the_shipped_folder_and_prints_the_summary()
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());

        var exit = await Verbs.TryRunAsync(["definitions", "check", "--path", Folder], stdout, stderr);

        Assert.Equal(0, exit);
        Assert.Equal("", stderr.ToString());
        var n = ShippedDefinitions.Files().Count();
        Assert.Equal($"{Folder}: {n} file(s), {n} valid, 0 error(s), 0 warning(s).", stdout.ToString().Trim());
    }

    [Fact]
    public async Task The_diagram_verb_prints_every_state_and_transition_of_school_transport()
    {
        var definition = ShippedDefinitions.Definition("school-transport");
        var (stdout, stderr) = (new StringWriter(), new StringWriter());

        var exit = await Verbs.TryRunAsync(["definitions", "diagram", "school-transport", "--path", Folder], stdout, stderr);

        Assert.Equal(0, exit);
        Assert.Equal("", stderr.ToString());
        var lines = stdout.ToString().ReplaceLineEndings("\n").Split('\n');
        Assert.Equal("stateDiagram-v2", lines[0]);
        static string Node(string id) => id.Replace('-', '_');
        foreach (var state in definition.States)
        {
            Assert.Contains($"    state \"{state.Id}\" as {Node(state.Id)}", lines);
            if (state.Final) Assert.Contains($"    {Node(state.Id)} --> [*]", lines);
            if (state.WaitingFor is { } party) Assert.Contains($"    note right of {Node(state.Id)}: waits for {party}", lines);
        }
        Assert.Contains($"    [*] --> {Node(definition.InitialState.Id)}", lines);
        var transitions = lines.Where(l => l.Contains(" --> ") && !l.Contains("[*]")).ToList();
        Assert.Equal(definition.Actions.Sum(a => a.From.Count), transitions.Count);
        foreach (var action in definition.Actions)
            foreach (var from in action.From)
                Assert.Contains(transitions, l => l.StartsWith($"    {Node(from)} --> {Node(action.To)}: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_diagram_verb_speaks_german_on_request()
    {
        var definition = ShippedDefinitions.Definition("school-transport");
        var stdout = new StringWriter();

        var exit = await Verbs.TryRunAsync(["definitions", "diagram", "school-transport", "--lang", "de", "--path", Folder], stdout, new StringWriter());

        Assert.Equal(0, exit);
        Assert.Contains($"%% school-transport v{definition.Version}: {definition.Title.De}", stdout.ToString());
    }

    [Fact]
    public async Task The_diagram_verb_names_the_known_services_when_the_service_is_unknown()
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());

        var exit = await Verbs.TryRunAsync(["definitions", "diagram", "no-such-service", "--path", Folder], stdout, stderr);

        Assert.Equal(1, exit);
        Assert.Equal("", stdout.ToString());
        Assert.Contains("No valid definition 'no-such-service'", stderr.ToString());
        Assert.Contains(string.Join(", ", ShippedDefinitions.ServiceIds), stderr.ToString());
    }

    [Fact]
    public async Task The_schema_verb_prints_the_json_schema()
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());

        var exit = await Verbs.TryRunAsync(["definitions", "schema"], stdout, stderr);

        Assert.Equal(0, exit);
        Assert.Equal("", stderr.ToString());
        using var schema = JsonDocument.Parse(stdout.ToString());
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", schema.RootElement.GetProperty("$schema").GetString());
        Assert.Equal(JsonValueKind.Object, schema.RootElement.GetProperty("$defs").ValueKind);
        var required = schema.RootElement.GetProperty("required").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(["dsl", "id", "version", "title", "summary", "team", "form", "states", "actions"], required);
    }

    [Fact]
    public void The_embedded_schema_is_the_one_in_the_repository()
    {
        var source = Path.Combine(Path.GetDirectoryName(Folder)!, "src", "Workflows", "Definitions", "process-definition.schema.json");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(File.ReadAllText(source)), JsonNode.Parse(DefinitionLoader.SchemaText)));
    }

    [Fact]
    public async Task An_unknown_verb_is_not_handled_and_an_unknown_definitions_verb_fails()
    {
        Assert.Null(await Verbs.TryRunAsync([], new StringWriter(), new StringWriter()));
        Assert.Null(await Verbs.TryRunAsync(["serve"], new StringWriter(), new StringWriter()));

        var stderr = new StringWriter();
        Assert.Equal(2, await Verbs.TryRunAsync(["definitions", "lint", "--path", Folder], new StringWriter(), stderr));
        Assert.Contains("Unknown verb 'definitions lint'", stderr.ToString());
    }
}
