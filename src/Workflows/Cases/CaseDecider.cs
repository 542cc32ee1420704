using System.Text.Json.Nodes;
using Vorgang.Workflows.Deadlines;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Workflows.Cases;

/// <summary>Who is asking: a citizen holding the tracking code, a caseworker of a team, a second party, an auditor or an admin.</summary>
public sealed record Caller(string Id, string Role, string Name, string? Team, string Channel = Channels.Online)
{
    public Actor AsActor() => new(Id, Role, Name, Channel);
    public bool IsStaff => Role is Roles.Caseworker or Roles.Admin;
}

/// <summary>Why a command was refused; the API turns it into an RFC 9457 problem response.</summary>
public sealed record CaseProblem(int Status, string Rule, string Title, string Detail)
{
    public IReadOnlyList<FieldError> Errors { get; init; } = [];
    public IReadOnlyList<string>? AllowedActions { get; init; }
}

/// <summary>Either the events to append or the problem that stops the command.</summary>
public sealed record Decision(IReadOnlyList<object> Events, CaseProblem? Problem)
{
    public static Decision Refuse(CaseProblem problem) => new([], problem);
    public static Decision Accept(params object[] events) => new(events, null);
}

/// <summary>An action a caller may take now, with the inputs it needs.</summary>
public sealed record AvailableAction(string Id, LocalizedText Label, string Kind, IReadOnlyList<FieldDefinition> Inputs);

/// <summary>
/// The decisions of the case engine as pure functions: definition + state + command → events or a problem.
/// Time comes in as arguments; nothing here touches the database or the clock.
/// </summary>
public static class CaseDecider
{
    public const string Claim = "claim", Release = "release", Assign = "assign", TakeOver = "take-over";

    private static readonly IReadOnlyList<FieldDefinition> AssignInputs =
    [
        new() { Id = "assigneeId", Type = FieldTypes.Text, Required = true, MaxLength = 200, Label = new("Kennung der Kollegin / des Kollegen", "Colleague's user id") },
        new() { Id = "assigneeName", Type = FieldTypes.Text, Required = true, MaxLength = 200, Label = new("Name der Kollegin / des Kollegen", "Colleague's name") },
    ];

    private static readonly IReadOnlyList<FieldDefinition> TakeOverInputs =
    [
        new() { Id = "reason", Type = FieldTypes.Text, Required = true, MaxLength = 500, Label = new("Grund der Übernahme", "Reason for taking over"),
            Help = new("Zum Beispiel: Die Kollegin ist bis Freitag im Urlaub.", "For example: my colleague is on leave until Friday.") },
    ];

    public static readonly IReadOnlyDictionary<string, AvailableAction> BuiltIn = new Dictionary<string, AvailableAction>
    {
        [Claim] = new(Claim, new("Fall übernehmen", "Claim case"), Claim, []),
        [Release] = new(Release, new("Fall freigeben", "Release case"), Release, []),
        [Assign] = new(Assign, new("Fall zuweisen", "Assign case"), Assign, AssignInputs),
        [TakeOver] = new(TakeOver, new("Fall von der Kollegin / dem Kollegen übernehmen", "Take over from colleague"), TakeOver, TakeOverInputs),
    };

    public static Decision Submit(
        ProcessDefinition definition, JsonObject data, string language, string caseNumber, string trackingCodeHash,
        Actor submittedBy, DateTimeOffset now, DateOnly today)
    {
        var errors = FormValidator.Validate(definition.Form, data, language, today);
        if (errors.Count > 0)
        {
            return Decision.Refuse(new CaseProblem(400, "invalid-form", Text(language, "Die Angaben im Formular sind nicht vollständig oder nicht gültig.", "The form data is incomplete or invalid."),
                Text(language, $"{errors.Count} Angabe(n) müssen korrigiert werden.", $"{errors.Count} value(s) need to be corrected.")) { Errors = errors });
        }
        var values = Values(definition, data, today);
        var team = definition.Routing.FirstOrDefault(r => Rules.IsTrue(r.When, values, today))?.Team ?? definition.Team;
        var dueOn = WorkingDays.DueDate(definition.LegalDeadline, today);
        return Decision.Accept(new CaseSubmitted(caseNumber, definition.Id, definition.Version, definition.InitialState.Id, team, language,
            (JsonObject)data.DeepClone(), trackingCodeHash, dueOn, submittedBy, now));
    }

