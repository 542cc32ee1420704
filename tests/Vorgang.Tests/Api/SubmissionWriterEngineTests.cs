using System.Text.Json.Nodes;
using Alba;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vorgang.Api.Features.Submitting;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Api;

/// <summary>The submission writer in engines of their own: with writers switched off, and while the engine stops.</summary>
[Collection(AppCollection.Name)]
public sealed class SubmissionWriterEngineTests : IAsyncLifetime
{
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await TestDatabase.CreateDatabaseAsync("shutdown");

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<IAlbaHost> StartEngine(int writers) => EngineHosts.StartAsync(_connectionString, TimeProvider.System,
        new Dictionary<string, string> { [SubmissionWriter.WritersKey] = writers.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    [Fact]
    public async Task Without_writers_each_submission_is_written_in_its_own_request()
    {
        await using var engine = await StartEngine(writers: 0);
        var writer = engine.Services.GetRequiredService<SubmissionWriter>();
        // Written in the caller's own flow, it sees the caller's async-local state; a writer's loop would not.
        var caller = new AsyncLocal<string?> { Value = "request" };
        string? seen = null;
        await writer.WriteAsync((_, _) => { seen = caller.Value; return ValueTask.CompletedTask; }).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("request", seen);
        var submitted = await engine.Submit("defect-report");
        var view = await engine.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.Equal(submitted.CaseNumber, (string)view["caseNumber"]!);
        Assert.Equal(0, writer.Queued);
    }

    [Fact]
    public async Task Queued_submissions_are_written_while_the_engine_stops()
    {
        var engine = await StartEngine(writers: 1);
        var writer = engine.Services.GetRequiredService<SubmissionWriter>();
        var data = await engine.Example("defect-report");

        // The one writer is busy until the gate opens; three submissions queue behind it.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = writer.WriteAsync(async (_, _) => { entered.TrySetResult(); await gate.Task; });
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var requests = Enumerable.Range(0, 3).Select(_ => engine.PostJson("/api/services/defect-report/cases",
            new JsonObject { ["data"] = data.DeepClone(), ["language"] = "de" })).ToList();
        for (var i = 0; i < 200 && writer.Queued < 3; i++) await Task.Delay(25);
        Assert.Equal(3, writer.Queued);

        var stopping = engine.StopAsync();
        await Task.Delay(200);
        Assert.False(stopping.IsCompleted, "the engine stopped with submissions still queued");
        gate.SetResult();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));

        var answers = await Task.WhenAll(requests);
        Assert.All(answers, a => Assert.Equal(201, a.Status));
        await engine.DisposeAsync();

        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        await using var count = dataSource.CreateCommand("select count(*) from vorgang.mt_streams where id = any($1)");
        count.Parameters.Add(new NpgsqlParameter { Value = answers.Select(a => (string)a.Json!["caseNumber"]!).ToArray() });
        Assert.Equal(3L, (long)(await count.ExecuteScalarAsync())!);
    }
}
