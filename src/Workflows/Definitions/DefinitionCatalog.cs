using System.Security.Cryptography;
using System.Text;

namespace Vorgang.Workflows.Definitions;

/// <summary>A definition file as published: its parsed form plus the exact text and its hash (published versions never change).</summary>
public sealed record PublishedDefinition(ProcessDefinition Definition, string File, string Text, string Sha256);

/// <summary>All published versions of all services, loaded from <c>process-definitions/</c>.</summary>
public sealed class DefinitionCatalog
{
    private readonly Dictionary<string, PublishedDefinition> _byKey;
    private readonly Dictionary<string, ProcessDefinition> _latest;

    public DefinitionCatalog(IEnumerable<PublishedDefinition> published)
    {
        _byKey = published.ToDictionary(p => p.Definition.Key);
        _latest = _byKey.Values.Select(p => p.Definition).GroupBy(d => d.Id)
            .ToDictionary(g => g.Key, g => g.MaxBy(d => d.Version)!);
    }

    public IReadOnlyCollection<PublishedDefinition> Published => _byKey.Values;
    public IEnumerable<ProcessDefinition> LatestVersions => _latest.Values.OrderBy(d => d.Id, StringComparer.Ordinal);

    public ProcessDefinition? Latest(string serviceId) => _latest.GetValueOrDefault(serviceId);

    /// <summary>
    /// Brings back a published version whose file is gone, from the text stored when it was first used,
    /// so that its running cases keep their definition. It never becomes the latest version for new cases
    /// unless no file of the service is left.
    /// </summary>
    public void Restore(PublishedDefinition published)
    {
        if (!_byKey.TryAdd(published.Definition.Key, published)) return;
        _latest.TryAdd(published.Definition.Id, published.Definition);
    }

    public ProcessDefinition? Get(string serviceId, int version) => _byKey.GetValueOrDefault($"{serviceId}@v{version}")?.Definition;

    /// <summary>Reads every <c>*/v*.yaml</c> under the folder; returns the catalog of valid files and all diagnostics.</summary>
    public static (DefinitionCatalog Catalog, IReadOnlyList<Diagnostic> Diagnostics) LoadDirectory(string directory, DateOnly today)
    {
        var diagnostics = new List<Diagnostic>();
        var published = new List<PublishedDefinition>();
        if (!Directory.Exists(directory))
        {
            diagnostics.Add(new(directory, 0, "", "no-definitions", $"The definitions folder '{directory}' does not exist."));
            return (new DefinitionCatalog(published), diagnostics);
        }
        var files = Directory.EnumerateFiles(directory, "*.yaml", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(directory, "*.yml", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal);
        foreach (var path in files)
        {
            var file = Path.GetRelativePath(directory, path).Replace('\\', '/');
            var text = File.ReadAllText(path);
            var result = DefinitionLoader.Load(text, file, today);
            diagnostics.AddRange(result.Diagnostics);
            if (result.IsValid) published.Add(new(result.Definition!, file, text, Hash(text)));
        }
        foreach (var duplicate in published.GroupBy(p => p.Definition.Key).Where(g => g.Count() > 1))
        {
            foreach (var p in duplicate.Skip(1))
                diagnostics.Add(new(p.File, 1, "/id", "duplicate-version", $"{duplicate.Key} is also defined in {duplicate.First().File}."));
        }
        if (published.Count == 0 && diagnostics.Count == 0)
            diagnostics.Add(new(directory, 0, "", "no-definitions", "The folder holds no definition files (<service>/v<version>.yaml)."));
        return (new DefinitionCatalog(published.DistinctBy(p => p.Definition.Key)), diagnostics);
    }

    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
