using Vorgang.Tests.Definitions;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Engine;

/// <summary>
/// Production runs the handler and endpoint code checked in under src/Api/Internal/Generated (TypeLoadMode.Static):
/// it must be what <c>codegen write</c> generates from the code as it is now.
/// </summary>
public sealed class GeneratedCodeTests
{
    /// <summary>The one command that brings the checked-in code up to date (README, docs/architecture.md).</summary>
    public const string Regenerate = "rm -rf src/Api/Internal/Generated && dotnet run --project src/Api -- codegen write";

    private static readonly string CheckedIn = Path.Combine(Path.GetDirectoryName(ShippedDefinitions.Folder)!, "src", "Api", "Internal", "Generated");

    [Fact]
    public async Task The_checked_in_generated_code_is_what_codegen_writes_now()
    {
        var contentRoot = TestDatabase.CreateTempDirectory("codegen");
        try
        {
            var (exitCode, output) = await CodegenWriteAsync(contentRoot);
            Assert.True(exitCode == 0, $"codegen write failed (exit {exitCode}):\n{output}");
            Assert.DoesNotContain("embedded PostgreSQL", output);

            var fresh = Files(Path.Combine(contentRoot, "Internal", "Generated"));
            var current = Files(CheckedIn);
            Assert.NotEmpty(fresh);
            var stale = fresh.Keys.Union(current.Keys).Order(StringComparer.Ordinal)
                .Where(file => !fresh.TryGetValue(file, out var text) || !current.TryGetValue(file, out var old) || text != old)
                .Select(file => $"src/Api/Internal/Generated/{file} ({(!current.ContainsKey(file) ? "not checked in" : !fresh.ContainsKey(file) ? "no longer generated" : "out of date")})")
                .ToList();
            Assert.True(stale.Count == 0,
                $"The checked-in generated code is stale: {string.Join(", ", stale)}.\nRegenerate it (and commit the result) with: {Regenerate}");
        }
        finally
        {
            TestDatabase.DeleteDirectory(contentRoot);
        }
    }

    /// <summary>Relative path (forward slashes) → text with normalised line ends.</summary>
    private static Dictionary<string, string> Files(string folder) =>
        !Directory.Exists(folder) ? []
            : Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories).ToDictionary(
                path => Path.GetRelativePath(folder, path).Replace('\\', '/'),
                path => File.ReadAllText(path).ReplaceLineEndings("\n"));

    /// <summary>
    /// <c>dotnet Vorgang.Api.dll codegen write</c> with its content root in <paramref name="contentRoot"/>, so that it writes there.
    /// Without a database (code generation opens no connection), and in Development, where nothing pre-generated is loaded.
    /// </summary>
    // Without a database (codegen needs none), in Development, writing below contentRoot.
    private static async Task<(int ExitCode, string Output)> CodegenWriteAsync(string contentRoot)
    {
        var result = await Vorgang.Tests.Audit.VerbProcess.RunWithAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings__Marten"] = null,
            ["ASPNETCORE_CONTENTROOT"] = contentRoot,
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Vorgang__DefinitionsPath"] = ShippedDefinitions.Folder,
        }, "codegen", "write");
        return (result.ExitCode, result.Stdout + result.Stderr);
    }
}
