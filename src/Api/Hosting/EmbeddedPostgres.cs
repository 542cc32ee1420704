using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using Npgsql;

namespace Vorgang.Api.Hosting;

/// <summary>
/// A private PostgreSQL cluster in a folder of our own, started with the locally installed server binaries.
/// Used by the engine when no connection string is configured, and by the test suite.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private const string SystemUser = "postgres";
    private const string LogFileName = "postgres.log";
    private static readonly string[] RequiredBinaries = ["initdb", "pg_ctl", "postgres"];

    private readonly string _binDirectory;
    private readonly bool _asSystemUser;
    private readonly object _stopLock = new();
    private Task? _stopTask;

    private EmbeddedPostgres(string binDirectory, string dataDirectory, int port, string databaseName, bool asSystemUser)
    {
        _binDirectory = binDirectory;
        _asSystemUser = asSystemUser;
        DataDirectory = dataDirectory;
        Port = port;
        ConnectionString = BuildConnectionString(port, databaseName, pooling: true);
    }

    public string ConnectionString { get; }
    public string DataDirectory { get; }
    public int Port { get; }

    /// <summary>The server was already running (e.g. the engine's, when a command-line verb starts beside it): whoever started it stops it.</summary>
    public bool Adopted { get; private init; }

    public static string? LocateBinaries()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var initdb = Path.Combine(dir, "initdb");
            if (!File.Exists(initdb)) continue;

            // /usr/local/bin/initdb is often a symlink into /usr/lib/postgresql/NN/bin; prefer the real
            // directory so that all three binaries come from the same installation.
            var target = new FileInfo(initdb).ResolveLinkTarget(returnFinalTarget: true)?.FullName;
            var realDir = target is null ? null : Path.GetDirectoryName(target);
            if (realDir is not null && HasAllBinaries(realDir)) return realDir;
            if (HasAllBinaries(dir)) return dir;
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (!Directory.Exists(debianRoot)) return null;
        return Directory.GetDirectories(debianRoot)
            .Select(d => (Version: ParseVersion(Path.GetFileName(d)), Bin: Path.Combine(d, "bin")))
            .Where(x => x.Version is not null && HasAllBinaries(x.Bin))
            .OrderByDescending(x => x.Version)
            .Select(x => x.Bin)
            .FirstOrDefault();

        static bool HasAllBinaries(string dir) => RequiredBinaries.All(b => File.Exists(Path.Combine(dir, b)));
        static Version? ParseVersion(string name) =>
            Version.TryParse(name.Contains('.') ? name : name + ".0", out var v) ? v : null;
    }

    public static async Task<EmbeddedPostgres> StartAsync(
        string dataDirectory, string databaseName = "vorgang", int? port = null, CancellationToken ct = default)
    {
        if (OperatingSystem.IsWindows())
            throw new EmbeddedPostgresException("The embedded PostgreSQL runs on Linux/macOS only: set ConnectionStrings:Marten.");
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(databaseName);

        var bin = LocateBinaries() ?? throw new EmbeddedPostgresException(
            "PostgreSQL server binaries not found (initdb, pg_ctl, postgres on PATH or under /usr/lib/postgresql/*/bin): " +
            "install `postgresql` (Debian: apt-get install -y postgresql) or set ConnectionStrings:Marten.");

        dataDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDirectory));
        Directory.CreateDirectory(dataDirectory);
        var clusterExists = File.Exists(Path.Combine(dataDirectory, "PG_VERSION"));
        // Checked before anything changes owners or modes: a mistyped folder must not be taken over.
        if (!clusterExists && Directory.EnumerateFileSystemEntries(dataDirectory).Any())
        {
            throw new EmbeddedPostgresException(
                $"{dataDirectory} holds files but no PostgreSQL cluster (no PG_VERSION): " +
                "empty it, or choose another folder (Vorgang:DataDirectory).");
        }

        // initdb refuses to run as root, so as root the cluster belongs to the `postgres` system user.
        var asSystemUser = Environment.IsPrivilegedProcess;
        if (asSystemUser) await PrepareForSystemUserAsync(dataDirectory, ct);

        if (!clusterExists)
        {
            await RunCheckedAsync(bin, "initdb", asSystemUser, ct,
                "-D", dataDirectory, "-U", SystemUser, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8");
        }
        else
        {
            // The server refuses a data folder that others can read (e.g. after a copy or a restore).
            var mode = File.GetUnixFileMode(dataDirectory);
            const UnixFileMode tooOpen = UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            if ((mode & tooOpen) != 0)
                File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var adopted = await TryAdoptRunningServerAsync(bin, dataDirectory, databaseName, port, asSystemUser, ct);
        if (adopted is not null) return adopted;

        for (var attempt = 1; ; attempt++)
        {
            var chosenPort = port ?? FreePort();
            var instance = new EmbeddedPostgres(bin, dataDirectory, chosenPort, databaseName, asSystemUser);
            try
            {
                await instance.StartServerAsync(ct);
            }
            // Another process may take the free port between our probe and the server's bind.
            catch (EmbeddedPostgresException e) when (port is null && attempt < 3 && e.Message.Contains("Address already in use"))
            {
                continue;
            }

            try
            {
                await instance.EnsureDatabaseAsync(databaseName, ct);
            }
            catch
            {
                await instance.StopAsync();
                throw;
            }
            return instance;
        }
    }

    public Task StopAsync()
    {
        lock (_stopLock)
        {
            return _stopTask ??= StopCoreAsync();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    public override string ToString() => $"PostgreSQL on 127.0.0.1:{Port}, data in {DataDirectory}";

    private async Task StopCoreAsync()
    {
        // Pooled connections point at a server that is going away; a restart on the same port must not reuse them.
        await using (var conn = new NpgsqlConnection(ConnectionString)) NpgsqlConnection.ClearPool(conn);

        if (!File.Exists(Path.Combine(DataDirectory, "postmaster.pid"))) return;
        var (exitCode, output) = await RunAsync(_binDirectory, "pg_ctl", _asSystemUser, CancellationToken.None,
            "stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60");
        if (exitCode != 0 && File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            throw new EmbeddedPostgresException($"pg_ctl stop failed (exit code {exitCode}) for {DataDirectory}:\n{output}");
    }

    private async Task StartServerAsync(CancellationToken ct)
    {
        // A Unix socket path is limited to ~107 bytes; we connect over TCP anyway, so drop the socket if it would not fit.
        var socketDir = Path.Combine(DataDirectory, $".s.PGSQL.{Port}.lock").Length < 100 ? DataDirectory : "";
        var options = $"-p {Port} -k {ShellQuote(socketDir)} -c listen_addresses=127.0.0.1";
        var logFile = Path.Combine(DataDirectory, LogFileName);

        var (exitCode, output) = await RunAsync(_binDirectory, "pg_ctl", _asSystemUser, ct,
            "start", "-w", "-t", "60", "-D", DataDirectory, "-l", logFile, "-o", options);
        if (exitCode != 0)
        {
            throw new EmbeddedPostgresException(
                $"pg_ctl start failed (exit code {exitCode}) for {DataDirectory} on port {Port}:\n{output}\n" +
                $"--- last lines of {logFile} ---\n{TailOf(logFile)}");
        }
    }

    private async Task EnsureDatabaseAsync(string databaseName, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(BuildConnectionString(Port, "postgres", pooling: false));
        await conn.OpenAsync(ct);

        await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = $1", conn);
        exists.Parameters.Add(new NpgsqlParameter { Value = databaseName });
        if (await exists.ExecuteScalarAsync(ct) is not null) return;

        try
        {
            await using var create = new NpgsqlCommand($"create database \"{databaseName.Replace("\"", "\"\"")}\"", conn);
            await create.ExecuteNonQueryAsync(ct);
        }
        // Someone else created it concurrently: that is what we wanted.
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
        }
    }

    /// <summary>
    /// Deals with a postmaster.pid left behind: a previous run that was killed may have left its server running
    /// (reuse it if it serves the wanted port, otherwise stop it), or the pid may be dead or reused by an
    /// unrelated process (then the server would refuse to start, so remove the stale lock files).
    /// </summary>
    private static async Task<EmbeddedPostgres?> TryAdoptRunningServerAsync(
        string bin, string dataDirectory, string databaseName, int? port, bool asSystemUser, CancellationToken ct)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile)) return null;

        var lines = await File.ReadAllLinesAsync(pidFile, ct);
        var pid = lines.Length > 0 && int.TryParse(lines[0].Trim(), out var p) ? p : 0;
        var runningPort = lines.Length > 3 && int.TryParse(lines[3].Trim(), out var rp) ? rp : 0;

        if (!await IsServerRunningAsync(bin, dataDirectory, pid, asSystemUser, ct))
        {
            File.Delete(pidFile);
            foreach (var lockFile in Directory.GetFiles(dataDirectory, ".s.PGSQL.*")) File.Delete(lockFile);
            return null;
        }

        var running = new EmbeddedPostgres(bin, dataDirectory, runningPort, databaseName, asSystemUser) { Adopted = true };
        if (runningPort > 0 && (port is null || port == runningPort) && await AcceptsConnectionsAsync(runningPort, ct))
        {
            await running.EnsureDatabaseAsync(databaseName, ct);
            return running;
        }

        await running.StopAsync();
        return null;
    }

    private static async Task<bool> IsServerRunningAsync(string bin, string dataDirectory, int pid, bool asSystemUser, CancellationToken ct)
    {
        if (pid <= 0) return false;
        if (!Directory.Exists("/proc/self"))
        {
            var (exitCode, _) = await RunAsync(bin, "pg_ctl", asSystemUser, ct, "status", "-D", dataDirectory);
            return exitCode == 0;
        }

        var proc = $"/proc/{pid}";
        try
        {
            // A killed server whose parent does not reap it stays a zombie: its pid is taken but it serves nothing.
            var stat = await File.ReadAllTextAsync($"{proc}/stat", ct);
            if (stat[stat.LastIndexOf(')') + 2] is 'Z' or 'X') return false;

            // The postmaster's working directory is its data folder; this tells our server from a reused pid.
            var cwd = new DirectoryInfo($"{proc}/cwd").LinkTarget;
            if (cwd is null) return false;
            if (cwd == dataDirectory) return true;
            var theirPidFile = Path.Combine(cwd, "postmaster.pid");
            return File.Exists(theirPidFile) &&
                   await File.ReadAllTextAsync(theirPidFile, ct) == await File.ReadAllTextAsync(Path.Combine(dataDirectory, "postmaster.pid"), ct);
        }
        // Gone, or not ours to look at (then the server, too, ignores that pid).
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static async Task<bool> AcceptsConnectionsAsync(int port, CancellationToken ct)
    {
        try
        {
            var cs = new NpgsqlConnectionStringBuilder(BuildConnectionString(port, "postgres", pooling: false)) { Timeout = 5 };
            await using var conn = new NpgsqlConnection(cs.ConnectionString);
            await conn.OpenAsync(ct);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return false;
        }
    }

    [UnsupportedOSPlatform("windows")]
    private static async Task PrepareForSystemUserAsync(string dataDirectory, CancellationToken ct)
    {
        var (idExit, _) = await RunAsync(null, "id", false, ct, "-u", SystemUser);
        if (idExit != 0)
        {
            throw new EmbeddedPostgresException(
                $"Running as root, but there is no `{SystemUser}` system user to run the PostgreSQL server as " +
                "(initdb refuses root): install `postgresql` (Debian: apt-get install -y postgresql, which creates the user), " +
                $"create it (useradd --system {SystemUser}), run as a non-root user, or set ConnectionStrings:Marten.");
        }

        // The server, running as `postgres`, must be able to reach its folder, e.g. below /root (mode 700).
        for (var dir = Path.GetDirectoryName(dataDirectory); !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
        {
            var mode = File.GetUnixFileMode(dir);
            if ((mode & UnixFileMode.OtherExecute) == 0) File.SetUnixFileMode(dir, mode | UnixFileMode.OtherExecute);
        }

        var (_, owner) = await RunAsync(null, "stat", false, ct, "-c", "%U", dataDirectory);
        if (owner.Trim() != SystemUser)
            await RunCheckedAsync(null, "chown", false, ct, "-R", $"{SystemUser}:", dataDirectory);
    }

    private static async Task RunCheckedAsync(string? bin, string program, bool asSystemUser, CancellationToken ct, params string[] args)
    {
        var (exitCode, output) = await RunAsync(bin, program, asSystemUser, ct, args);
        if (exitCode != 0)
            throw new EmbeddedPostgresException($"`{program} {string.Join(' ', args)}` failed (exit code {exitCode}):\n{output}");
    }

    /// <returns>The exit code and stdout + stderr combined.</returns>
    private static async Task<(int ExitCode, string Output)> RunAsync(
        string? bin, string program, bool asSystemUser, CancellationToken ct, params string[] args)
    {
        var executable = bin is null ? program : Path.Combine(bin, program);
        var psi = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The system user may not be allowed into our working directory (e.g. /root); initdb complains then.
            WorkingDirectory = "/",
        };
        if (asSystemUser)
        {
            psi.FileName = "runuser";
            foreach (var a in new[] { "-u", SystemUser, "--", executable }) psi.ArgumentList.Add(a);
        }
        else
        {
            psi.FileName = executable;
        }
        foreach (var a in args) psi.ArgumentList.Add(a);

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new EmbeddedPostgresException($"Could not start {psi.FileName}.");
        }
        catch (Win32Exception e)
        {
            throw new EmbeddedPostgresException($"Could not run `{psi.FileName}`: {e.Message}", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            try
            {
                await process.WaitForExitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw;
            }
            var output = new StringBuilder().Append(await stdout).Append(await stderr).ToString().Trim();
            return (process.ExitCode, output);
        }
    }

    private static string BuildConnectionString(int port, string database, bool pooling) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = SystemUser,
            Database = database,
            Pooling = pooling,
        }.ConnectionString;

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try { return ((IPEndPoint)listener.LocalEndpoint).Port; }
        finally { listener.Stop(); }
    }

    // pg_ctl hands its -o options to /bin/sh.
    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\"'\"'") + "'";

    private static string TailOf(string file, int maxBytes = 4096)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(Math.Max(0, stream.Length - maxBytes), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException e)
        {
            return $"(cannot read the log: {e.Message})";
        }
        catch (UnauthorizedAccessException e)
        {
            return $"(cannot read the log: {e.Message})";
        }
    }
}

public sealed class EmbeddedPostgresException : Exception
{
    public EmbeddedPostgresException(string message) : base(message) { }
    public EmbeddedPostgresException(string message, Exception inner) : base(message, inner) { }
}
