using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Api.Hosting;

public sealed class InvalidDefinitionsException(IReadOnlyList<Diagnostic> diagnostics)
    : Exception("Process definitions are invalid:" + Environment.NewLine + string.Join(Environment.NewLine, diagnostics))
{
    public IReadOnlyList<Diagnostic> Diagnostics { get; } = diagnostics;
}

public static class DefinitionsSetup
{
    public const string FolderName = "process-definitions";

    /// <summary>The configured folder, or the nearest <c>process-definitions</c> above the working directory or the application.</summary>
    public static string LocateFolder(IConfiguration configuration)
    {
        var configured = configuration["Vorgang:DefinitionsPath"];
        if (!string.IsNullOrWhiteSpace(configured)) return Path.GetFullPath(configured);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, FolderName);
                if (Directory.Exists(candidate)) return candidate;
            }
        }
        return Path.GetFullPath(FolderName);
    }

    /// <summary>Loads every definition; the engine refuses to start when any of them has an error.</summary>
    public static DefinitionCatalog Load(IConfiguration configuration, TimeProvider time)
    {
        var (catalog, diagnostics) = DefinitionCatalog.LoadDirectory(LocateFolder(configuration), time.Today());
        var errors = diagnostics.Where(d => d.Severity == Severity.Error).ToList();
        if (errors.Count > 0) throw new InvalidDefinitionsException(errors);
        return catalog;
    }
}
