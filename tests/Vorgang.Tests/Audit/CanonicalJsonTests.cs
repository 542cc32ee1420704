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

    [Fact]
    public void A_repeated_key_among_others_keeps_its_last_value_in_place()
    {
        Assert.Equal("""{"a":0,"b":3,"c":{"x":2}}""", CanonicalJson.Canonicalize("""{"c":{"x":1,"x":2},"b":1,"a":0,"b":2,"b":3}"""));
    }

    [Fact]
    public void A_link_is_the_documented_formula_whoever_wrote_the_json()
    {
        // hash_n = SHA-256(hash_{n-1} ‖ case number ‖ version ‖ event type ‖ canonical JSON), hash_0 = SHA-256(case number):
        // fixed values (computed outside .NET), so that chains stored by earlier versions still verify.
        const string genesis = "72fcb52c64cb849a4622fe0ad6802ecb07588e9a0d91e6ef36792657bf95c5ba";
        const string first = "04fd714f361ce8bc644f807c3c3ce4223ab9fb86065a40e600fc7003cc7f1175";
        Assert.Equal(genesis, CaseChain.Genesis("2026-000001"));
        Assert.Equal(first, CaseChain.LinkJson(genesis, "2026-000001", 1, "case_submitted",
            """{ "c": { "y": [true, null], "x": 12.50 }, "b": "M\u00fcller", "a": 1 }"""));
        Assert.Equal(first, CaseChain.Link(genesis, "2026-000001", 1, "case_submitted", """{"a":1,"b":"Müller","c":{"x":125e-1,"y":[true,null]}}"""));
        Assert.NotEqual(first, CaseChain.LinkJson(genesis, "2026-000001", 2, "case_submitted", """{"a":1,"b":"Müller","c":{"x":12.5,"y":[true,null]}}"""));
    }
}
