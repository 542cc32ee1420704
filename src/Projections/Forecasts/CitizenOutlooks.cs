using Vorgang.Projections.Queues;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Projections.Forecasts;

public sealed record QueuePosition(int Position, int Of);

public sealed record DelayNotice(string Reason, string Text);

/// <summary>What a citizen wants to know beyond the status: when it will likely be done, who is ahead, and whether it is late.</summary>
public sealed record CitizenOutlook(DateOnly? ExpectedCompletionOn, string Basis, QueuePosition? QueuePosition, DelayNotice? Delay);

public sealed class CitizenOutlooks(QueueFigures queues, CompletionForecasts forecasts)
{
    public Task<CitizenOutlook?> ForAsync(ProcessDefinition definition, Case state, DateOnly today, string lang, CancellationToken ct) =>
        ForAsync(definition, state, today, lang, ct, queueItem: null, queueItemRead: false);

    /// <param name="queueItem">The case's queue row, when the caller read it with the case (<paramref name="queueItemRead"/>): then no query finds it again.</param>
    public async Task<CitizenOutlook?> ForAsync(
        ProcessDefinition definition, Case state, DateOnly today, string lang, CancellationToken ct, QueueItem? queueItem, bool queueItemRead)
    {
        if (state.IsClosed) return null;
        var forecast = await forecasts.ForAsync(definition, state.State, ct);
        var expected = forecast.ExpectedOn(today);
        var position = !queueItemRead ? await queues.PositionAsync(state.Id, state.Team, ct)
            : queueItem is null ? null
            : await queues.PositionAsync(queueItem, ct);
        return new CitizenOutlook(expected, forecast.Basis, position, Delay(definition, state, expected, lang));
    }

    /// <summary>A delay notice when the expected date passes the legal due date, or else the date the service norms promise.</summary>
    public static DelayNotice? Delay(ProcessDefinition definition, Case state, DateOnly? expected, string lang)
    {
        if (expected is not { } on) return null;
        if (state.DueOn is { } due && on > due)
        {
            return new DelayNotice("legal-deadline", lang == "en"
                ? $"Your application will probably not be finished by the legal deadline of {due:yyyy-MM-dd}. We are sorry for the delay."
                : $"Ihr Antrag wird voraussichtlich nicht bis zur gesetzlichen Frist am {due:dd.MM.yyyy} fertig. Bitte entschuldigen Sie die Verzögerung.");
        }
        if (ServiceNorms.RemainingWorkingDays(definition, definition.InitialState.Id) is { } norm &&
            on > WorkingDays.Add(BerlinClock.DateOf(state.SubmittedAt), norm))
        {
            return new DelayNotice("service-norm", lang == "en"
                ? "Your application is taking longer than usual."
                : "Ihr Antrag dauert länger als sonst.");
        }
        return null;
    }
}
