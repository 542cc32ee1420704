using System.Diagnostics;
using System.Text;

namespace Vorgang.Tests.OpenApi;

/// <summary>The command-line tools the contract checks run (npm, Redocly CLI, Kiota, dotnet), installed once and kept between runs.</summary>
public static class ExternalTools
{
    /// <summary>Redocly CLI, as pinned by tools/openapi-lint/package-lock.json.</summary>
    public const string RedoclyVersion = "2.77.0";
    public const string KiotaVersion = "1.38.0";

    /// <summary>Where tools installed by the tests live between runs (not in the repository: they are per machine).</summary>
    public static string CacheDirectory { get; } = Path.Combine(Path.GetTempPath(), "vorgang-contract-tools");

    public sealed record Run(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n{Stdout}\n{Stderr}";
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ozg.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("The repository (Ozg.sln) was not found above " + AppContext.BaseDirectory);
    }

    public static async Task<Run> RunAsync(string file, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // No telemetry, no update checks: the tools talk to nothing but the package registries they install from.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        start.Environment["KIOTA_TUTORIAL_ENABLED"] = "false";
        start.Environment["KIOTA_OFFLINE_ENABLED"] = "true";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // The test host's own MSBuild settings must not leak into a nested dotnet build.
        foreach (var inherited in new[] { "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildExtensionsPath", "VSTEST_HOST_DEBUG" }) start.Environment.Remove(inherited);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new Xunit.Sdk.XunitException($"'{file}' could not be started ({e.Message}); the contract checks need it on the PATH.");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new Xunit.Sdk.XunitException($"{file} {string.Join(' ', start.ArgumentList)} took longer than {timeout}:\n{await stdout}\n{await stderr}");
            }
            return new Run(process.ExitCode, await stdout, await stderr);
        }
    }

    private static readonly SemaphoreSlim Installing = new(1, 1);

    /// <summary>The Redocly CLI entry script, installed with <c>npm ci</c> from the lock file when it is missing or another version.</summary>
    public static async Task<string> RedoclyAsync()
    {
        var folder = Path.Combine(RepositoryRoot(), "tools", "openapi-lint");
        var cli = Path.Combine(folder, "node_modules", "@redocly", "cli");
        await Installing.WaitAsync();
        try
        {
            if (!File.Exists(Path.Combine(cli, "package.json")) || !File.ReadAllText(Path.Combine(cli, "package.json")).Contains($"\"version\": \"{RedoclyVersion}\"", StringComparison.Ordinal))
            {
                var install = await RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], folder, TimeSpan.FromMinutes(5));
                Assert.True(install.ExitCode == 0, $"npm ci in {folder} failed: {install}");
            }
        }
        finally
        {
            Installing.Release();
        }
        return Path.Combine(cli, "bin", "cli.js");
    }

    /// <summary>The Kiota executable, installed as a dotnet tool into the cache folder on first use.</summary>
    public static async Task<string> KiotaAsync()
    {
        var folder = Path.Combine(CacheDirectory, $"kiota-{KiotaVersion}");
        var kiota = Path.Combine(folder, "kiota");
        await Installing.WaitAsync();
        try
        {
            if (!File.Exists(kiota))
            {
                var install = await RunAsync("dotnet", ["tool", "install", "Microsoft.OpenApi.Kiota", "--tool-path", folder, "--version", KiotaVersion],
                    Path.GetTempPath(), TimeSpan.FromMinutes(5));
                Assert.True(install.ExitCode == 0, $"Installing Kiota {KiotaVersion} failed: {install}");
            }
        }
        finally
        {
            Installing.Release();
        }
        return kiota;
    }
}
