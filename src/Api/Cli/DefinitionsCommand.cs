using JasperFx.CommandLine;
using Vorgang.Api.Hosting;
using Vorgang.Workflows.Deadlines;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Api.Cli;

public sealed class DefinitionsInput
{
    [Description("check (the default), diagram or schema")]
    public string Action { get; set; } = "check";

    [Description("The service whose state diagram to print")]
    public string? Service { get; set; }

    [Description("The folder of definition files (default: the engine's)")]
    public string? PathFlag { get; set; }

    [Description("The version to draw (default: the latest)")]
    [FlagAlias("version", longAliasOnly: true)]
    public int? VersionFlag { get; set; }

    [Description("The diagram's language: de or en")]
    public string LangFlag { get; set; } = "en";
}

/// <summary>
/// <c>definitions check [--path DIR]</c>: check every definition file, exit 1 on errors;
/// <c>definitions diagram SERVICE [--version N] [--lang de|en]</c>: the Mermaid state diagram;
/// <c>definitions schema</c>: the JSON Schema for editors. None of them needs the database.
/// </summary>
[Description("Check the process definitions, draw a service's state diagram, print the JSON Schema")]
public sealed class DefinitionsCommand : VerbCommand<DefinitionsInput>
{
    public DefinitionsCommand()
    {
        Usage("Check every definition file").NoArguments();
        Usage("check, diagram or schema").Arguments(x => x.Action);
        Usage("Print the state diagram of a service").Arguments(x => x.Action, x => x.Service!);
    }

    public override string Synopsis =>
        "Usage: definitions check [--path DIR] | definitions diagram SERVICE [--version N] [--lang de|en] | definitions schema";

    protected override Task<int> RunAsync(DefinitionsInput input)
    {
        var folder = input.PathFlag is { } path ? Path.GetFullPath(path) : DefinitionsSetup.LocateFolder(Configuration);
        var today = TimeProvider.System.Today();
        switch (input.Action)
        {
            case "check":
            {
                var (catalog, diagnostics) = DefinitionCatalog.LoadDirectory(folder, today);
                foreach (var d in diagnostics) (d.Severity == Severity.Error ? Errors : Output).WriteLine(d);
                var errorCount = diagnostics.Count(d => d.Severity == Severity.Error);
                var files = catalog.Published.Count + diagnostics.Where(d => d.Severity == Severity.Error).Select(d => d.File).Distinct().Count();
                Output.WriteLine($"{folder}: {files} file(s), {catalog.Published.Count} valid, {errorCount} error(s), {diagnostics.Count - errorCount} warning(s).");
                return Task.FromResult(errorCount > 0 ? 1 : 0);
            }
            case "diagram":
            {
                var (catalog, _) = DefinitionCatalog.LoadDirectory(folder, today);
                var definition = input.Service is not { } service ? null
                    : input.VersionFlag is { } version ? catalog.Get(service, version) : catalog.Latest(service);
                if (definition is null)
                {
                    Errors.WriteLine($"No valid definition '{input.Service}'. Known services: {string.Join(", ", catalog.LatestVersions.Select(d => d.Id))}.");
                    return Task.FromResult(1);
                }
                Output.Write(MermaidDiagram.Render(definition, input.LangFlag));
                return Task.FromResult(0);
            }
            case "schema":
                Output.WriteLine(DefinitionLoader.SchemaText);
                return Task.FromResult(0);
            default:
                Errors.WriteLine($"Unknown verb 'definitions {input.Action}'. Use check, diagram or schema.");
                return Task.FromResult(2);
        }
    }
}
