using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;
using Vorgang.Api.Hosting;
using Vorgang.Api.Security;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Api;

/// <summary>
/// A client that leaves does not cancel its request's work; the request's time limit does (ClientDisconnects). The
/// middleware is run on its own here, with the endpoints' metadata as routing would set it.
/// </summary>
public sealed class ClientDisconnectsTests
{
    private static readonly IOptions<RequestTimeoutOptions> Limited = Options.Create(new RequestTimeoutOptions
    {
        DefaultPolicy = new RequestTimeoutPolicy { Timeout = TimeSpan.FromSeconds(15) },
    });

    private static (DefaultHttpContext Context, CancellationTokenSource Client) Request(params object[] endpointMetadata)
    {
        var client = new CancellationTokenSource();
        var context = new DefaultHttpContext { RequestAborted = client.Token };
        context.SetEndpoint(new Endpoint(_ => Task.CompletedTask, new EndpointMetadataCollection(endpointMetadata), "test"));
        return (context, client);
    }

    private static async Task<CancellationToken> TokenSeenByEndpoint(HttpContext context, IOptions<RequestTimeoutOptions> timeouts)
    {
        CancellationToken seen = default;
        await new ClientDisconnects(c => { seen = c.RequestAborted; return Task.CompletedTask; }, timeouts).InvokeAsync(context);
        return seen;
    }

    [Fact]
    public async Task A_request_with_a_time_limit_goes_on_when_its_client_leaves()
    {
        var (context, client) = Request();
        var seen = await TokenSeenByEndpoint(context, Limited);

        await client.CancelAsync();
        Assert.False(seen.IsCancellationRequested, "the client's departure reached the endpoint's database work");
        // What must still end with the client (a read waiting for its turn) finds the client's own token.
        Assert.True(context.Features.Get<ClientConnection>()!.Gone.IsCancellationRequested);
    }

    [Fact]
    public async Task A_request_without_a_time_limit_still_stops_when_its_client_leaves()
    {
        var (context, client) = Request(new DisableRequestTimeoutAttribute());
        var seen = await TokenSeenByEndpoint(context, Limited);

        await client.CancelAsync();
        Assert.True(seen.IsCancellationRequested);
        Assert.Null(context.Features.Get<ClientConnection>());
    }

    [Fact]
    public async Task With_the_time_limit_switched_off_every_request_stops_when_its_client_leaves()
    {
        var (context, client) = Request();
        var seen = await TokenSeenByEndpoint(context, Options.Create(new RequestTimeoutOptions()));

        await client.CancelAsync();
        Assert.True(seen.IsCancellationRequested);
    }
}

/// <summary>
/// The engine as a process, end to end, on Kestrel (the test server links any token set on a request to its client, so
/// it cannot show this): a read whose client leaves while its query waits in PostgreSQL, here for a lock the test
/// holds, is neither cancelled in the database nor left unrecorded.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class ClientDisconnectsInTheEngineTests : IAsyncLifetime
{
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await TestDatabase.CreateDatabaseAsync("disconnects");

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_read_whose_client_leaves_mid_query_runs_to_its_end_and_is_recorded()
    {
        await using var engine = await EngineProcess.StartAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__Marten"] = _connectionString,
            ["Vorgang__Auth__DevelopmentKey"] = AppFixture.DevelopmentKey,
        });
        var service = JsonNode.Parse(await engine.Http.GetStringAsync("/api/services/change-of-address"))!;
        var submitted = await engine.Http.PostAsync("/api/services/change-of-address/cases", new StringContent(
            new JsonObject { ["data"] = service["example"]!.DeepClone() }.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Created, submitted.StatusCode);
        var caseNumber = (string)JsonNode.Parse(await submitted.Content.ReadAsStringAsync())!["caseNumber"]!;

        await using var database = new NpgsqlConnection(_connectionString);
        await database.OpenAsync();
        await using var locking = await database.BeginTransactionAsync();
        await new NpgsqlCommand("lock table vorgang.mt_doc_case in access exclusive mode", database, locking).ExecuteNonQueryAsync();

        using var leaving = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/cases/{caseNumber}/state?version=1");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Vorgang:Auth:DevelopmentKey"] = AppFixture.DevelopmentKey }).Build();
        request.Headers.Authorization = new("Bearer", StaffAuth.MintToken(configuration, "auditor", null, "Ada Audit", "ada", TimeSpan.FromHours(1)));
        var reading = engine.Http.SendAsync(request, leaving.Token);
        await Eventually(async () => await WaitingForTheLock() == 1, "the read never reached the locked table");

        await leaving.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
        // Npgsql would have sent PostgreSQL a cancel request at once, ending the wait with an error.
        await Task.Delay(1000);
        Assert.Equal(1, await WaitingForTheLock());

        await locking.RollbackAsync();
        await Eventually(async () => await RecordedReads(caseNumber) == 1, "the read was not finished and recorded");
    }

    private async Task<long> WaitingForTheLock()
    {
        await using var probe = new NpgsqlConnection(_connectionString);
        await probe.OpenAsync();
        return (long)(await new NpgsqlCommand(
            "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like '%from vorgang.mt_doc_case as d where id%'",
            probe).ExecuteScalarAsync())!;
    }

    private async Task<long> RecordedReads(string caseNumber)
    {
        await using var probe = new NpgsqlConnection(_connectionString);
        await probe.OpenAsync();
        return (long)(await new NpgsqlCommand("select count(*) from vorgang.mt_doc_personaldataread where case_number = $1", probe)
        {
            Parameters = { new() { Value = caseNumber } },
        }.ExecuteScalarAsync())!;
    }

    private static async Task Eventually(Func<Task<bool>> condition, string failure)
    {
        for (var i = 0; i < 100 && !await condition(); i++) await Task.Delay(50);
        Assert.True(await condition(), failure);
    }
}
