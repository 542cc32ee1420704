using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;
using Vorgang.Api.Hosting;

namespace Vorgang.Benchmarks;

/// <summary>The engine as its own process, built in Release, logging only warnings.</summary>
public sealed partial class Engine : IAsyncDisposable
{
    public const string DevelopmentKey = "benchmark-signing-key-with-at-least-32-bytes";
    /// <summary>Where every engine of a run listens; known before it listens, so that requests can be tried from the start.</summary>
    public const string FixedUrl = "http://127.0.0.1:5199";
    private readonly Process _process;
    private readonly HttpClient _http;
    private readonly Stopwatch _sinceSpawn;
    private readonly Task<string> _listening;

    private Engine(Process process, Stopwatch sinceSpawn)
    {
        _process = process;
        _sinceSpawn = sinceSpawn;
        _http = new HttpClient { BaseAddress = new Uri(FixedUrl), Timeout = TimeSpan.FromSeconds(60) };
        _listening = WatchAsync();
    }

    public string Url { get; private set; } = FixedUrl;

    public int ProcessId => _process.Id;

    /// <summary>Time since the process was spawned.</summary>
    public TimeSpan SinceSpawn => _sinceSpawn.Elapsed;

    /// <summary>When the engine said it listens, counted from the spawn (null while it does not).</summary>
    public TimeSpan? ListeningAfter { get; private set; }

    [GeneratedRegex(@"listening on (http://[^\s,]+)")]
    private static partial Regex Listening();

    /// <summary>Starts the engine and returns once it listens.</summary>
    public static async Task<Engine> StartAsync(string repo, string connectionString, IReadOnlyDictionary<string, string>? settings = null)
    {
        var engine = Spawn(repo, connectionString, settings);
        await engine.ListeningAsync();
        return engine;
    }

    /// <summary>Starts the engine's process and returns at once; <see cref="ListeningAsync"/> completes when it listens.</summary>
    public static Engine Spawn(string repo, string connectionString, IReadOnlyDictionary<string, string>? settings = null)
    {
        var dll = Path.Combine(repo, "src", "Api", "bin", "Release", "net10.0", "Vorgang.Api.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"Build the engine first: dotnet build -c Release src/Api ({dll} is missing).");
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", FixedUrl])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.Environment["ConnectionStrings__Marten"] = connectionString;
        start.Environment["Vorgang__Auth__DevelopmentKey"] = DevelopmentKey;
        start.Environment["Vorgang__DefinitionsPath"] = Path.Combine(repo, "process-definitions");
        // The load comes from one address at thousands of requests a second: the per-client limit would measure itself.
        start.Environment["Vorgang__RateLimits__PerClientPerMinute"] = "0";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning";
        // Every answer says how long the engine worked on it (decision 41): the server-side latency of the page figures.
        start.Environment["Vorgang__Diagnostics__ServerTiming"] = "true";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var watch = Stopwatch.StartNew();
        var process = Process.Start(start)!;
        return new Engine(process, watch);
    }

    public Task<string> ListeningAsync() => _listening;

    private async Task<string> WatchAsync()
    {
        _ = _process.StandardError.ReadToEndAsync();
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            var match = Listening().Match(line);
            if (match.Success)
            {
                ListeningAfter = _sinceSpawn.Elapsed;
                Url = match.Groups[1].Value;
                _ = _process.StandardOutput.ReadToEndAsync();
                return Url;
            }
        }
        throw new InvalidOperationException("The engine exited before it listened.");
    }

    /// <summary>CPU time the engine's process has used so far (user and system), from /proc.</summary>
    public double CpuMs()
    {
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
    }

    /// <summary>The first call of each endpoint compiles its handler; none of that belongs in the figures.</summary>
    public async Task WarmUpAsync(SeedResult seed, string caseworker, string auditor)
    {
        for (var i = 0; i < 20; i++)
        {
            await Send(HttpMethod.Get, $"/api/track/{seed.OpenCaseNumbers[i % seed.OpenCaseNumbers.Count]}", ("X-Tracking-Code", CityGenerator.TrackingCode));
            await Send(HttpMethod.Get, $"/api/queues/{seed.BiggestTeam}", ("Authorization", $"Bearer {caseworker}"));
            await Send(HttpMethod.Get, $"/api/cases/{seed.LongCaseNumber}/state?version={i + 1}", ("Authorization", $"Bearer {auditor}"));
        }
        var body = await ExampleBodyAsync("defect-report");
        for (var i = 0; i < 20; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/services/defect-report/cases") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            (await _http.SendAsync(request)).EnsureSuccessStatusCode();
        }
    }

