using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Workflows.Definitions;

/// <summary>The semantic checks a schema cannot express: references, reachability, roles, expressions and the example.</summary>
public static class DefinitionChecker
{
    public const string SupportedDsl = "vorgang/v1";
    public static readonly IReadOnlySet<string> ReservedActions = new HashSet<string> { "claim", "release", "assign", "extend-deadline" };
    public static readonly IReadOnlySet<string> ReservedInputs = new HashSet<string> { "assigneeId", "assigneeName" };

    public static List<Diagnostic> Check(ProcessDefinition d, string file, Func<string, int> lineOf, DateOnly today)
    {
        var found = new List<Diagnostic>();
        void Error(string path, string rule, string message) => found.Add(new(file, lineOf(path), path, rule, message));
        void Warn(string path, string rule, string message) => found.Add(new(file, lineOf(path), path, rule, message, Severity.Warning));

        if (d.Dsl != SupportedDsl) Error("/dsl", "dsl-version", $"Unsupported DSL '{d.Dsl}'; this engine reads '{SupportedDsl}'.");
        if (d.LegalDeadline is { WorkingDays: null, CalendarDays: null })
            Error("/legalDeadline", "deadline-without-period", "Give the period as 'workingDays' or 'calendarDays'.");
        if (d.Retention is null && (d.Form.Any(f => f.Personal) || d.Actions.Any(a => a.Inputs.Any(i => i.Personal))))
            Warn("/retention", "retention-missing",
                "The service collects personal data but declares no retention: it is kept until an admin erases it. Add 'retention: { erasePersonalDataAfterDays: N }'.");
        foreach (var (party, fieldId) in d.PartyFields)
        {
            var path = $"/partyFields/{party}";
            var field = d.Form.FirstOrDefault(f => f.Id == fieldId);
            if (!d.Parties.Contains(party)) Error(path, "unknown-party", $"'{party}' is not declared in 'parties'.");
            if (field is null) Error(path, "unknown-field", $"There is no form field '{fieldId}'.");
            // Read without the case's key to decide access: a sealed value could not be compared.
            else if (field.Personal) Error(path, "party-field-personal", $"Field '{fieldId}' names an organisation and must not be personal.");
            else if (!field.Required) Warn(path, "party-field-optional", $"A case without '{fieldId}' is addressed to no {party} at all; make the field required.");
        }
        var expectedFile = $"{d.Id}/v{d.Version}.yaml";
        var normalized = file.Replace('\\', '/');
        if (normalized != expectedFile && !normalized.EndsWith("/" + expectedFile, StringComparison.Ordinal))
            Error("/id", "file-name", $"A definition of '{d.Id}' version {d.Version} must live in '{expectedFile}'.");

        CheckDuplicates(d.States.Select(s => s.Id), "/states", "state", Error);
        CheckDuplicates(d.Actions.Select(a => a.Id), "/actions", "action", Error);
        CheckDuplicates(d.Documents.Select(x => x.Id), "/documents", "document", Error);
        CheckDuplicates(d.Fees.Select(x => x.Id), "/fees", "fee", Error);
        CheckDuplicates(d.Form.Select(f => f.Id).Concat(d.Computed.Select(c => c.Id)), "/form", "field or computed value", Error);

        // Names an expression over the form may read.
        var formNames = FormNames(d.Form);
        formNames.UnionWith(d.Computed.Select(c => c.Id));
        var roles = new HashSet<string> { Roles.Citizen, Roles.Caseworker, Roles.System };
        roles.UnionWith(d.Parties);

        CheckFields(d.Form, "/form", FormNames(d.Form), today, Error);
        CheckNotifications(d, Error);
        CheckSteps(d, Error);
        // A computed value may use the form and the computed values before it (they are evaluated in order).
        var computedScope = FormNames(d.Form);
        for (var i = 0; i < d.Computed.Count; i++)
        {
            CheckExpression(d.Computed[i].Expression, $"/computed/{i}/expression", computedScope, Error);
            computedScope.Add(d.Computed[i].Id);
        }
        for (var i = 0; i < d.Routing.Count; i++)
            CheckExpression(d.Routing[i].When, $"/routing/{i}/when", formNames, Error);
        for (var i = 0; i < d.Fees.Count; i++)
        {
            if (!decimal.TryParse(d.Fees[i].Amount, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out _))
                CheckExpression(d.Fees[i].Amount, $"/fees/{i}/amount", formNames, Error);
            if (d.Fees[i].When is { } when) CheckExpression(when, $"/fees/{i}/when", formNames, Error);
        }
        for (var i = 0; i < d.Documents.Count; i++)
        {
            if (d.Documents[i].RequiredWhen is { } rw) CheckExpression(rw, $"/documents/{i}/requiredWhen", formNames, Error);
            for (var j = 0; j < d.Documents[i].RequiredBefore.Count; j++)
            {
                var actionId = d.Documents[i].RequiredBefore[j];
                if (d.Action(actionId) is null)
                    Error($"/documents/{i}/requiredBefore/{j}", "unknown-action", $"There is no action '{actionId}' that the document could be required before.");
            }
            foreach (var type in d.Documents[i].Types ?? [])
                if (!DocumentRequirement.KnownTypes.Contains(type))
                    Error($"/documents/{i}/types", "unknown-file-type", $"'{type}' is not a file type the engine recognises ({string.Join(", ", DocumentRequirement.KnownTypes)}).");
        }

        // States
        var states = d.States.Select(s => s.Id).ToHashSet();
        var initial = d.States.Select((s, i) => (s, i)).Where(x => x.s.Initial).ToList();
        if (initial.Count == 0) Error("/states", "no-initial-state", "Mark exactly one state with 'initial: true'.");
        foreach (var (_, i) in initial.Skip(1)) Error($"/states/{i}/initial", "several-initial-states", "Only one state may be initial.");
        if (!d.States.Any(s => s.Final)) Error("/states", "no-final-state", "At least one state must be final ('final: true'), or a case could never end.");
        for (var i = 0; i < d.States.Count; i++)
        {
            var s = d.States[i];
            if (s.Final && s.Outcome is null) Error($"/states/{i}", "final-without-outcome", $"Final state '{s.Id}' needs an 'outcome' ({string.Join(", ", Outcomes.All)}).");
            if (!s.Final && s.Outcome is not null) Error($"/states/{i}/outcome", "outcome-on-open-state", $"Only final states have an outcome; '{s.Id}' is not final.");
            if (s.Final && s.Initial) Error($"/states/{i}", "initial-is-final", "The initial state cannot be final.");
            if (s.WaitingFor is { } w && w != Roles.Citizen && !d.Parties.Contains(w))
                Error($"/states/{i}/waitingFor", "unknown-party", $"'{w}' is neither 'citizen' nor a party declared under 'parties'.");
            if (s.WaitingFor == Roles.Citizen && s.NextStep is null)
                Error($"/states/{i}", "waiting-without-next-step", $"State '{s.Id}' waits for the citizen: its 'nextStep' must tell them what is needed.");
            if (s.Initial && s.WaitingFor == Roles.Citizen && d.LegalDeadline is not null)
                Warn($"/states/{i}/waitingFor", "initial-waits-for-citizen", "The legal clock starts running at submission; it stops only when a step leads into a state that waits for the citizen.");
            CheckTimers(d, s, $"/states/{i}", Error, Warn);
        }
        for (var i = 0; i < d.Actions.Count; i++)
            if (d.Actions[i].By.Contains(Roles.System) && !d.States.Any(s => s.Timeout?.Action == d.Actions[i].Id))
                Warn($"/actions/{i}/by", "system-action-without-timer", $"Action '{d.Actions[i].Id}' is taken by the system, but no state's 'timeout' takes it.");

        // Actions
        for (var i = 0; i < d.Actions.Count; i++)
        {
            var a = d.Actions[i];
            var at = $"/actions/{i}";
            if (ReservedActions.Contains(a.Id)) Error($"{at}/id", "reserved-action", $"'{a.Id}' is built in for every service; choose another id.");
            if (a.By.Count == 0) Error($"{at}/by", "action-without-role", $"Action '{a.Id}' names no role that may take it.");
            for (var r = 0; r < a.By.Count; r++)
                if (!roles.Contains(a.By[r]))
                    Error($"{at}/by/{r}", "unknown-role", $"Role '{a.By[r]}' is unknown; use citizen, caseworker, system or declare it under 'parties'.");
            if (a.From.Count == 0) Error($"{at}/from", "action-without-source", $"Action '{a.Id}' names no state it can be taken from.");
            for (var f = 0; f < a.From.Count; f++)
            {
                var source = d.State(a.From[f]);
                if (source is null) Error($"{at}/from/{f}", "unknown-state", $"Action '{a.Id}' starts from unknown state '{a.From[f]}'.");
                else if (source.Final) Error($"{at}/from/{f}", "action-from-final-state", $"State '{source.Id}' is final; no action can leave it.");
            }
            var target = d.State(a.To);
            if (target is null) Error($"{at}/to", "unknown-state", $"Action '{a.Id}' leads to unknown state '{a.To}'.");
            if (!ActionKinds.All.Contains(a.Kind)) Error($"{at}/kind", "unknown-kind", $"Kind '{a.Kind}' is unknown.");
            if (target is not null)
            {
                if (a.Kind == ActionKinds.Decide && !target.Final)
                    Error($"{at}/to", "decision-not-final", $"A decision must lead to a final state; '{target.Id}' is not final.");
                if (a.Kind == ActionKinds.Withdraw && target.Outcome != "withdrawn")
                    Error($"{at}/to", "withdraw-target", $"A withdrawal must lead to a final state with outcome 'withdrawn'.");
                if (a.Kind == ActionKinds.RequestInformation && target.WaitingFor is null)
                    Error($"{at}/to", "request-target", $"Requesting information must lead to a state with 'waitingFor'.");
                if (a.Kind == ActionKinds.ProvideInformation && !a.By.Contains(Roles.Citizen) && !a.By.Any(d.Parties.Contains))
                    Error($"{at}/by", "provide-by", "Information is provided by the citizen or a party.");
            }
            if (a.Kind == ActionKinds.Withdraw && !a.By.Contains(Roles.Citizen) && !a.By.Contains(Roles.System))
                Warn($"{at}/by", "withdraw-by", "Withdrawals are usually taken by the citizen (or by the system after a timeout).");

            CheckDuplicates(a.Inputs.Select(x => x.Id), $"{at}/inputs", "input", Error);
            for (var n = 0; n < a.Inputs.Count; n++)
            {
                var input = a.Inputs[n];
                if (!formNames.Contains(input.Id)) continue;
                // Only provided information may supplement the form, and then with the field's own type.
                var field = d.Form.FirstOrDefault(f => f.Id == input.Id);
                if (a.Kind != ActionKinds.ProvideInformation || field is null)
                    Error($"{at}/inputs/{n}/id", "input-shadows-field", $"Input '{input.Id}' has the id of a form field or computed value; rename it (only provide-information inputs may supplement form fields).");
                else if (field.Type != input.Type)
                    Error($"{at}/inputs/{n}/type", "input-type-mismatch", $"Input '{input.Id}' supplements form field '{input.Id}' and must have its type '{field.Type}'.");
            }
            var inputNames = FormNames(a.Inputs);
            CheckFields(a.Inputs, $"{at}/inputs", new HashSet<string>(inputNames.Concat(formNames)), today, Error);
            if (a.Inputs.Any(x => ReservedInputs.Contains(x.Id)))
                Error($"{at}/inputs", "reserved-input", $"Input ids {string.Join(", ", ReservedInputs)} are reserved.");
            if (a.Guard is { } guard)
            {
                CheckExpression(guard, $"{at}/guard", new HashSet<string>(formNames.Concat(inputNames)), Error);
                if (a.GuardMessage is null) Warn($"{at}/guard", "guard-without-message", "Say in 'guardMessage' why the action is not possible when the guard fails.");
            }
            if (a.Letter is { } letter) CheckLetter(d, a, letter, $"{at}/letter", Error);
        }
        CheckDuplicates(d.Actions.Where(a => a.Letter is not null).Select(a => a.Letter!.Id), "/actions", "letter", Error);

        // Reachability from the initial state, and a way out of every open state.
        if (initial.Count == 1)
        {
            var reached = new HashSet<string> { initial[0].s.Id };
            var queue = new Queue<string>(reached);
            while (queue.Count > 0)
            {
                var current = queue.Dequeue();
                foreach (var a in d.Actions.Where(a => a.From.Contains(current)))
                    if (states.Contains(a.To) && reached.Add(a.To)) queue.Enqueue(a.To);
            }
            for (var i = 0; i < d.States.Count; i++)
                if (!reached.Contains(d.States[i].Id))
                    Error($"/states/{i}", "unreachable-state", $"No action leads to state '{d.States[i].Id}' from the initial state.");
        }
        for (var i = 0; i < d.States.Count; i++)
            if (!d.States[i].Final && !d.Actions.Any(a => a.From.Contains(d.States[i].Id)))
                Error($"/states/{i}", "dead-end-state", $"State '{d.States[i].Id}' is not final but no action leaves it.");

        // Routing targets and the example submission.
        if (d.Example is null)
        {
            Warn("", "no-example", "Add an 'example' submission so clients can try the service.");
        }
        else if (found.All(f => f.Severity != Severity.Error))
        {
            var example = ResolveExample(d, today);
            foreach (var error in FormValidator.Validate(d.Form, example, "en", today))
                Error($"/example/{error.Field.Split('.', '[')[0]}", "invalid-example", $"{error.Field}: {error.Message} ({error.Rule})");
        }
        return found;
    }

