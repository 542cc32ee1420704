using System.Text;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Tests.Engine;

public sealed class TrackingCodesTests
{
    private const string Crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const string Format = "^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$";

    [Fact]
    public void A_new_code_is_four_groups_of_five_crockford_base32_symbols()
    {
        var code = TrackingCodes.New();

        Assert.Matches(Format, code);
        Assert.Equal(23, code.Length);
        Assert.Equal(20, code.Count(c => c != '-')); // 20 symbols × 5 bits = 100 bits
        Assert.DoesNotContain(code, c => c is 'I' or 'L' or 'O' or 'U');
    }

    [Fact]
    public void Ten_thousand_codes_are_distinct_and_use_every_symbol_in_every_position()
    {
        var codes = Enumerable.Range(0, 10_000).Select(_ => TrackingCodes.New()).ToList();

        Assert.All(codes, code => Assert.Matches(Format, code));
        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
        // Every one of the 20 positions carries 5 random bits: with ~312 draws per symbol, a missing symbol means a bias.
        var symbols = codes.Select(c => c.Replace("-", "")).ToList();
        for (var position = 0; position < 20; position++)
        {
            var seen = symbols.Select(s => s[position]).ToHashSet();
            Assert.True(seen.Count == 32, $"Position {position} used only {seen.Count} of 32 symbols.");
        }
    }

    [Fact]
    public void Normalize_accepts_the_code_as_typed()
    {
        Assert.Equal("ABCDE0123456789FGHJK", TrackingCodes.Normalize("ABCDE-01234-56789-FGHJK"));
        Assert.Equal("ABCDE0123456789FGHJK", TrackingCodes.Normalize("abcde-01234-56789-fghjk"));
        Assert.Equal("ABCDE0123456789FGHJK", TrackingCodes.Normalize("abcde0123456789fghjk"));
        Assert.Equal("ABCDE0123456789FGHJK", TrackingCodes.Normalize(" ABCDE 01234 56789 FGHJK "));
        Assert.Equal("00000111110000011111", TrackingCodes.Normalize("OoOoO-IiLlI-oOoOo-lLiI1"));
    }

    [Fact]
    public void Normalize_turns_non_ascii_into_a_symbol_that_never_matches()
    {
        Assert.Equal("ABC?", TrackingCodes.Normalize("abcé"));
    }

    [Fact]
    public void Hash_is_sha256_hex_of_the_normalized_code()
    {
        var hash = TrackingCodes.Hash("ABCDE-01234-56789-FGHJK");

        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.ASCII.GetBytes("ABCDE0123456789FGHJK"))), hash);
        Assert.Equal(hash, TrackingCodes.Hash("abcde0123456789fghjk"));
        Assert.NotEqual(hash, TrackingCodes.Hash("ABCDE-01234-56789-FGHJM"));
    }

    [Fact]
    public void Matches_accepts_the_code_as_typed_and_refuses_others()
    {
        var code = TrackingCodes.New();
        var hash = TrackingCodes.Hash(code);
        var typed = code.ToLowerInvariant().Replace("-", "").Replace('0', 'o').Replace('1', 'l');

        Assert.True(TrackingCodes.Matches(code, hash));
        Assert.True(TrackingCodes.Matches(typed, hash));
        Assert.False(TrackingCodes.Matches(TrackingCodes.New(), hash));
        Assert.False(TrackingCodes.Matches(code[..^1], hash));
        Assert.False(TrackingCodes.Matches(null, hash));
        Assert.False(TrackingCodes.Matches("", hash));
        Assert.False(TrackingCodes.Matches("   ", hash));
        Assert.False(TrackingCodes.Matches(code + new string('-', 64), hash)); // longer than 64 characters
        Assert.False(TrackingCodes.Matches(code, hash.ToUpperInvariant()));
    }

    [Fact]
    public void Derive_is_deterministic_per_secret_service_and_key()
    {
        var secret = Encoding.UTF8.GetBytes("a server secret of enough length");
        var other = Encoding.UTF8.GetBytes("another server secret of length!");

        var code = TrackingCodes.Derive(secret, "change-of-address", "key-1");

        Assert.Matches(Format, code);
        Assert.Equal(code, TrackingCodes.Derive(secret, "change-of-address", "key-1"));
        Assert.Equal(code, TrackingCodes.Derive((byte[])secret.Clone(), "change-of-address", "key-1"));
        Assert.NotEqual(code, TrackingCodes.Derive(secret, "change-of-address", "key-2"));
        Assert.NotEqual(code, TrackingCodes.Derive(secret, "defect-report", "key-1"));
        Assert.NotEqual(code, TrackingCodes.Derive(other, "change-of-address", "key-1"));
        // Service and key are kept apart by a separator, so moving characters between them changes the code.
        Assert.NotEqual(TrackingCodes.Derive(secret, "ab", "c"), TrackingCodes.Derive(secret, "a", "bc"));
    }

    [Fact]
    public void Derived_codes_for_many_keys_are_distinct()
    {
        var secret = Encoding.UTF8.GetBytes("a server secret of enough length");

        var codes = Enumerable.Range(0, 1_000).Select(i => TrackingCodes.Derive(secret, "change-of-address", $"key-{i}")).ToList();

        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.All(codes, c => Assert.All(c.Replace("-", ""), s => Assert.Contains(s, Crockford)));
    }
}