    public static Decision Decide(
        ProcessDefinition definition, Case state, string actionId, JsonObject? input, Caller caller, DateTimeOffset now, DateOnly today)
    {
        var lang = caller.Role == Roles.Citizen ? state.Language : "en";
        input ??= new JsonObject();
        if (state.IsClosed)
        {
            return Decision.Refuse(new CaseProblem(422, "case-closed", "The case is closed.", $"Case {state.Id} ended with outcome '{state.Outcome}'; no action can be taken.") { AllowedActions = [] });
        }
        if (BuiltIn.ContainsKey(actionId))
        {
            return DecideBuiltIn(state, actionId, input, caller, now);
        }
        if (actionId == LegalClock.ExtendDeadline)
        {
            return LegalClock.Extend(definition, state, input, caller, now, today);
        }

        var action = definition.Action(actionId);
        var allowed = AllowedActions(definition, state, caller).Select(a => a.Id).ToList();
        if (action is null)
        {
            return Decision.Refuse(new CaseProblem(404, "unknown-action", "Unknown action.", $"Service '{definition.Id}' has no action '{actionId}'.") { AllowedActions = allowed });
        }
        if (!action.By.Contains(caller.Role))
        {
            return Decision.Refuse(new CaseProblem(403, "role-not-allowed", "Your role may not take this action.",
                $"Action '{actionId}' is taken by {string.Join(", ", action.By)}; you act as {caller.Role}.") { AllowedActions = allowed });
        }
        if (!action.From.Contains(state.State))
        {
            return Decision.Refuse(new CaseProblem(422, "action-not-allowed-in-state", "This action is not possible in the current state.",
                $"Action '{actionId}' can be taken in {string.Join(", ", action.From)}; the case is in '{state.State}'.") { AllowedActions = allowed });
        }
        if (caller.Role == Roles.Caseworker && state.AssigneeId is not null && state.AssigneeId != caller.Id)
        {
            return Decision.Refuse(new CaseProblem(409, "assigned-to-colleague", "The case is being worked on by a colleague.",
                $"Case {state.Id} is assigned to {state.AssigneeName}. Ask them to release it, or have it assigned to you."));
        }

        var values = Values(definition, state.Data, today);
        var inputErrors = FormValidator.Validate(action.Inputs, input, lang, today, values);
        if (inputErrors.Count > 0)
        {
            return Decision.Refuse(new CaseProblem(400, "invalid-input", Text(lang, "Die Eingaben sind nicht vollständig oder nicht gültig.", "The action's input is incomplete or invalid."),
                Text(lang, $"{inputErrors.Count} Eingabe(n) müssen korrigiert werden.", $"{inputErrors.Count} input value(s) need to be corrected.")) { Errors = inputErrors });
        }
        if (CaseDocuments.Guard(definition, state, actionId, lang, today, allowed) is { } documentsMissing)
        {
            return Decision.Refuse(documentsMissing);
        }
        if (action.Guard is { } guard)
        {
            foreach (var (name, value) in FormValidator.ToParameters(action.Inputs, input)) values[name] = value;
            if (!Rules.IsTrue(guard, values, today))
            {
                return Decision.Refuse(new CaseProblem(422, "guard-failed", action.GuardMessage?.For(lang) ?? "The conditions for this action are not met.",
                    $"Action '{actionId}' requires: {guard}") { AllowedActions = allowed });
            }
        }

        var events = new List<object>();
        var actor = caller.AsActor();
        if (caller.Role == Roles.Caseworker && state.AssigneeId is null)
        {
            // Working on an unassigned case claims it, so that two caseworkers never work the same case unknowingly.
            events.Add(new CaseClaimed(state.Id, caller.Id, caller.Name, actor, now));
        }
        var target = definition.State(action.To)!;
        var inputCopy = (JsonObject)input.DeepClone();
        events.Add(action.Kind switch
        {
            ActionKinds.RequestInformation => new InformationRequested(state.Id, action.Id, state.State, target.Id, inputCopy, target.WaitingFor, actor, now),
            ActionKinds.ProvideInformation => new InformationProvided(state.Id, action.Id, state.State, target.Id, inputCopy, FormChanges(definition, inputCopy), target.WaitingFor, actor, now),
            ActionKinds.Decide => new CaseDecided(state.Id, action.Id, state.State, target.Id, target.Outcome ?? "completed", inputCopy, actor, now),
            ActionKinds.Withdraw => new CaseWithdrawn(state.Id, action.Id, state.State, target.Id, inputCopy, target.WaitingFor, actor, now),
            _ => new CaseActionTaken(state.Id, action.Id, state.State, target.Id, inputCopy, target.WaitingFor, actor, now),
        });
        // Waiting for the citizen stops the legal clock; no longer waiting starts it again, later by the days waited.
        events.AddRange(LegalClock.OnTransition(definition, state, action.Id, target, now, today));
        if (target.Final)
        {
            events.Add(new CaseClosed(state.Id, target.Id, target.Outcome ?? "completed", now));
        }
        return new Decision(events, null);
    }

