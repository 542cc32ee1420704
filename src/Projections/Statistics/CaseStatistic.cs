using System.Collections.Concurrent;
using System.Reflection;
using JasperFx.Events;
using Marten.Events.Aggregation;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Projections.Statistics;

/// <summary>
/// The anonymous facts of one case that open data is computed from. Deliberately no form data, no names, no
/// actors, no team, no tracking hash: nothing here is personal, so it outlives the erasure of a case's personal data.
/// </summary>
/// <remarks>
/// <see cref="Id"/> is the case number only because Marten keys a per-stream projection by its stream; it is never
/// published — the endpoint reads nothing but aggregates.
/// </remarks>
public sealed record CaseStatistic
{
    public required string Id { get; init; }
    public required string ServiceId { get; init; }
    public required int DefinitionVersion { get; init; }
    /// <summary>The date of submission in Europe/Berlin.</summary>
    public required DateOnly SubmittedOn { get; init; }
    /// <summary>The legal due date in force (at closing, once closed); null when the service has no legal deadline.</summary>
    public DateOnly? DueOn { get; init; }
    public DateOnly? ClosedOn { get; init; }
    /// <summary>The Monday of the ISO week of <see cref="ClosedOn"/>: stored so that PostgreSQL groups by it from an index, without sorting.</summary>
    public DateOnly? ClosedWeek { get; init; }
    /// <summary>The first day of the month of <see cref="ClosedOn"/>, for the same reason.</summary>
    public DateOnly? ClosedMonth { get; init; }
    public string? Outcome { get; init; }
    /// <summary>Working days from submission to closing (see <see cref="StatisticsCalendar.WorkingDaysBetween"/>).</summary>
    public int? ProcessingDays { get; init; }
    /// <summary>Closed on or before <see cref="DueOn"/>; null while open or without a legal deadline.</summary>
    public bool? WithinDeadline { get; init; }
    /// <summary>Working days the office waited for the citizen (states with <c>waitingFor: citizen</c>), summed.</summary>
    public int WaitingForCitizenDays { get; init; }
    /// <summary>Set while the office waits for the citizen: the date the wait began.</summary>
    public DateOnly? WaitingForCitizenSince { get; init; }
}

/// <summary>
/// Folds a case's events into its <see cref="CaseStatistic"/>. Registered as an async projection: open data may
/// lag the log by a moment and must never slow down a submission.
/// </summary>
/// <remarks>
/// It overrides <c>Evolve</c> instead of declaring Apply methods so that it sees every event of a case, including
/// event types added later: an event it does not know is ignored, unless it carries the new legal due date
/// (see <see cref="DeadlineShifts"/>). Once a case is closed its facts are final; later events (an erasure of
/// personal data, say) do not touch them.
/// </remarks>
public sealed class CaseStatisticProjection : SingleStreamProjection<CaseStatistic, string>
{
    public override CaseStatistic? Evolve(CaseStatistic? snapshot, string id, IEvent e) => (snapshot, e.Data) switch
    {
        (null, CaseSubmitted submitted) => Start(submitted),
        (null, _) => null,
        ({ ClosedOn: not null }, _) => snapshot,
        (_, ICaseTransition transition) => Move(snapshot, transition),
        (_, CaseClosed closed) => Close(snapshot, closed),
        (_, var other) => DeadlineShifts.TryRead(other, out var dueOn) ? snapshot with { DueOn = dueOn } : snapshot,
    };

    public static CaseStatistic Start(CaseSubmitted e) => new()
    {
        Id = e.CaseNumber,
        ServiceId = e.ServiceId,
        DefinitionVersion = e.DefinitionVersion,
        SubmittedOn = StatisticsCalendar.DateOf(e.SubmittedAt),
        DueOn = e.DueOn,
    };

    public static CaseStatistic Move(CaseStatistic s, ICaseTransition e)
    {
        var on = StatisticsCalendar.DateOf(e.TakenAt);
        var waiting = e.WaitingFor == Roles.Citizen;
        return (s.WaitingForCitizenSince, waiting) switch
        {
            (null, true) => s with { WaitingForCitizenSince = on },
            ({ } since, false) => s with
            {
                WaitingForCitizenDays = s.WaitingForCitizenDays + StatisticsCalendar.WorkingDaysBetween(since, on),
                WaitingForCitizenSince = null,
            },
            _ => s,
        };
    }

    public static CaseStatistic Close(CaseStatistic s, CaseClosed e)
    {
        var on = StatisticsCalendar.DateOf(e.ClosedAt);
        var waited = s.WaitingForCitizenSince is { } since ? StatisticsCalendar.WorkingDaysBetween(since, on) : 0;
        return s with
        {
            ClosedOn = on,
            ClosedWeek = StatisticsPeriod.Week(on).Start,
            ClosedMonth = StatisticsPeriod.Month(on).Start,
            Outcome = e.Outcome,
            ProcessingDays = StatisticsCalendar.WorkingDaysBetween(s.SubmittedOn, on),
            WithinDeadline = s.DueOn is { } due ? on <= due : null,
            WaitingForCitizenDays = s.WaitingForCitizenDays + waited,
            WaitingForCitizenSince = null,
        };
    }
}

/// <summary>
/// Recognises events that move a case's legal due date without this projection knowing their type: by convention
/// such an event carries the due date in force afterwards as a <c>DateOnly</c> (or <c>DateOnly?</c>) property named
/// <c>DueOn</c> or <c>NewDueOn</c>.
/// </summary>
public static class DeadlineShifts
{
    private static readonly string[] Names = ["NewDueOn", "DueOn"];
    private static readonly ConcurrentDictionary<Type, PropertyInfo?> Properties = new();

    public static bool TryRead(object @event, out DateOnly? dueOn)
    {
        var property = Properties.GetOrAdd(@event.GetType(), type => Names
            .Select(name => type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance))
            .FirstOrDefault(p => p is not null && p.CanRead && (p.PropertyType == typeof(DateOnly) || p.PropertyType == typeof(DateOnly?))));
        dueOn = property?.GetValue(@event) as DateOnly?;
        return property is not null;
    }
}
