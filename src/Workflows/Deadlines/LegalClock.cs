using System.Text.Json.Nodes;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Workflows.Deadlines;

/// <summary>
/// The legal deadline of a case as pure decisions: it stops while the office waits for the citizen (Fristhemmung),
/// runs again — moved by the days it stood still — when the office stops waiting, and a caseworker may extend it
/// with a reason where the definition allows (Fristverlängerung). Time comes in as arguments.
/// </summary>
public static class LegalClock
{
    /// <summary>The built-in action that extends the legal deadline; reserved in every definition.</summary>
    public const string ExtendDeadline = "extend-deadline";

    /// <summary>How days count: <c>working</c> (Thuringia's working days) or <c>calendar</c>.</summary>
    public const string Working = "working", Calendar = "calendar";

    /// <summary>
    /// The deadline events that go with a transition from <paramref name="state"/> into <paramref name="target"/> on
    /// <paramref name="today"/>: a suspension when the office starts waiting for the citizen, a resumption when it
    /// stops; nothing when the case has no due date, the clock is already as it should be, or the case closes.
    /// </summary>
    /// <remarks>
    /// The days waited are those after the day the office asked up to and including the day the case stopped waiting:
    /// the day of asking still counts towards the deadline, the day of the answer does not — after the answer the rest
    /// of the period runs again as if from a new start (§ 187 Abs. 1 BGB: the day of the event is not counted).
    /// </remarks>
    public static IReadOnlyList<object> OnTransition(
        ProcessDefinition definition, Case state, string actionId, StateDefinition target, DateTimeOffset now, DateOnly today)
    {
        if (state.DueOn is not { } due || target.Final) return [];
        var waitsForCitizen = target.WaitingFor == Roles.Citizen;
        if (waitsForCitizen && state.ClockStoppedOn is null)
            return [new DeadlineSuspended(state.Id, actionId, target.Id, due, today, now)];
        if (!waitsForCitizen && state.ClockStoppedOn is { } since)
        {
            var kind = DayKindOf(definition.LegalDeadline);
            var days = kind == Calendar ? Math.Max(0, today.DayNumber - since.DayNumber) : WorkingDays.Count(since, today);
            var moved = kind == Calendar ? due.AddDays(days) : WorkingDays.Add(due, days);
            return [new DeadlineResumed(state.Id, actionId, target.Id, since, today, days, kind, due, moved, now)];
        }
        return [];
    }

    /// <summary>A deadline in calendar days moves by calendar days; every other by working days.</summary>
    public static string DayKindOf(Duration? deadline) => deadline is { WorkingDays: null, CalendarDays: not null } ? Calendar : Working;

    /// <summary>Working days of extension this case has had so far.</summary>
    public static int ExtendedWorkingDays(Case state) =>
        state.DeadlineHistory.Where(c => c.Kind == DeadlineChangeKinds.Extended).Sum(c => c.Days ?? 0);

    /// <summary>Working days the case may still be extended by, or null when the definition allows no extension or the case has no due date.</summary>
    public static int? RemainingExtension(ProcessDefinition definition, Case state) =>
        definition.LegalDeadline?.Extension is { } extension && state.DueOn is not null
            ? Math.Max(0, extension.MaxWorkingDays - ExtendedWorkingDays(state))
            : null;

    private static IReadOnlyList<FieldDefinition> ExtendInputs(int? max) =>
    [
        new() { Id = "workingDays", Type = FieldTypes.Integer, Required = true, Min = 1, Max = max, Label = new("Verlängerung um Arbeitstage", "Extend by working days") },
        new() { Id = "reason", Type = FieldTypes.Text, Required = true, MaxLength = 2000, Label = new("Begründung", "Reason") },
    ];

    private static readonly LocalizedText ExtendLabel = new("Frist verlängern", "Extend deadline");

    /// <summary>
    /// <c>extend-deadline</c> as the caller may take it now — for caseworkers only, where the definition allows extension
    /// and some of it is left; its <c>workingDays</c> input carries the remaining maximum.
    /// </summary>
    public static AvailableAction? ExtendAction(ProcessDefinition definition, Case state, Caller caller) =>
        caller.Role == Roles.Caseworker && !state.IsClosed && RemainingExtension(definition, state) is > 0 and var remaining
            ? new AvailableAction(ExtendDeadline, ExtendLabel, ExtendDeadline, ExtendInputs(remaining))
            : null;

    /// <summary>Extends the due date by the given working days, with the caseworker's reason; refuses where the definition does not allow it or beyond its maximum.</summary>
    public static Decision Extend(ProcessDefinition definition, Case state, JsonObject input, Caller caller, DateTimeOffset now, DateOnly today)
    {
        if (caller.Role != Roles.Caseworker)
            return Decision.Refuse(new CaseProblem(403, "role-not-allowed", "Only caseworkers extend deadlines.",
                $"'{ExtendDeadline}' is taken by caseworkers of team '{state.Team}'; you act as {caller.Role}."));
        if (state.AssigneeId is not null && state.AssigneeId != caller.Id)
            return Decision.Refuse(new CaseProblem(409, "assigned-to-colleague", "The case is being worked on by a colleague.",
                $"Case {state.Id} is assigned to {state.AssigneeName}. Ask them to release it, or have it assigned to you."));
        if (definition.LegalDeadline?.Extension is not { } extension || state.DueOn is not { } due)
            return Decision.Refuse(new CaseProblem(422, "extension-not-allowed", "The deadline of this case cannot be extended.",
                definition.LegalDeadline is null || state.DueOn is null
                    ? $"Service '{definition.Id}' version {definition.Version} sets no legal deadline, so there is nothing to extend."
                    : $"Service '{definition.Id}' version {definition.Version} does not allow extending its legal deadline (its legalDeadline has no 'extension')."));

        var errors = FormValidator.Validate(ExtendInputs(max: null), input, "en", today);
        if (errors.Count > 0)
            return Decision.Refuse(new CaseProblem(400, "invalid-input", "The action's input is incomplete or invalid.",
                $"{errors.Count} input value(s) need to be corrected.") { Errors = errors });

        // Validated as a whole number ≥ 1 above; its JSON text is the common ground of parsed and built values. Too large is beyond any maximum.
        var days = decimal.TryParse(input["workingDays"]!.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var asked)
                   && asked <= int.MaxValue ? (int)asked : int.MaxValue;
        var used = ExtendedWorkingDays(state);
        if ((long)used + days > extension.MaxWorkingDays)
        {
            var left = Math.Max(0, extension.MaxWorkingDays - used);
            var detail = $"The definition allows at most {extension.MaxWorkingDays} working days of extension in total (legalDeadline.extension.maxWorkingDays"
                         + (extension.Basis is null ? "" : $", {extension.Basis}") + $"); {used} already granted, {left} left, {days} asked.";
            return Decision.Refuse(new CaseProblem(422, "extension-limit", "The extension exceeds what the definition allows.", detail)
            {
                Errors = [new FieldError("workingDays", "extension-limit", $"At most {left} more working day(s).")],
            });
        }
        var reason = input["reason"]!.GetValue<string>().Trim();
        return Decision.Accept(new DeadlineExtended(state.Id, days, reason, due, WorkingDays.Add(due, days), caller.AsActor(), now));
    }
}
