using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Projections.Queues;
using Vorgang.Web.Accounts;
using Vorgang.Web.Workbench;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Web.Pages.Staff;

/// <summary>The team's queue (<c>/staff</c>): most urgent first, counts per band and state, filters in the address so that it can be bookmarked.</summary>
public sealed class QueueModel(IWorkbench workbench, IPortalAccounts accounts, DefinitionCatalog catalog, IConfiguration configuration) : StaffPage
{
    public const int PageSize = 25;

    /// <summary>How often the page's script asks for the rows again (<c>Vorgang:Portal:QueueRefreshSeconds</c>, 3 to 600; default 15).</summary>
    public int RefreshSeconds => Math.Clamp(configuration.GetValue("Vorgang:Portal:QueueRefreshSeconds", 15), 3, 600);

    public StaffQueue? Queue { get; private set; }
    public string? Team { get; private set; }
    public string? Service { get; private set; }
    public string? State { get; private set; }
    public string? Assignee { get; private set; }
    public string? Risk { get; private set; }
    public string? OpenNumber { get; private set; }
    public string? Refusal { get; private set; }
    public bool ChoosesTeam { get; private set; }
    /// <summary>A party (a school) signed in: it has no queue, only the cases addressed to it, which it opens by number.</summary>
    public bool IsParty { get; private set; }
    public IReadOnlyList<string> Teams => accounts.Teams;

    /// <summary>The services of the team shown (those whose definitions route to it), for the service filter.</summary>
    public IReadOnlyList<ProcessDefinition> Services { get; private set; } = [];

    public ProcessDefinition? Definition(string serviceId) => catalog.LatestVersions.FirstOrDefault(d => d.Id == serviceId);

    public async Task<IActionResult> OnGetAsync(string? team, string? service, string? state, string? assignee, string? risk, string? page, string? open, CancellationToken ct)
    {
        if (RequireStaff() is { } signIn) return signIn;
        Title = T("QueueTitle");
        var user = Account!;
        if (open is not null)
        {
            OpenNumber = open.Trim();
            if (CaseNumbers.IsWellFormed(OpenNumber)) return Redirect(P($"/staff/cases/{OpenNumber}"));
            Errors = [new FieldError("open", "pattern", T("QueueOpenInvalid"))];
        }
        if (user.Role is not (Roles.Caseworker or Roles.Admin or Roles.Auditor))
        {
            // Parties (a school, say) work the cases addressed to them from the case's number or link.
            IsParty = true;
            return Page();
        }
        ChoosesTeam = user.Role != Roles.Caseworker;
        Team = ChoosesTeam ? (team is not null && Teams.Contains(team) ? team : Teams.FirstOrDefault()) : user.Team;
        if (Team is null) return Page();
        Services = catalog.LatestVersions.Where(d => d.Team == Team || d.Routing.Any(r => r.Team == Team)).OrderBy(d => d.Title.For(Lang)).ToList();
        if (Services.Count == 0) Services = catalog.LatestVersions.OrderBy(d => d.Title.For(Lang)).ToList();
        // Filters outside what the page offers are ignored rather than refused: an old bookmark still opens the queue.
        Service = Services.Any(d => d.Id == service) ? service : null;
        State = States.Any(s => s.Id == state) ? state : null;
        Assignee = assignee is "mine" or "unassigned" ? assignee : null;
        Risk = risk is not null && RiskBands.All.Contains(risk) ? risk : null;
        var number = int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 100_000 ? p : 1;

        var answer = await workbench.QueueAsync(new QueueQuery(Team, number, Service, State, Assignee, Risk, PageSize), HttpContext, ct);
        if (answer.Status != 200)
        {
            Refusal = answer.Problem;
            Response.StatusCode = answer.Status;
            return Page();
        }
        Queue = answer.Value;
        return Page();
    }

    /// <summary>The states the filter offers: those of the services shown, once each, in the order of the definitions.</summary>
    public IReadOnlyList<(string Id, string Label)> States =>
        (Service is null ? Services : Services.Where(d => d.Id == Service))
            .SelectMany(d => d.States.Where(s => !s.Final).Select(s => (s.Id, Label: s.Status.For(Lang))))
            .DistinctBy(s => s.Id).ToList();

    public int Pages => Queue is null ? 0 : (int)Math.Max(1, (Queue.Total + Queue.PageSize - 1) / Queue.PageSize);

    /// <summary>This queue's address with the filters and another page (or filter), so that paging keeps the filters.</summary>
    public string Link(int? page = null, string? risk = null, string? state = null)
    {
        var query = new List<string>();
        void Add(string name, string? value) { if (value is not null) query.Add($"{name}={Uri.EscapeDataString(value)}"); }
        if (ChoosesTeam) Add("team", Team);
        Add("service", Service);
        Add("state", state ?? State);
        Add("assignee", Assignee);
        Add("risk", risk ?? Risk);
        if (page is > 1) Add("page", page.Value.ToString(CultureInfo.InvariantCulture));
        return P("/staff") + (query.Count > 0 ? "?" + string.Join("&", query) : "");
    }
}
