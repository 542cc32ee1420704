using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Projections.Queues;
using Vorgang.Web.Accounts;
using Vorgang.Web.Workbench;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Web.Pages.Staff;

/// <summary>
/// The team's queue (<c>/staff</c>): most urgent first, counts per band and state, filters in the address so that it can be
/// bookmarked. A party (a school) finds its own list here instead: the cases addressed to it, those waiting for it first.
/// </summary>
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
    public IReadOnlyList<string> Teams => accounts.Teams;

    /// <summary>The services of the team shown (those whose definitions route to it), for the service filter.</summary>
    public IReadOnlyList<ProcessDefinition> Services { get; private set; } = [];

    public ProcessDefinition? Definition(string serviceId) => catalog.LatestVersions.FirstOrDefault(d => d.Id == serviceId);

    /// <summary>The party's list, for a party signed in (a school); null for staff.</summary>
    public PartyCases? Party { get; private set; }
    /// <summary>Which of the party's lists: <c>waiting</c> or <c>all</c>.</summary>
    public string Show { get; private set; } = "waiting";
    /// <summary>The party's organisation as the forms name it (the school's name), else its id.</summary>
    public string PartyName { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(string? team, string? service, string? state, string? assignee, string? risk, string? page, string? open, string? show, CancellationToken ct)
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
        var number = int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 100_000 ? p : 1;
        if (user.Role is not (Roles.Caseworker or Roles.Admin or Roles.Auditor))
            return await PartyAsync(user, show, number, ct);
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

    /// <summary>A party's own list (<c>GET /api/parties/{party}/cases</c>): what waits for it, or every case addressed to it.</summary>
    private async Task<IActionResult> PartyAsync(PortalUser user, string? show, int page, CancellationToken ct)
    {
        // As with the queue's filters, a value the page does not offer shows the default list rather than an error.
        Show = show == "all" ? "all" : "waiting";
        PartyName = OrganisationName(user.Role!, user.Team);
        Title = T("PartyTitle", PartyName);
        var answer = await workbench.PartyCasesAsync(new PartyQuery(user.Role!, Show, page, null, PageSize), HttpContext, ct);
        if (answer.Status != 200)
        {
            Refusal = answer.Problem;
            Response.StatusCode = answer.Status;
            return Page();
        }
        Party = answer.Value;
        return Page();
    }

    /// <summary>The organisation's name as a service's form offers it (its <c>partyFields</c> option), in the page's language.</summary>
    private string OrganisationName(string party, string? organisation)
    {
        if (organisation is null) return party;
        var option = catalog.LatestVersions
            .Where(d => d.PartyFields.ContainsKey(party))
            .SelectMany(d => d.Form.FirstOrDefault(f => f.Id == d.PartyFields[party])?.Options ?? [])
            .FirstOrDefault(o => o.Value == organisation);
        return option is null ? organisation : Text(option.Label);
    }

    /// <summary>The labels of a party's actions on a case, as its definition version names them.</summary>
    public string ActionLabels(PartyCases.Row row)
    {
        var definition = catalog.Get(row.ServiceId, row.DefinitionVersion);
        return string.Join(T("PartyActionsOr"), row.Actions.Select(a => definition?.Action(a)?.Label is { } label ? Text(label) : a));
    }

    public int PartyPages => Party is null ? 0 : (int)Math.Max(1, (Party.Total + Party.PageSize - 1) / Party.PageSize);

    /// <summary>The party's list at another page or of the other kind.</summary>
    public string PartyLink(string show, int? page = null)
    {
        var query = new List<string>();
        if (show == "all") query.Add("show=all");
        if (page is > 1) query.Add("page=" + page.Value.ToString(CultureInfo.InvariantCulture));
        return P("/staff") + (query.Count > 0 ? "?" + string.Join("&", query) : "");
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
