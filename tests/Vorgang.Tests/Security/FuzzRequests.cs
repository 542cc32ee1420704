using System.Text;
using System.Text.Json.Nodes;

namespace Vorgang.Tests.Security;

/// <summary>A body as bytes, with the Content-Type it is sent with (none when null) and whether its length is left open (chunked).</summary>
public sealed record FuzzBody(byte[] Bytes, string? ContentType, bool Chunked)
{
    public override string ToString()
    {
        var text = Encoding.UTF8.GetString(Bytes);
        var shown = text.Length > 160 ? $"{text[..120]}…({Bytes.Length} bytes)" : text;
        return $"{ContentType ?? "(no content type)"}{(Chunked ? ", chunked" : "")}: {shown}";
    }
}

/// <summary>One generated bad request; <see cref="ExpectedStatus"/> where the fuzz knows exactly what must come back.</summary>
public sealed record FuzzRequest(string Family, ApiEndpoint Endpoint, string Method, string Url, IReadOnlyList<KeyValuePair<string, string>> Headers, FuzzBody? Body)
{
    public int? ExpectedStatus { get; init; }

    /// <summary>A request that is valid but for odd content: it may be stored (2xx) or refused, never fail.</summary>
    public bool MayBeAccepted { get; init; }

    public bool IsSafeMethod => Method is "GET" or "HEAD" or "OPTIONS";

    public override string ToString()
    {
        var url = Url.Length > 200 ? Url[..200] + "…" : Url;
        var headers = string.Join("; ", Headers.Select(h => $"{h.Key}: {(h.Value.Length > 60 ? h.Value[..60] + "…" : h.Value)}"));
        return $"[{Family}] {Method} {url} {{{headers}}} {Body}";
    }
}

/// <summary>A case the fuzz may aim at: where it is, who works it, how to open it, what can be done to it.</summary>
public sealed record SeededCase(string CaseNumber, string TrackingCode, string ServiceId, string Team, long Version,
    IReadOnlyList<string> StaffActions, IReadOnlyList<string> CitizenActions);

/// <summary>What the fuzz knows of the engine it attacks: real cases, services, teams, roles, tokens and the body limit.</summary>
public sealed record FuzzWorld(
    IReadOnlyList<SeededCase> Cases,
    IReadOnlyDictionary<string, string> TeamOfService,
    IReadOnlyDictionary<string, JsonObject> Examples,
    IReadOnlyList<string> Parties,
    Func<string, string?, string, string> Token,
    string ExpiredToken,
    string ForeignToken,
    string UsedIdempotencyKey,
    long MaxBodyBytes);

/// <summary>
/// Generates bad requests for any endpoint from its route pattern alone. Every request that may change something
/// (POST) carries at least one fault the engine must refuse — an unknown field, a wrong type, a stale or missing
/// version, unreadable JSON, a wrong content type or too many bytes — so a 2xx to it is a finding, not luck.
/// </summary>
public sealed class FuzzRequests(FuzzWorld world, int seed)
{
    private readonly Random _random = new(seed);

    /// <summary>Strings that must never appear in an answer; no generated request contains them either.</summary>
    public static readonly string[] LeakMarkers =
    [
        "   at ", "Exception", "Npgsql", "Marten", "Wolverine", "JasperFx", "Weasel", "System.", "Microsoft.",
        "Vorgang.Api", "Vorgang.Workflows", "Vorgang.Projections", "SQLSTATE", "mt_events", "mt_doc_", "syntax error at",
    ];

    // ---- values ----

    /// <summary>Decoded values for a route segment; they are percent-encoded as one segment.</summary>
    private static readonly string[] BadSegments =
    [
        "' OR 1=1--", "1; DROP TABLE cases;--", "\" OR \"\"=\"", "../../etc/passwd", "..\\..\\windows\\win.ini", "<script>alert(1)</script>",
        "${jndi:ldap://x.example/a}", "{{7*7}}", "%00", "a\u0000b", "\u202Etxt.exe", "zero\u200Bwidth\u200D", "\uFEFF", "😀👩‍👩‍👧",
        "e\u0301\u0301\u0301", "２０２６-０００００１", "2026-000001 ", " 2026-000001", "2026-999999", "0000-000000", "9999-9999999999", "-1",
        "9223372036854775808", "null", "undefined", "NaN", "[]", "{}", "%", new string('9', 3000), "Ω≈ç√∫", "a/b", "CON", "\t", "\u0085",
        "\uFFFF", "\u0001\u0002", "ⅷ", "İstanbul",
    ];