    /// <summary>Some bodies of every service of the mix, each with a key of its own: the pool checked by the engine itself.</summary>
    public async Task SubmitSampleAsync(SubmissionPool pool, int perService)
    {
        foreach (var (service, body) in pool.Sample(perService))
        {
            using var response = await SubmitAsync(service, body, Guid.NewGuid().ToString());
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"The engine refused a generated '{service}' submission ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync()}\n{body}");
        }
    }

    public async Task<HttpResponseMessage> SubmitAsync(string service, string body, string? idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/services/{service}/cases") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null) request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        var response = await _http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    public Task<string> ExampleBodyAsync(string service) => _http.GetStringAsync($"/api/services/{service}/example?lang=de");

    /// <summary>One GET, its status and how long it took until its body was read.</summary>
    public async Task<(int Status, double Ms)> TimeGetAsync(string path, (string Name, string Value)? header = null)
    {
        var watch = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (header is { } h) request.Headers.TryAddWithoutValidation(h.Name, h.Value);
        using var response = await _http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return ((int)response.StatusCode, watch.Elapsed.TotalMilliseconds);
    }

    private async Task Send(HttpMethod method, string path, (string Name, string Value) header)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        (await _http.SendAsync(request)).EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])?.WaitForExit();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(30))) _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }
}

public sealed record WrkResult(string Name, int Connections, double RequestsPerSecond, double P50Ms, double P99Ms, long Requests, long Errors)
{
    /// <summary>CPU time per request, by process, while the load ran.</summary>
    public CpuUse? Cpu { get; init; }

    /// <summary>Checkpoints PostgreSQL began while the load was measured (0 when the run started clean and stayed so).</summary>
    public long? CheckpointsDuring { get; init; }

    /// <summary>Requests wrk gave up on (connect, read and write errors, timeouts after 10 s).</summary>
    public long SocketErrors { get; init; }

    /// <summary>The engine's own time per request from its <c>Server-Timing</c> header, where the script collected it (<see cref="Scripts.WithServerTiming"/>).</summary>
    public ServerLatency? Server { get; init; }
}

/// <summary>Percentiles of the engine's own time per request (<c>Server-Timing: app;dur=…</c>), over every answer of the run.</summary>
public sealed record ServerLatency(long Answers, double P50Ms, double P99Ms, double MaxMs);

