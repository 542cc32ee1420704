using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Vorgang.Api.Hosting;
using Vorgang.Projections.Forecasts;
using Vorgang.Projections.Queues;
using Vorgang.Projections.Statistics;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Tests.Resilience;

/// <summary>
/// Looks at what an engine left in its database, beside the engine: the event streams, the read models against a fresh
/// fold of each stream, and the timers stored in Wolverine's inbox against those the events call for.
/// </summary>
public sealed class StoreInspection : IAsyncDisposable
{
    private const string TombstoneStream = "mt_tombstone";
    private static readonly string Schema = VorgangSetup.Schema;

    private readonly NpgsqlDataSource _dataSource;
    private readonly DocumentStore _store;
    private readonly DefinitionCatalog _catalog;

    private StoreInspection(NpgsqlDataSource dataSource, DocumentStore store, DefinitionCatalog catalog)
    {
        _dataSource = dataSource;
        _store = store;
        _catalog = catalog;
    }

    public static StoreInspection Open(string connectionString)
    {
        var catalog = DefinitionsSetup.Load(new ConfigurationBuilder().Build(), TimeProvider.System);
        var dataSource = NpgsqlDataSource.Create(connectionString);
        var store = DocumentStore.For(options => VorgangSetup.ConfigureStore(options, dataSource, catalog));
        return new StoreInspection(dataSource, store, catalog);
    }

    /// <summary>Every case stream and its version. Marten's tombstone stream (placeholders for failed appends) is no case.</summary>
    public async Task<Dictionary<string, long>> StreamsAsync()
    {
        var streams = new Dictionary<string, long>();
        await using var command = _dataSource.CreateCommand($"select id, version from {Schema}.mt_streams where id <> '{TombstoneStream}'");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) streams[reader.GetString(0)] = reader.GetInt64(1);
        return streams;
    }

    /// <summary>Per stream: how many events it holds and the highest version among them.</summary>
    public async Task<Dictionary<string, (long Count, long MaxVersion)>> EventCountsAsync()
    {
        var counts = new Dictionary<string, (long, long)>();
        await using var command = _dataSource.CreateCommand(
            $"select stream_id, count(*), max(version) from {Schema}.mt_events where stream_id <> '{TombstoneStream}' group by stream_id");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) counts[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2));
        return counts;
    }

    public async Task<long> CountAsync(string sql)
    {
        await using var command = _dataSource.CreateCommand(sql.Replace("{schema}", Schema));
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>
    /// The cases whose stored read models differ from a fresh fold of their events: the Case snapshot, QueueItem and
    /// CaseJourney (inline, written in the events' transaction) and, if asked, CaseStatistic (async). Empty when all agree.
    /// </summary>
    public async Task<List<string>> InconsistentReadModelsAsync(IEnumerable<string> caseNumbers, bool statistics)
    {
        var problems = new List<string>();
        await using var session = _store.QuerySession();
        foreach (var id in caseNumbers)
        {
            await Compare<Case>(id);
            await Compare<QueueItem>(id);
            await Compare<CaseJourney>(id);
            if (statistics) await Compare<CaseStatistic>(id);
        }
        return problems;

        async Task Compare<T>(string id) where T : class
        {
            var stored = await session.LoadAsync<T>(id);
            var fresh = await session.Events.AggregateStreamAsync<T>(id);
            var storedJson = stored is null ? "(missing)" : _store.Options.Serializer().ToJson(stored);
            var freshJson = fresh is null ? "(missing)" : _store.Options.Serializer().ToJson(fresh);
            if (storedJson != freshJson) problems.Add($"{typeof(T).Name} {id}: stored {storedJson}, from the events {freshJson}");
        }
    }

    /// <summary>The timers in Wolverine's inbox that are waiting for their moment (scheduled), as the engine planned them.</summary>
    public async Task<List<CaseTimer>> ScheduledTimersAsync()
    {
        var timers = new List<CaseTimer>();
        await using var command = _dataSource.CreateCommand(
            $"select body from {Schema}.wolverine_incoming_envelopes where message_type = 'case_timer' and status = 'Scheduled'");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) timers.Add(TimerOf((byte[])reader[0]));
        return timers;
    }

    /// <summary>The envelope's body ends with the message as JSON, after Wolverine's headers.</summary>
    public static CaseTimer TimerOf(byte[] envelope)
    {
        var text = Encoding.UTF8.GetString(envelope);
        var start = text.LastIndexOf("{\"caseNumber\"", StringComparison.Ordinal);
        Assert.True(start >= 0, "a case_timer envelope without its message");
        return JsonSerializer.Deserialize<CaseTimer>(text[start..], new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    /// <summary>The timers a case's submission calls for, planned again from its stored first event.</summary>
    public async Task<List<CaseTimer>> TimersPlannedAtSubmissionAsync(IEnumerable<string> caseNumbers)
    {
        var timers = new List<CaseTimer>();
        await using var session = _store.QuerySession();
        foreach (var id in caseNumbers)
        {
            var events = await session.Events.FetchStreamAsync(id);
            var submitted = Assert.IsType<CaseSubmitted>(events[0].Data);
            var definition = _catalog.Get(submitted.ServiceId, submitted.DefinitionVersion)!;
            timers.AddRange(CaseTimers.Plan(definition, Case.Create(submitted), [submitted]));
        }
        return timers;
    }

    /// <summary>Makes one stored timer due now, as if its moment had come, and returns its envelope and timer.</summary>
    public async Task<(Guid Envelope, CaseTimer Timer)> MakeOneTimerDueAsync()
    {
        Guid id;
        CaseTimer timer;
        await using (var select = _dataSource.CreateCommand(
                         $"select id, body from {Schema}.wolverine_incoming_envelopes where message_type = 'case_timer' and status = 'Scheduled' limit 1"))
        await using (var reader = await select.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync(), "no scheduled timer to make due");
            (id, timer) = (reader.GetGuid(0), TimerOf((byte[])reader[1]));
        }
        await using var update = _dataSource.CreateCommand($"update {Schema}.wolverine_incoming_envelopes set execution_time = now() where id = $1");
        update.Parameters.AddWithValue(id);
        await update.ExecuteNonQueryAsync();
        return (id, timer);
    }

    /// <summary>Whether the envelope still waits to be handled (scheduled, or taken in but not yet handled).</summary>
    public async Task<bool> IsWaitingAsync(Guid envelope)
    {
        await using var command = _dataSource.CreateCommand(
            $"select count(*) from {Schema}.wolverine_incoming_envelopes where id = $1 and status in ('Scheduled', 'Incoming')");
        command.Parameters.AddWithValue(envelope);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        await _dataSource.DisposeAsync();
    }
}
