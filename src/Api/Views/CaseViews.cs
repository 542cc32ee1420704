using System.Text.Json.Nodes;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Api.Views;

public sealed record StatusView(string State, string Text, string? NextStep, bool WaitingForYou);

public sealed record ActionView(string Id, string Label, string Kind, IReadOnlyList<FieldDefinition> Inputs);

public sealed record TimelineEntry(DateTimeOffset At, string Kind, string Title, string? Status, IReadOnlyDictionary<string, string>? Details);

/// <param name="By">The last day to answer, where the state closes or moves on by itself after a while (its <c>timeout</c>).</param>
public sealed record NeededFromCitizen(string Text, string? Message, DateTimeOffset Since)
{
    public DateOnly? By { get; init; }
}

/// <summary>What a citizen sees of their case: plain-language status, what is needed from them, the timeline and what they can do.</summary>
public sealed record CitizenCaseView(
    string CaseNumber,
    string ServiceId,
    string ServiceTitle,
    string Language,
    StatusView Status,
    NeededFromCitizen? NeededFromYou,
    bool IsClosed,
    string? Outcome,
    DateTimeOffset SubmittedAt,
    DateOnly? DueOn,
    long Version,
    IReadOnlyList<TimelineEntry> Timeline,
    IReadOnlyList<ActionView> Actions)
{
    /// <summary>The expected completion date (with its basis), the place in the queue and a delay notice; null once closed.</summary>
    public Vorgang.Projections.Forecasts.CitizenOutlook? Outlook { get; init; }
    /// <summary>The letters issued to the citizen (decisions, permits, certificates), oldest first, with the address of each PDF.</summary>
    public IReadOnlyList<Features.Letters.LetterView> Letters { get; init; } = [];
    /// <summary>The documents uploaded and those the office still needs from the citizen.</summary>
    public DocumentStatusView? DocumentStatus { get; init; }
    /// <summary>The office's messages the citizen has not read yet (<c>GET /api/track/{caseNumber}/messages</c> reads them).</summary>
    public int UnreadMessages { get; init; }
}

public sealed record AssigneeView(string Id, string Name);

public sealed record FeeView(string Id, string Label, decimal? Amount);

public sealed record DocumentView(string Id, string Label, bool Required);

/// <summary>A document uploaded to the case (its file name is personal: it is listed by <c>GET …/documents</c>).</summary>
public sealed record UploadedDocumentView(Guid Id, string? DocumentId, string ContentType, long Length, string Sha256, DateTimeOffset UploadedAt, string UploadedBy)
{
    /// <summary>The label of the service's document it is, in the view's language.</summary>
    public string? Label { get; init; }
}

/// <summary>A document the definition needs and the case does not have yet: what it may be and which actions wait for it.</summary>
public sealed record MissingDocumentView(string DocumentId, string Label, string? Description, IReadOnlyList<string> Types, int MaxSizeMiB, IReadOnlyList<string> RequiredBefore);

/// <summary>The case's documents: those uploaded, oldest first, and those still missing.</summary>
public sealed record DocumentStatusView(IReadOnlyList<UploadedDocumentView> Uploaded, IReadOnlyList<MissingDocumentView> Missing)
{
    public static DocumentStatusView Of(ProcessDefinition definition, Case state, string lang, DateOnly today) => new(
        state.Documents.Select(d => new UploadedDocumentView(d.Id, d.RequirementId, d.ContentType, d.Length, d.Sha256, d.UploadedAt, d.UploadedByRole)
        {
            Label = d.RequirementId is null ? null : definition.Documents.FirstOrDefault(x => x.Id == d.RequirementId)?.Label.For(lang),
        }).ToList(),
        MissingOf(definition, state, lang, today));

    public static IReadOnlyList<MissingDocumentView> MissingOf(ProcessDefinition definition, Case state, string lang, DateOnly today) =>
        CaseDocuments.Missing(definition, state, today)
            .Select(d => new MissingDocumentView(d.Id, d.Label.For(lang), d.Description?.For(lang), d.AcceptedTypes, (int)(d.MaxBytes / (1024 * 1024)), d.RequiredBefore))
            .ToList();
}