public sealed class WorkingDaysTests
{
    [Theory]
    [InlineData("2026-03-02", 0, "2026-03-02")]  // Monday + 0
    [InlineData("2026-03-02", 1, "2026-03-03")]  // Monday → Tuesday
    [InlineData("2026-03-02", 4, "2026-03-06")]  // Monday → Friday
    [InlineData("2026-03-02", 5, "2026-03-09")]  // Monday → next Monday
    [InlineData("2026-03-06", 1, "2026-03-09")]  // Friday → Monday
    [InlineData("2026-03-07", 1, "2026-03-09")]  // Saturday → Monday
    [InlineData("2026-03-08", 1, "2026-03-09")]  // Sunday → Monday
    [InlineData("2026-03-07", 0, "2026-03-07")]  // a weekend start stays as it is with 0 days
    [InlineData("2026-03-05", 10, "2026-03-19")] // Thursday + 10 crosses two weekends
    [InlineData("2026-12-31", 2, "2027-01-05")]  // across the year end: Friday 1 January is New Year (Thursday → Tuesday)
    [InlineData("2026-03-02", 20, "2026-03-30")]
    public void Add_counts_monday_to_friday_without_holidays(string start, int days, string expected)
    {
        Assert.Equal(DateOnly.Parse(expected), WorkingDays.Add(DateOnly.Parse(start), days));
    }

    [Fact]
    public void Only_monday_to_friday_are_working_days()
    {
        var week = Enumerable.Range(0, 7).Select(i => new DateOnly(2026, 3, 2).AddDays(i)).ToList();

        Assert.Equal([true, true, true, true, true, false, false], week.Select(WorkingDays.IsWorkingDay));
    }

    [Fact]
    public void A_due_date_is_counted_in_working_or_calendar_days()
    {
        var friday = new DateOnly(2026, 3, 6);

        Assert.Equal(new DateOnly(2026, 3, 20), WorkingDays.DueDate(new Duration { WorkingDays = 10 }, friday));
        Assert.Equal(new DateOnly(2026, 3, 16), WorkingDays.DueDate(new Duration { CalendarDays = 10 }, friday));
        Assert.Null(WorkingDays.DueDate(null, friday));
        Assert.Null(WorkingDays.DueDate(new Duration { Basis = "§ 1" }, friday));
    }
}

public sealed class CaseNumbersTests
{
    [Theory]
    [InlineData(2026, 123, "2026-000123")]
    [InlineData(2026, 1, "2026-000001")]
    [InlineData(2027, 999_999, "2027-999999")]
    [InlineData(2027, 1_000_000, "2027-1000000")]
    public void Case_numbers_are_the_year_and_a_six_digit_sequence(int year, long number, string expected)
    {
        Assert.Equal(expected, CaseNumbers.Format(year, number));
    }
}