    private static Decision DecideBuiltIn(Case state, string actionId, JsonObject input, Caller caller, DateTimeOffset now)
    {
        if (caller.Role is not (Roles.Caseworker or Roles.Admin))
        {
            return Decision.Refuse(new CaseProblem(403, "role-not-allowed", "Your role may not take this action.", $"'{actionId}' is for caseworkers of team '{state.Team}'."));
        }
        var actor = caller.AsActor();
        switch (actionId)
        {
            case Claim when caller.Role != Roles.Caseworker:
                return Decision.Refuse(new CaseProblem(403, "role-not-allowed", "Only caseworkers claim cases.", "Admins assign cases instead."));
            case Claim when state.AssigneeId == caller.Id:
                return Decision.Refuse(new CaseProblem(422, "already-claimed", "You have already claimed this case.", $"Case {state.Id} is assigned to you."));
            case Claim when state.AssigneeId is not null:
                return Decision.Refuse(new CaseProblem(409, "assigned-to-colleague", "The case is being worked on by a colleague.", $"Case {state.Id} is assigned to {state.AssigneeName}."));
            case Claim:
                return Decision.Accept(new CaseClaimed(state.Id, caller.Id, caller.Name, actor, now));
            case Release when state.AssigneeId is null:
                return Decision.Refuse(new CaseProblem(422, "not-assigned", "The case is not assigned.", $"Case {state.Id} has no assignee to release."));
            case Release when state.AssigneeId != caller.Id && caller.Role != Roles.Admin:
                return Decision.Refuse(new CaseProblem(409, "assigned-to-colleague", "Only the assignee can release the case.", $"Case {state.Id} is assigned to {state.AssigneeName}."));
            case Release:
                return Decision.Accept(new CaseReleased(state.Id, state.AssigneeId!, actor, now));
            case TakeOver when caller.Role != Roles.Caseworker:
                return Decision.Refuse(new CaseProblem(403, "role-not-allowed", "Only caseworkers take over cases.", "Admins assign cases instead."));
            case TakeOver when state.AssigneeId is null:
                return Decision.Refuse(new CaseProblem(422, "not-assigned", "The case is not assigned.", $"Case {state.Id} has no assignee; claim it instead."));
            case TakeOver when state.AssigneeId == caller.Id:
                return Decision.Refuse(new CaseProblem(422, "already-claimed", "You have already claimed this case.", $"Case {state.Id} is assigned to you."));
            case TakeOver:
                var reasonErrors = FormValidator.Validate(TakeOverInputs, input, "en", DateOnly.FromDateTime(now.UtcDateTime));
                if (reasonErrors.Count > 0)
                    return Decision.Refuse(new CaseProblem(400, "invalid-input", "The action's input is incomplete or invalid.", "Give the reason for taking over the case.") { Errors = reasonErrors });
                return Decision.Accept(new CaseTakenOver(state.Id, state.AssigneeId!, state.AssigneeName, caller.Id, caller.Name,
                    input["reason"]!.GetValue<string>().Trim(), actor, now));
            default: // Assign
                var errors = FormValidator.Validate(AssignInputs, input, "en", DateOnly.FromDateTime(now.UtcDateTime));
                if (errors.Count > 0)
                    return Decision.Refuse(new CaseProblem(400, "invalid-input", "The action's input is incomplete or invalid.", $"{errors.Count} input value(s) need to be corrected.") { Errors = errors });
                if (state.AssigneeId is not null && state.AssigneeId != caller.Id && caller.Role != Roles.Admin)
                    return Decision.Refuse(new CaseProblem(409, "assigned-to-colleague", "The case is being worked on by a colleague.", $"Case {state.Id} is assigned to {state.AssigneeName}."));
                return Decision.Accept(new CaseAssigned(state.Id, input["assigneeId"]!.GetValue<string>(), input["assigneeName"]!.GetValue<string>(), actor, now));
        }
    }

