using System.Text.Json.Nodes;
using Vorgang.Tests.Api;
using Vorgang.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Vorgang.Tests.OpenApi;

/// <summary>
/// The live document passes <c>redocly lint</c> with the recommended rules and those of redocly.yaml, without a single
/// error or warning. Redocly CLI is installed from tools/openapi-lint/package-lock.json on first use (npm ci) and kept.
/// </summary>
public sealed class OpenApiLintTests(AppFixture app, ITestOutputHelper output) : ApiTest(app)
{
    [Fact]
    public async Task The_live_document_passes_redocly_lint_with_no_errors_and_no_warnings()
    {
        var response = await Host.Get("/openapi/v1.json");
        Assert.Equal(200, response.Status);
        var file = Path.Combine(Path.GetTempPath(), $"vorgang-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, response.Text);
        try
        {
            var cli = await ExternalTools.RedoclyAsync();
            var root = ExternalTools.RepositoryRoot();
            var lint = await ExternalTools.RunAsync("node", [cli, "lint", "--format=json", "--config", Path.Combine(root, "redocly.yaml"), file], root, TimeSpan.FromMinutes(2));
            var start = lint.Stdout.IndexOf('{');
            Assert.True(start >= 0, $"redocly lint printed no JSON report: {lint}");
            var report = JsonNode.Parse(lint.Stdout[start..])!;
            var problems = report["problems"]!.AsArray()
                .Select(p => $"{(string?)p!["severity"]} {(string?)p["ruleId"]} at {(string?)p["location"]?[0]?["pointer"]}: {(string?)p["message"]}")
                .ToList();
            foreach (var problem in problems) output.WriteLine(problem);
            var totals = report["totals"]!;
            Assert.True((int)totals["errors"]! == 0 && (int)totals["warnings"]! == 0,
                $"redocly lint: {(int)totals["errors"]!} errors, {(int)totals["warnings"]!} warnings\n{string.Join("\n", problems)}");
            Assert.Equal(0, lint.ExitCode);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