    /// <summary>Route segments sent exactly as written: encodings a client should never produce.</summary>
    private static readonly string[] RawSegments =
    [
        "%00", "%zz", "%ED%A0%80", "%C0%AE%C0%AE%2F", "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "", ";", "a;b=c", "%E2%80%AE", "%F0%9F%98%80",
        "%FF%FE", "%25", "%2500", "+", "%20",
    ];

    private static readonly string[] BadNumbers =
        ["-1", "0", "abc", "1.5", "99999999999999999999", "1e3", " 1", "+1", "0x10", "１", "", "1,2", "NaN", "-0", "9223372036854775807", "2147483648", "1 OR 1=1"];

    private static readonly string[] BadMoments =
    [
        "not-a-date", "2026-02-30", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "2026-06-01T12:00:00+02:00",
        "2026-06-01T12:00:00-12:00", "9999-12-31T23:59:59-14:00", "-infinity", "infinity", "' OR 1=1--", "", "2026-W48", "1e10", "20260601",
        "2026-06-01T25:61:61Z", "1970-01-01",
    ];

    private static readonly string[] BadTexts =
    [
        "' OR 1=1--", "<script>alert(1)</script>", "", " ", "\u202Eevil", "zero\u200Bwidth", "😀", "e\u0301\u0301", new string('x', 5000), "%",
        "{{7*7}}", "__proto__", "ä", "\t",
    ];

    private static readonly Dictionary<string, string[]> QueryValues = new()
    {
        ["version"] = BadNumbers,
        ["at"] = BadMoments,
        ["page"] = BadNumbers,
        ["pageSize"] = [.. BadNumbers, "201", "100001"],
        ["overdue"] = ["yes", "TRUE", "", "1", "null"],
        ["risk"] = ["x", "", "<script>", "OVERDUE", "on_track"],
        ["assignee"] = [new string('a', 201), "mine", "unassigned", "' OR 1=1--", "😀"],
        ["service"] = BadTexts,
        ["state"] = BadTexts,
        ["period"] = ["year", "", "MONTH", "week;", "😀"],
        ["format"] = ["xml", "", "CSV", "json5", "../csv"],
        ["lang"] = ["fr", "", "de-DE", "EN", new string('e', 1000), "\u202Een"],
    };

    private static readonly string[] JunkQueryNames = ["__proto__", "$where", "a[b]", "version[]", "", "😀", "x".PadRight(300, 'x')];

    /// <summary>Query strings sent exactly as written.</summary>
    private static readonly string[] RawQueries = ["%00=1", "version=%00", "at=%zz", "lang=%ED%A0%80", "page=%FF", "&&&", "=", "version=1&version=2", "version", "a=%u0041"];

    /// <summary>JSON string literals, as they stand in a body: escapes that decode to odd text, and raw odd characters.</summary>
    private static readonly string[] OddLiterals =
    [
        "\"\\ud800\"", "\"x\\udc00y\"", "\"\\udbff\"", "\"\\u0000\"", "\"a\\u0000b\"", "\"\u202Etxt.exe\"", "\"\\u202e\\u202d\"", "\"zero\u200B\u200C\u200Dwidth\"",
        "\"\\ufeff\"", "\"😀👩‍👩‍👧‍👦\"", "\"e\u0301\u0301\u0301\u0301\"", "\"Z\u0351\u0352\u0353\u0354\u0355\"", "\"\\uffff\\ufffe\"", "\"\\u0001\\u001f\"",
        "\"\u0085\u2028\u2029\"", "\"Ω≈ç√∫˜µ≤≥÷\"", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
    ];

