using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using JasperFx.Events;
using Marten;
using Vorgang.Workflows.Cases;

namespace Vorgang.Workflows.Audit;

/// <summary>
/// Tamper evidence: the events of each case are chained by hashes,
/// <c>hash_n = SHA-256(hash_{n-1} ‖ case number ‖ version ‖ event type ‖ canonical JSON of the data)</c>, with
/// <c>hash_0 = SHA-256(case number)</c>. Each event carries its <c>hash_n</c> in the header <see cref="HashHeader"/>.
/// <para>
/// <b>Every append to a case stream goes through <see cref="StartStream"/> or <see cref="AppendAsync"/></b>, which also
/// stamp each event (<see cref="CaseStamp"/>); <see cref="CaseStreamGuard"/> refuses at commit any event on a case stream
/// without its link and stamp (decision 29).
/// </para>
/// </summary>
public static class CaseChain
{
    public const string HashHeader = "hash";

    /// <summary>Starts a case stream with chained, stamped events (versions 1, 2, …).</summary>
    public static StreamAction StartStream(IDocumentSession session, string caseNumber, CaseStamp stamp, params object[] events)
    {
        var action = session.Events.StartStream<Case>(caseNumber, events);
        Seal(session, caseNumber, Genesis(caseNumber), 0, action.Events, stamp);
        return action;
    }

    /// <summary>
    /// Appends chained events to a case fetched with <c>FetchForWriting</c>. The previous link is the stored hash of
    /// the event at the fetched version (one indexed read); a concurrent writer cannot slip in between, because the
    /// optimistic version check at commit refuses the whole transaction then.
    /// </summary>
    public static async Task AppendAsync(IDocumentSession session, IEventStream<Case> stream, CaseStamp stamp, IReadOnlyCollection<object> events, CancellationToken ct)
    {
        if (events.Count == 0) return;
        var key = stream.Key ?? throw new InvalidOperationException("Case streams are keyed by case number.");
        var version = stream.CurrentVersion ?? 0;
        // Events appended earlier on this handle and not yet saved are the tail of the chain.
        var previous = stream.Events.Count > 0 && stream.Events[^1].GetHeader(HashHeader) is { } pending
            ? pending.ToString()!
            : await StoredHeadAsync(session, key, version, ct);
        stream.AppendMany(events);
        Seal(session, key, previous, version, stream.Events.Skip(stream.Events.Count - events.Count), stamp);
    }

    public static string Genesis(string caseNumber) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(caseNumber)));

    /// <summary>One link of the chain; <paramref name="canonicalData"/> is the event data as <see cref="CanonicalJson"/> writes it.</summary>
    public static string Link(string previous, string caseNumber, long version, string eventType, string canonicalData) =>
        Link(previous, caseNumber, version, eventType, Encoding.UTF8.GetBytes(canonicalData));

    /// <summary>One link of the chain over event data as stored (any JSON text of it: it is canonicalized first).</summary>
    public static string LinkJson(string previous, string caseNumber, long version, string eventType, string json)
    {
        // One buffer per thread: a submission hashes its event while handling the request, nothing of it outlives the call.
        var buffer = CanonicalBuffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        CanonicalJson.WriteTo(buffer, json);
        var link = Link(previous, caseNumber, version, eventType, buffer.WrittenSpan);
        if (buffer.Capacity > 64 * 1024) CanonicalBuffer = null; // a rare large event's buffer is not kept
        return link;
    }

    [ThreadStatic] private static ArrayBufferWriter<byte>? CanonicalBuffer;

    private static string Link(string previous, string caseNumber, long version, string eventType, ReadOnlySpan<byte> canonicalData)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> previousHash = stackalloc byte[SHA256.HashSizeInBytes];
        if (previous.Length == 2 * SHA256.HashSizeInBytes && Convert.FromHexString(previous, previousHash, out _, out _) == OperationStatus.Done)
            sha.AppendData(previousHash);
        else
            sha.AppendData(Convert.FromHexString(previous)); // not a SHA-256 link (a stored head someone changed): as before, or FormatException
        sha.AppendData(Encoding.UTF8.GetBytes($"{caseNumber}\n{version}\n{eventType}\n"));
        sha.AppendData(canonicalData);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        sha.GetHashAndReset(hash);
        return Convert.ToHexStringLower(hash);
    }

    private static void Seal(IDocumentSession session, string caseNumber, string previous, long version, IEnumerable<IEvent> events, CaseStamp stamp)
    {
        // Hashed as it will be stored: the store's own serializer, then canonical (jsonb keeps neither key order nor spacing).
        var serializer = session.DocumentStore.Options.Serializer();
        foreach (var e in events)
        {
            version++;
            var type = e.EventTypeName ?? throw new InvalidOperationException($"Event {e.Data.GetType().Name} has no stored type name.");
            previous = LinkJson(previous, caseNumber, version, type, serializer.ToJson(e.Data));
            e.SetHeader(HashHeader, previous);
            stamp.Apply(e);
        }
    }

    private static async Task<string> StoredHeadAsync(IDocumentSession session, string caseNumber, long version, CancellationToken ct)
    {
        if (version == 0) return Genesis(caseNumber);
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        var stored = await session.AdvancedSql.QueryAsync<string>(
            $"select coalesce(headers->>'{HashHeader}', '') from {schema}.mt_events where stream_id = ? and version = ?", ct, caseNumber, version);
        if (stored is [{ Length: > 0 } head]) return head;

        // A case from before the chain existed: link to what its hashes would have been, so that verification
        // names the first unsealed event rather than every later one.
        var previous = Genesis(caseNumber);
        var serializer = session.DocumentStore.Options.Serializer();
        foreach (var e in await session.Events.FetchStreamAsync(caseNumber, version, token: ct))
            previous = e.GetHeader(HashHeader)?.ToString() is { Length: > 0 } sealedHash
                ? sealedHash
                : LinkJson(previous, caseNumber, e.Version, e.EventTypeName, serializer.ToJson(e.Data));
        return previous;
    }
}
