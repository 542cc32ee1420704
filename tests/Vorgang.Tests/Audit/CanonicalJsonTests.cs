using Vorgang.Workflows.Audit;

namespace Vorgang.Tests.Audit;

/// <summary>The same JSON value gives the same text however it was written — as the serializer wrote it or as jsonb gives it back.</summary>
public sealed class CanonicalJsonTests
{
    [Fact]
    public void Keys_are_sorted_at_every_depth_and_whitespace_goes()
    {
        Assert.Equal("""{"a":[{"x":1,"y":2}],"b":{"c":true,"d":null}}""",
            CanonicalJson.Canonicalize("""{ "b": { "d": null, "c": true }, "a": [ { "y": 2, "x": 1 } ] }"""));
    }

    [Fact]
    public void Jsonb_key_order_and_spacing_give_the_same_text()
    {
        // What System.Text.Json writes, and what PostgreSQL's jsonb gives back for it (shorter keys first, spaces after separators).
        const string serialized = """{"caseNumber":"2026-000001","data":{"lastName":"M\u00FCller","zip":"07743"},"at":"2026-11-26T10:00:00+00:00"}""";
        const string fromJsonb = """{"at": "2026-11-26T10:00:00+00:00", "data": {"zip": "07743", "lastName": "Müller"}, "caseNumber": "2026-000001"}""";
        Assert.Equal(CanonicalJson.Canonicalize(serialized), CanonicalJson.Canonicalize(fromJsonb));
    }

    [Theory]
    [InlineData("100", "1e2")]
    [InlineData("1e2", "1e2")]
    [InlineData("1.0E+2", "1e2")]
    [InlineData("12.50", "125e-1")]
    [InlineData("0.125", "125e-3")]
    [InlineData("-0.0", "0")]
    [InlineData("0", "0")]
    [InlineData("-42", "-42")]
    [InlineData("123456789012345678901234567890.5", "1234567890123456789012345678905e-1")]
    public void Numbers_are_written_by_value(string raw, string canonical)
    {
        Assert.Equal(canonical, CanonicalJson.Number(raw));
        Assert.Equal($$"""{"n":{{canonical}}}""", CanonicalJson.Canonicalize($$"""{"n": {{raw}}}"""));
    }

    [Fact]
    public void A_changed_value_changes_the_text()
    {
        Assert.NotEqual(CanonicalJson.Canonicalize("""{"a":"Müller"}"""), CanonicalJson.Canonicalize("""{"a":"Mueller"}"""));
        Assert.NotEqual(CanonicalJson.Canonicalize("""{"a":1}"""), CanonicalJson.Canonicalize("""{"a":"1"}"""));
        Assert.NotEqual(CanonicalJson.Canonicalize("""{"a":[1,2]}"""), CanonicalJson.Canonicalize("""{"a":[2,1]}"""));
    }

    [Fact]
    public void A_repeated_key_keeps_its_last_value_as_jsonb_does()
    {
        Assert.Equal("""{"a":2}""", CanonicalJson.Canonicalize("""{"a":1,"a":2}"""));
    }
}
