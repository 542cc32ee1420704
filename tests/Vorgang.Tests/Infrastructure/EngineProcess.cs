using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Vorgang.Tests.Infrastructure;

/// <summary>The engine as a real process (<c>dotnet Vorgang.Api.dll</c>), for what only a process shows: exit codes and start-up output.</summary>
public sealed partial class EngineProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();

    private EngineProcess(Process process, Uri url)
    {
        _process = process;
        Url = url;
        Http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Http { get; }
    public Uri Url { get; }

    /// <summary>What the engine wrote to stdout after it started listening (its log), for checks and failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>SIGKILL: the engine dies at once, as in a power cut or an out-of-memory kill; no shutdown code runs.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    [GeneratedRegex(@"listening on (http://[^\s,]+)")]
    private static partial Regex ListeningLine();

    private static Process Launch(IDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Vorgang.Api.dll"), "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var (key, value) in environment) start.Environment[key] = value;
        return Process.Start(start)!;
    }

    /// <summary>Starts the engine and waits for the line that says where it listens.</summary>
    public static async Task<EngineProcess> StartAsync(IDictionary<string, string> environment)
    {
        var process = Launch(environment);
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                var engine = new EngineProcess(process, new Uri(match.Groups[1].Value));
                _ = engine.CollectOutputAsync();
                return engine;
            }
        }
        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException($"The engine exited before it listened: {await stderr}");
    }

    /// <summary>Runs the engine expecting it to refuse to start; returns its exit code and error output.</summary>
    public static async Task<(int ExitCode, string Stderr)> RunUntilExitAsync(IDictionary<string, string> environment)
    {
        using var process = Launch(environment);
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException("The engine kept running although it should have refused to start.");
        }
        return (process.ExitCode, await stderr);
    }

    private async Task CollectOutputAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line) _output.Enqueue(line);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The process is gone; what it wrote so far is kept.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            // SIGTERM: the engine shuts down gracefully, as under systemd or Docker.
            Process.Start("kill", ["-TERM", _process.Id.ToString()])?.WaitForExit();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try { await _process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
        }
        _process.Dispose();
    }
}
