using System.Diagnostics;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Audit;

/// <summary>A command-line verb of the engine as a real process (<c>dotnet Vorgang.Api.dll VERB …</c>) on the test database: exit code and output.</summary>
public static class VerbProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
    }

    public static async Task<Result> RunAsync(params string[] args) => await RunWithAsync(new Dictionary<string, string?>
    {
        ["ConnectionStrings__Marten"] = await TestDatabase.ConnectionStringAsync(),
        ["Vorgang__Auth__DevelopmentKey"] = AppFixture.DevelopmentKey,
        ["Vorgang__DataProtection__MasterKey"] = AppFixture.MasterKey,
    }, args);

    /// <summary>The verb with these environment variables set (a null value removes the variable).</summary>
    public static async Task<Result> RunWithAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Vorgang.Api.dll"), .. args])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var (name, value) in environment)
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"dotnet Vorgang.Api.dll {string.Join(' ', args)} did not finish: {await stdout}{await stderr}");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
