using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Api.Features.Queues;
using Vorgang.Api.Security;
using Vorgang.Projections.Queues;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Deadlines;
using Wolverine.Http;

namespace Vorgang.Api.Features.Parties;

/// <param name="Waiting">The case waits for the party now: it is open and in a state that offers the party an action.</param>
/// <param name="Actions">The actions the definition offers the party in the case's state (their guards are checked when the case is opened).</param>
/// <param name="Risk">The risk band of the case's deadline (as in the team's queue); null once the case is closed.</param>
public sealed record PartyCaseEntry(
    string CaseNumber, string ServiceId, int DefinitionVersion, string State, DateTimeOffset SubmittedAt, DateOnly? DueOn, int? DaysLeft, string? Risk,
    bool Waiting, IReadOnlyList<string> Actions, bool IsClosed, string? Outcome)
{
    /// <summary>The legal clock stands still while the office waits for the citizen; the due date moves when it runs again.</summary>
    public bool ClockStopped { get; init; }
}

/// <param name="Organisation">The organisation of the party the list is for (the token's <c>team</c>), if it names one.</param>
/// <param name="Show"><c>waiting</c> (what waits for the party, most urgent first) or <c>all</c> (every case addressed to it, newest first).</param>
public sealed record PartyCasesPage(string Party, string? Organisation, string Show, long Total, int Page, int PageSize, IReadOnlyList<PartyCaseEntry> Items);

/// <summary>
/// A second party's own work list: the cases addressed to its role and organisation (<see cref="PartyAccess"/>), as the
/// case endpoints decide who reaches which case. No personal data: the list records no reads; the case itself does.
/// </summary>
[Authorize(Policy = StaffAuth.StaffPolicy)]
public static class GetPartyCasesEndpoint
{
    public const string Waiting = "waiting", All = "all";

    [WolverineGet("/api/parties/{party}/cases", OperationId = "getPartyCases")]
    [EndpointSummary("A party's cases: those waiting for it, most urgent first, or every case addressed to it.")]
    [EndpointDescription("For the party itself (token role = `party`, its organisation in `team`): the cases addressed to it and its organisation. `show=waiting` (default): open cases in a state that offers the party an action, most at risk of missing their deadline first; `show=all`: every case ever addressed to it, newest first. Filter: service. Paging: page (from 1), pageSize (1–200, default 50). Other roles and other parties: `403 role-not-allowed`.")]
    [Tags("Casework")]
    [ProducesResponseType<PartyCasesPage>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(403, "application/problem+json")]
    public static async Task<IResult> Get(
        string party, [FromQuery] string? show, [FromQuery] string? service,
        [FromQuery(Name = "page")] string? pageText, [FromQuery(Name = "pageSize")] string? pageSizeText,
        IQuerySession session, DefinitionCatalog catalog, TimeProvider time, HttpContext context, CancellationToken ct)
    {
        var caller = context.User.StaffCaller();
        // Decided by the token alone, before anything is read: the answer says nothing about any case.
        if (caller is null || !catalog.Published.Any(p => p.Definition.Parties.Contains(caller.Role)))
            return Problems.Problems.Status(context, 403, "role-not-allowed", "These lists are for the parties of a service.",
                caller is { Role: Roles.Caseworker or Roles.Admin or Roles.Auditor }
                    ? "Staff work the team's queue: GET /api/queues/{team}."
                    : "Sign in as a party of a service (for example a school).");
        if (caller.Role != party)
            return Problems.Problems.Status(context, 403, "role-not-allowed", "This is another party's list.", $"You sign in as '{caller.Role}': GET /api/parties/{caller.Role}/cases.");

        var errors = new List<FieldError>();
        show ??= Waiting;
        if (show is not (Waiting or All)) errors.Add(new("show", "allowed-values", $"Use {Waiting} or {All}."));
        var page = GetQueueEndpoint.WholeNumber(pageText, 1, 100_000, 1, "page", "Pages are numbered from 1.", errors);
        var pageSize = GetQueueEndpoint.WholeNumber(pageSizeText, 1, 200, 50, "pageSize", "Choose a page size from 1 to 200.", errors);
        if (service is { Length: > 200 }) errors.Add(new("service", "maxLength", "At most 200 characters."));
        if (errors.Count > 0) return Problems.Problems.Invalid(context, errors, "The request is invalid.");

        var addressees = PartyAccess.AddresseesOf(caller.Role, caller.Team);
        var query = show == Waiting ? PartyLists.Waiting(session, addressees) : PartyLists.Addressed(session, addressees);
        if (service is not null) query = query.Where(x => x.ServiceId == service);
        var total = await query.CountAsync(ct);
        var items = await (show == Waiting ? query.MostUrgentFirst() : query.NewestFirst())
            .Skip((page - 1) * pageSize).Take(pageSize)
            .ToListAsync(ct);

        var today = time.Today();
        return Results.Ok(new PartyCasesPage(caller.Role, caller.Team, show, total, page, pageSize, items.Select(x =>
        {
            var waiting = x.IsOpen && x.AwaitedBy.Any(addressees.Contains);
            var actions = waiting && catalog.Get(x.ServiceId, x.DefinitionVersion) is { } definition
                ? definition.Actions.Where(a => a.By.Contains(caller.Role) && a.From.Contains(x.State)).Select(a => a.Id).ToList()
                : [];
            return new PartyCaseEntry(x.Id, x.ServiceId, x.DefinitionVersion, x.State, x.SubmittedAt, x.DueOn, x.DueOn is { } due ? due.DayNumber - today.DayNumber : null,
                x.IsOpen ? RiskBands.Of(x, today) : null, waiting, actions, !x.IsOpen, x.Outcome) { ClockStopped = x.ClockStopped };
        }).ToList()));
    }
}
