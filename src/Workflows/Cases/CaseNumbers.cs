using System.Collections.Concurrent;
using Npgsql;

namespace Vorgang.Workflows.Cases;

/// <summary>
/// Human-readable case numbers, per year (<c>2026-000123</c>), from one PostgreSQL sequence per year. A sequence never
/// makes a submission wait for another one's commit (a counter row would serialize all submissions on its lock); a
/// failed submission leaves a gap, never a duplicate. Each instance reserves <see cref="BlockSize"/> numbers at a time,
/// which spares every submission a round trip of its own: numbers grow within an instance, instances interleave, and
/// the numbers an instance had reserved and not used when it stops are gaps too.
/// </summary>
public sealed class CaseNumbers(NpgsqlDataSource dataSource, string schema)
{
    public const int BlockSize = 16;

    private readonly ConcurrentDictionary<int, string> _sequences = new();
    private readonly ConcurrentDictionary<int, Reserve> _reserves = new();

    /// <summary>The numbers of a year this instance has reserved and not yet handed out; one refill at a time.</summary>
    private sealed class Reserve
    {
        public readonly Queue<long> Numbers = new();
        public readonly SemaphoreSlim Refill = new(1, 1);

        public bool TryTake(out long number)
        {
            lock (Numbers) return Numbers.TryDequeue(out number);
        }
    }

    public static string SequenceName(string schema, int year) => $"{schema}.case_number_{year}";

    public async Task<string> NextAsync(int year, CancellationToken ct)
    {
        var reserve = _reserves.GetOrAdd(year, static _ => new Reserve());
        while (true)
        {
            if (reserve.TryTake(out var number)) return Format(year, number);
            await reserve.Refill.WaitAsync(ct);
            try
            {
                // Whoever refilled meanwhile has left numbers for this caller too.
                if (reserve.TryTake(out number)) return Format(year, number);
                var sequence = await SequenceAsync(year, ct);
                await using var command = dataSource.CreateCommand($"select nextval('{sequence}') from generate_series(1, {BlockSize})");
                var reserved = new List<long>(BlockSize);
                await using (var reader = await command.ExecuteReaderAsync(ct))
                {
                    while (await reader.ReadAsync(ct)) reserved.Add(reader.GetInt64(0));
                }
                reserved.Sort();
                lock (reserve.Numbers)
                {
                    foreach (var n in reserved) reserve.Numbers.Enqueue(n);
                }
            }
            finally
            {
                reserve.Refill.Release();
            }
        }
    }

    private async ValueTask<string> SequenceAsync(int year, CancellationToken ct)
    {
        if (_sequences.TryGetValue(year, out var known)) return known;
        var sequence = SequenceName(schema, year);
        await using var create = dataSource.CreateCommand($"create sequence if not exists {sequence} minvalue 1 start 1");
        try
        {
            await create.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateObject)
        {
            // Two instances created the year's sequence at the same moment; it exists, which is all we need.
        }
        return _sequences[year] = sequence;
    }

    public static string Format(int year, long number) => $"{year}-{number:D6}";

    /// <summary>Whether a text can be a case number at all; anything else is answered without asking the database.</summary>
    public static bool IsWellFormed(string? text) =>
        text is { Length: >= 11 and <= 20 } && char.IsAsciiDigit(text[0]) && text[4] == '-' &&
        text.AsSpan(0, 4).IndexOfAnyExceptInRange('0', '9') < 0 && text.AsSpan(5).IndexOfAnyExceptInRange('0', '9') < 0;
}
