using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Vorgang.Workflows.Cases;

namespace Vorgang.Workflows.Audit;

/// <summary>
/// The first link of a case's chain that does not hold. <see cref="Problem"/> is <c>hash-mismatch</c> (the event's
/// data, type or version, or an earlier link, was changed), <c>missing-hash</c> (appended without the chain),
/// <c>missing-event</c> (an event was deleted: <see cref="Expected"/> names the version that should come next) or
/// <c>stream-version-mismatch</c> (the stream says it has more or fewer events than are stored: the last ones were deleted).
/// </summary>
public sealed record ChainBreak(long Version, string Problem, string Expected, string Found);

/// <summary>The verdict on one case: intact, or its first broken link. <see cref="Head"/> is the hash of the last event when intact.</summary>
public sealed record ChainReport(string CaseNumber, bool Intact, long Events, long StreamVersion, string? Head, ChainBreak? FirstBreak);

/// <summary>
/// The verdict on all cases. <see cref="HeadsDigest"/> is SHA-256 over every case's <c>number version head</c> line in
/// order: kept outside the database (a printout, a signed mail), it shows later that no chain was rewritten as a whole.
/// </summary>
public sealed record ChainSummary(long Cases, long Events, long Intact, long Broken, string HeadsDigest, IReadOnlyList<ChainReport> BrokenCases);

/// <summary>
/// Re-reads the events as stored — the raw <c>jsonb</c> of <c>mt_events.data</c>, not what Marten deserializes — and
/// recomputes each case's chain, so that an event changed or deleted directly in SQL is found.
/// </summary>
public sealed class CaseChainVerifier(NpgsqlDataSource dataSource, string schema)
{
    /// <summary>How many broken cases <see cref="VerifyAllAsync"/> lists (all are counted).</summary>
    public const int MaxListedBreaks = 100;

    /// <returns>The verdict, or null when there is no such case.</returns>
    public async Task<ChainReport?> VerifyCaseAsync(string caseNumber, CancellationToken ct)
    {
        ChainReport? report = null;
        await ReadAsync(caseNumber, r => report = r, ct);
        return report;
    }

    /// <param name="progress">Called now and then with the cases and events checked so far.</param>
    public async Task<ChainSummary> VerifyAllAsync(Action<long, long>? progress, CancellationToken ct)
    {
        long cases = 0, events = 0, intact = 0, broken = 0;
        var listed = new List<ChainReport>();
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await ReadAsync(null, report =>
        {
            cases++;
            events += report.Events;
            if (report.Intact) intact++;
            else if (++broken <= MaxListedBreaks) listed.Add(report);
            digest.AppendData(Encoding.UTF8.GetBytes($"{report.CaseNumber} {report.StreamVersion} {report.Head ?? "-"}\n"));
            if (cases % 1000 == 0) progress?.Invoke(cases, events);
        }, ct);
        progress?.Invoke(cases, events);
        return new ChainSummary(cases, events, intact, broken, Convert.ToHexStringLower(digest.GetHashAndReset()), listed);
    }

    /// <summary>How many case streams <see cref="VerifyAllAsync"/> will check: the total its progress is shown against.</summary>
    public async Task<long> CountCasesAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select count(*) from {schema}.mt_streams where id ~ '^[0-9]{{4}}-[0-9]{{6,15}}$'");
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
    }

    private async Task ReadAsync(string? onlyCase, Action<ChainReport> report, CancellationToken ct)
    {
        // Streams left-joined to their events: a case whose events were all deleted still shows up.
        var sql = $"""
            select s.id, s.version, e.version, e.type, e.data::text, e.headers->>'{CaseChain.HashHeader}'
            from {schema}.mt_streams s left join {schema}.mt_events e on e.stream_id = s.id
            {(onlyCase is null ? "" : "where s.id = $1")}
            order by s.id, e.version
            """;
        await using var command = dataSource.CreateCommand(sql);
        if (onlyCase is not null) command.Parameters.AddWithValue(onlyCase);
        await using var reader = await command.ExecuteReaderAsync(ct);

        Walk? walk = null;
        while (await reader.ReadAsync(ct))
        {
            var key = reader.GetString(0);
            if (walk?.CaseNumber != key)
            {
                if (walk is not null) report(walk.End());
                // Only case streams are chained; anything else in the store is not ours to judge.
                walk = CaseNumbers.IsWellFormed(key) ? new Walk(key, reader.GetInt64(1)) : null;
                if (walk is null) continue;
            }
            if (reader.IsDBNull(2)) continue;
            walk.Next(reader.GetInt64(2), reader.GetString(3), reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5));
        }
        if (walk is not null) report(walk.End());
    }

    private sealed class Walk(string caseNumber, long streamVersion)
    {
        private string _previous = CaseChain.Genesis(caseNumber);
        private long _expected = 1;
        private long _events;
        private ChainBreak? _break;

        public string CaseNumber => caseNumber;

        public void Next(long version, string type, string data, string? stored)
        {
            _events++;
            if (_break is not null) return;
            if (version != _expected)
            {
                _break = new ChainBreak(_expected, "missing-event", $"version {_expected}", $"version {version}");
                return;
            }
            var hash = CaseChain.LinkJson(_previous, caseNumber, version, type, data);
            if (string.IsNullOrEmpty(stored)) _break = new ChainBreak(version, "missing-hash", hash, "none");
            else if (stored != hash)
                _break = new ChainBreak(version, "hash-mismatch", hash, stored);
            else
            {
                _previous = hash;
                _expected++;
            }
        }

        public ChainReport End()
        {
            var last = _expected - 1;
            if (_break is null && last != streamVersion)
                _break = new ChainBreak(Math.Min(last, streamVersion) + 1, "stream-version-mismatch", $"{streamVersion} events (the stream's version)", $"{last} events");
            return new ChainReport(caseNumber, _break is null, _events, streamVersion, _break is null && last > 0 ? _previous : null, _break);
        }
    }
}