/// <summary>
/// Every measured run starts right after a checkpoint, pgbench's as well as the engine's. Otherwise a run pays for
/// what an earlier phase wrote: seeding a city writes gigabytes of WAL, and the checkpoint that triggers spreads its
/// writes over the next minutes, into whichever run comes next.
/// </summary>
public static class Checkpoints
{
    public static async Task ForceAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("checkpoint", connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Checkpoints begun since the server started (timed and requested); PostgreSQL 17 moved them to their own view.</summary>
    public static async Task<long> CountAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select case when to_regclass('pg_catalog.pg_stat_checkpointer') is null then 'bgwriter' else 'checkpointer' end", connection);
        var view = (string)(await command.ExecuteScalarAsync())!;
        await using var count = new NpgsqlCommand(view == "bgwriter"
            ? "select checkpoints_timed + checkpoints_req from pg_stat_bgwriter"
            : "select num_timed + num_requested from pg_stat_checkpointer", connection);
        return Convert.ToInt64(await count.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}

/// <summary>Milliseconds of CPU per request spent by the engine, PostgreSQL (all its processes) and the load generator.</summary>
public sealed record CpuUse(double EngineMs, double PostgresMs, double WrkMs)
{
    /// <summary>
    /// Cores that everything else on the machine used meanwhile, on average (other people's builds and tests): the
    /// machine's busy time from /proc/stat less the three above. What the run had to share its cores with.
    /// </summary>
    public double OtherCores { get; init; }
}

/// <summary>
/// CPU time of the engine, of the benchmark's PostgreSQL (its postmaster and the postmaster's children) and of wrk, from
/// /proc (Linux): where a request's cost goes when all three share the machine's cores. Other PostgreSQL servers on the
/// machine (other people's test databases) are not counted.
/// </summary>
public sealed class CpuMeter(int enginePid, int postmasterPid)
{
    private static readonly long TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>The postmaster of the server whose data lives in <paramref name="dataDirectory"/> (first line of postmaster.pid).</summary>
    public static int Postmaster(string dataDirectory) =>
        int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First().Trim(), CultureInfo.InvariantCulture);

    public Dictionary<string, long> Snapshot()
    {
        var totals = new Dictionary<string, long> { ["engine"] = 0, ["postgres"] = 0, ["wrk"] = 0, ["machine"] = MachineBusy(), ["wallMs"] = Environment.TickCount64 };
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (!int.TryParse(name, out var pid)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(dir, "stat")); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            var open = stat.IndexOf('(');
            var close = stat.LastIndexOf(')');
            if (open < 0 || close < 0) continue;
            var comm = stat[(open + 1)..close];
            // Fields after the command: state is field 3, the parent's pid field 4; utime and stime are fields 14 and 15,
            // cutime and cstime (of children that ended and were waited for) 16 and 17. A backend that ends during the
            // run leaves its time in the postmaster's cutime and cstime: they are counted for PostgreSQL so that its sum
            // only grows.
            var fields = stat[(close + 2)..].Split(' ');
            long Field(int number) => long.Parse(fields[number - 3], CultureInfo.InvariantCulture);
            var ours = pid == postmasterPid || Field(4) == postmasterPid;
            var group = pid == enginePid ? "engine" : comm == "postgres" && ours ? "postgres" : comm is "wrk" or "pgbench" ? "wrk" : null;
            if (group is null) continue;
            totals[group] += Field(14) + Field(15) + (group == "postgres" ? Field(16) + Field(17) : 0);
        }
        return totals;
    }

    /// <param name="after">Its load generator's entry ("wrk", pgbench too) set from the shell's <c>times</c>: it has exited by then.</param>
    public static CpuUse PerRequest(Dictionary<string, long> before, Dictionary<string, long> after, long requests)
    {
        long Delta(string group) => after[group] - before[group];
        double Ms(string group) => requests == 0 ? 0 : Delta(group) * 1000.0 / TicksPerSecond / requests;
        var seconds = Delta("wallMs") / 1000.0;
        var others = (Delta("machine") - Delta("engine") - Delta("postgres") - Delta("wrk")) / (double)TicksPerSecond;
        return new CpuUse(Ms("engine"), Ms("postgres"), Ms("wrk")) { OtherCores = seconds <= 0 ? 0 : Math.Max(0, others / seconds) };
    }

    /// <summary>Busy time of all cores (user, nice, system, irq, softirq, steal) from the first line of /proc/stat, in ticks.</summary>
    private static long MachineBusy()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long F(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture);
        return F(1) + F(2) + F(3) + F(6) + F(7) + F(8);
    }

    /// <summary>The children's user and system time from the last line of bash's <c>times</c>, e.g. <c>0m1.250s 0m3.100s</c>, in ticks.</summary>
    public static long ChildrenTicks(string output)
    {
        var last = output.TrimEnd().Split('\n')[^1];
        return (long)Math.Round(Regex.Matches(last, @"(\d+)m([\d.]+)s").Sum(m =>
            int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * 60 + double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)) * TicksPerSecond);
    }
}

