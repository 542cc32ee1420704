using System.Globalization;
using System.Text.RegularExpressions;
using Vorgang.Api.Telemetry;
using Vorgang.Tests.Api;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Engine;

/// <summary>The engine's own time per answer (decision 41): only when configured, on pages and API answers alike, errors too.</summary>
[Collection(AppCollection.Name)]
public sealed partial class ServerTimingTests(AppFixture app)
{
    [GeneratedRegex(@"^app;dur=(\d+(\.\d{1,3})?)$")]
    private static partial Regex Timing();

    [Fact]
    public async Task Answers_say_how_long_the_engine_worked_only_when_configured()
    {
        foreach (var path in new[] { "/", "/api/services", "/api/track/2026-999999" })
        {
            using var quiet = await app.Host.Server.CreateClient().GetAsync(path);
            Assert.False(quiet.Headers.Contains("Server-Timing"), path);
        }

        var database = await TestDatabase.CreateDatabaseAsync("server_timing");
        await using var host = await EngineHosts.StartAsync(database, TimeProvider.System, new Dictionary<string, string> { [ServerTiming.Setting] = "true" });
        using var http = host.Server.CreateClient();
        foreach (var (path, status) in new[] { ("/", 200), ("/api/services", 200), ("/api/track/2026-999999", 404) })
        {
            using var answer = await http.GetAsync(path);
            Assert.Equal(status, (int)answer.StatusCode);
            var match = Timing().Match(Assert.Single(answer.Headers.GetValues("Server-Timing")));
            Assert.True(match.Success, path);
            Assert.InRange(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), 0, 60_000);
        }
    }
}
