using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Workflows.Definitions;

/// <summary>A text in the two languages every citizen-facing string must have.</summary>
public sealed record LocalizedText(string De, string En)
{
    public string For(string? language) => language == "en" ? En : De;
}

/// <summary>One published version of a service, as read from <c>process-definitions/{id}/v{version}.yaml</c>.</summary>
public sealed record ProcessDefinition
{
    public required string Dsl { get; init; }
    public required string Id { get; init; }
    public required int Version { get; init; }
    public required LocalizedText Title { get; init; }
    public required LocalizedText Summary { get; init; }
    /// <summary>Who may apply, as the service's page says it.</summary>
    public LocalizedText? Eligibility { get; init; }
    /// <summary>The words a citizen might search for (the portal's search), besides the title and summary.</summary>
    public SearchTerms? SearchTerms { get; init; }
    public required string Team { get; init; }
    public IReadOnlyList<RoutingRule> Routing { get; init; } = [];
    public DeadlineDefinition? LegalDeadline { get; init; }
    /// <summary>Second parties (e.g. <c>school</c>) that act on cases of this service besides citizens and caseworkers.</summary>
    public IReadOnlyList<string> Parties { get; init; } = [];
    /// <summary>
    /// For a party that is many organisations (every school is a <c>school</c>): the form field whose value names the
    /// organisation a case is addressed to. A party's token names its organisation in its <c>team</c> claim.
    /// </summary>
    public IReadOnlyDictionary<string, string> PartyFields { get; init; } = new Dictionary<string, string>();
    /// <summary>Whether a citizen may submit without giving any personal data (defect reports).</summary>
    public bool Anonymous { get; init; }
    /// <summary>When the personal data of a final case is erased; null keeps it until an admin erases it.</summary>
    public RetentionDefinition? Retention { get; init; }
    public IReadOnlyList<DocumentRequirement> Documents { get; init; } = [];
    public IReadOnlyList<FeeDefinition> Fees { get; init; } = [];
    /// <summary>The e-mails to citizens, per trigger and optionally per state; what is left out gets the engine's texts (decision 50).</summary>
    public IReadOnlyList<NotificationTemplate>? Notifications { get; init; }
    public required IReadOnlyList<FieldDefinition> Form { get; init; }
    /// <summary>The form's pages in the portal; without any, each form field is a page of its own (<see cref="Pages"/>).</summary>
    public IReadOnlyList<FormStep> Steps { get; init; } = [];
    public IReadOnlyList<ComputedValue> Computed { get; init; } = [];
    public required IReadOnlyList<StateDefinition> States { get; init; }
    public required IReadOnlyList<ActionDefinition> Actions { get; init; }
    /// <summary>A submission that passes validation; date strings may be relative (<c>today-3d</c>).</summary>
    public JsonObject? Example { get; init; }

    [JsonIgnore] public string Key => $"{Id}@v{Version}";
    [JsonIgnore] public StateDefinition InitialState => States.Single(s => s.Initial);

    /// <summary>The form's pages: the declared steps, or one page per form field.</summary>
    [JsonIgnore]
    public IReadOnlyList<FormStep> Pages => Steps.Count > 0
        ? Steps
        : Form.Select(f => new FormStep { Id = f.Id.ToLowerInvariant(), Title = f.Label, Fields = [f.Id] }).ToList();

    public StateDefinition? State(string id) => States.FirstOrDefault(s => s.Id == id);
    public ActionDefinition? Action(string id) => Actions.FirstOrDefault(a => a.Id == id);
}

/// <summary>The text of one e-mail: for a trigger (<c>submitted</c>, <c>action-needed</c>, …), in one state or in every state.</summary>
public sealed record NotificationTemplate
{
    public required string Trigger { get; init; }
    public string? State { get; init; }
    public required LocalizedText Subject { get; init; }
    public required LocalizedText Body { get; init; }
}

public sealed record RoutingRule(string When, string Team);

/// <summary>Search words in the two languages; a citizen's search matches either.</summary>
public sealed record SearchTerms
{
    public IReadOnlyList<string> De { get; init; } = [];
    public IReadOnlyList<string> En { get; init; } = [];
}

/// <summary>One page of the form: a title and the form fields it asks for, in order.</summary>
public sealed record FormStep
{
    public required string Id { get; init; }
    public required LocalizedText Title { get; init; }
    public required IReadOnlyList<string> Fields { get; init; }
}

/// <summary>How long personal data is kept once a case is final (calendar days), and why that long.</summary>
public sealed record RetentionDefinition
{
    public required int ErasePersonalDataAfterDays { get; init; }
    public string? Basis { get; init; }
}

/// <summary>A period in working days (Monday to Friday without Thuringia's public holidays) or calendar days.</summary>
public record Duration
{
    public int? WorkingDays { get; init; }
    public int? CalendarDays { get; init; }
    /// <summary>The legal basis, e.g. "§ 17 Abs. 1 BMG".</summary>
    public string? Basis { get; init; }
}

