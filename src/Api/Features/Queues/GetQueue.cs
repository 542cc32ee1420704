using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Api.Security;
using Vorgang.Projections.Queues;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Wolverine.Http;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Api.Features.Queues;

public sealed record QueueEntry(
    string CaseNumber, string ServiceId, string State, DateTimeOffset SubmittedAt, DateOnly? DueOn, int? DaysLeft,
    string? AssigneeId, string? AssigneeName, bool WaitingForCitizen, string Risk, DateOnly? StartBy)
{
    /// <summary>The legal clock stands still while the office waits for the citizen; the due date moves when it runs again.</summary>
    public bool ClockStopped { get; init; }
    /// <summary>The citizen's messages in the case's thread that the office has not read yet.</summary>
    public int UnreadMessages { get; init; }
}


public sealed record QueuePage(string Team, long Total, int Page, int PageSize, IReadOnlyList<QueueEntry> Items, QueueCounts Counts);

[Authorize(Policy = StaffAuth.StaffPolicy)]
public static class GetQueueEndpoint
{
    [WolverineGet("/api/queues/{team}", OperationId = "getQueue")]
    [EndpointSummary("A team's open cases, most at risk of missing their deadline first, with counts per state and risk band.")]
    [EndpointDescription("Filters: service, state, assignee (mine, unassigned or a user id), overdue (true/false), risk (overdue, late, tight, on-track, paused, no-deadline). Paging: page (from 1), pageSize (1–200, default 50).")]
    [Tags("Casework")]
    [ProducesResponseType<QueuePage>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(403, "application/problem+json")]
    public static async Task<IResult> Get(
        string team,
        [FromQuery(Name = "page")] string? pageText, [FromQuery(Name = "pageSize")] string? pageSizeText,
        [FromQuery] string? service, [FromQuery] string? state, [FromQuery] string? assignee,
        [FromQuery(Name = "overdue")] string? overdueText, [FromQuery] string? risk,
        IQuerySession session, QueueFigures figures, TimeProvider time, HttpContext context, CancellationToken ct)
    {
        var caller = context.User.StaffCaller();
        if (caller is null || caller.Role is not (Roles.Caseworker or Roles.Admin or Roles.Auditor))
            return Problems.Problems.Status(context, 403, "role-not-allowed", "Queues are for staff.", "Sign in as caseworker, admin or auditor.");
        if (caller.Role == Roles.Caseworker && caller.Team != team)
            return Problems.Problems.Status(context, 403, "other-team", "This is another team's queue.", $"You work in team '{caller.Team}'.");

        var errors = new List<FieldError>();
        var page = WholeNumber(pageText, 1, 100_000, 1, "page", "Pages are numbered from 1.", errors);
        var pageSize = WholeNumber(pageSizeText, 1, 200, 50, "pageSize", "Choose a page size from 1 to 200.", errors);
        bool? overdue = overdueText switch
        {
            null => null,
            "true" => true,
            "false" => false,
            _ => Error<bool?>(errors, "overdue", "boolean", "Use true or false."),
        };
        if (risk is not null && !RiskBands.All.Contains(risk))
            errors.Add(new("risk", "allowed-values", $"Use one of: {string.Join(", ", RiskBands.All)}."));
        if (assignee is { Length: > 200 }) errors.Add(new("assignee", "maxLength", "At most 200 characters."));
        if (errors.Count > 0) return Problems.Problems.Invalid(context, errors, "The request is invalid.");

        var today = time.Today();
        var query = session.Query<QueueItem>().Where(x => x.Team == team && x.IsOpen);
        if (service is not null) query = query.Where(x => x.ServiceId == service);
        if (state is not null) query = query.Where(x => x.State == state);
        query = assignee switch
        {
            null => query,
            "unassigned" => query.Where(x => x.AssigneeId == null),
            "mine" => query.Where(x => x.AssigneeId == caller.Id),
            _ => query.Where(x => x.AssigneeId == assignee),
        };
        if (overdue is true) query = query.Where(x => x.DueOn < today && !x.ClockStopped);
        if (overdue is false) query = query.Where(x => x.DueOn == null || x.DueOn >= today || x.ClockStopped);
        if (risk is not null) query = RiskBands.Where(query, risk, today);

        var counts = await figures.CountsAsync(team, today, ct);
        var unfiltered = service is null && state is null && assignee is null && overdue is null && risk is null;
        // Without filters the overview already knows the total; a second count over the team would only repeat it.
        var total = unfiltered ? counts.Open : await query.CountAsync(ct);
        // Most at risk first: the earliest day by which work must go on, then the earliest due date, then the oldest.
        var items = await query
            .OrderBy(x => x.OrderStartBy).ThenBy(x => x.OrderDueOn).ThenBy(x => x.SubmittedAt)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .ToListAsync(ct);
        // The office's read markers of the rows with messages from the citizen: one more query, for those rows only.
        var withMessages = items.Where(x => x.CitizenMessages > 0).Select(x => MessageReadMarker.IdFor(x.Id, MessageSides.Office)).ToArray();
        var markers = withMessages.Length == 0
            ? new Dictionary<string, MessageReadMarker>()
            : (await session.LoadManyAsync<MessageReadMarker>(ct, withMessages)).ToDictionary(m => m.CaseNumber);
        return Results.Ok(new QueuePage(team, total, page, pageSize, items.Select(x => new QueueEntry(
            x.Id, x.ServiceId, x.State, x.SubmittedAt, x.DueOn, x.DueOn is { } due ? due.DayNumber - today.DayNumber : null,
            x.AssigneeId, x.AssigneeName, x.WaitingForCitizen, RiskBands.Of(x, today), x.StartBy)
        {
            ClockStopped = x.ClockStopped,
            UnreadMessages = MessageReadMarker.Unread(x.CitizenMessages, markers.GetValueOrDefault(x.Id)),
        }).ToList(), counts));
    }

    private static T Error<T>(List<FieldError> errors, string field, string rule, string message)
    {
        errors.Add(new(field, rule, message));
        return default!;
    }

    /// <summary>A whole number from the query within its range, or the fallback and an error naming the field.</summary>
    internal static int WholeNumber(string? text, int min, int max, int fallback, string field, string rule, List<FieldError> errors)
    {
        if (text is null) return fallback;
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            return value;
        errors.Add(new(field, "range", rule));
        return fallback;
    }
}
