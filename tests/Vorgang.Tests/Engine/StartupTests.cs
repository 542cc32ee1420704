using System.Diagnostics;
using System.Text.Json.Nodes;
using Alba;
using Npgsql;
using Vorgang.Api.Hosting;
using Vorgang.Tests.Infrastructure;
using Vorgang.Tests.Definitions;
using Wolverine;

namespace Vorgang.Tests.Engine;

/// <summary>What the engine does at start with its definitions: refuse invalid ones, protect published versions.</summary>
[Collection(AppCollection.Name)]
public sealed class StartupTests : IAsyncLifetime
{
    private readonly string _folder = TestDatabase.CreateTempDirectory("definitions");
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        // A database of its own, so that these hosts never share Wolverine's node tables with the main test host.
        _connectionString = await TestDatabase.CreateDatabaseAsync("startup");
        CopyShipped("change-of-address");
    }

    public Task DisposeAsync()
    {
        TestDatabase.DeleteDirectory(_folder);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_engine_process_refuses_to_start_with_an_invalid_definition_and_says_where()
    {
        var file = Path.Combine(_folder, "change-of-address", "v1.yaml");
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("to: registered", "to: registred"));

        var (exitCode, stderr) = await EngineProcess.RunUntilExitAsync(EngineEnvironment());

        Assert.Equal(1, exitCode);
        Assert.Matches(@"change-of-address/v1\.yaml:\d+: error \[unknown-state\] /actions/\d+/to: ", stderr);
    }

    [Fact]
    public async Task A_published_version_must_not_change_but_an_unused_one_may()
    {
        var latest = ShippedDefinitions.LatestVersion("change-of-address");
        var file = Path.Combine(_folder, "change-of-address", $"v{latest}.yaml");
        var original = await File.ReadAllTextAsync(file);

        // Not yet used by any case: editing is fine, and the engine starts.
        await File.WriteAllTextAsync(file, original.Replace("Wir prüfen Ihre Angaben.", "Wir prüfen jetzt Ihre Angaben."));
        await using (var engine = await EngineProcess.StartAsync(EngineEnvironment()))
        {
            var example = JsonNode.Parse(await engine.Http.GetStringAsync("/api/services/change-of-address"))!["example"]!.DeepClone();
            var response = await engine.Http.PostAsync("/api/services/change-of-address/cases",
                new StringContent(new JsonObject { ["data"] = example }.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(201, (int)response.StatusCode);
        }

        // Now a case runs on it: changing the file again stops the engine at start, with a located reason.
        await File.WriteAllTextAsync(file, original);
        var (exitCode, stderr) = await EngineProcess.RunUntilExitAsync(EngineEnvironment());
        Assert.Equal(1, exitCode);
        Assert.Contains($"change-of-address/v{latest}.yaml:1: error [published-version-changed]", stderr);
    }

    [Fact]
    public async Task A_published_version_whose_file_was_removed_keeps_serving_its_cases()
    {
        string caseNumber, trackingCode;
        await using (var host = await StartHost())
        {
            var submitted = await host.Submit("change-of-address");
            (caseNumber, trackingCode) = (submitted.CaseNumber, submitted.TrackingCode);
        }

        // A new version replaces the running one on disk; the running case stays on its version.
        var latest = ShippedDefinitions.LatestVersion("change-of-address");
        var running = Path.Combine(_folder, "change-of-address", $"v{latest}.yaml");
        var next = (await File.ReadAllTextAsync(running)).Replace($"version: {latest}\n", $"version: {latest + 1}\n")
            .Replace("Wir prüfen Ihre Angaben.", "Wir prüfen Ihre Angaben (neue Version).");
        await File.WriteAllTextAsync(Path.Combine(_folder, "change-of-address", $"v{latest + 1}.yaml"), next);
        File.Delete(running);

        await using (var host = await StartHost())
        {
            var service = (await host.Send(HttpMethod.Get, "/api/services/change-of-address")).Body!;
            Assert.Equal(latest + 1, (int)service["version"]!);
            Assert.Equal(Enumerable.Range(1, latest + 1).ToArray(), service["versions"]!.AsArray().Select(v => (int)v!).ToArray());
            var view = await host.Track(caseNumber, trackingCode);
            Assert.Equal("submitted", (string)view["status"]!["state"]!);
            var withdrawn = await host.CitizenAct(caseNumber, trackingCode, "withdraw", 1);
            Assert.True((bool)withdrawn["isClosed"]!);
        }
    }

    private Dictionary<string, string> EngineEnvironment() => new()
    {
        ["Vorgang__DefinitionsPath"] = _folder,
        ["ConnectionStrings__Marten"] = _connectionString,
        ["Vorgang__Auth__DevelopmentKey"] = AppFixture.DevelopmentKey,
    };

    private Task<IAlbaHost> StartHost() => AlbaHost.For<Program>(x =>
    {
        x.UseSetting("ConnectionStrings:Marten", _connectionString);
        x.UseSetting("Vorgang:DefinitionsPath", _folder);
        x.UseSetting("Vorgang:Auth:DevelopmentKey", AppFixture.DevelopmentKey);
        x.ConfigureServices(services =>
        {
            services.DisableAllExternalWolverineTransports();
            services.RunWolverineInSoloMode();
        });
    });

    private void CopyShipped(string service)
    {
        var source = Path.Combine(DefinitionsSetup.LocateFolder(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build()), service);
        var target = Directory.CreateDirectory(Path.Combine(_folder, service)).FullName;
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
    }

}
