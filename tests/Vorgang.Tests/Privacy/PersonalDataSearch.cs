using System.Diagnostics;
using Alba;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Privacy;

/// <summary>Looks for a value everywhere the engine writes: every table of the database, the captured log and the exported spans.</summary>
public static class PersonalDataSearch
{
    /// <summary>The tables (schema.table) with a row whose text contains <paramref name="value"/>.</summary>
    public static async Task<IReadOnlyList<string>> TablesContaining(this IAlbaHost host, string value)
    {
        var dataSource = host.Services.GetRequiredService<NpgsqlDataSource>();
        var tables = new List<string>();
        await using (var list = dataSource.CreateCommand(
            "select quote_ident(table_schema) || '.' || quote_ident(table_name) from information_schema.tables " +
            "where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')"))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }
        var found = new List<string>();
        foreach (var table in tables)
        {
            await using var count = dataSource.CreateCommand($"select count(*) from {table} t where t::text ilike '%' || $1 || '%'");
            count.Parameters.AddWithValue(value);
            if ((long)(await count.ExecuteScalarAsync())! > 0) found.Add(table);
        }
        return found;
    }

    public static IReadOnlyList<string> LogLinesContaining(this AppFixture app, string value) =>
        app.Logs.Snapshot().Where(l => l.Contains(value, StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>Spans whose name, tags, events or links mention <paramref name="value"/>.</summary>
    public static IReadOnlyList<string> SpansContaining(this AppFixture app, string value) =>
        app.Spans.Snapshot()
            .Where(span => Describe(span).Contains(value, StringComparison.OrdinalIgnoreCase))
            .Select(span => span.DisplayName)
            .ToList();

    private static string Describe(Activity span) => string.Join("\n",
        new[] { span.DisplayName, span.OperationName, span.StatusDescription ?? "" }
            .Concat(span.TagObjects.Select(t => $"{t.Key}={t.Value}"))
            .Concat(span.Events.SelectMany(e => new[] { e.Name }.Concat(e.Tags.Select(t => $"{t.Key}={t.Value}"))))
            .Concat(span.Baggage.Select(b => $"{b.Key}={b.Value}")));
}