    /// <summary>Byte sequences that are not UTF-8 at all, placed inside a JSON string.</summary>
    private static readonly byte[][] InvalidUtf8 =
    [
        [0xFF], [0xFE, 0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xE2, 0x82],
    ];

    private static readonly string[] MalformedJson =
    [
        "{", "}", "{\"data\":", "nope", "{'data': {}}", "{\"a\":1,}", "[1,2", "\"unterminated", "{\"expectedVersion\": 01}", "NaN", "{\"a\":tru}",
        "{\"a\" 1}", "{\"a\":1}}", "{\"a\":1} trailing", "{a:1}", "{\"a\":1 /* comment */}", "// comment\n{}", "{\"a\":Infinity}", "{\"a\":-}",
        "{\"a\":0x10}", "{\"a\":.5}", "{\"a\":\"\u0001raw control\"}", "{\"a\":\"\\x41\"}", "{\"a\":\"\\u12\"}", "\uFEFF\uFEFF{}", "{\"\":", ",", "[]]", " \t\r\n ",
        "{\"a\":[1,2,}", "{\"a\":{\"b\":{\"c\":}}}", "{\"data\": {}, \"language\": \"de\"", "{\"expectedVersion\": 1 \"input\": {}}",
    ];

    /// <summary>Multipart bodies that must all be refused: cut off, without a file, an empty or executable file, an unknown document, junk.</summary>
    private static readonly string[] BadMultipart =
    [
        "--fz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4 cut off",
        "--fz\r\nContent-Disposition: form-data; name=\"documentId\"\r\n\r\nlandlord-confirmation\r\n--fz--\r\n",
        "--fz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"leer.pdf\"\r\n\r\n\r\n--fz--\r\n",
        "--fz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"setup.pdf\"\r\n\r\nMZ\u0090\u0000 This program cannot be run in DOS mode\r\n--fz--\r\n",
        "--fz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"elf.pdf\"\r\n\r\n\u007fELF\u0002\u0001\r\n--fz--\r\n",
        "--fz\r\nContent-Disposition: form-data; name=\"documentId\"\r\n\r\n../../etc/passwd\r\n--fz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4\r\n--fz--\r\n",
        "--fz\r\nContent-Disposition: form-data; name=\"documentId\"\r\n\r\npassport\r\n--fz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4\r\n--fz--\r\n",
        "--fz\r\nContent-Disposition: attachment; name=\"file\"\r\n\r\n%PDF-1.4\r\n--fz--\r\n",
        "--fz\r\nX-Header: " + new string('h', 20_000) + "\r\n\r\nx\r\n--fz--\r\n",
        "--fz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n\r\n\u00ff\u00d8\u00ff\u00e0 not a picture\r\n--fz--\r\n",
        "--fz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.pdf\"\r\n\r\njust text\r\n--fz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"y.pdf\"\r\n\r\n%PDF-1.4\r\n--fz--\r\n",
        "--fz--\r\n", "", "--", "\r\n\r\n--fz\r\n\r\n", "not multipart at all",
    ];

    private static readonly string[] ExtraNames = ["__proto__", "constructor", "$where", "a.b", "", " ", "data ", "Data", "EXPECTEDVERSION", "x".PadRight(1000, 'x'), "😀"];

    // ---- requests ----

    public IEnumerable<FuzzRequest> For(ApiEndpoint endpoint, int count)
    {
        var families = endpoint.TakesBody
            ? new[] { "route", "query", "headers", "method", "invalid-json", "truncated-json", "deep-json", "wrong-types", "missing-fields",
                "extra-fields", "huge-strings", "empty-strings", "odd-unicode", "invalid-utf8", "content-type", "size-limit", "bad-input" }
            : new[] { "route", "query", "query", "headers", "method", "get-with-body" };
        // Uploads take multipart bodies: bad ones of those too, besides the JSON that every POST is sent.
        if (endpoint.TakesBody && endpoint.Pattern.EndsWith("/documents", StringComparison.Ordinal)) families = [.. families, "multipart", "multipart", "multipart"];
        for (var i = 0; i < count; i++)
        {
            var family = families[i % families.Length];
            yield return Build(endpoint, family);
        }
    }

