using System.Text.RegularExpressions;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Workflows.Notifications;

/// <summary>What a citizen is told by e-mail (decision 50): the moments of a case that are worth a mail.</summary>
public static class NotificationTriggers
{
    /// <summary>The submission was received.</summary>
    public const string Submitted = "submitted";
    /// <summary>The case entered a state that waits for the citizen (with the date by which).</summary>
    public const string ActionNeeded = "action-needed";
    /// <summary>A timer reminded the citizen that the office still waits (<c>citizen_reminded</c>).</summary>
    public const string Reminder = "reminder";
    /// <summary>The case was decided, withdrawn or otherwise closed.</summary>
    public const string Decided = "decided";
    /// <summary>A message from the office (<c>case_message_posted</c> with side <c>office</c>).</summary>
    public const string Message = "message";
    /// <summary>The predicted completion passes the legal deadline.</summary>
    public const string Delay = "delay";

    public static readonly IReadOnlyList<string> All = [Submitted, ActionNeeded, Reminder, Decided, Message, Delay];
}

/// <summary>One mail to send: the trigger and the event (by its position in the change) that caused it.</summary>
public sealed record PlannedNotification(string Trigger, int EventIndex, string State);

/// <summary>A rendered mail: subject and plain-text body.</summary>
public sealed record RenderedNotification(string Subject, string Body);

/// <summary>
/// Which events of a change send a mail, and what the mail says. Pure: the engine decides with it at the moment it
/// appends the events (so that the mail's message is stored in the same transaction) and renders with it when it sends.
/// </summary>
public static partial class NotificationPlan
{
    /// <summary>The mails a change sends: one per event that a citizen should know of.</summary>
    public static IReadOnlyList<PlannedNotification> Plan(ProcessDefinition definition, IReadOnlyList<object> events)
    {
        var planned = new List<PlannedNotification>();
        for (var i = 0; i < events.Count; i++)
        {
            switch (events[i])
            {
                case CaseSubmitted s:
                    planned.Add(new(NotificationTriggers.Submitted, i, s.State));
                    break;
                case CaseClosed c:
                    planned.Add(new(NotificationTriggers.Decided, i, c.FinalState));
                    break;
                case CitizenReminded r:
                    planned.Add(new(NotificationTriggers.Reminder, i, r.State));
                    break;
                // A message belongs to no state: its text is the trigger's, whatever state the case is in.
                case CaseMessagePosted { Side: MessageSides.Office }:
                    planned.Add(new(NotificationTriggers.Message, i, ""));
                    break;
                case ICaseTransition t when definition.State(t.ToState) is { WaitingFor: "citizen" }:
                    planned.Add(new(NotificationTriggers.ActionNeeded, i, t.ToState));
                    break;
            }
        }
        return planned;
    }

    /// <summary>The placeholders a template may use.</summary>
    public static readonly IReadOnlySet<string> Placeholders = new HashSet<string> { "name", "service", "caseNumber", "statusUrl", "dueDate" };

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    public static partial Regex Placeholder();

    /// <summary>The template for a trigger in a state: the definition's for that state, else the definition's for the trigger, else the built-in one.</summary>
    public static NotificationTemplate Template(ProcessDefinition definition, string trigger, string? state) =>
        definition.Notifications?.FirstOrDefault(n => n.Trigger == trigger && n.State == state && state is not null)
        ?? definition.Notifications?.FirstOrDefault(n => n.Trigger == trigger && n.State is null)
        ?? DefaultNotifications.For(trigger);

    /// <summary>Fills the template's placeholders; an unknown one stays as it is (the definition check refuses it).</summary>
    public static RenderedNotification Render(NotificationTemplate template, string language, IReadOnlyDictionary<string, string> values)
    {
        string Fill(LocalizedText text) => Placeholder().Replace(text.For(language), m => values.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);
        return new(Fill(template.Subject).ReplaceLineEndings(" "), Fill(template.Body));
    }
}