/// <summary>Load from wrk (Debian's package): 2 threads, 8 connections — the same 8 clients as the pgbench baseline.</summary>
public sealed class Wrk(string url, int seconds, int warmUpSeconds, CpuMeter? cpu = null, string? postgres = null)
{
    public async Task<WrkResult> RunAsync(string name, string lua, int connections = 8)
    {
        var script = await Scripts.WriteAsync(lua);
        try
        {
            if (warmUpSeconds > 0)
            {
                // The same load, unmeasured: until the JIT has recompiled the hot paths with their profiles (tiered
                // compilation), a fresh engine spends more than twice the CPU per request it does once warm.
                Console.WriteLine($"wrk: {name}, warming up for {warmUpSeconds} s…");
                var (warmExit, _, warmError) = await Shell.RunAsync("wrk", ["-t2", $"-c{connections}", $"-d{warmUpSeconds}s", "--timeout", "10s", "-s", script, url]);
                if (warmExit != 0) throw new InvalidOperationException($"wrk failed: {warmError}");
            }
            // Counted before the forced checkpoint, whose own count the server may publish a moment after it returns.
            var checkpointsBefore = postgres is null ? (long?)null : await Checkpoints.CountAsync(postgres) + 1;
            if (postgres is not null) await Checkpoints.ForceAsync(postgres);
            return await MeasureAsync(name, script, connections, seconds, checkpointsBefore);
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>
    /// One measured run of a script already written, at once: no warm-up, no checkpoint first (the cold start forces
    /// its checkpoint before the engine is spawned, and measures from the moment the engine listens).
    /// </summary>
    /// <param name="checkpointsBefore">The count to compare with afterwards (the server's count now, unless given).</param>
    public async Task<WrkResult> MeasureAsync(string name, string script, int connections, int runSeconds, long? checkpointsBefore = null)
    {
        checkpointsBefore ??= postgres is null ? null : await Checkpoints.CountAsync(postgres);
        Console.WriteLine($"wrk: {name} for {runSeconds} s…");
        var before = cpu?.Snapshot();
        // wrk has exited by the second snapshot: the shell's `times` reports its CPU (the children's line).
        var (exit, output, error) = await Shell.RunAsync("bash",
            ["-c", $"wrk -t2 -c{connections} -d{runSeconds}s --latency --timeout 10s -s '{script}' '{url}' && times"]);
        var after = cpu?.Snapshot();
        if (exit != 0) throw new InvalidOperationException($"wrk failed: {error}");
        var result = new WrkResult(name, connections,
            double.Parse(Regex.Match(output, @"Requests/sec:\s+([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture),
            Latency(output, "50%"), Latency(output, "99%"),
            long.Parse(Regex.Match(output, @"(\d+) requests in").Groups[1].Value, CultureInfo.InvariantCulture),
            Regex.Match(output, @"Non-2xx or 3xx responses: (\d+)") is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0)
        {
            SocketErrors = SocketErrors(output),
            Server = Regex.Match(output, @"Server-Timing: (\d+) answers, p50 ([\d.]+) ms, p99 ([\d.]+) ms, max ([\d.]+) ms") is { Success: true } st
                ? new ServerLatency(long.Parse(st.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(st.Groups[2].Value, CultureInfo.InvariantCulture),
                    double.Parse(st.Groups[3].Value, CultureInfo.InvariantCulture), double.Parse(st.Groups[4].Value, CultureInfo.InvariantCulture))
                : null,
        };
        if (checkpointsBefore is { } earlier)
            result = result with { CheckpointsDuring = await Checkpoints.CountAsync(postgres!) - earlier };
        if (before is not null && after is not null)
        {
            after["wrk"] = before["wrk"] + CpuMeter.ChildrenTicks(output);
            result = result with { Cpu = CpuMeter.PerRequest(before, after, result.Requests) };
        }
        Console.WriteLine($"  {result.RequestsPerSecond:N0}/s, p50 {result.P50Ms:N2} ms, p99 {result.P99Ms:N2} ms, {result.Errors} errors" +
            (result.Server is { } server ? $"; server side p50 {server.P50Ms:N2} ms, p99 {server.P99Ms:N2} ms" : "") +
            (result.Cpu is { } c ? $"; CPU per request: engine {c.EngineMs:N2} ms, PostgreSQL {c.PostgresMs:N2} ms, wrk {c.WrkMs:N2} ms; rest of the machine {c.OtherCores:N2} cores" : "") +
            (result.SocketErrors > 0 ? $", {result.SocketErrors} socket errors" : "") +
            (result.CheckpointsDuring is > 0 ? $"; {result.CheckpointsDuring} checkpoint(s) began during the run" : ""));
        return result;
    }

    /// <summary>Requests wrk gave up on: connect, read, write errors and timeouts (over 10 s without an answer).</summary>
    private static long SocketErrors(string output)
    {
        var socket = Regex.Match(output, @"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)");
        return socket.Success ? Enumerable.Range(1, 4).Sum(g => long.Parse(socket.Groups[g].Value, CultureInfo.InvariantCulture)) : 0;
    }

    private static double Latency(string output, string percentile)
    {
        var match = Regex.Match(output, $@"\s{Regex.Escape(percentile)}\s+([\d.]+)(us|ms|s)");
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }
}

public static class Scripts
{
    private static string Lua(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"");

    /// <summary>
    /// <paramref name="lua"/> (which must define no <c>setup</c>, <c>response</c> or <c>done</c> of its own) with a
    /// collector of the engine's <c>Server-Timing</c> of every answer, whose percentiles wrk prints at the end: the
    /// server-side latency next to wrk's own, which also holds the wait for a core and the loopback.
    /// </summary>
    public static string WithServerTiming(string lua) => lua + """

        server_ms = {}
        local threads = {}
        setup = function(thread) threads[#threads + 1] = thread end
        response = function(status, headers, body)
          local timing = headers["Server-Timing"]
          if timing then
            local ms = timing:match("dur=([%d%.]+)")
            if ms then server_ms[#server_ms + 1] = tonumber(ms) end
          end
        end
        done = function(summary, latency, requests)
          local all = {}
          for _, thread in ipairs(threads) do
            for _, ms in ipairs(thread:get("server_ms")) do all[#all + 1] = ms end
          end
          table.sort(all)
          if #all > 0 then
            io.write(string.format("Server-Timing: %d answers, p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
              #all, all[math.max(1, math.ceil(#all * 0.5))], all[math.max(1, math.ceil(#all * 0.99))], all[#all]))
          end
        end
        """;

    /// <summary>Writes a script to a file of its own (the caller deletes it).</summary>
    public static async Task<string> WriteAsync(string lua)
    {
        var script = Path.Combine(Path.GetTempPath(), $"vorgang-bench-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(script, lua);
        return script;
    }

    /// <summary>
    /// The city's mix: each request picks a service in the city's proportions and one of its pre-generated bodies at
    /// random, and carries an Idempotency-Key of its own — a UUID from the kernel per wrk thread (so that no two runs,
    /// warm-ups included, share a key) and the thread's request count.
    /// </summary>
    public static string Mix(SubmissionPool pool)
    {
        var shares = string.Join(", ", CityGenerator.Mix.Select(m => $"{{ \"{m.Service}\", {m.Share.ToString(CultureInfo.InvariantCulture)} }}"));
        return $$"""
            local services = { {{shares}} }
            local bodies = {}
            local prefix = ""
            local counter = 0

            init = function(args)
              for line in io.lines("{{Lua(pool.File)}}") do
                local tab = line:find("\t", 1, true)
                local service = line:sub(1, tab - 1)
                local list = bodies[service]
                if list == nil then
                  list = {}
                  bodies[service] = list
                end
                list[#list + 1] = line:sub(tab + 1)
              end
              local uuid = io.open("/proc/sys/kernel/random/uuid", "r")
              prefix = uuid:read("*l")
              uuid:close()
              math.randomseed(tonumber(prefix:sub(1, 8), 16))
            end

            request = function()
              counter = counter + 1
              local roll = math.random()
              local service = services[1][1]
              for _, s in ipairs(services) do
                roll = roll - s[2]
                if roll < 0 then
                  service = s[1]
                  break
                end
              end
              local list = bodies[service]
              return wrk.format("POST", "/api/services/" .. service .. "/cases",
                { ["Content-Type"] = "application/json", ["Idempotency-Key"] = prefix .. "-" .. counter }, list[math.random(#list)])
            end
            """;
    }

    public static string Track(IReadOnlyList<string> numbers, string code) => $$"""
        local numbers = { {{string.Join(",", numbers.Select(n => $"\"{n}\""))}} }
        math.randomseed(42)
        request = function()
          return wrk.format("GET", "/api/track/" .. numbers[math.random(#numbers)], { ["X-Tracking-Code"] = "{{code}}" })
        end
        """;

    public static string Get(string path, string token) => $$"""
        wrk.method = "GET"
        wrk.path = "{{path}}"
        wrk.headers["Authorization"] = "Bearer {{token}}"
        """;

    public static string AsOf(string caseNumber, string token, int versions) => $$"""
        math.randomseed(7)
        request = function()
          return wrk.format("GET", "/api/cases/{{caseNumber}}/state?version=" .. math.random({{versions}}), { ["Authorization"] = "Bearer {{token}}" })
        end
        """;

    public static string Submit(string service, string body) => $$"""
        wrk.method = "POST"
        wrk.path = "/api/services/{{service}}/cases"
        wrk.headers["Content-Type"] = "application/json"
        wrk.body = "{{Lua(body)}}"
        """;
}

/// <summary>Samples how far the slowest async projection is behind the log: the age of the oldest event it has not yet processed.</summary>
public sealed class LagSampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<List<double>> _sampling;

    /// <param name="asyncShards">The async projections' progress rows; rebuilt inline projections leave rows too, which never move.</param>
    public LagSampler(string connectionString, IReadOnlyList<string> asyncShards) => _sampling = SampleAsync(connectionString, asyncShards.ToArray(), _stop.Token);

    private static async Task<List<double>> SampleAsync(string connectionString, string[] shards, CancellationToken ct)
    {
        var samples = new List<double>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(CancellationToken.None);
        var schema = VorgangSetup.Schema;
        // The sampler must not weigh on what it watches: a plain index lookup, no parallel workers, no JIT. (A form of
        // this query whose lower bound the planner could not see got a parallel scan with JIT compilation, about
        // 60 ms of CPU ten times a second, charged to PostgreSQL's share of every submission.)
        await using (var settings = new NpgsqlCommand("set jit = off; set max_parallel_workers_per_gather = 0", connection))
            await settings.ExecuteNonQueryAsync(CancellationToken.None);
        while (!ct.IsCancellationRequested)
        {
            // The age of the next event the slowest async projection has still to process (none: not behind at all).
            await using var command = new NpgsqlCommand(
                $"""
                select (select count(*) from {schema}.mt_event_progression where name = any($1)),
                       coalesce(extract(epoch from now() - (select e.timestamp from {schema}.mt_events e
                           where e.seq_id > (select min(last_seq_id) from {schema}.mt_event_progression where name = any($1))
                           -- Marten fills the sequence numbers of failed appends with tombstones dated -infinity.
                           and isfinite(e.timestamp)
                           order by e.seq_id limit 1)) * 1000, 0)
                """, connection);
            command.Parameters.AddWithValue(shards);
            await using (var reader = await command.ExecuteReaderAsync(CancellationToken.None))
            {
                await reader.ReadAsync(CancellationToken.None);
                if (reader.GetInt64(0) > 0) samples.Add(reader.GetDouble(1));
            }
            try { await Task.Delay(100, ct); } catch (OperationCanceledException) { break; }
        }
        return samples;
    }

    public async Task<LagResult> StopAsync()
    {
        await _stop.CancelAsync();
        var samples = await _sampling;
        samples.Sort();
        return new LagResult(samples.Count, samples.Count == 0 ? null : samples[(int)Math.Min(samples.Count - 1, Math.Ceiling(samples.Count * 0.99) - 1)],
            samples.Count == 0 ? null : samples[^1]);
    }

    public void Dispose() => _stop.Dispose();
}

public sealed record LagResult(int Samples, double? P99Ms, double? MaxMs);

public static class Consistency
{
    /// <summary>Every submitted case has its citizen view (the Case snapshot) and its queue row: they are written in the same transaction.</summary>
    public static async Task<string> CheckAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var schema = VorgangSetup.Schema;
        await using var command = new NpgsqlCommand(
            $"""
            select (select count(*) from {schema}.mt_streams where id <> 'mt_tombstone'),
                   (select count(*) from {schema}.mt_streams s where s.id <> 'mt_tombstone' and not exists (select 1 from {schema}.mt_doc_case c where c.id = s.id)),
                   (select count(*) from {schema}.mt_streams s where s.id <> 'mt_tombstone' and not exists (select 1 from {schema}.mt_doc_queueitem q where q.id = s.id))
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return $"{reader.GetInt64(0):N0} cases; without citizen view: {reader.GetInt64(1)}; without queue row: {reader.GetInt64(2)}";
    }
}
