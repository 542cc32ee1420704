using Marten;
using Npgsql;
using Vorgang.Projections.Queues;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Forecasts;

namespace Vorgang.Projections.Forecasts;

public sealed record QueuePosition(int Position, int Of);

public sealed record DelayNotice(string Reason, string Text);

/// <summary>What a citizen wants to know beyond the status: when it will likely be done, who is ahead, and whether it is late.</summary>
public sealed record CitizenOutlook(DateOnly? ExpectedCompletionOn, string Basis, QueuePosition? QueuePosition, DelayNotice? Delay);

public sealed class CitizenOutlooks(IDocumentStore store, NpgsqlDataSource dataSource, CompletionForecasts forecasts)
{
    private string? _queueTable;

    public async Task<CitizenOutlook?> ForAsync(ProcessDefinition definition, Case state, DateOnly today, string lang, CancellationToken ct)
    {
        if (state.IsClosed) return null;
        var forecast = await forecasts.ForAsync(definition, state.State, ct);
        var expected = forecast.ExpectedOn(today);
        var position = await PositionAsync(state, ct);
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

    /// <summary>The case's place in its team's queue, in the order caseworkers see it.</summary>
    private async Task<QueuePosition?> PositionAsync(Case state, CancellationToken ct)
    {
        _queueTable ??= store.Options.FindOrResolveDocumentType(typeof(QueueItem)).TableName.QualifiedName;
        await using var command = dataSource.CreateCommand(
            $"""
            with me as (select order_start_by s, order_due_on d, submitted_at t from {_queueTable} where id = $1 and is_open)
            select (select count(*) from {_queueTable} q
                    where q.team = $2 and q.is_open and (q.order_start_by, q.order_due_on, q.submitted_at) < (me.s, me.d, me.t))::int + 1,
                   (select count(*) from {_queueTable} q where q.team = $2 and q.is_open)::int
            from me
            """);
        command.Parameters.AddWithValue(state.Id);
        command.Parameters.AddWithValue(state.Team);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new QueuePosition(reader.GetInt32(0), reader.GetInt32(1));
    }
}