/// <summary>What staff see of a case: the form, the state, who works on it, and what the caller may do now.</summary>
public sealed record StaffCaseView(
    string CaseNumber,
    string ServiceId,
    int DefinitionVersion,
    string ServiceTitle,
    string State,
    string StatusText,
    string Team,
    long Version,
    AssigneeView? Assignee,
    DateTimeOffset SubmittedAt,
    DateOnly? DueOn,
    bool IsClosed,
    string? Outcome,
    string Language,
    JsonObject Data,
    IReadOnlyDictionary<string, object?> Computed,
    IReadOnlyList<FeeView> Fees,
    IReadOnlyList<DocumentView> Documents,
    IReadOnlyList<ActionView> AllowedActions)
{
    /// <summary>The legal deadline: due date, whether the clock stands still, extension left, and the history of how the due date got here.</summary>
    public DeadlineView? Deadline { get; init; }
    /// <summary>Who applied beyond the form: <c>kind</c> <c>account</c> (a signed-in citizen) or <c>assisted</c> (submitted on their behalf), with the name; null when anonymous.</summary>
    public JsonObject? Applicant { get; init; }
    /// <summary>Who submitted: the citizen online, or the member of staff at a counter (channel <c>counter</c>).</summary>
    public Actor? SubmittedBy { get; init; }
    /// <summary>When the personal data was erased; personal values read null from then on.</summary>
    public DateTimeOffset? PersonalDataErasedAt { get; init; }
    /// <summary>The letters the case's actions issued, oldest first, with the address of each PDF.</summary>
    public IReadOnlyList<Features.Letters.LetterView> Letters { get; init; } = [];
    /// <summary>The documents uploaded (download them under <c>/api/cases/{caseNumber}/documents/{id}</c>) and those still missing.</summary>
    public DocumentStatusView? DocumentStatus { get; init; }
    /// <summary>E-mails to the citizen that the mail server refused for good; absent when there are none.</summary>
    public IReadOnlyList<UndeliverableNotificationView>? UndeliverableNotifications { get; init; }
    /// <summary>The citizen's messages the office has not read yet (<c>GET /api/cases/{caseNumber}/messages</c>); null for parties, who take no part in the thread.</summary>
    public int? UnreadMessages { get; init; }
}

/// <summary>An e-mail that could not be delivered: which one, when, and the mail server's reply.</summary>
public sealed record UndeliverableNotificationView(string Trigger, DateTimeOffset FailedAt, int SmtpStatus, string Reply, string Text);

public static class CaseViews
{
    public static StaffCaseView Staff(ProcessDefinition definition, Case state, Caller? caller, DateOnly today, string language = "en")
    {
        var values = CaseDecider.Values(definition, state.Data, today);
        var status = definition.State(state.State);
        var allowed = caller is null ? [] : CaseDecider.AllowedActions(definition, state, caller).Select(a => ToView(a, language)).ToList();
        return new StaffCaseView(
            state.Id, state.ServiceId, state.DefinitionVersion, definition.Title.For(language), state.State,
            status?.Status.For(language) ?? state.State, state.Team, state.Version,
            state.AssigneeId is null ? null : new AssigneeView(state.AssigneeId, state.AssigneeName ?? ""),
            state.SubmittedAt, state.DueOn, state.IsClosed, state.Outcome, state.Language, state.Data,
            definition.Computed.ToDictionary(c => c.Id, c => values.GetValueOrDefault(c.Id)),
            Fees(definition, values, today, language),
            definition.Documents
                .Select(d => new DocumentView(d.Id, d.Label.For(language), d.Required || (d.RequiredWhen is not null && Rules.IsTrue(d.RequiredWhen, values, today))))
                .ToList(),
            allowed)
        {
            Deadline = DeadlineViews.For(definition, state, language),
            Applicant = state.Applicant,
            SubmittedBy = state.SubmittedBy,
            PersonalDataErasedAt = state.PersonalDataErasedAt,
            Letters = state.Letters.Select(l => Features.Letters.LetterView.Of(l, $"/api/cases/{state.Id}")).ToList(),
            DocumentStatus = DocumentStatusView.Of(definition, state, language, today),
            UndeliverableNotifications = state.UndeliverableNotifications.Count == 0 ? null : state.UndeliverableNotifications
                .Select(u => new UndeliverableNotificationView(u.Trigger, u.FailedAt, u.SmtpStatus, u.Reply,
                    language == "de" ? "E-Mail konnte nicht zugestellt werden" : "The e-mail could not be delivered"))
                .ToList(),
        };
    }

    public static IReadOnlyList<FeeView> Fees(ProcessDefinition definition, IReadOnlyDictionary<string, object?> values, DateOnly today, string language) =>
        definition.Fees
            .Where(f => f.When is null || Rules.IsTrue(f.When, values, today))
            .Select(f => new FeeView(f.Id, f.Label.For(language), Amount(f.Amount, values, today)))
            .ToList();

    /// <summary>The case's state as its applicant reads it: the state's status text, the next step, and whether it waits for them.</summary>
    public static StatusView Status(ProcessDefinition definition, Case state, string lang)
    {
        var current = definition.State(state.State);
        return new StatusView(state.State, current?.Status.For(lang) ?? state.State, current?.NextStep?.For(lang),
            !state.IsClosed && current?.WaitingFor == Roles.Citizen);
    }

