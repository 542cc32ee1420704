using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wolverine;

namespace Vorgang.Tests.Infrastructure;

/// <summary>Engines of their own for tests that need other settings than the shared host, each set on a database of its own.</summary>
public static class EngineHosts
{
    public static Task<IAlbaHost> StartAsync(string connectionString, TimeProvider clock, IReadOnlyDictionary<string, string>? settings = null) =>
        AlbaHost.For<Program>(x =>
        {
            x.UseSetting("ConnectionStrings:Marten", connectionString);
            x.UseSetting("Vorgang:Auth:DevelopmentKey", AppFixture.DevelopmentKey);
            x.UseSetting("Vorgang:TrackingCodeSecret", "test-tracking-secret");
            foreach (var (key, value) in settings ?? new Dictionary<string, string>()) x.UseSetting(key, value);
            x.ConfigureServices(services =>
            {
                services.DisableAllExternalWolverineTransports();
                services.RunWolverineInSoloMode();
                services.MartenDaemonModeIsSolo();
                services.AddSingleton(clock);
            });
        });
}
