using Npgsql;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Cases;

namespace Vorgang.Tests.Engine;

/// <summary>Case numbers as two engine instances take them from one database, each reserving a block at a time.</summary>
public sealed class CaseNumberReserveTests
{
    [Fact]
    public async Task Two_instances_taking_numbers_at_once_never_hand_out_the_same_number_and_each_counts_upwards()
    {
        await using var dataSource = await NewDatabaseAsync();
        var first = new CaseNumbers(dataSource, "vorgang");
        var second = new CaseNumbers(dataSource, "vorgang");

        async Task<List<string>> Take(CaseNumbers numbers) =>
            (await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => numbers.NextAsync(2026, CancellationToken.None)))).ToList();
        var taken = await Task.WhenAll(Take(first), Take(second));

        var all = taken.SelectMany(n => n).ToList();
        Assert.Equal(200, all.Count);
        Assert.Equal(200, all.Distinct().Count());
        Assert.All(all, n => Assert.True(CaseNumbers.IsWellFormed(n), n));
        // One after another, an instance's numbers grow.
        var later = new List<string>();
        for (var i = 0; i < 40; i++) later.Add(await first.NextAsync(2026, CancellationToken.None));
        Assert.Equal(later.Order(StringComparer.Ordinal), later);
        Assert.Empty(later.Intersect(all));
    }

    [Fact]
    public async Task Numbers_are_reserved_a_block_at_a_time_so_a_submission_rarely_asks_the_database()
    {
        await using var dataSource = await NewDatabaseAsync();
        var numbers = new CaseNumbers(dataSource, "vorgang");

        Assert.Equal("2027-000001", await numbers.NextAsync(2027, CancellationToken.None));
        for (var i = 2; i <= CaseNumbers.BlockSize; i++) await numbers.NextAsync(2027, CancellationToken.None);
        Assert.Equal(CaseNumbers.BlockSize, await LastValue(dataSource));

        // The seventeenth number needs the next block.
        Assert.Equal(CaseNumbers.Format(2027, CaseNumbers.BlockSize + 1), await numbers.NextAsync(2027, CancellationToken.None));
        Assert.Equal(2 * CaseNumbers.BlockSize, await LastValue(dataSource));
    }

    /// <summary>A database of its own: the sequences' values are what the tests read.</summary>
    private static async Task<NpgsqlDataSource> NewDatabaseAsync()
    {
        var dataSource = NpgsqlDataSource.Create(await TestDatabase.CreateDatabaseAsync("numbers"));
        await using var schema = dataSource.CreateCommand("create schema if not exists vorgang");
        await schema.ExecuteNonQueryAsync();
        return dataSource;
    }

    private static async Task<long> LastValue(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("select last_value from vorgang.case_number_2027");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