    public static CitizenCaseView Citizen(ProcessDefinition definition, Case state, IReadOnlyList<(object Data, DateTimeOffset At)> events, string? language)
    {
        var lang = language is "de" or "en" ? language : state.Language;
        var current = definition.State(state.State);
        var waiting = !state.IsClosed && current?.WaitingFor == Roles.Citizen;
        // The office's message belongs to the step that put the case where it is now, not to one already answered.
        var lastRequest = events.Select(e => e.Data).OfType<ICaseTransition>().LastOrDefault() is { WaitingFor: Roles.Citizen } last ? last : null;
        var citizen = new Caller("citizen", Roles.Citizen, "", null);
        return new CitizenCaseView(
            state.Id, state.ServiceId, definition.Title.For(lang), lang,
            Status(definition, state, lang),
            waiting
                ? new NeededFromCitizen(current!.NextStep?.For(lang) ?? "", CitizenMessage(definition, lastRequest, lang), lastRequest?.TakenAt ?? state.LastChangedAt)
                {
                    By = current.Timeout is { } timeout
                        ? WorkingDays.Add(BerlinClock.DateOf(lastRequest?.TakenAt ?? state.LastChangedAt), timeout.AfterWorkingDays)
                        : null,
                }
                : null,
            state.IsClosed, state.Outcome, state.SubmittedAt, state.DueOn, state.Version,
            events.Select(e => TimelineEntryFor(definition, e.Data, e.At, lang)).OfType<TimelineEntry>().ToList(),
            CaseDecider.AllowedActions(definition, state, citizen).Select(a => ToView(a, lang)).ToList())
        {
            Letters = state.Letters.Select(l => Features.Letters.LetterView.Of(l, $"/api/track/{state.Id}")).ToList(),
            DocumentStatus = DocumentStatusView.Of(definition, state, lang, BerlinClock.DateOf(state.LastChangedAt)),
        };
    }

    /// <summary>What the office wrote when it asked: the step's non-internal text inputs (with their labels when there are several).</summary>
    private static string? CitizenMessage(ProcessDefinition definition, ICaseTransition? request, string lang)
    {
        if (request is null) return null;
        var texts = (definition.Action(request.ActionId)?.Inputs ?? [])
            .Where(i => !i.Internal && i.Type == FieldTypes.Text)
            .Select(i => (Label: i.Label.For(lang), Text: request.Input[i.Id] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null))
            .Where(x => !string.IsNullOrWhiteSpace(x.Text))
            .ToList();
        return texts.Count switch
        {
            0 => null,
            1 => texts[0].Text,
            _ => string.Join(Environment.NewLine, texts.Select(x => $"{x.Label}: {x.Text}")),
        };
    }

    /// <summary>Timeline entries a citizen should see: never staff names or internal inputs.</summary>
    private static TimelineEntry? TimelineEntryFor(ProcessDefinition definition, object data, DateTimeOffset at, string lang)
    {
        string T(string de, string en) => lang == "en" ? en : de;
        switch (data)
        {
            case CaseSubmitted e:
                return new(at, "submitted", T("Antrag eingegangen", "Application received"), definition.State(e.State)?.Status.For(lang), null);
            case CaseClaimed:
                return new(at, "in-progress", T("Ihr Antrag wird bearbeitet", "Your application is being processed"), null, null);
            case ICaseTransition t:
                var action = definition.Action(t.ActionId);
                var details = action?.Inputs.Where(i => !i.Internal && t.Input[i.Id] is not null)
                    .ToDictionary(i => i.Label.For(lang), i => FormValues.Display(i, t.Input[i.Id]!, lang));
                return new(at, KindOf(t), action?.Label.For(lang) ?? t.ActionId, definition.State(t.ToState)?.Status.For(lang),
                    details is { Count: > 0 } ? details : null);
            case CaseClosed:
                return null;
            case LetterIssued e:
                return new(at, "letter-issued", T($"Brief an Sie: {e.Title}", $"Letter to you: {e.Title}"), null, null);
            case DocumentUploaded e:
                var label = e.RequirementId is null ? null : definition.Documents.FirstOrDefault(d => d.Id == e.RequirementId)?.Label.For(lang);
                return new(at, "document-uploaded", label is null ? T("Unterlage eingegangen", "Document received") : T($"Unterlage eingegangen: {label}", $"Document received: {label}"), null, null);
            case PersonalDataErased:
                return new(at, "personal-data-erased", T("Ihre personenbezogenen Daten wurden gelöscht", "Your personal data was erased"), null, null);
            default:
                return null;
        }
    }

    private static string KindOf(ICaseTransition t) => t switch
    {
        InformationRequested => "information-requested",
        InformationProvided => "information-provided",
        CaseDecided => "decided",
        CaseWithdrawn => "withdrawn",
        _ => "step",
    };

    private static ActionView ToView(AvailableAction a, string language) => new(a.Id, a.Label.For(language), a.Kind, a.Inputs);

    private static decimal? Amount(string amount, IReadOnlyDictionary<string, object?> values, DateOnly today)
    {
        if (decimal.TryParse(amount, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var fixedAmount))
            return fixedAmount;
        try
        {
            return Convert.ToDecimal(Rules.Evaluate(amount, values, today), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception)
        {
            // An amount that depends on values not given yet is unknown until they are.
            return null;
        }
    }
}
