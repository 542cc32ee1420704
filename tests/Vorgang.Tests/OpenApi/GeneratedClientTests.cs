using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Vorgang.Api.Security;
using Vorgang.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Vorgang.Tests.OpenApi;

/// <summary>
/// A client generated from the live document works: Kiota (a dotnet tool, installed once into the tools cache) generates
/// a C# client from /openapi/v1.json of a real engine process, a throwaway console program (OpenApi/ClientCheck) is
/// compiled around it in a temporary folder, and with it a citizen submits and tracks an application and a caseworker
/// takes an action. The NuGet cache keeps the Kiota libraries between runs.
/// </summary>
public sealed class GeneratedClientTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_Kiota_client_generated_from_the_live_document_submits_tracks_and_acts()
    {
        var watch = Stopwatch.StartNew();
        void Step(string what) => output.WriteLine($"{watch.Elapsed.TotalSeconds,6:F1} s  {what}");

        var connectionString = await TestDatabase.CreateDatabaseAsync("client");
        await using var engine = await EngineProcess.StartAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__Marten"] = connectionString,
            ["Vorgang__Auth__DevelopmentKey"] = AppFixture.DevelopmentKey,
        });
        Step($"engine listening on {engine.Url}");

        var work = Path.Combine(ExternalTools.CacheDirectory, $"client-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            var document = Path.Combine(work, "openapi.json");
            await File.WriteAllTextAsync(document, await engine.Http.GetStringAsync("/openapi/v1.json"));
            var kiota = await ExternalTools.KiotaAsync();
            Step($"Kiota {ExternalTools.KiotaVersion} ready");

            var generate = await ExternalTools.RunAsync(kiota,
                ["generate", "--language", "CSharp", "--openapi", document, "--output", Path.Combine(work, "Generated"),
                 "--namespace-name", "Vorgang.Client", "--class-name", "VorgangClient", "--exclude-backward-compatible", "--clean-output", "--log-level", "Warning"],
                work, TimeSpan.FromMinutes(3));
            Assert.True(generate.ExitCode == 0, $"kiota generate failed: {generate}");
            Step("client generated");

            var template = Path.Combine(AppContext.BaseDirectory, "OpenApi", "ClientCheck");
            File.Copy(Path.Combine(template, "Program.cs"), Path.Combine(work, "Program.cs"));
            File.Copy(Path.Combine(template, "ClientCheck.csproj.template"), Path.Combine(work, "ClientCheck.csproj"));
            var build = await ExternalTools.RunAsync("dotnet",
                ["build", "-c", "Release", "-o", Path.Combine(work, "out"), "--disable-build-servers", "-nodeReuse:false", "-v:quiet", "-nologo"],
                work, TimeSpan.FromMinutes(5));
            Assert.True(build.ExitCode == 0, $"The generated client does not compile: {build}");
            Step("client compiled");

            var token = StaffAuth.MintToken(
                new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Vorgang:Auth:DevelopmentKey"] = AppFixture.DevelopmentKey }).Build(),
                "caseworker", "registration-office", "Anna Schmidt", null, TimeSpan.FromMinutes(30));
            var run = await ExternalTools.RunAsync("dotnet", [Path.Combine(work, "out", "ClientCheck.dll"), engine.Url.ToString().TrimEnd('/'), token],
                work, TimeSpan.FromMinutes(2));
            Step("client run");
            output.WriteLine(run.Stdout);
            Assert.True(run.ExitCode == 0 && run.Stdout.Contains("all checks held", StringComparison.Ordinal), $"The generated client's checks failed: {run}");

            // What the client did, seen by the engine itself.
            var caseNumber = run.Stdout.Split('\n').Single(l => l.StartsWith("submitted ", StringComparison.Ordinal)).Split(' ')[1];
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/cases/{caseNumber}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var answer = await engine.Http.SendAsync(request);
            var staffView = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;
            Assert.Equal(("in-review", 3L), ((string)staffView["state"]!, (long)staffView["version"]!));
        }
        finally
        {
            TestDatabase.DeleteDirectory(work);
        }
        Step("done");
    }
}