    /// <summary>Each e-mail text: a known trigger and state, both languages, only the placeholders the engine fills in, one text per trigger and state.</summary>
    private static void CheckNotifications(ProcessDefinition d, Action<string, string, string> error)
    {
        if (d.Notifications is not { } notifications) return;
        var seen = new HashSet<(string, string?)>();
        for (var i = 0; i < notifications.Count; i++)
        {
            var n = notifications[i];
            var at = $"/notifications/{i}";
            if (!Notifications.NotificationTriggers.All.Contains(n.Trigger))
                error($"{at}/trigger", "unknown-trigger", $"'{n.Trigger}' is no notification trigger; use one of {string.Join(", ", Notifications.NotificationTriggers.All)}.");
            if (n.State is { } state && d.State(state) is null)
                error($"{at}/state", "unknown-state", $"There is no state '{state}'.");
            if (!seen.Add((n.Trigger, n.State)))
                error(at, "duplicate-notification", $"A second text for trigger '{n.Trigger}'{(n.State is null ? "" : $" in state '{n.State}'")}.");
            foreach (var (part, text) in new[] { ("subject", n.Subject), ("body", n.Body) })
            foreach (var (language, value) in new[] { ("de", text.De), ("en", text.En) })
            {
                if (string.IsNullOrWhiteSpace(value))
                    error($"{at}/{part}/{language}", "notification-language", $"The {part} needs a text in '{language}'.");
                foreach (System.Text.RegularExpressions.Match m in Notifications.NotificationPlan.Placeholder().Matches(value ?? ""))
                    if (!Notifications.NotificationPlan.Placeholders.Contains(m.Groups[1].Value))
                        error($"{at}/{part}/{language}", "unknown-placeholder",
                            $"'{m.Value}' is no placeholder; use {string.Join(", ", Notifications.NotificationPlan.Placeholders.Select(p => "{" + p + "}"))}.");
            }
        }
    }

