using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Marten;
using Npgsql;
using Vorgang.Api.Hosting;
using Vorgang.Workflows.Cases;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Vorgang.Api.Features.Tracking;

/// <summary>
/// Limits for wrong tracking codes (<c>Vorgang:Tracking:*</c>). A case number with <see cref="CaseFailureLimit"/> failures
/// within <see cref="CaseWindowMinutes"/> is locked for everyone for <see cref="CaseLockoutMinutes"/>; a client (IP address,
/// IPv6 by its /64) with <see cref="ClientFailureLimit"/> failures across any numbers is locked likewise.
/// </summary>
public sealed class TrackingLockoutOptions
{
    public bool Enabled { get; set; } = true;
    public int CaseFailureLimit { get; set; } = 5;
    public int CaseWindowMinutes { get; set; } = 15;
    public int CaseLockoutMinutes { get; set; } = 15;
    public int ClientFailureLimit { get; set; } = 20;
    public int ClientWindowMinutes { get; set; } = 15;
    public int ClientLockoutMinutes { get; set; } = 15;
}

/// <summary>Marks an endpoint that checks a tracking code: it is refused while locked, and its wrong codes count.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TrackingLockoutAttribute : Attribute;

/// <summary>
/// Failure counters for tracking codes, kept in PostgreSQL (<c>vorgang.tracking_failures</c>) so that every engine instance
/// sees the same counts and locks. One row per case number and one per client: failures in the current window, when the
/// window started, and until when the key is locked. A failure counts the same whether the case exists or not, so neither
/// the counts nor a lock tell anything about which numbers are in use. Success resets nothing: a citizen's correct code
/// must not wipe out what others tried on the number, and an attacker's own valid code must not wipe out their record.
/// </summary>
public sealed class TrackingLockout(NpgsqlDataSource dataSource, TimeProvider time, EngineSecrets secrets, TrackingLockoutOptions options)
{
    public const string TableName = "tracking_failures";
    private const string FailedItem = "vorgang.tracking-code-failed";
    private static readonly TimeSpan CleanupEvery = TimeSpan.FromMinutes(5);

    private readonly string _table = $"{VorgangSetup.Schema}.{TableName}";
    private long _lastCleanupTicks;

    public bool Enabled => options.Enabled;

