using Vorgang.Workflows.Definitions;

namespace Vorgang.Web.Pages;

/// <summary>The start page: what the site is for, the catalogue, and a search that needs no script (a GET form).</summary>
public sealed class IndexModel(DefinitionCatalog catalog) : PortalPage
{
    public string? Query { get; private set; }
    public IReadOnlyList<ProcessDefinition> Results { get; private set; } = [];

    public void OnGet(string? q)
    {
        Title = T("StartTitle");
        Query = string.IsNullOrWhiteSpace(q) ? null : q.Trim()[..Math.Min(q.Trim().Length, 100)];
        var services = catalog.LatestVersions.OrderBy(d => d.Title.For(Lang), StringComparer.CurrentCulture).ToList();
        Results = Query is null ? services : ServiceSearch.Find(services, Query, Lang);
    }
}