    /// <summary>A state's reminder goes to the citizen it waits for; its timeout takes a system action that leaves the state.</summary>
    private static void CheckTimers(ProcessDefinition d, StateDefinition s, string at, Action<string, string, string> error, Action<string, string, string> warn)
    {
        if (s.Reminder is not null && s.WaitingFor != Roles.Citizen)
            error($"{at}/reminder", "reminder-without-waiting", $"A reminder goes to the citizen: state '{s.Id}' must wait for the citizen ('waitingFor: citizen').");
        if (s.Timeout is not { } timeout) return;
        if (s.WaitingFor is null)
            error($"{at}/timeout", "timeout-without-waiting", $"A timeout ends a wait without an answer: state '{s.Id}' must wait for someone ('waitingFor').");
        if (s.Reminder is { } reminder && timeout.AfterWorkingDays <= reminder.AfterWorkingDays)
            warn($"{at}/timeout/afterWorkingDays", "timeout-before-reminder", $"The timeout ({timeout.AfterWorkingDays} working days) comes no later than the reminder ({reminder.AfterWorkingDays}); the reminder would be pointless.");
        if (d.Action(timeout.Action) is not { } action)
        {
            error($"{at}/timeout/action", "unknown-action", $"The timeout of state '{s.Id}' takes unknown action '{timeout.Action}'.");
            return;
        }
        if (!action.By.Contains(Roles.System))
            error($"{at}/timeout/action", "timeout-action", $"Action '{action.Id}' is taken when the timeout ends, so it needs 'system' in 'by'.");
        if (!action.From.Contains(s.Id))
            error($"{at}/timeout/action", "timeout-action", $"Action '{action.Id}' cannot be taken from state '{s.Id}'; add it to the action's 'from'.");
        if (action.Inputs.Any(x => x.Required || x.RequiredWhen is not null))
            error($"{at}/timeout/action", "timeout-action", $"Action '{action.Id}' has required inputs, which the system cannot fill in.");
        if (action.Guard is not null)
            warn($"{at}/timeout/action", "timeout-action-guard", $"Action '{action.Id}' has a guard; when it does not hold, the timeout does nothing.");
    }