    /// <summary>What the caller may do now: the definition's actions for their role in this state, plus claim/release/assign for staff.</summary>
    public static IReadOnlyList<AvailableAction> AllowedActions(ProcessDefinition definition, Case state, Caller caller)
    {
        if (state.IsClosed) return [];
        var result = new List<AvailableAction>();
        if (caller.Role == Roles.Caseworker)
        {
            if (state.AssigneeId is null) result.Add(BuiltIn[Claim]);
            if (state.AssigneeId == caller.Id) result.Add(BuiltIn[Release]);
            if (state.AssigneeId is null || state.AssigneeId == caller.Id) result.Add(BuiltIn[Assign]);
            // A colleague's case is not stuck while they are away: a team member may take it over, giving the reason.
            if (state.AssigneeId is not null && state.AssigneeId != caller.Id)
            {
                result.Add(BuiltIn[TakeOver]);
                return result;
            }
        }
        if (caller.Role == Roles.Admin)
        {
            if (state.AssigneeId is not null) result.Add(BuiltIn[Release]);
            result.Add(BuiltIn[Assign]);
        }
        result.AddRange(definition.Actions
            .Where(a => a.By.Contains(caller.Role) && a.From.Contains(state.State))
            .Select(a => new AvailableAction(a.Id, a.Label, a.Kind, a.Inputs)));
        // Extending the deadline is for caseworkers, and only where the definition allows it.
        if (LegalClock.ExtendAction(definition, state, caller) is { } extend) result.Add(extend);
        return result;
    }

    /// <summary>Form values plus computed values, in definition order (a computed value may use earlier ones).</summary>
    public static Dictionary<string, object?> Values(ProcessDefinition definition, JsonObject data, DateOnly today)
    {
        var values = FormValidator.ToParameters(definition.Form, data);
        foreach (var computed in definition.Computed)
        {
            try
            {
                values[computed.Id] = Rules.Evaluate(computed.Expression, values, today);
            }
            catch (Exception)
            {
                // A computed value that cannot be evaluated on this data (e.g. an optional field left empty) is unknown, not an error.
                values[computed.Id] = null;
            }
        }
        return values;
    }

    private static JsonObject FormChanges(ProcessDefinition definition, JsonObject input)
    {
        var changes = new JsonObject();
        foreach (var (name, value) in input)
        {
            if (definition.Form.Any(f => f.Id == name)) changes[name] = value?.DeepClone();
        }
        return changes;
    }

    private static string Text(string lang, string de, string en) => lang == "en" ? en : de;
}
