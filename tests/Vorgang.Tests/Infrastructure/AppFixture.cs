using System.Diagnostics;
using Alba;
using Marten;
using Marten.Events;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Vorgang.Api.Security;
using Wolverine;

namespace Vorgang.Tests.Infrastructure;

/// <summary>One engine host (Alba) on the test PostgreSQL for the whole run; each test resets the data before it starts.</summary>
public sealed class AppFixture : IAsyncLifetime
{
    public const string DevelopmentKey = "test-signing-key-with-at-least-32-bytes!";
    public const string MasterKey = "test-master-key-for-personal-data";

    public IAlbaHost Host { get; private set; } = null!;

    /// <summary>The engine's clock: the system's time unless a test moves it (reset before every test).</summary>
    public TestClock Clock { get; } = new();

    /// <summary>Every span the host exported, through the same OpenTelemetry pipeline that feeds OTLP in production.</summary>
    public LockedList<Activity> Spans { get; } = new();
    public LockedList<Metric> Metrics { get; } = new();
    /// <summary>Every log line the host wrote at its configured levels, with exceptions and structured values.</summary>
    public LockedList<string> Logs { get; } = new();

    public async Task InitializeAsync()
    {
        var connectionString = await TestDatabase.ConnectionStringAsync();
        Host = await AlbaHost.For<Program>(x =>
        {
            x.UseSetting("ConnectionStrings:Marten", connectionString);
            x.UseSetting("Vorgang:Auth:DevelopmentKey", DevelopmentKey);
            x.UseSetting("Vorgang:TrackingCodeSecret", "test-tracking-secret");
            x.UseSetting(Vorgang.Api.Security.MasterKey.ConfigurationKey, MasterKey);
            // Tests read counts and positions right after changing them.
            x.UseSetting("Vorgang:Queues:CacheSeconds", "0");
            // Every test request comes from the same (unknown) address; the rate limit has tests of its own.
            x.UseSetting("Vorgang:RateLimits:PerClientPerMinute", "0");
            // The tests read the spans from memory instead of an exporter.
            x.UseSetting(Vorgang.Api.Hosting.VorgangSetup.TracesKey, "true");
            // The webhook receivers of the tests listen on loopback; their retries come within a second, not over a day.
            x.UseSetting(Vorgang.Api.Features.Webhooks.WebhookTargets.AllowedHostsKey, "127.0.0.1");
            x.UseSetting(Vorgang.Api.Features.Webhooks.WebhookRetries.Key, "00:00:00.2,00:00:00.2");
            x.UseSetting("Vorgang:Webhooks:CacheSeconds", "0");
            x.ConfigureServices(services =>
            {
                services.DisableAllExternalWolverineTransports();
                services.RunWolverineInSoloMode();
                // Async projections do not run by themselves in tests: a test drives them with CatchUpAsync().
                services.MartenDaemonModeIsSolo();
                services.AddSingleton<TimeProvider>(Clock);
                // Due timers (scheduled messages) are picked up within a quarter of a second rather than five.
                services.ConfigureWolverine(options => options.Durability.ScheduledJobPollingTime = TimeSpan.FromMilliseconds(250));
                services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(Spans));
                services.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(Metrics));
                services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(new CapturingLoggerProvider(Logs));
            });
        });
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    /// <summary>Lets every async projection process all events appended so far.</summary>
    public Task CatchUpAsync() => Host.ForceAllMartenDaemonActivityToCatchUpAsync(CancellationToken.None);

    public async Task ResetAsync()
    {
        Clock.Reset();
        Host.Services.GetRequiredService<Vorgang.Projections.Forecasts.CompletionForecasts>().Forget();
        await Host.Services.GetRequiredService<IDocumentStore>().Advanced.ResetAllData();
        // Marten's reset leaves Wolverine's tables alone: timers of earlier tests' cases would still be scheduled.
        await Host.Services.GetRequiredService<Wolverine.Runtime.IWolverineRuntime>().Storage.Admin.ClearAllAsync();
        // Nor the tracking-code failure counters and the documents' chunks, tables of their own: one test's wrong codes must not lock another's.
        await using var clearLockouts = Host.Services.GetRequiredService<Npgsql.NpgsqlDataSource>()
            .CreateCommand($"truncate {Vorgang.Api.Hosting.VorgangSetup.Schema}.{Vorgang.Api.Features.Tracking.TrackingLockout.TableName}, " +
                $"{Vorgang.Api.Hosting.VorgangSetup.Schema}.{Vorgang.Api.Features.Documents.DocumentChunks.TableName}");
        await clearLockouts.ExecuteNonQueryAsync();
    }

    public string Token(string role, string? team = null, string name = "Test User", string? subject = null) =>
        StaffAuth.MintToken(Host.Services.GetRequiredService<IConfiguration>(), role, team, name, subject, TimeSpan.FromHours(1));
}

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "engine";
}

/// <summary>Base for end-to-end tests: shares the host, starts every test from an empty database.</summary>
[Collection(AppCollection.Name)]
public abstract class ApiTest(AppFixture app) : IAsyncLifetime
{
    protected AppFixture App { get; } = app;
    protected IAlbaHost Host => App.Host;

    public Task InitializeAsync() => App.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>A list the exporters may add to from any request thread.</summary>
public sealed class LockedList<T> : ICollection<T>
{
    private readonly List<T> _items = [];
    public int Count { get { lock (_items) return _items.Count; } }
    public bool IsReadOnly => false;
    public void Add(T item) { lock (_items) _items.Add(item); }
    public void Clear() { lock (_items) _items.Clear(); }
    public bool Contains(T item) { lock (_items) return _items.Contains(item); }
    public void CopyTo(T[] array, int arrayIndex) { lock (_items) _items.CopyTo(array, arrayIndex); }
    public bool Remove(T item) { lock (_items) return _items.Remove(item); }
    public List<T> Snapshot() { lock (_items) return [.. _items]; }
    public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Keeps what the engine logs, so that tests can look for what must never be logged.</summary>
public sealed class CapturingLoggerProvider(LockedList<string> lines) : Microsoft.Extensions.Logging.ILoggerProvider
{
    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);
    public void Dispose() { }

    private sealed class Logger(string category, LockedList<string> lines) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state,
            Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            lines.Add($"{logLevel} {category}: {formatter(state, exception)} {values} {exception}");
        }
    }
}