    /// <summary>The example with relative dates (<c>today-3d</c>) resolved, so that it passes validation on any day.</summary>
    public static JsonObject ResolveExample(ProcessDefinition d, DateOnly today)
    {
        var example = (JsonObject)(d.Example?.DeepClone() ?? new JsonObject());
        ResolveDates(d.Form, example, today);
        return example;
    }

    private static void ResolveDates(IReadOnlyList<FieldDefinition> fields, JsonObject data, DateOnly today)
    {
        foreach (var field in fields)
        {
            if (!data.TryGetPropertyValue(field.Id, out var node) || node is null) continue;
            if (field.Type == FieldTypes.Date && node is JsonValue v && v.TryGetValue<string>(out var s) && RelativeDate.IsRelative(s)
                && RelativeDate.TryResolve(s, today, out var date))
                data[field.Id] = date.ToString("yyyy-MM-dd");
            if (field.Type == FieldTypes.List && node is JsonArray items)
                foreach (var item in items.OfType<JsonObject>()) ResolveDates(field.Fields, item, today);
        }
    }

    /// <summary>
    /// A letter speaks of the case's values by name; it must name only what exists and what the citizen may read, and a
    /// decision must tell how to appeal (§ 37 Abs. 6 VwVfG).
    /// </summary>
    private static void CheckLetter(ProcessDefinition d, ActionDefinition a, LetterTemplate letter, string at, Action<string, string, string> error)
    {
        if (letter.Kind is not (LetterKinds.Decision or LetterKinds.Document))
            error($"{at}/kind", "unknown-letter-kind", $"Letter kind '{letter.Kind}' is unknown; use decision or document.");
        if (letter.Kind == LetterKinds.Decision && letter.LegalRemedy is null)
            error(at, "decision-without-legal-remedy", "A decision letter (Bescheid) must say how to appeal: add 'legalRemedy' (Rechtsbehelfsbelehrung, § 37 Abs. 6 VwVfG).");
        var texts = new List<(string Path, string Text)>();
        void Add(string path, LocalizedText? text)
        {
            if (text is null) return;
            texts.Add(($"{path}/de", text.De));
            texts.Add(($"{path}/en", text.En));
        }
        foreach (var (language, title) in new[] { ("de", letter.Title.De), ("en", letter.Title.En) })
            if (LetterPlaceholders.Names(title).Any())
                error($"{at}/title/{language}", "letter-title-placeholder", "A letter's title names the letter and is shown in lists and the history: it takes no placeholders.");
        Add($"{at}/to", letter.To);
        Add($"{at}/text", letter.Text);
        Add($"{at}/reasons", letter.Reasons);
        Add($"{at}/legalRemedy", letter.LegalRemedy);
        for (var f = 0; f < letter.Facts.Count; f++)
        {
            Add($"{at}/facts/{f}/label", letter.Facts[f].Label);
            texts.Add(($"{at}/facts/{f}/value", letter.Facts[f].Value));
        }
        foreach (var (path, text) in texts)
            foreach (var name in LetterPlaceholders.Names(text))
            {
                var root = name.Split('.', 2)[0];
                var input = a.Inputs.FirstOrDefault(i => i.Id == root);
                if (input is { Internal: true })
                    error(path, "letter-internal-input", $"Input '{root}' is internal to the office and must not be printed in a letter to the citizen.");
                else if (input is null && !LetterTemplate.BuiltIns.Contains(name) && d.Form.All(f => f.Id != root) && d.Computed.All(c => c.Id != root))
                    error(path, "unknown-placeholder", $"'{{{name}}}' names no form field, input of '{a.Id}', computed value or one of {string.Join(", ", LetterTemplate.BuiltIns)}.");
            }
    }