    /// <summary>The table, created with Marten's other schema objects at start.</summary>
    internal static void AddSchema(StoreOptions store)
    {
        var table = new Table(new PostgresqlObjectName(store.DatabaseSchemaName, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("key").AsPrimaryKey();
        table.AddColumn<int>("failures").NotNull();
        table.AddColumn("window_started", "timestamp with time zone").NotNull();
        table.AddColumn("locked_until", "timestamp with time zone").AllowNulls();
        // When the row stops mattering (its window and its lock are over): what the clean-up deletes by.
        table.AddColumn("expires_at", "timestamp with time zone").NotNull();
        table.Indexes.Add(new IndexDefinition($"ix_{TableName}_expires_at") { Columns = ["expires_at"] });
        store.Storage.ExtendedSchemaObjects.Add(table);
    }

    /// <summary>Called where a tracking code was wrong or the number unknown; the failure is stored before the answer leaves.</summary>
    public static void MarkFailed(HttpContext context) => context.Items[FailedItem] = true;

    public static bool Failed(HttpContext context) => context.Items.ContainsKey(FailedItem);

    /// <summary>The counters a request touches: its case number (when it can be one) and its client.</summary>
    public IReadOnlyList<LockoutKey> Keys(string? caseNumber, IPAddress? client)
    {
        var keys = new List<LockoutKey>(2);
        // A malformed number cannot name a case; counting it per number would only fill the table.
        if (CaseNumbers.IsWellFormed(caseNumber))
            keys.Add(new("case:" + caseNumber, LockoutScope.CaseNumber, options.CaseFailureLimit, options.CaseWindowMinutes, options.CaseLockoutMinutes));
        keys.Add(new("client:" + ClientId(client), LockoutScope.Client, options.ClientFailureLimit, options.ClientWindowMinutes, options.ClientLockoutMinutes));
        return keys;
    }

    /// <summary>The longest lock in force on any of the keys, or null.</summary>
    public async Task<(DateTimeOffset Until, LockoutScope Scope)?> LockedAsync(IReadOnlyList<LockoutKey> keys, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            $"select key, locked_until from {_table} where key = any(@keys) and locked_until > @now order by locked_until desc limit 1");
        command.Parameters.AddWithValue("keys", keys.Select(k => k.Key).ToArray());
        command.Parameters.AddWithValue("now", time.GetUtcNow());
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var key = reader.GetString(0);
        return (reader.GetFieldValue<DateTimeOffset>(1), keys.First(k => k.Key == key).Scope);
    }

    /// <summary>Counts one failure on each key (atomically, whichever instance counts) and locks a key that reaches its limit.</summary>
    public async Task RecordFailureAsync(IReadOnlyList<LockoutKey> keys, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var batch = dataSource.CreateBatch();
        foreach (var key in keys)
        {
            // A new window starts when the last one is over or a lock has ended: after a lock there are as many tries as before.
            const string restart = "(f.window_started + @window <= @now or f.locked_until <= @now)";
            const string failures = $"(case when {restart} then 1 else f.failures + 1 end)";
            const string lockedUntil = $"(case when {failures} >= @limit then @now + @lockout when {restart} then null else f.locked_until end)";
            var command = new NpgsqlBatchCommand($"""
                insert into {_table} as f (key, failures, window_started, locked_until, expires_at)
                values (@key, 1, @now, case when 1 >= @limit then @now + @lockout end, @now + greatest(@window, case when 1 >= @limit then @lockout else @window end))
                on conflict (key) do update set
                    failures = {failures},
                    window_started = case when {restart} then @now else f.window_started end,
                    locked_until = {lockedUntil},
                    expires_at = greatest((case when {restart} then @now else f.window_started end) + @window, coalesce({lockedUntil}, @now))
                """);
            command.Parameters.AddWithValue("key", key.Key);
            command.Parameters.AddWithValue("now", now);
            command.Parameters.AddWithValue("limit", Math.Max(1, key.Limit));
            command.Parameters.AddWithValue("window", TimeSpan.FromMinutes(Math.Max(1, key.WindowMinutes)));
            command.Parameters.AddWithValue("lockout", TimeSpan.FromMinutes(Math.Max(1, key.LockoutMinutes)));
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync(ct);
        await CleanUpAsync(now, ct);
    }

    /// <summary>Deletes rows whose window and lock are over, at most every few minutes per instance.</summary>
    private async Task CleanUpAsync(DateTimeOffset now, CancellationToken ct)
    {
        var last = Interlocked.Read(ref _lastCleanupTicks);
        if (now.UtcTicks - last < CleanupEvery.Ticks || Interlocked.CompareExchange(ref _lastCleanupTicks, now.UtcTicks, last) != last) return;
        await using var command = dataSource.CreateCommand($"delete from {_table} where expires_at <= @now");
        command.Parameters.AddWithValue("now", now);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The client as far as the engine can tell: its IP address (behind a reverse proxy, configure forwarded headers so that
    /// this is the citizen's), IPv6 by its /64 since one subscriber holds a whole /64. Stored only as a keyed hash.
    /// </summary>
    private string ClientId(IPAddress? address)
    {
        var text = "unknown";
        if (address is not null)
        {
            if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                var bytes = address.GetAddressBytes();
                Array.Clear(bytes, 8, 8);
                address = new IPAddress(bytes);
            }
            text = address.ToString();
        }
        return Convert.ToHexStringLower(HMACSHA256.HashData(secrets.TrackingCodeKey, Encoding.UTF8.GetBytes("tracking-client\n" + text)))[..32];
    }

    public IResult TooManyAttempts(HttpContext context, DateTimeOffset until, LockoutScope scope)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling((until - time.GetUtcNow()).TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var minutes = (seconds + 59) / 60;
        return Problems.Problems.Status(context, 429, "too-many-attempts", "Too many wrong tracking codes.", scope == LockoutScope.CaseNumber
            ? $"This case number is locked for {minutes} minute(s) after too many wrong tracking codes. Try again later, or contact the office."
            : $"Too many wrong tracking codes came from your connection. Try again in {minutes} minute(s).");
    }
}

public enum LockoutScope { CaseNumber, Client }

public sealed record LockoutKey(string Key, LockoutScope Scope, int Limit, int WindowMinutes, int LockoutMinutes);

/// <summary>
/// Around every endpoint marked <see cref="TrackingLockoutAttribute"/>: refuses with 429 while the number or the client is
/// locked (even with the right code), and stores a failure the endpoint marked before its answer starts — so that the next
/// request, on whatever instance, already sees it.
/// </summary>
public sealed class TrackingLockoutMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, TrackingLockout lockout)
    {
        if (!lockout.Enabled || context.GetEndpoint()?.Metadata.GetMetadata<TrackingLockoutAttribute>() is null)
        {
            await next(context);
            return;
        }
        var keys = lockout.Keys(context.GetRouteValue("caseNumber") as string, context.Connection.RemoteIpAddress);
        if (await lockout.LockedAsync(keys, context.RequestAborted) is { } locked)
        {
            await lockout.TooManyAttempts(context, locked.Until, locked.Scope).ExecuteAsync(context);
            return;
        }
        context.Response.OnStarting(async () =>
        {
            if (TrackingLockout.Failed(context)) await lockout.RecordFailureAsync(keys, CancellationToken.None);
        });
        await next(context);
    }
}

public static class TrackingLockoutSetup
{
    /// <summary>The failure counters' table, beside the event store's.</summary>
    public static void AddTrackingLockout(this StoreOptions store) => TrackingLockout.AddSchema(store);

    public static IServiceCollection AddTrackingLockout(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(configuration.GetSection("Vorgang:Tracking").Get<TrackingLockoutOptions>() ?? new TrackingLockoutOptions());
        services.AddSingleton<TrackingLockout>();
        return services;
    }
}
