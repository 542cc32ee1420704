using JasperFx.Events;
using Marten.Events.Aggregation;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Projections.Queues;

/// <summary>
/// One case as the work lists show it: the team's queue, and the list of a second party (a school) of the cases
/// addressed to it (<see cref="PartyAccess"/>). No personal data: the lists record no reads.
/// </summary>
public sealed record QueueItem
{
    public required string Id { get; init; }
    public required string ServiceId { get; init; }
    public required int DefinitionVersion { get; init; }
    public required string State { get; init; }
    public required string Team { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
    public DateOnly? DueOn { get; init; }
    public string? AssigneeId { get; init; }
    public string? AssigneeName { get; init; }
    public bool WaitingForCitizen { get; init; }
    /// <summary>The legal clock stands still: the office waits for the citizen, and <see cref="DueOn"/> will move by the days waited.</summary>
    public bool ClockStopped { get; init; }
    public bool IsOpen { get; init; } = true;
    public string? Outcome { get; init; }
    public DateTimeOffset LastChangedAt { get; init; }

    /// <summary>Working days the service norms expect from the current state to the end of the case.</summary>
    public int? RemainingNormDays { get; init; }

    /// <summary>
    /// The last day on which work must go on for the case to meet its due date: the due date less the remaining
    /// norm. It does not move with time, so ordering by it orders by risk of missing the deadline on any day.
    /// </summary>
    /// While the clock is stopped (the office waits for the citizen) the due date will move, so there is none.
    public DateOnly? StartBy => DueOn is { } due && !ClockStopped ? WorkingDays.Subtract(due, RemainingNormDays ?? 0) : null;

    // The queue's sort keys without nulls, so that one index serves both the order and row comparisons ("who is ahead").
    public DateOnly OrderStartBy => StartBy ?? DateOnly.MaxValue;
    public DateOnly OrderDueOn => DueOn ?? DateOnly.MaxValue;

    /// <summary>The parties the process has turned to so far: they keep reaching the case (decision 19).</summary>
    public IReadOnlyList<string> AddressedParties { get; init; } = [];

    /// <summary>The organisation the case names for each party that is many (<c>partyFields</c>): a form value that is never personal.</summary>
    public IReadOnlyDictionary<string, string> PartyOrganisations { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Whom the case is addressed to (<see cref="PartyAccess.Addressee"/>: <c>school/grundschule-lobeda-west</c>, or a
    /// party that is one organisation by its id): the party's list of every case addressed to it.
    /// </summary>
    public IReadOnlyList<string> AddressedTo { get; init; } = [];

    /// <summary>The addressees the case waits for now — it is open and in a state that offers them an action: the party's list of its work.</summary>
    public IReadOnlyList<string> AwaitedBy { get; init; } = [];
    /// <summary>How many messages the citizen has written in the case's thread: the queue's unread count compares it with the office's read marker.</summary>
    public int CitizenMessages { get; init; }
}

/// <summary>
/// How close a case is to missing its due date, as words (never colour alone). The rule is stated here once, in the
/// three forms the engine needs it — in memory (<see cref="Of"/>), as a query filter (<see cref="Where"/>) and as the SQL
/// of the team's counts (<see cref="SqlCase"/>); <c>QueueRiskTests</c> checks that the three agree.
/// Paused: the clock is stopped while the office waits for the citizen. Overdue: the due date has passed. Late: work
/// should have gone on earlier than the norms allow (<see cref="QueueItem.StartBy"/> has passed). Tight: within two
/// working days of that. The first band that applies is the case's band.
/// </summary>
public static class RiskBands
{
    public const string Overdue = "overdue", Late = "late", Tight = "tight", OnTrack = "on-track", Paused = "paused", NoDeadline = "no-deadline";
    public static readonly IReadOnlyList<string> All = [Overdue, Late, Tight, OnTrack, Paused, NoDeadline];

    /// <summary>The last day that still counts as tight.</summary>
    public static DateOnly TightUntil(DateOnly today) => WorkingDays.Add(today, 2);

    public static string Of(QueueItem item, DateOnly today) => item switch
    {
        { DueOn: null } => NoDeadline,
        { ClockStopped: true } => Paused,
        { DueOn: { } due } when due < today => Overdue,
        { StartBy: { } start } when start < today => Late,
        { StartBy: { } start } when start <= TightUntil(today) => Tight,
        _ => OnTrack,
    };

    /// <summary>The cases of one band (a filter of the queue). <see cref="QueueItem.StartBy"/> is set exactly when there is a due date and the clock runs.</summary>
    public static IQueryable<QueueItem> Where(IQueryable<QueueItem> query, string band, DateOnly today)
    {
        var tightUntil = TightUntil(today);
        return band switch
        {
            NoDeadline => query.Where(x => x.DueOn == null),
            Paused => query.Where(x => x.DueOn != null && x.ClockStopped),
            Overdue => query.Where(x => x.DueOn < today && !x.ClockStopped),
            Late => query.Where(x => x.DueOn >= today && x.StartBy < today),
            Tight => query.Where(x => x.DueOn >= today && x.StartBy >= today && x.StartBy <= tightUntil),
            OnTrack => query.Where(x => x.DueOn >= today && x.StartBy > tightUntil),
            _ => throw new ArgumentOutOfRangeException(nameof(band), band, "Not a risk band."),
        };
    }

    /// <summary>The band as SQL over the queue table's columns, with <c>$2</c> today and <c>$3</c> <see cref="TightUntil"/>.</summary>
    public const string SqlCase = $"""
        case when due_on is null then '{NoDeadline}'
             when clock_stopped then '{Paused}'
             when due_on < $2 then '{Overdue}'
             when start_by < $2 then '{Late}'
             when start_by <= $3 then '{Tight}'
             else '{OnTrack}' end
        """;
}

/// <remarks>Needs the definitions to know each state's remaining service norm.</remarks>
public sealed class QueueItemProjection(DefinitionCatalog catalog) : SingleStreamProjection<QueueItem, string>
{
    public QueueItem Create(CaseSubmitted e) => Addressing(new QueueItem
    {
        Id = e.CaseNumber,
        ServiceId = e.ServiceId,
        DefinitionVersion = e.DefinitionVersion,
        State = e.State,
        Team = e.Team,
        SubmittedAt = e.SubmittedAt,
        DueOn = e.DueOn,
        LastChangedAt = e.SubmittedAt,
        RemainingNormDays = Remaining(e.ServiceId, e.DefinitionVersion, e.State),
        PartyOrganisations = catalog.Get(e.ServiceId, e.DefinitionVersion) is { } definition
            ? definition.PartyFields.Keys
                .Select(party => (party, organisation: PartyAccess.OrganisationOf(definition, party, e.Data)))
                .Where(p => p.organisation is not null)
                .ToDictionary(p => p.party, p => p.organisation!)
            : new Dictionary<string, string>(),
    });

    public static QueueItem Apply(CaseClaimed e, QueueItem item) => item with { AssigneeId = e.AssigneeId, AssigneeName = e.AssigneeName, LastChangedAt = e.ClaimedAt };
    public static QueueItem Apply(CaseAssigned e, QueueItem item) => item with { AssigneeId = e.AssigneeId, AssigneeName = e.AssigneeName, LastChangedAt = e.AssignedAt };
    public static QueueItem Apply(CaseReleased e, QueueItem item) => item with { AssigneeId = null, AssigneeName = null, LastChangedAt = e.ReleasedAt };
    public static QueueItem Apply(CaseTakenOver e, QueueItem item) => item with { AssigneeId = e.AssigneeId, AssigneeName = e.AssigneeName, LastChangedAt = e.TakenOverAt };
    public QueueItem Apply(CaseActionTaken e, QueueItem item) => Move(item, e);
    public QueueItem Apply(InformationRequested e, QueueItem item) => Move(item, e);
    public QueueItem Apply(InformationProvided e, QueueItem item) => Move(Reorganised(item, e.FormChanges), e);
    public QueueItem Apply(CaseDecided e, QueueItem item) => Move(item, e);
    public QueueItem Apply(CaseWithdrawn e, QueueItem item) => Move(item, e);
    public QueueItem Apply(CaseClosed e, QueueItem item) => Addressing(item with { IsOpen = false, Outcome = e.Outcome, LastChangedAt = e.ClosedAt });
    public static QueueItem Apply(CaseMessagePosted e, QueueItem item) =>
        e.Side == MessageSides.Citizen ? item with { CitizenMessages = item.CitizenMessages + 1 } : item;
    public static QueueItem Apply(DeadlineSuspended e, QueueItem item) => item with { ClockStopped = true };
    public static QueueItem Apply(DeadlineResumed e, QueueItem item) => item with { ClockStopped = false, DueOn = e.DueOn };
    public static QueueItem Apply(DeadlineExtended e, QueueItem item) => item with { DueOn = e.DueOn, LastChangedAt = e.ExtendedAt };

    private QueueItem Move(QueueItem item, ICaseTransition e) =>
        Addressing(item with
        {
            State = e.ToState,
            WaitingForCitizen = e.WaitingFor == "citizen",
            LastChangedAt = e.TakenAt,
            RemainingNormDays = Remaining(item.ServiceId, item.DefinitionVersion, e.ToState),
        });

    /// <summary>
    /// Whom the case is addressed to and who it waits for, as <see cref="PartyAccess.IsAddressedTo"/> decides for the case
    /// itself: every party whose states it has entered, under the organisation it names now, and those of its state while open.
    /// </summary>
    private QueueItem Addressing(QueueItem item)
    {
        if (catalog.Get(item.ServiceId, item.DefinitionVersion) is not { Parties.Count: > 0 } definition) return item;
        var now = PartyAccess.PartiesAddressedIn(definition, item.State);
        var parties = item.AddressedParties.Union(now).ToList();
        IReadOnlyList<string> Addressees(IEnumerable<string> of) =>
            of.Select(p => PartyAccess.Addressee(definition, p, item.PartyOrganisations.GetValueOrDefault(p))).OfType<string>().Distinct().ToList();
        return item with { AddressedParties = parties, AddressedTo = Addressees(parties), AwaitedBy = item.IsOpen ? Addressees(now) : [] };
    }

    /// <summary>The citizen corrected the field that names a party's organisation: the case is then addressed to the one it names now.</summary>
    private QueueItem Reorganised(QueueItem item, System.Text.Json.Nodes.JsonObject changes)
    {
        if (catalog.Get(item.ServiceId, item.DefinitionVersion) is not { PartyFields.Count: > 0 } definition) return item;
        var organisations = new Dictionary<string, string>(item.PartyOrganisations);
        foreach (var (party, field) in definition.PartyFields)
        {
            if (!changes.ContainsKey(field)) continue;
            if (PartyAccess.OrganisationOf(definition, party, changes) is { } named) organisations[party] = named;
            else organisations.Remove(party);
        }
        return item with { PartyOrganisations = organisations };
    }

    private int? Remaining(string serviceId, int version, string state) =>
        catalog.Get(serviceId, version) is { } definition ? ServiceNorms.RemainingWorkingDays(definition, state) : null;
}
