using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vorgang.Api.Features.Submitting;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Api;

/// <summary>
/// Submissions that arrive together are written in one transaction (<see cref="SubmissionWriter"/>). The writers are held
/// busy by blocking writes until the submissions under test are queued, so that they form one group.
/// </summary>
public sealed class SubmissionGroupTests(AppFixture app) : ApiTest(app)
{
    private const string Service = "change-of-address";

    private SubmissionWriter Writer => App.Host.Services.GetRequiredService<SubmissionWriter>();

    /// <summary>
    /// Occupies every writer (two by default) until the returned release is called. It frees one writer first and the
    /// others only once that one has taken everything queued, so that what queued meanwhile forms exactly one group.
    /// </summary>
    private async Task<Func<Task>> HoldWritersAsync(int writers = 2)
    {
        var gates = new List<TaskCompletionSource>();
        for (var i = 0; i < writers; i++)
        {
            // One at a time: queued together, both would go to the first writer as one group.
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _ = Writer.WriteAsync(async (_, _) =>
            {
                entered.TrySetResult();
                await gate.Task;
            });
            await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
            gates.Add(gate);
        }
        return async () =>
        {
            gates[0].SetResult();
            for (var i = 0; i < 400 && Writer.Queued > 0; i++) await Task.Delay(5);
            foreach (var gate in gates.Skip(1)) gate.SetResult();
        };
    }

    private async Task WaitUntilQueuedAsync(int count)
    {
        for (var i = 0; i < 200 && Writer.Queued < count; i++) await Task.Delay(25);
        Assert.Equal(count, Writer.Queued);
    }

    private Task<ApiResponse> Submit(JsonObject data, string? key = null) =>
        Host.PostJson($"/api/services/{Service}/cases", new JsonObject { ["data"] = data.DeepClone(), ["language"] = "de" },
            headers: key is null ? null : new Dictionary<string, string> { ["Idempotency-Key"] = key });

    private async Task<List<(string Stream, uint Transaction, string? Correlation, string? Causation, string? Definition)>> FirstEventsAsync(IEnumerable<string> caseNumbers)
    {
        var dataSource = App.Host.Services.GetRequiredService<NpgsqlDataSource>();
        await using var command = dataSource.CreateCommand(
            "select stream_id, xmin::text::bigint, correlation_id, causation_id, headers->>'definition' from vorgang.mt_events where stream_id = any($1) and version = 1");
        command.Parameters.Add(new NpgsqlParameter { Value = caseNumbers.ToArray() });
        var rows = new List<(string, uint, string?, string?, string?)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add((reader.GetString(0), (uint)reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        return rows;
    }

    [Fact]
    public async Task Submissions_arriving_together_share_one_transaction_and_keep_their_own_metadata_and_timers()
    {
        var data = await Host.Example(Service);
        var release = await HoldWritersAsync();
        var requests = Enumerable.Range(0, 5).Select(_ => Submit(data)).ToList();
        await WaitUntilQueuedAsync(5);
        await release();
        var answers = await Task.WhenAll(requests);

        foreach (var answer in answers) Assert.True(answer.Status == 201, answer.ToString());
        var numbers = answers.Select(a => (string)a.Json!["caseNumber"]!).ToList();
        Assert.Equal(5, numbers.Distinct().Count());

        var events = await FirstEventsAsync(numbers);
        Assert.Equal(5, events.Count);
        Assert.Single(events.Select(e => e.Transaction).Distinct());
        // Each event carries its own request's trace and causation, not one of the group's.
        Assert.Equal(5, events.Select(e => e.Causation).Distinct().Count());
        Assert.Equal(5, events.Select(e => e.Correlation).Distinct().Count());
        Assert.All(events, e => Assert.StartsWith("change-of-address@v", e.Definition));

        // Read-your-writes: each answer's case is there at once, with its citizen view, queue row and timers.
        foreach (var answer in answers)
        {
            var view = await Host.Track((string)answer.Json!["caseNumber"]!, (string)answer.Json!["trackingCode"]!);
            Assert.Equal("submitted", (string)view["status"]!["state"]!);
        }
        // Each case's timers went into the outbox of the group's transaction, and each event is sealed into its chain.
        foreach (var number in numbers)
        {
            Assert.True(await CountAsync("select count(*) from vorgang.wolverine_incoming_envelopes where message_type = 'case_timer' and position(convert_to($1, 'UTF8') in body) > 0", number) > 0, number);
            Assert.Equal(0, await CountAsync("select count(*) from vorgang.mt_events where stream_id = $1 and headers->>'hash' is null", number));
        }
    }

    private async Task<long> CountAsync(string sql, string parameter)
    {
        await using var command = App.Host.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_refused_submission_fails_alone_and_its_group_is_written()
    {
        var data = await Host.Example(Service);
        var key = Guid.NewGuid().ToString();
        var release = await HoldWritersAsync();
        // Two requests with the same Idempotency-Key in one group: the group's second receipt collides with its first.
        var sameKey = new[] { Submit(data, key), Submit(data, key) };
        var others = new[] { Submit(data), Submit(data) };
        await WaitUntilQueuedAsync(4);
        await release();

        var keyed = await Task.WhenAll(sameKey);
        var plain = await Task.WhenAll(others);
        foreach (var answer in keyed.Concat(plain)) Assert.True(answer.Status == 201, answer.ToString());
        Assert.Equal((string)keyed[0].Json!["caseNumber"]!, (string)keyed[1].Json!["caseNumber"]!);
        Assert.Single(keyed, a => a.Header("Idempotent-Replayed") == "true");
        Assert.NotEqual((string)plain[0].Json!["caseNumber"]!, (string)plain[1].Json!["caseNumber"]!);

        var queue = await Host.Get("/api/queues/registration-office", App.Token("caseworker", "registration-office", "Anna Schmidt"));
        Assert.Equal(3, (long)queue.Json!["total"]!);
    }

    [Fact]
    public async Task A_submission_whose_request_gives_up_while_queued_is_never_written()
    {
        var release = await HoldWritersAsync();
        using var giveUp = new CancellationTokenSource();
        var written = false;
        var waiting = Writer.WriteAsync((_, _) => { written = true; return ValueTask.CompletedTask; }, giveUp.Token);
        var other = Writer.WriteAsync((_, _) => ValueTask.CompletedTask);
        await WaitUntilQueuedAsync(2);

        giveUp.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await release();
        await other.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(written);
    }

    [Fact]
    public async Task A_group_that_finds_the_database_away_fails_as_a_whole_without_writing_each_alone()
    {
        var release = await HoldWritersAsync();
        var outage = new NpgsqlException("The connection pool has been exhausted", new TimeoutException());
        var calls = 0;
        var writes = new[]
        {
            Writer.WriteAsync((_, _) => { Interlocked.Increment(ref calls); throw outage; }),
            Writer.WriteAsync((_, _) => { Interlocked.Increment(ref calls); return ValueTask.CompletedTask; }),
            Writer.WriteAsync((_, _) => { Interlocked.Increment(ref calls); return ValueTask.CompletedTask; }),
        };
        await WaitUntilQueuedAsync(3);
        await release();

        foreach (var write in writes)
            Assert.Same(outage, await Assert.ThrowsAsync<NpgsqlException>(() => write.WaitAsync(TimeSpan.FromSeconds(10))));
        // The first write ended the group at once; nobody was written again alone (that would be 3 more calls).
        Assert.Equal(1, calls);
    }
}