/// <summary>The engine's texts for every trigger, for v1/v2 definitions and for triggers a definition leaves out.</summary>
public static class DefaultNotifications
{
    private static NotificationTemplate T(string trigger, string subjectDe, string subjectEn, string bodyDe, string bodyEn) => new()
    {
        Trigger = trigger,
        Subject = new LocalizedText(subjectDe, subjectEn),
        Body = new LocalizedText(bodyDe, bodyEn),
    };

    private const string GreetingDe = "Guten Tag {name},\n\n", GreetingEn = "Hello {name},\n\n";
    private const string LinkDe = "\n\nDen Stand Ihres Antrags sehen Sie hier:\n{statusUrl}\n\nBitte antworten Sie nicht auf diese E-Mail.\nIhre Stadtverwaltung";
    private const string LinkEn = "\n\nYou can see the status of your application here:\n{statusUrl}\n\nPlease do not reply to this e-mail.\nYour city administration";

    public static readonly IReadOnlyList<NotificationTemplate> All =
    [
        T(NotificationTriggers.Submitted, "Ihr Antrag {caseNumber} ist eingegangen", "We have received your application {caseNumber}",
            GreetingDe + "Ihr Antrag „{service}“ ist bei uns eingegangen. Ihre Vorgangsnummer ist {caseNumber}." + LinkDe,
            GreetingEn + "We have received your application \"{service}\". Your case number is {caseNumber}." + LinkEn),
        T(NotificationTriggers.ActionNeeded, "Wir brauchen etwas von Ihnen ({caseNumber})", "We need something from you ({caseNumber})",
            GreetingDe + "für Ihren Antrag „{service}“ brauchen wir noch etwas von Ihnen. Bitte antworten Sie bis zum {dueDate}." + LinkDe,
            GreetingEn + "we need something from you for your application \"{service}\". Please answer by {dueDate}." + LinkEn),
        T(NotificationTriggers.Reminder, "Erinnerung: Wir warten auf Ihre Antwort ({caseNumber})", "Reminder: we are waiting for your answer ({caseNumber})",
            GreetingDe + "wir warten noch auf Ihre Antwort zu Ihrem Antrag „{service}“. Bitte antworten Sie bis zum {dueDate}." + LinkDe,
            GreetingEn + "we are still waiting for your answer about your application \"{service}\". Please answer by {dueDate}." + LinkEn),
        T(NotificationTriggers.Decided, "Ihr Antrag {caseNumber} ist abgeschlossen", "Your application {caseNumber} is complete",
            GreetingDe + "wir haben Ihren Antrag „{service}“ abgeschlossen. Das Ergebnis sehen Sie auf der Statusseite." + LinkDe,
            GreetingEn + "we have completed your application \"{service}\". You can see the result on the status page." + LinkEn),
        T(NotificationTriggers.Message, "Neue Nachricht zu Ihrem Antrag {caseNumber}", "New message about your application {caseNumber}",
            GreetingDe + "Sie haben eine neue Nachricht zu Ihrem Antrag „{service}“. Sie können sie auf der Statusseite lesen." + LinkDe,
            GreetingEn + "you have a new message about your application \"{service}\". You can read it on the status page." + LinkEn),
        T(NotificationTriggers.Delay, "Ihr Antrag {caseNumber} dauert länger", "Your application {caseNumber} is taking longer",
            GreetingDe + "Ihr Antrag „{service}“ dauert voraussichtlich länger als die gesetzliche Frist bis zum {dueDate}. Das tut uns leid." + LinkDe,
            GreetingEn + "your application \"{service}\" will probably take longer than the legal deadline of {dueDate}. We are sorry." + LinkEn),
    ];

    public static NotificationTemplate For(string trigger) =>
        All.FirstOrDefault(t => t.Trigger == trigger) ?? throw new ArgumentException($"No notification trigger '{trigger}'.", nameof(trigger));
}
