using System.Collections.Concurrent;
using Npgsql;

namespace Vorgang.Workflows.Cases;

/// <summary>
/// Human-readable case numbers, sequential per year (<c>2026-000123</c>), from one PostgreSQL sequence per year.
/// A sequence never makes a submission wait for another one's commit (a counter row would serialize all
/// submissions on its lock); a failed submission leaves a gap, never a duplicate.
/// </summary>
public sealed class CaseNumbers(NpgsqlDataSource dataSource, string schema)
{
    private readonly ConcurrentDictionary<int, string> _sequences = new();

    public static string SequenceName(string schema, int year) => $"{schema}.case_number_{year}";

    public async Task<string> NextAsync(int year, CancellationToken ct)
    {
        var sequence = await SequenceAsync(year, ct);
        await using var command = dataSource.CreateCommand($"select nextval('{sequence}')");
        var number = (long)(await command.ExecuteScalarAsync(ct))!;
        return Format(year, number);
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