    private static HashSet<string> FormNames(IReadOnlyList<FieldDefinition> fields)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in fields)
        {
            names.Add(f.Id);
            if (f.Type == FieldTypes.Address)
                foreach (var part in FieldTypes.AddressParts) names.Add($"{f.Id}.{part}");
        }
        return names;
    }

    private static void CheckFields(IReadOnlyList<FieldDefinition> fields, string at, HashSet<string> names, DateOnly today, Action<string, string, string> error)
    {
        CheckDuplicates(fields.Select(f => f.Id), at, "field", error);
        for (var i = 0; i < fields.Count; i++)
        {
            var f = fields[i];
            var path = $"{at}/{i}";
            if (!FieldTypes.All.Contains(f.Type)) error($"{path}/type", "unknown-type", $"Field type '{f.Type}' is unknown; use {string.Join(", ", FieldTypes.All)}.");
            if (f.Type == FieldTypes.Choice && f.Options.Count == 0) error(path, "choice-without-options", $"Choice field '{f.Id}' needs 'options'.");
            if (f.Type == FieldTypes.List)
            {
                if (f.Fields.Count == 0) error(path, "list-without-fields", $"List field '{f.Id}' needs 'fields' for its entries.");
                CheckFields(f.Fields, $"{path}/fields", FormNames(f.Fields), today, error);
            }
            if (f.Options.Count > 0) CheckDuplicates(f.Options.Select(o => o.Value), $"{path}/options", "option", error);
            if (f.Min > f.Max) error($"{path}/min", "min-above-max", "'min' is greater than 'max'.");
            if (f.MinLength > f.MaxLength) error($"{path}/minLength", "min-above-max", "'minLength' is greater than 'maxLength'.");
            if (f.Pattern is { } pattern)
            {
                try { _ = new Regex(pattern); }
                catch (ArgumentException e) { error($"{path}/pattern", "invalid-pattern", e.Message); }
            }
            foreach (var (key, value) in new[] { ("minDate", f.MinDate), ("maxDate", f.MaxDate) })
                if (value is not null && !RelativeDate.TryResolve(value, today, out _))
                    error($"{path}/{key}", "invalid-date", $"'{value}' is neither YYYY-MM-DD nor relative like today-14d.");
            if (f.RequiredWhen is { } rw) CheckExpression(rw, $"{path}/requiredWhen", names, error);
            if (f.VisibleWhen is { } vw) CheckExpression(vw, $"{path}/visibleWhen", names, error);
        }
    }

    private static void CheckExpression(string text, string path, HashSet<string> names, Action<string, string, string> error)
    {
        var check = Rules.Check(text);
        if (check.Error is not null)
        {
            error(path, "expression", $"'{text}': {check.Error}");
            return;
        }
        foreach (var name in check.Parameters.Where(n => !names.Contains(n)))
            error(path, "unknown-name", $"'{text}' names '{name}', which is no field, address part, computed value or input here.");
    }

    /// <summary>Steps, when declared, ask for every form field exactly once, and a field only after the fields its <c>visibleWhen</c> reads.</summary>
    private static void CheckSteps(ProcessDefinition d, Action<string, string, string> error)
    {
        if (d.Steps.Count == 0) return;
        CheckDuplicates(d.Steps.Select(s => s.Id), "/steps", "step", error);
        var stepOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < d.Steps.Count; i++)
        {
            for (var f = 0; f < d.Steps[i].Fields.Count; f++)
            {
                var id = d.Steps[i].Fields[f];
                if (d.Form.All(x => x.Id != id)) error($"/steps/{i}/fields/{f}", "unknown-field", $"There is no form field '{id}'.");
                else if (!stepOf.TryAdd(id, i)) error($"/steps/{i}/fields/{f}", "field-in-several-steps", $"Field '{id}' is already asked for in step '{d.Steps[stepOf[id]].Id}'.");
            }
        }
        for (var i = 0; i < d.Form.Count; i++)
        {
            var field = d.Form[i];
            if (!stepOf.TryGetValue(field.Id, out var step))
            {
                error($"/form/{i}", "field-without-step", $"Field '{field.Id}' is in no step; add it to one of 'steps'.");
                continue;
            }
            // Without scripts, a page cannot show a field the moment another one on the same page is answered.
            foreach (var condition in new[] { field.VisibleWhen }.OfType<string>())
            {
                foreach (var other in d.Form.Where(o => o.Id != field.Id && Regex.IsMatch(condition, $@"(?<![\w.\[])\[?{Regex.Escape(o.Id)}\b")))
                {
                    if (stepOf.TryGetValue(other.Id, out var otherStep) && otherStep >= step)
                        error($"/form/{i}/visibleWhen", "step-order", $"Field '{field.Id}' is shown depending on '{other.Id}'; ask for '{other.Id}' in an earlier step.");
                }
            }
        }
    }

    private static void CheckDuplicates(IEnumerable<string> ids, string at, string what, Action<string, string, string> error)
    {
        var seen = new HashSet<string>();
        var index = 0;
        foreach (var id in ids)
        {
            if (!seen.Add(id)) error($"{at}/{index}", "duplicate-id", $"The {what} id '{id}' is used more than once.");
            index++;
        }
    }
}