    private FuzzRequest Build(ApiEndpoint endpoint, string family)
    {
        var target = Pick(world.Cases);
        var headers = new List<KeyValuePair<string, string>>();
        var method = endpoint.TakesBody ? "POST" : "GET";
        var badParameter = family == "route" && endpoint.Parameters.Count > 0 ? Pick(endpoint.Parameters) : null;
        var citizen = endpoint.Pattern.StartsWith("/api/track/", StringComparison.Ordinal);
        // Bad input is only looked at for an action that validates its input (claim and release ignore theirs).
        var action = family == "bad-input"
            ? Pick((citizen ? target.CitizenActions : target.StaffActions).Where(ValidatesInput).DefaultIfEmpty("assign").ToArray())
            : null;
        var url = Path(endpoint, target, badParameter, action);
        if (family == "query" || Chance(0.1)) url += Query();
        AddCredentials(endpoint, target, headers, family == "headers");
        if (family == "headers") AddBadHeaders(headers, target);
        if (family == "bad-input" && !citizen && Chance(0.7))
        {
            headers.RemoveAll(h => h.Key == "Authorization");
            headers.Add(new("Authorization", "Bearer " + world.Token(Chance(0.8) ? "caseworker" : "admin", target.Team, "anna")));
        }

        FuzzBody? body = null;
        int? expected = null;
        switch (family)
        {
            case "method":
                method = Pick(new[] { "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "FOO" }.Where(m => !endpoint.Methods.Contains(m)).ToArray());
                if (method is "POST" or "PUT" or "PATCH") body = Json(Poisoned(endpoint, target));
                if (method == "OPTIONS" && Chance(0.5))
                {
                    // A browser's preflight from a site the engine does not know.
                    headers.Add(new("Origin", "https://evil.example"));
                    headers.Add(new("Access-Control-Request-Method", "POST"));
                }
                break;
            case "get-with-body":
                body = Chance(0.5) ? Raw(Pick(MalformedJson), "application/json") : Json(Poisoned(endpoint, target));
                break;
            default:
                if (endpoint.TakesBody) (body, expected) = Body(endpoint, target, family);
                break;
        }
        return new FuzzRequest(family, endpoint, method, url, headers, body) { ExpectedStatus = expected };
    }

    private string Path(ApiEndpoint endpoint, SeededCase target, string? badParameter, string? action)
    {
        var path = endpoint.Pattern;
        foreach (var parameter in endpoint.Parameters)
        {
            var value = parameter == badParameter
                ? Chance(0.3) ? Pick(RawSegments) : Uri.EscapeDataString(Pick(BadSegments))
                : Uri.EscapeDataString(parameter == "actionId" && action is not null ? action : GoodValue(parameter, target));
            path = System.Text.RegularExpressions.Regex.Replace(path, "\\{\\*?\\*?" + parameter + "(:[^}]*)?\\??\\}", value.Replace("$", "$$"));
        }
        return path;
    }

    private string GoodValue(string parameter, SeededCase target) => parameter switch
    {
        "caseNumber" => Chance(0.9) ? target.CaseNumber : "2026-999999",
        "serviceId" => target.ServiceId,
        "documentName" => "v1",
        "team" => target.Team,
        "actionId" => Pick(target.StaffActions.Concat(target.CitizenActions).Concat(["claim", "release", "assign", "extend-deadline", "no-such-action"]).ToArray()),
        _ => "x",
    };

    private string Query()
    {
        if (Chance(0.2)) return "?" + Pick(RawQueries);
        var pairs = new List<string>();
        for (var n = _random.Next(1, 4); n > 0; n--)
        {
            var name = Chance(0.85) ? Pick(QueryValues.Keys.ToArray()) : Pick(JunkQueryNames);
            var value = QueryValues.TryGetValue(name, out var values) ? Pick(values) : Pick(BadTexts);
            pairs.Add($"{Uri.EscapeDataString(name)}={Uri.EscapeDataString(value)}");
        }
        return "?" + string.Join("&", pairs);
    }

    /// <summary>Mostly credentials that get past authentication (so that validation behind it is reached), else none or bad ones.</summary>
    private void AddCredentials(ApiEndpoint endpoint, SeededCase target, List<KeyValuePair<string, string>> headers, bool leaveToHeaderFamily)
    {
        if (endpoint.Pattern.StartsWith("/api/track/", StringComparison.Ordinal))
        {
            if (!leaveToHeaderFamily && Chance(0.85)) headers.Add(new("X-Tracking-Code", target.TrackingCode));
            if (!Chance(0.2)) return;
        }
        if (leaveToHeaderFamily && Chance(0.5)) return;
        var roll = _random.NextDouble();
        string? token = roll switch
        {
            < 0.35 => world.Token("caseworker", target.Team, "anna"),
            < 0.45 => world.Token("caseworker", target.Team, "bob"),
            < 0.55 => world.Token("caseworker", Pick(world.TeamOfService.Values.Where(t => t != target.Team).DefaultIfEmpty("nobody").ToArray()), "otto"),
            < 0.65 => world.Token("auditor", null, "ida"),
            < 0.75 => world.Token("admin", null, "adam"),
            < 0.80 => world.Token(Pick(world.Parties.DefaultIfEmpty("school").ToArray()), null, "party"),
            < 0.85 => world.Token("citizen", null, "erika"),
            < 0.90 => world.ExpiredToken,
            < 0.95 => world.ForeignToken,
            _ => null,
        };
        if (token is not null) headers.Add(new("Authorization", "Bearer " + token));
    }

    private void AddBadHeaders(List<KeyValuePair<string, string>> headers, SeededCase target)
    {
        for (var n = _random.Next(1, 4); n > 0; n--)
        {
            switch (_random.Next(6))
            {
                case 0:
                    headers.RemoveAll(h => h.Key == "Authorization");
                    headers.Add(new("Authorization", Pick(new[]
                    {
                        "", "Bearer", "Bearer ", "Bearer not.a.jwt", "Basic dXNlcjpwYXNz", "Negotiate abc", "Bearer " + new string('A', 8000),
                        "Bearer " + AlgNone(), "Bearer " + world.ExpiredToken, "Bearer " + world.ForeignToken,
                        "bearer " + world.Token("caseworker", target.Team, "anna"), "Bearer " + world.Token("admin", null, "adam") + "x",
                        "Bearer " + world.Token("admin", null, "adam").Replace('.', '!'), "Bearer \u00e4\u00f6\u00fc", "Bearer a.b.c.d.e",
                    })));
                    break;
                case 1:
                    headers.Add(new("Idempotency-Key", Pick(new[]
                    {
                        "", new string('k', 201), "ä", "\u0001", "' OR 1=1--", "%00", world.UsedIdempotencyKey, Guid.NewGuid().ToString(), " ", "a b",
                    })));
                    break;
                case 2:
                    headers.RemoveAll(h => h.Key == "X-Tracking-Code");
                    headers.Add(new("X-Tracking-Code", Pick(new[]
                    {
                        "", "' OR 1=1--", new string('T', 5000), Pick(world.Cases).TrackingCode, target.TrackingCode.ToLowerInvariant(),
                        " " + target.TrackingCode, target.TrackingCode + "\u200B", "😀", "null",
                    })));
                    break;
                case 3:
                    headers.Add(new("Accept-Language", Pick(new[] { "xx", "*", "en-US,en;q=0.9", new string('d', 1000), "de;q=abc", "\u202Een", "" })));
                    break;
                case 4:
                    headers.Add(new("Accept", Pick(new[] { "text/csv", "application/xml", "*/*;q=0", "garbage", "text/html", "application/json;q=-1" })));
                    break;
                default:
                    headers.Add(new("Origin", Pick(new[] { "https://evil.example", "null", "http://localhost", "file://" })));
                    break;
            }
        }
    }

    private static string AlgNone()
    {
        static string Part(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return Part("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." +
               Part($"{{\"sub\":\"mallory\",\"role\":\"admin\",\"iss\":\"vorgang-development\",\"aud\":\"vorgang\",\"exp\":{DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}}}") + ".";
    }

    // ---- bodies ----

    private enum Shape { Submission, Action, Other }

    private static Shape ShapeOf(ApiEndpoint endpoint) =>
        endpoint.Parameters.Contains("actionId") ? Shape.Action
        : endpoint.Parameters.Contains("serviceId") ? Shape.Submission
        : Shape.Other;

    /// <summary>The body the endpoint would accept, before any fault is added.</summary>
    private JsonObject Valid(ApiEndpoint endpoint, SeededCase target) => ShapeOf(endpoint) switch
    {
        Shape.Submission => new JsonObject { ["data"] = world.Examples[target.ServiceId].DeepClone(), ["language"] = Pick(new[] { "de", "en" }) },
        Shape.Action => new JsonObject { ["expectedVersion"] = target.Version, ["input"] = new JsonObject() },
        _ => new JsonObject(),
    };

    /// <summary>A fault no endpoint can overlook: a field of the request (or of the form) that does not exist, or a stale version.</summary>
    private JsonObject Poison(ApiEndpoint endpoint, JsonObject body)
    {
        var shape = ShapeOf(endpoint);
        switch (_random.Next(shape == Shape.Other ? 1 : 3))
        {
            case 0:
                body["fuzz" + _random.Next(1000)] = "unexpected";
                break;
            case 1 when shape == Shape.Submission && body["data"] is JsonObject data:
                data["fuzzField" + _random.Next(1000)] = "unexpected";
                break;
            case 1:
                body["expectedVersion"] = Pick(new JsonNode?[] { -1, 1.5, "1", true, new JsonArray(), new JsonObject() });
                break;
            case 2 when shape == Shape.Submission:
                body["data"] = Pick(new JsonNode?[] { 1, "data", new JsonArray(), true, 0.5 });
                break;
            default:
                body["expectedVersion"] = Pick(new long[] { 0, 1_000_000_000, long.MaxValue, 999 });
                break;
        }
        return body;
    }

    private JsonObject Poisoned(ApiEndpoint endpoint, SeededCase target) => Poison(endpoint, Valid(endpoint, target));

    private (FuzzBody Body, int? Expected) Body(ApiEndpoint endpoint, SeededCase target, string family)
    {
        var shape = ShapeOf(endpoint);
        switch (family)
        {
            case "invalid-json":
                return (Raw(Pick(MalformedJson), "application/json"), null);
            case "truncated-json":
            {
                var text = Poisoned(endpoint, target).ToJsonString();
                return (Raw(text[.._random.Next(0, text.Length)], "application/json"), null);
            }
            case "deep-json":
            {
                var depth = Pick(new[] { 33, 64, 500, 20_000 });
                var (open, close) = Chance(0.5) ? ("[", "]") : ("{\"a\":", "}");
                var nested = string.Concat(Enumerable.Repeat(open, depth)) + "1" + (Chance(0.8) ? string.Concat(Enumerable.Repeat(close, depth)) : "");
                var body = Poisoned(endpoint, target);
                body[Pick(body.Select(p => p.Key).ToArray())] = "DEEP";
                return (Raw(body.ToJsonString().Replace("\"DEEP\"", nested), "application/json"), null);
            }
            case "wrong-types":
            {
                var body = Poisoned(endpoint, target);
                if (shape == Shape.Submission)
                {
                    var data = body["data"] as JsonObject;
                    if (data is not null) foreach (var key in data.Select(p => p.Key).ToList()) if (Chance(0.5)) data[key] = WrongType(data[key]);
                    if (Chance(0.3)) body["language"] = Pick(new JsonNode?[] { 1, new JsonArray(), new JsonObject(), true, "fr", "DE" });
                }
                else if (shape == Shape.Action)
                {
                    body["expectedVersion"] = Pick(new JsonNode?[] { "1", 1.5, -1, true, new JsonArray(), new JsonObject(), "NaN", -0.5, 1e300 });
                    if (Chance(0.5)) body["input"] = Pick(new JsonNode?[] { new JsonArray(), "input", 1, true });
                }
                return (Json(body), null);
            }
            case "missing-fields":
            {
                var body = Valid(endpoint, target);
                if (shape == Shape.Action)
                {
                    // Without the version the action is refused whatever else it says.
                    body.Remove("expectedVersion");
                    if (Chance(0.3)) body.Remove("input");
                    return (Json(body), null);
                }
                if (body["data"] is JsonObject data)
                    foreach (var key in data.Select(p => p.Key).ToList()) if (Chance(0.4)) data.Remove(key);
                if (Chance(0.2)) body.Remove("data");
                if (Chance(0.2)) body.Remove("language");
                return (Json(Poison(endpoint, body)), null);
            }
            case "extra-fields":
            {
                var body = Poisoned(endpoint, target);
                var into = shape == Shape.Submission && body["data"] is JsonObject data ? data : shape == Shape.Action && body["input"] is JsonObject input ? input : body;
                for (var n = _random.Next(1, 5); n > 0; n--) into[Pick(ExtraNames) + n] = Pick(new JsonNode?[] { 1, "x", null, new JsonObject(), new JsonArray(1, 2) });
                body[Pick(ExtraNames) + "!"] = "extra";
                return (Json(body), null);
            }
            case "huge-strings":
            {
                var body = Poisoned(endpoint, target);
                var length = Pick(new[] { 10_001, 100_000, (int)(world.MaxBodyBytes / 2) });
                var text = new string(Pick(new[] { 'a', 'ä', '€' }), length);
                SetSomeString(body, shape, text);
                return (Json(body), null);
            }
            case "empty-strings":
            {
                var body = Poisoned(endpoint, target);
                SetSomeString(body, shape, Pick(new[] { "", " ", "\t", "\n" }));
                if (shape == Shape.Submission && Chance(0.3)) body["language"] = "";
                if (shape == Shape.Action && Chance(0.3)) body["expectedVersion"] = "";
                return (Json(body), null);
            }
            case "odd-unicode":
            {
                var body = Poisoned(endpoint, target);
                var literals = new Dictionary<string, string>();
                for (var n = _random.Next(1, 4); n > 0; n--)
                {
                    var placeholder = $"ODD{n}";
                    literals[placeholder] = Pick(OddLiterals);
                    if (Chance(0.3)) AddName(body, shape, placeholder); else SetSomeString(body, shape, placeholder);
                }
                var json = body.ToJsonString();
                foreach (var (placeholder, literal) in literals) json = json.Replace($"\"{placeholder}\"", literal);
                return (Raw(json, "application/json"), null);
            }
            case "invalid-utf8":
            {
                var body = Poisoned(endpoint, target);
                SetSomeString(body, shape, "BYTES");
                var parts = body.ToJsonString().Split("BYTES");
                var bytes = new List<byte>();
                for (var i = 0; i < parts.Length; i++)
                {
                    if (i > 0) bytes.AddRange(Pick(InvalidUtf8));
                    bytes.AddRange(Encoding.UTF8.GetBytes(parts[i]));
                }
                return (new FuzzBody([.. bytes], "application/json", Chance(0.2)), null);
            }
            case "content-type":
            {
                var json = Poisoned(endpoint, target).ToJsonString();
                return _random.Next(10) switch
                {
                    0 => (Raw(json, "text/plain"), null),
                    1 => (Raw("data=x&language=de&expectedVersion=1", "application/x-www-form-urlencoded"), null),
                    2 => (Raw($"--xyz\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\n{json}\r\n--xyz--\r\n", "multipart/form-data; boundary=xyz"), null),
                    3 => (Raw(json, null), null),
                    4 => (Raw("<data><language>de</language></data>", "application/xml"), null),
                    5 => (new FuzzBody(Encoding.Unicode.GetBytes(json), "application/json; charset=utf-16", false), null),
                    6 => (Raw(json, "application/vnd.api+json"), null),
                    7 => (Raw(json, "text/json"), null),
                    8 => (Raw(json, "APPLICATION/JSON"), null),
                    _ => (Raw(json, ""), null),
                };
            }
            case "size-limit":
            {
                var max = world.MaxBodyBytes;
                var size = Pick(new[] { max - 1, max, max + 1, max * 4 });
                var chunked = Chance(0.5);
                var body = Sized(Poisoned(endpoint, target), size);
                // A declared length above the limit is refused before anything else looks at the request.
                return (new FuzzBody(body, "application/json", chunked), size > max && !chunked ? 413 : null);
            }
            case "multipart":
                return (Raw(Pick(BadMultipart), Pick(new[] { "multipart/form-data; boundary=fz", "multipart/form-data; boundary=\"fz\"", "multipart/form-data", "multipart/form-data; boundary=" + new string('b', 100) })), null);
            case "bad-input":
            {
                // The right version and an action that validates its input: the unknown input field is the only fault.
                var body = Valid(endpoint, target);
                if (shape != Shape.Action) return (Json(Poison(endpoint, body)), null);
                var input = (JsonObject)body["input"]!;
                foreach (var name in new[] { "message", "assigneeId", "assigneeName", "workingDays", "reason", "note" })
                    if (Chance(0.4)) input[name] = Pick(new JsonNode?[] { "' OR 1=1--", 12, "", new string('m', 3000), "\u202E", -1, new JsonArray() });
                input["fuzz" + _random.Next(100)] = "unexpected";
                return (Json(body), null);
            }
            default:
                return (Json(Poisoned(endpoint, target)), null);
        }
    }

    /// <summary>For <c>bad-input</c>: the actions whose input is validated, so that an unknown input field is refused.</summary>
    public static bool ValidatesInput(string actionId) => actionId is not ("claim" or "release");

    private void SetSomeString(JsonObject body, Shape shape, string text)
    {
        if (shape == Shape.Submission && body["data"] is JsonObject data && data.Count > 0 && Chance(0.8))
        {
            var key = Pick(data.Select(p => p.Key).ToArray());
            if (data[key] is JsonObject nested && nested.Count > 0) nested[Pick(nested.Select(p => p.Key).ToArray())] = text;
            else data[key] = text;
            return;
        }
        if (shape == Shape.Action && body["input"] is JsonObject input && Chance(0.7))
        {
            input[Pick(new[] { "message", "assigneeId", "assigneeName", "reason", "note" })] = text;
            return;
        }
        body[shape == Shape.Submission ? "language" : "fuzzText"] = text;
    }

    /// <summary>Adds a property named <paramref name="placeholder"/>, which the odd literal later replaces.</summary>
    private static void AddName(JsonObject body, Shape shape, string placeholder)
    {
        var into = shape == Shape.Submission && body["data"] is JsonObject data ? data : shape == Shape.Action && body["input"] is JsonObject input ? input : body;
        into[placeholder] = 1;
    }

    private JsonNode? WrongType(JsonNode? value) => value switch
    {
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => Pick(new JsonNode?[] { 42, true, new JsonArray("x"), new JsonObject { ["x"] = 1 }, 1e308 }),
        JsonValue => Pick(new JsonNode?[] { "text", new JsonArray(), new JsonObject() }),
        JsonObject => Pick(new JsonNode?[] { "text", 7, new JsonArray(new JsonObject()) }),
        JsonArray => Pick(new JsonNode?[] { "text", new JsonObject(), 3 }),
        _ => "null",
    };

    /// <summary>The body padded (inside an unknown field, so still refused) to exactly <paramref name="size"/> bytes.</summary>
    private static byte[] Sized(JsonObject body, long size)
    {
        body["padding"] = "";
        var empty = Encoding.UTF8.GetByteCount(body.ToJsonString());
        body["padding"] = new string('p', (int)Math.Max(0, size - empty));
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        Assert.Equal(size, bytes.Length);
        return bytes;
    }

    private static FuzzBody Json(JsonObject body) => Raw(body.ToJsonString(), "application/json");

    private static FuzzBody Raw(string text, string? contentType) => new(Encoding.UTF8.GetBytes(text), contentType, false);

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private bool Chance(double p) => _random.NextDouble() < p;
}
