using System.Text;
using Npgsql;

namespace Vorgang.Tests.Security;

/// <summary>
/// What the engine has stored, in one query: for every table of the engine's schema its row count and a digest of
/// its rows, every sequence's position, and the highest event sequence number. Two equal fingerprints mean that
/// nothing was written in between — not even a sequence number drawn and thrown away.
/// </summary>
public sealed class DatabaseFingerprint
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _query;

    private DatabaseFingerprint(NpgsqlDataSource dataSource, string query)
    {
        _dataSource = dataSource;
        _query = query;
    }

    public IReadOnlyList<string> Tables { get; private init; } = [];

    public static async Task<DatabaseFingerprint> ForSchemaAsync(NpgsqlDataSource dataSource, string schema)
    {
        var tables = new List<string>();
        var sequences = new List<string>();
        await using (var command = dataSource.CreateCommand(
            """
            select 'table', table_name from information_schema.tables where table_schema = $1 and table_type = 'BASE TABLE'
            union all
            select 'sequence', sequence_name from information_schema.sequences where sequence_schema = $1
            order by 1, 2
            """))
        {
            command.Parameters.AddWithValue(schema);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                (reader.GetString(0) == "table" ? tables : sequences).Add(reader.GetString(1));
        }
        Assert.Contains("mt_events", tables);

        var parts = new List<string>();
        foreach (var table in tables)
        {
            var name = $"{Quote(schema)}.{Quote(table)}";
            // Wolverine's node tables record its own heartbeats and assignments, and the async daemon stamps its
            // progress rows each time it looks, whatever the requests do: of those, only what they record counts.
            parts.Add(table switch
            {
                _ when table.StartsWith("wolverine_node", StringComparison.Ordinal) => $"select '{table}', null::bigint, (select count(*) from {name})::text",
                "mt_event_progression" => $"select '{table}', (select count(*) from {name}), (select md5(coalesce(string_agg(name || ':' || last_seq_id, '|' order by name), '')) from {name})",
                _ => $"select '{table}', (select count(*) from {name}), (select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from {name} t)",
            });
        }
        foreach (var sequence in sequences)
            parts.Add($"select 'sequence {sequence}', (select last_value from {Quote(schema)}.{Quote(sequence)}), null");
        parts.Add($"select 'max seq_id', (select coalesce(max(seq_id), 0) from {Quote(schema)}.mt_events), null");
        return new DatabaseFingerprint(dataSource, string.Join("\nunion all\n", parts)) { Tables = tables };
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    public async Task<Snapshot> TakeAsync()
    {
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await using var command = _dataSource.CreateCommand(_query);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var count = reader.IsDBNull(1) ? "" : reader.GetInt64(1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var digest = reader.IsDBNull(2) ? "" : reader.GetString(2);
            values[reader.GetString(0)] = $"{count} {digest}".Trim();
        }
        return new Snapshot(values);
    }

    public sealed record Snapshot(SortedDictionary<string, string> Values)
    {
        /// <summary>The entries that differ, as "name: before → after".</summary>
        public IReadOnlyList<string> Changes(Snapshot after)
        {
            var changes = new List<string>();
            foreach (var key in Values.Keys.Union(after.Values.Keys).Order(StringComparer.Ordinal))
            {
                Values.TryGetValue(key, out var a);
                after.Values.TryGetValue(key, out var b);
                if (a != b) changes.Add($"{key}: {a ?? "(none)"} → {b ?? "(none)"}");
            }
            return changes;
        }

        public IReadOnlyList<string> ChangedNames(Snapshot after) =>
            Values.Keys.Union(after.Values.Keys).Where(k => Values.GetValueOrDefault(k) != after.Values.GetValueOrDefault(k)).ToList();

        public override string ToString()
        {
            var text = new StringBuilder();
            foreach (var (key, value) in Values) text.Append(key).Append(": ").AppendLine(value);
            return text.ToString();
        }
    }
}
