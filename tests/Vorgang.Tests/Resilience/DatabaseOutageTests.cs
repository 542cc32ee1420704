using System.Net.Sockets;
using System.Text.Json;
using JasperFx;
using Marten.Exceptions;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vorgang.Api.Hosting;
using Vorgang.Api.Problems;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Resilience;

/// <summary>Which failures are a database outage (503, retry) and which are not, as Npgsql and Marten really throw them.</summary>
public sealed class DatabaseOutageTests
{
    public static TheoryData<string, Exception> Outages => new()
    {
        { "connection refused", new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException(111)) },
        { "connection reset, wrapped by Marten", new MartenCommandException(new NpgsqlCommand("select 1"), new NpgsqlException("Exception while reading from stream", new IOException("reset", new SocketException(104)))) },
        { "fast shutdown (57P01) while committing", new ObjectDisposedException("NpgsqlTransaction", Postgres(PostgresErrorCodes.AdminShutdown)) },
        { "crash shutdown (57P02)", Postgres(PostgresErrorCodes.CrashShutdown) },
        { "starting up (57P03)", Postgres(PostgresErrorCodes.CannotConnectNow) },
        { "too many connections (53300)", Postgres(PostgresErrorCodes.TooManyConnections) },
        { "connection failure (08006)", Postgres(PostgresErrorCodes.ConnectionFailure) },
        { "pool exhausted or connect timeout", new NpgsqlException("The connection pool has been exhausted", new TimeoutException()) },
        { "timeout", new TimeoutException() },
        { "inside an aggregate", new AggregateException(new InvalidOperationException("other"), new NpgsqlException("Failed to connect", new SocketException(111))) },
    };

    public static TheoryData<string, Exception> NoOutages => new()
    {
        { "unique violation", Postgres(PostgresErrorCodes.UniqueViolation) },
        { "unique violation, wrapped by Marten", new MartenCommandException(new NpgsqlCommand("insert"), Postgres(PostgresErrorCodes.UniqueViolation)) },
        { "concurrency", new ConcurrencyException(typeof(object), "2026-000001") },
        { "a bug", new InvalidOperationException("null") },
        { "malformed JSON", new JsonException("bad") },
        { "syntax error", Postgres(PostgresErrorCodes.SyntaxError) },
    };

    [Theory]
    [MemberData(nameof(Outages))]
    public void An_unreachable_or_restarting_database_is_an_outage(string because, Exception exception) =>
        Assert.True(DatabaseOutage.Is(exception), because);

    [Theory]
    [MemberData(nameof(NoOutages))]
    public void Faults_of_the_request_or_the_code_are_not(string because, Exception exception) =>
        Assert.False(DatabaseOutage.Is(exception), because);

    [Theory]
    [InlineData("Host=db;Username=vorgang", 5)]
    [InlineData("Host=db;Username=vorgang;Timeout=30", 30)]
    [InlineData("Host=db;Username=vorgang;timeout=30", 30)]
    public void A_connect_timeout_is_added_only_where_the_connection_string_sets_none(string configured, int expected)
    {
        var result = new NpgsqlConnectionStringBuilder(DatabaseBootstrap.WithConnectionDefaults(configured));
        Assert.Equal(expected, result.Timeout);
        Assert.Equal("db", result.Host);
        Assert.Equal("vorgang", result.Username);
    }

    [Fact]
    public void A_connection_string_that_sets_every_default_itself_is_kept_as_written()
    {
        const string configured = "Host=db;Password=\"a;b\";Timeout=30;No Reset On Close=false;Max Auto Prepare=0;Auto Prepare Min Usages=5";
        Assert.Equal(configured, DatabaseBootstrap.WithConnectionDefaults(configured));
    }

    [Fact]
    public void Connections_are_not_reset_and_repeated_statements_are_prepared_unless_the_connection_string_says_otherwise()
    {
        var defaults = new NpgsqlConnectionStringBuilder(DatabaseBootstrap.WithConnectionDefaults("Host=db;Password=\"a;b\""));
        Assert.True(defaults.NoResetOnClose);
        Assert.Equal(128, defaults.MaxAutoPrepare);
        Assert.Equal(2, defaults.AutoPrepareMinUsages);
        Assert.Equal("a;b", defaults.Password);

        // Behind a pooler in transaction mode, for instance, an operator turns preparing off; other settings keep their defaults.
        var own = new NpgsqlConnectionStringBuilder(DatabaseBootstrap.WithConnectionDefaults("Host=db;max auto prepare=0;NoResetOnClose=false"));
        Assert.Equal(0, own.MaxAutoPrepare);
        Assert.False(own.NoResetOnClose);
        Assert.Equal(5, own.Timeout);
    }

    private static PostgresException Postgres(string sqlState) => new("message", "FATAL", "FATAL", sqlState);
}

/// <summary>Liveness and readiness as an orchestrator or load balancer probes them.</summary>
public sealed class HealthEndpointTests(AppFixture app) : ApiTest(app)
{
    [Theory]
    [InlineData("/health")]
    [InlineData("/health/ready")]
    public async Task Both_are_healthy_while_the_database_answers(string path)
    {
        var response = await Host.Server.CreateClient().GetAsync(path);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void Verifying_every_chain_is_not_cut_off_by_the_request_timeout_but_other_requests_are()
    {
        var endpoints = Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.NotNull(endpoints.Single(e => e.RoutePattern.RawText == "/api/audit/verify").Metadata.GetMetadata<DisableRequestTimeoutAttribute>());
        Assert.Null(endpoints.Single(e => e.RoutePattern.RawText == "/api/audit/cases/{caseNumber}/verify").Metadata.GetMetadata<DisableRequestTimeoutAttribute>());
    }
}
