using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Api.Views;

/// <summary>The legal deadline of a case as staff see it: where the due date stands, whether the clock runs, and how it got there.</summary>
/// <param name="Period">The definition's <c>legalDeadline</c>, counted from the day of submission.</param>
/// <param name="Extension">How far the deadline may still be extended; null where the definition allows no extension.</param>
/// <param name="History">Oldest first: the due date set at submission, every suspension, resumption and extension, and the timers' reminders and escalations.</param>
public sealed record DeadlineView(
    DateOnly? DueOn,
    bool ClockStopped,
    DateOnly? StoppedSince,
    Duration? Period,
    ExtensionView? Extension,
    IReadOnlyList<DeadlineHistoryEntry> History);

public sealed record ExtensionView(int MaxWorkingDays, int UsedWorkingDays, int RemainingWorkingDays, string? Basis);

/// <param name="Kind"><c>set</c>, <c>suspended</c>, <c>resumed</c>, <c>extended</c>, <c>reminded</c>, <c>due-soon</c> or <c>overdue</c>.</param>
/// <param name="Text">What happened, in one sentence of the requested language.</param>
public sealed record DeadlineHistoryEntry(
    string Kind, DateTimeOffset At, DateOnly? DueOn, DateOnly? PreviousDueOn, int? Days, string? DayKind, string? Reason,
    string? ActionId, string? State, string? By, string Text);

public static class DeadlineViews
{
    /// <summary>Null for a case without a legal deadline that no timer has touched.</summary>
    public static DeadlineView? For(ProcessDefinition definition, Case state, string language = "en")
    {
        if (state.DueOn is null && state.DeadlineHistory.Count == 0) return null;
        string T(string de, string en) => language == "de" ? de : en;
        var deadline = definition.LegalDeadline;
        var history = new List<DeadlineHistoryEntry>();
        var firstDue = state.DeadlineHistory.Select(c => c.Kind is DeadlineChangeKinds.Resumed or DeadlineChangeKinds.Extended ? c.PreviousDueOn : c.DueOn)
            .FirstOrDefault(d => d is not null) ?? state.DueOn;
        if (firstDue is { } set)
        {
            var period = deadline switch
            {
                { WorkingDays: { } wd } => T($"{wd} Arbeitstage", $"{wd} working days"),
                { CalendarDays: { } cd } => T($"{cd} Kalendertage", $"{cd} calendar days"),
                _ => T("die gesetzliche Frist", "the legal deadline"),
            };
            var basis = deadline?.Basis is { } b ? $" ({b})" : "";
            history.Add(new(DeadlineChangeKinds.Set, state.SubmittedAt, set, null, null, null, null, null, null, null,
                T($"Frist bei Eingang gesetzt: {period}{basis}, fällig am {D(set)}.", $"Deadline set at submission: {period}{basis}, due on {D(set)}.")));
        }
        foreach (var c in state.DeadlineHistory)
        {
            var days = c.DayKind == LegalClock.Calendar ? T($"{c.Days} Kalendertag(e)", $"{c.Days} calendar day(s)") : T($"{c.Days} Arbeitstag(e)", $"{c.Days} working day(s)");
            var text = c.Kind switch
            {
                DeadlineChangeKinds.Suspended => T($"Frist gehemmt: Wir warten auf die Antwort der Bürgerin oder des Bürgers ('{c.ActionId}').",
                    $"Clock stopped: waiting for the citizen ('{c.ActionId}')."),
                DeadlineChangeKinds.Resumed => T($"Frist läuft weiter ('{c.ActionId}'): {days} gewartet, fällig jetzt am {D(c.DueOn)} statt {D(c.PreviousDueOn)}.",
                    $"Clock running again ('{c.ActionId}'): {days} waited, now due on {D(c.DueOn)} instead of {D(c.PreviousDueOn)}."),
                DeadlineChangeKinds.Extended => T($"Frist um {days} verlängert von {c.ByName}: {c.Reason} Fällig jetzt am {D(c.DueOn)} statt {D(c.PreviousDueOn)}.",
                    $"Deadline extended by {days} by {c.ByName}: {c.Reason} Now due on {D(c.DueOn)} instead of {D(c.PreviousDueOn)}."),
                DeadlineChangeKinds.Reminded => T("Erinnerung an die Bürgerin oder den Bürger gesendet.", "The citizen was reminded."),
                DeadlineChangeKinds.DueSoon => T($"Eskaliert: Die Frist endet bald ({D(c.DueOn)}).", $"Escalated: the deadline ends soon ({D(c.DueOn)})."),
                DeadlineChangeKinds.Overdue => T($"Eskaliert: Die Frist ist abgelaufen ({D(c.DueOn)}).", $"Escalated: the deadline has passed ({D(c.DueOn)})."),
                _ => c.Kind,
            };
            history.Add(new(c.Kind, c.At, c.DueOn, c.PreviousDueOn, c.Days, c.DayKind, c.Reason, c.ActionId, c.State, c.ByName, text));
        }
        var extension = deadline?.Extension is { } x
            ? new ExtensionView(x.MaxWorkingDays, LegalClock.ExtendedWorkingDays(state), LegalClock.RemainingExtension(definition, state) ?? 0, x.Basis)
            : null;
        return new DeadlineView(state.DueOn, state.ClockStopped, state.ClockStoppedOn,
            deadline is null ? null : new Duration { WorkingDays = deadline.WorkingDays, CalendarDays = deadline.CalendarDays, Basis = deadline.Basis },
            extension, history);
    }

    private static string D(DateOnly? date) => date?.ToString("yyyy-MM-dd") ?? "—";
}
