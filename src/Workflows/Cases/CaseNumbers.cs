using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Vorgang.Workflows.Cases;

/// <summary>
/// Human-readable case numbers, sequential per year (<c>2026-000123</c>). The counter row is updated in its
/// own short transaction so that submissions do not queue behind each other; a failed submission leaves a gap.
/// </summary>
public sealed class CaseNumbers(NpgsqlDataSource dataSource, string schema)
{
    public const string TableName = "case_numbers";

    public static Table Table(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<int>("year").AsPrimaryKey();
        table.AddColumn<long>("last_number").NotNull();
        return table;
    }

    public async Task<string> NextAsync(int year, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            $"insert into {schema}.{TableName} (year, last_number) values ($1, 1) " +
            $"on conflict (year) do update set last_number = {TableName}.last_number + 1 returning last_number");
        command.Parameters.AddWithValue(year);
        var number = (long)(await command.ExecuteScalarAsync(ct))!;
        return Format(year, number);
    }

    public static string Format(int year, long number) => $"{year}-{number:D6}";

    /// <summary>Whether a text can be a case number at all; anything else is answered without asking the database.</summary>
    public static bool IsWellFormed(string? text) =>
        text is { Length: >= 11 and <= 20 } && char.IsAsciiDigit(text[0]) && text[4] == '-' &&
        text.AsSpan(0, 4).IndexOfAnyExceptInRange('0', '9') < 0 && text.AsSpan(5).IndexOfAnyExceptInRange('0', '9') < 0;
}