/// <summary>The statutory processing period of a case, and whether (and how far) a caseworker may extend it.</summary>
public sealed record DeadlineDefinition : Duration
{
    /// <summary>Absent: the deadline cannot be extended (Fristverlängerung).</summary>
    public ExtensionDefinition? Extension { get; init; }
}

/// <summary>How far the legal deadline of one case may be extended in total, with a reason each time.</summary>
public sealed record ExtensionDefinition
{
    public required int MaxWorkingDays { get; init; }
    /// <summary>The legal basis of the extension, e.g. "§ 42a Abs. 2 Satz 3 ThürVwVfG".</summary>
    public string? Basis { get; init; }
}

/// <summary>Remind the citizen when a state that waits for them has lasted so many working days without an answer.</summary>
public sealed record ReminderDefinition
{
    public required int AfterWorkingDays { get; init; }
}

/// <summary>Take a system action when a waiting state has lasted so many working days, e.g. close an unanswered application.</summary>
public sealed record TimeoutDefinition
{
    public required int AfterWorkingDays { get; init; }
    /// <summary>The id of an action with <c>by: [system]</c> that can be taken from the state.</summary>
    public required string Action { get; init; }
}

public sealed record DocumentRequirement
{
    public required string Id { get; init; }
    public required LocalizedText Label { get; init; }
    public LocalizedText? Description { get; init; }
    public bool Required { get; init; }
    public string? RequiredWhen { get; init; }
    /// <summary>The file types accepted, decided from the bytes: <c>pdf</c>, <c>jpeg</c>, <c>png</c>, <c>webp</c>; null for the default (<see cref="DefaultTypes"/>).</summary>
    public IReadOnlyList<string>? Types { get; init; }
    /// <summary>The largest file accepted, in MiB; null for <see cref="DefaultMaxSizeMiB"/>.</summary>
    public int? MaxSizeMiB { get; init; }
    /// <summary>The actions that may not be taken while the document is needed (<see cref="Required"/> or <see cref="RequiredWhen"/>, or always when neither is given) and not yet uploaded.</summary>
    public IReadOnlyList<string> RequiredBefore { get; init; } = [];

    public const int DefaultMaxSizeMiB = 20;
    public static readonly IReadOnlyList<string> DefaultTypes = ["pdf", "jpeg", "png"];
    public static readonly IReadOnlyList<string> KnownTypes = ["pdf", "jpeg", "png", "webp"];

    public IReadOnlyList<string> AcceptedTypes => Types is { Count: > 0 } types ? types : DefaultTypes;
    public long MaxBytes => (long)(MaxSizeMiB ?? DefaultMaxSizeMiB) * 1024 * 1024;
}

public sealed record FeeDefinition
{
    public required string Id { get; init; }
    public required LocalizedText Label { get; init; }
    /// <summary>Amount in euros: a number, or an expression over form values.</summary>
    public required string Amount { get; init; }
    public string? When { get; init; }
    public string? Basis { get; init; }
}

public static class FieldTypes
{
    public const string Text = "text", Number = "number", Integer = "integer", Date = "date", Boolean = "boolean",
        Choice = "choice", Address = "address", Email = "email", Phone = "phone", List = "list";

    public static readonly IReadOnlySet<string> All =
        new HashSet<string> { Text, Number, Integer, Date, Boolean, Choice, Address, Email, Phone, List };

    /// <summary>The parts of an address value; expressions name them as <c>[field.part]</c>.</summary>
    public static readonly IReadOnlyList<string> AddressParts = ["street", "houseNumber", "postalCode", "city", "addition"];
}

public sealed record FieldDefinition
{
    public required string Id { get; init; }
    public required string Type { get; init; }
    public required LocalizedText Label { get; init; }
    public LocalizedText? Help { get; init; }
    public bool Required { get; init; }
    public string? RequiredWhen { get; init; }
    public string? VisibleWhen { get; init; }
    /// <summary>Personal data of the data subject: encrypted and erased on schedule.</summary>
    public bool Personal { get; init; }
    /// <summary>An action input only staff see (an internal note); citizens' timelines leave it out.</summary>
    public bool Internal { get; init; }
    public int? MinLength { get; init; }
    public int? MaxLength { get; init; }
    public decimal? Min { get; init; }
    public decimal? Max { get; init; }
    public string? Pattern { get; init; }
    public LocalizedText? PatternMessage { get; init; }
    /// <summary>Earliest allowed date, absolute (<c>2026-01-01</c>) or relative to today (<c>today-14d</c>, <c>today+1y</c>).</summary>
    public string? MinDate { get; init; }
    public string? MaxDate { get; init; }
    public IReadOnlyList<ChoiceOption> Options { get; init; } = [];
    /// <summary>The fields of each item of a <c>list</c>.</summary>
    public IReadOnlyList<FieldDefinition> Fields { get; init; } = [];
    public int? MinItems { get; init; }
    public int? MaxItems { get; init; }
}

