using System.Text.Json.Nodes;
using Alba;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Vorgang.Api.Features.Submitting;
using Marten;
using Vorgang.Tests.Infrastructure;
using Wolverine;

namespace Vorgang.Tests.Api;

/// <summary>An engine that stops writes the submissions it has queued before it lets go of the database.</summary>
[Collection(AppCollection.Name)]
public sealed class SubmissionWriterShutdownTests : IAsyncLifetime
{
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await TestDatabase.CreateDatabaseAsync("shutdown");

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Queued_submissions_are_written_while_the_engine_stops()
    {
        var engine = await AlbaHost.For<Program>(x =>
        {
            x.UseSetting("ConnectionStrings:Marten", _connectionString);
            x.UseSetting("Vorgang:Auth:DevelopmentKey", AppFixture.DevelopmentKey);
            x.UseSetting("Vorgang:TrackingCodeSecret", "test-tracking-secret");
            x.UseSetting("Vorgang:RateLimits:PerClientPerMinute", "0");
            x.UseSetting(SubmissionWriter.WritersKey, "1");
            x.ConfigureServices(services =>
            {
                services.DisableAllExternalWolverineTransports();
                services.RunWolverineInSoloMode();
                services.MartenDaemonModeIsSolo();
            });
        });
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
