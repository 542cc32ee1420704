using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Json.Schema;
using YamlDotNet.Core;

namespace Vorgang.Workflows.Definitions;

public sealed record LoadResult(ProcessDefinition? Definition, IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool IsValid => Definition is not null && Diagnostics.All(d => d.Severity != Severity.Error);
}

/// <summary>
/// Reads one definition file: YAML syntax, then the JSON Schema, then the semantic checks.
/// Every problem becomes a located <see cref="Diagnostic"/>; nothing here throws for a bad file.
/// </summary>
public static class DefinitionLoader
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    private static readonly Lazy<JsonSchema> Schema = new(() =>
    {
        using var stream = typeof(DefinitionLoader).Assembly.GetManifestResourceStream("process-definition.schema.json")
            ?? throw new InvalidOperationException("The embedded definition schema is missing.");
        using var reader = new StreamReader(stream);
        return JsonSchema.FromText(reader.ReadToEnd());
    });

    public static string SchemaText
    {
        get
        {
            using var stream = typeof(DefinitionLoader).Assembly.GetManifestResourceStream("process-definition.schema.json")!;
            return new StreamReader(stream).ReadToEnd();
        }
    }

    /// <param name="file">The path shown in diagnostics, relative to the definitions folder (e.g. <c>change-of-address/v1.yaml</c>).</param>
    public static LoadResult Load(string text, string file, DateOnly today)
    {
        YamlDocument yaml;
        try
        {
            yaml = YamlDocument.Parse(text);
        }
        catch (YamlException e)
        {
            var message = e.InnerException?.Message ?? e.Message;
            return new(null, [new(file, (int)e.Start.Line, "", "yaml-syntax", message)]);
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidCastException or ArgumentException)
        {
            // YamlDotNet reports some malformed documents (e.g. an unclosed flow mapping) with other exception types.
            return new(null, [new(file, 1, "", "yaml-syntax", $"The file is not valid YAML: {e.Message}")]);
        }
        if (yaml.Root is not JsonObject root)
        {
            return new(null, [new(file, 1, "", "yaml-syntax", "The file must contain a mapping (key: value) at the top level.")]);
        }

        var schemaFindings = CheckSchema(root, yaml, file);
        if (schemaFindings.Count > 0) return new(null, schemaFindings);

        ProcessDefinition definition;
        try
        {
            definition = root.Deserialize<ProcessDefinition>(Json)
                ?? throw new JsonException("empty document");
        }
        catch (JsonException e)
        {
            var pointer = "/" + (e.Path ?? "$").TrimStart('$', '.').Replace('.', '/').Replace("[", "/").Replace("]", "");
            return new(null, [new(file, yaml.LineOf(pointer.TrimEnd('/')), pointer, "schema", e.Message)]);
        }

        var diagnostics = DefinitionChecker.Check(definition, file, yaml.LineOf, today);
        return new(definition, diagnostics);
    }

    private static string Unescape(string segment) => segment.Replace("~1", "/").Replace("~0", "~");

    private static List<Diagnostic> CheckSchema(JsonObject root, YamlDocument yaml, string file)
    {
        using var document = JsonDocument.Parse(root.ToJsonString());
        var results = Schema.Value.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid) return [];
        var findings = new List<Diagnostic>();
        foreach (var detail in results.Details ?? [])
        {
            if (detail.Errors is null) continue;
            foreach (var (keyword, message) in detail.Errors)
            {
                var pointer = detail.InstanceLocation.ToString();
                // additionalProperties: false reports an unknown key as a failing "false" schema without a keyword.
                var (rule, text) = string.IsNullOrEmpty(keyword)
                    ? ("schema/additionalProperties", $"Unknown key '{Unescape(pointer[(pointer.LastIndexOf('/') + 1)..])}' (check its spelling and indentation).")
                    : ($"schema/{keyword}", message);
                findings.Add(new(file, yaml.LineOf(pointer), pointer, rule, text));
            }
        }
        if (findings.Count == 0)
        {
            findings.Add(new(file, 1, "", "schema", "The document does not match the definition schema."));
        }
        // A failing oneOf/anyOf reports every branch; keep the findings distinct and ordered by line.
        return findings.DistinctBy(f => (f.Path, f.Message)).OrderBy(f => f.Line).ToList();
    }
}