public sealed record ChoiceOption(string Value, LocalizedText Label);

public sealed record ComputedValue
{
    public required string Id { get; init; }
    public required LocalizedText Label { get; init; }
    public required string Expression { get; init; }
}

public static class Outcomes
{
    public static readonly IReadOnlySet<string> All =
        new HashSet<string> { "approved", "rejected", "withdrawn", "completed", "forwarded", "cancelled" };
}

public sealed record StateDefinition
{
    public required string Id { get; init; }
    public bool Initial { get; init; }
    public bool Final { get; init; }
    public string? Outcome { get; init; }
    /// <summary>What is happening, in plain language.</summary>
    public required LocalizedText Status { get; init; }
    /// <summary>What happens next — or, when the office waits for the citizen, what is needed from them.</summary>
    public LocalizedText? NextStep { get; init; }
    /// <summary><c>citizen</c> or a party id: who the office waits for in this state (the legal clock stops for the citizen).</summary>
    public string? WaitingFor { get; init; }
    public Duration? ServiceNorm { get; init; }
    /// <summary>Remind the citizen after so many working days in this state (only for states that wait for the citizen).</summary>
    public ReminderDefinition? Reminder { get; init; }
    /// <summary>Take a system action after so many working days in this state without an answer.</summary>
    public TimeoutDefinition? Timeout { get; init; }
}

public static class ActionKinds
{
    public const string Transition = "transition", RequestInformation = "request-information",
        ProvideInformation = "provide-information", Decide = "decide", Withdraw = "withdraw";

    public static readonly IReadOnlySet<string> All =
        new HashSet<string> { Transition, RequestInformation, ProvideInformation, Decide, Withdraw };
}

public static class Roles
{
    public const string Citizen = "citizen", Caseworker = "caseworker", System = "system", Auditor = "auditor", Admin = "admin";
}

public sealed record ActionDefinition
{
    public required string Id { get; init; }
    public string Kind { get; init; } = ActionKinds.Transition;
    public required LocalizedText Label { get; init; }
    public LocalizedText? Description { get; init; }
    /// <summary>Roles that may take the action: <c>citizen</c>, <c>caseworker</c>, <c>system</c> or a declared party.</summary>
    public required IReadOnlyList<string> By { get; init; }
    public required IReadOnlyList<string> From { get; init; }
    public required string To { get; init; }
    public IReadOnlyList<FieldDefinition> Inputs { get; init; } = [];
    public string? Guard { get; init; }
    public LocalizedText? GuardMessage { get; init; }
    /// <summary>The letter the action issues to the citizen: a decision (<i>Bescheid</i>) or an outcome document.</summary>
    public LetterTemplate? Letter { get; init; }
}

public static class LetterKinds
{
    /// <summary>A <i>Bescheid</i>: an administrative act in writing, which must tell how to appeal (§ 37 Abs. 6 VwVfG).</summary>
    public const string Decision = "decision";
    /// <summary>What a case produces beside or after its decision: a certificate, minutes, an entitlement.</summary>
    public const string Document = "document";
}

/// <summary>
/// A letter the action writes when it is taken, from the case's values: <c>{id}</c> in the texts and values stands for a
/// form field, an input of the action, or one of <see cref="LetterTemplate.BuiltIns"/>.
/// </summary>
public sealed record LetterTemplate
{
    public static readonly IReadOnlyList<string> BuiltIns = ["caseNumber", "service", "issuedOn", "submittedOn"];

    public required string Id { get; init; }
    public string Kind { get; init; } = LetterKinds.Decision;
    public required LocalizedText Title { get; init; }
    /// <summary>Whom the letter is addressed to, one line, e.g. <c>{firstName} {lastName}</c>.</summary>
    public LocalizedText? To { get; init; }
    /// <summary>What was decided or certified; paragraphs are separated by an empty line.</summary>
    public required LocalizedText Text { get; init; }
    /// <summary>Label and value rows, e.g. the zone, the plate and the end of validity of a permit.</summary>
    public IReadOnlyList<LetterFact> Facts { get; init; } = [];
    /// <summary>The reasons (<i>Begründung</i>, § 39 VwVfG), e.g. <c>{reason}</c>.</summary>
    public LocalizedText? Reasons { get; init; }
    /// <summary>The <i>Rechtsbehelfsbelehrung</i>: how, where and by when the citizen can appeal; required for a decision.</summary>
    public LocalizedText? LegalRemedy { get; init; }
}

public sealed record LetterFact
{
    public required LocalizedText Label { get; init; }
    public required string Value { get; init; }
}
