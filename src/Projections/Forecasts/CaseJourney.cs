using Marten.Events.Aggregation;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Projections.Forecasts;

public sealed record StateVisit(string State, DateOnly EnteredOn);

/// <summary>How many working days a closed case took from entering a state until it ended.</summary>
public sealed record StateSample(string State, int WorkingDays);

/// <summary>
/// The path of one case through its states, without any personal data; when the case ends it yields one
/// sample per visited state. Recent samples of a service predict how long open cases will still take.
/// </summary>
public sealed record CaseJourney
{
    public required string Id { get; init; }
    public required string ServiceId { get; init; }
    public required int DefinitionVersion { get; init; }
    public IReadOnlyList<StateVisit> Visits { get; init; } = [];
    public DateOnly? ClosedOn { get; init; }
    public string? Outcome { get; init; }
    public IReadOnlyList<StateSample> Samples { get; init; } = [];
}

public sealed class CaseJourneyProjection : SingleStreamProjection<CaseJourney, string>
{
    public static CaseJourney Create(CaseSubmitted e) => new()
    {
        Id = e.CaseNumber,
        ServiceId = e.ServiceId,
        DefinitionVersion = e.DefinitionVersion,
        Visits = [new StateVisit(e.State, BerlinClock.DateOf(e.SubmittedAt))],
    };

    public static CaseJourney Apply(CaseActionTaken e, CaseJourney j) => Visit(j, e);
    public static CaseJourney Apply(InformationRequested e, CaseJourney j) => Visit(j, e);
    public static CaseJourney Apply(InformationProvided e, CaseJourney j) => Visit(j, e);
    public static CaseJourney Apply(CaseDecided e, CaseJourney j) => Visit(j, e);
    public static CaseJourney Apply(CaseWithdrawn e, CaseJourney j) => Visit(j, e);

    public static CaseJourney Apply(CaseClosed e, CaseJourney j)
    {
        var closedOn = BerlinClock.DateOf(e.ClosedAt);
        // From the last time the case entered each state: that is what a case now in that state still has ahead.
        var samples = j.Visits
            .Where(v => v.State != e.FinalState)
            .GroupBy(v => v.State)
            .Select(g => new StateSample(g.Key, WorkingDays.Count(g.Max(v => v.EnteredOn), closedOn)))
            .ToList();
        return j with { ClosedOn = closedOn, Outcome = e.Outcome, Samples = samples };
    }

    private static CaseJourney Visit(CaseJourney j, ICaseTransition e) =>
        j with { Visits = [.. j.Visits, new StateVisit(e.ToState, BerlinClock.DateOf(e.TakenAt))] };
}
