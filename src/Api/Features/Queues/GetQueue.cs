using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Api.Security;
using Vorgang.Projections.Queues;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Wolverine.Http;

namespace Vorgang.Api.Features.Queues;

public sealed record QueueEntry(
    string CaseNumber, string ServiceId, string State, DateTimeOffset SubmittedAt, DateOnly? DueOn, int? DaysLeft,
    string? AssigneeId, string? AssigneeName, bool WaitingForCitizen);

public sealed record QueuePage(string Team, long Total, int Page, int PageSize, IReadOnlyList<QueueEntry> Items);

[Authorize(Policy = StaffAuth.StaffPolicy)]
public static class GetQueueEndpoint
{
    [WolverineGet("/api/queues/{team}", OperationId = "getQueue")]
    [EndpointSummary("A team's open cases, most urgent first.")]
    [Tags("Casework")]
    [ProducesResponseType<QueuePage>(200)]
    [ProducesResponseType<ProblemDetails>(403, "application/problem+json")]
    public static async Task<IResult> Get(
        string team, [FromQuery(Name = "page")] string? pageText, [FromQuery(Name = "pageSize")] string? pageSizeText, IQuerySession session, TimeProvider time, HttpContext context, CancellationToken ct)
    {
        var caller = context.User.StaffCaller();
        if (caller is null || caller.Role is not (Roles.Caseworker or Roles.Admin or Roles.Auditor))
            return Problems.Problems.Status(context, 403, "role-not-allowed", "Queues are for staff.", "Sign in as caseworker, admin or auditor.");
        if (caller.Role == Roles.Caseworker && caller.Team != team)
            return Problems.Problems.Status(context, 403, "other-team", "This is another team's queue.", $"You work in team '{caller.Team}'.");
        var errors = new List<FieldError>();
        var page = WholeNumber(pageText, 1, 100_000, 1, "page", "Pages are numbered from 1.", errors);
        var pageSize = WholeNumber(pageSizeText, 1, 200, 50, "pageSize", "Choose a page size from 1 to 200.", errors);
        if (errors.Count > 0) return Problems.Problems.Invalid(context, errors, "The request is invalid.");

        var today = time.Today();
        // Most urgent first: the earliest legal due date, then the oldest submission.
        var open = session.Query<QueueItem>().Where(x => x.Team == team && x.IsOpen);
        var total = await open.CountAsync(ct);
        var items = await open
            .OrderBy(x => x.DueOn).ThenBy(x => x.SubmittedAt)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .ToListAsync(ct);
        return Results.Ok(new QueuePage(team, total, page, pageSize, items.Select(x => new QueueEntry(
            x.Id, x.ServiceId, x.State, x.SubmittedAt, x.DueOn, x.DueOn is { } due ? due.DayNumber - today.DayNumber : null,
            x.AssigneeId, x.AssigneeName, x.WaitingForCitizen)).ToList()));
    }

    private static int WholeNumber(string? text, int min, int max, int fallback, string field, string rule, List<FieldError> errors)
    {
        if (text is null) return fallback;
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            return value;
        errors.Add(new(field, "range", rule));
        return fallback;
    }
}
