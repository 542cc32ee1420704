using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Metadata;
using Vorgang.Api.Hosting;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Api.Problems;

/// <summary>
/// Checks a JSON request body before its endpoint binds it to the request record the endpoint declares
/// (<c>[Consumes(typeof(…))]</c>), so that what the serializer would refuse with a message naming internal types is
/// answered with the field and the rule: malformed JSON (with its position), nesting deeper than <see cref="MaxDepth"/>,
/// a property named twice, text PostgreSQL cannot store (NUL, unpaired surrogates — the serializer lets those through),
/// fields the record does not have, and values of the wrong JSON type. A body that passes binds without error; an
/// empty body binds as <c>{}</c>, so that the record's validator names what is missing.
/// </summary>
public sealed class JsonBodies(RequestDelegate next)
{
    public const int MaxDepth = 32;

    // Duplicate names would otherwise surface only when the object is first read, as an exception far from here.
    private static readonly JsonDocumentOptions Parsing = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = false };
    private static readonly ArraySegment<byte> EmptyObject = "{}"u8.ToArray();

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var requestType = HttpMethods.IsPost(request.Method) ? context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType : null;
        if (requestType is null)
        {
            await next(context);
            return;
        }

        var bytes = await ReadAsync(request, context.RequestAborted);
        var (body, problem) = Parse(bytes, context);
        if (problem is null)
        {
            var errors = new List<FieldError>();
            Shape(body ?? [], requestType, "", errors);
            if (errors.Count > 0) problem = Problems.Invalid(context, errors, "The request is invalid.");
        }
        if (problem is not null)
        {
            await problem.ExecuteAsync(context);
            return;
        }

        // The endpoint binds the bytes as they were sent (or "{}" for none).
        var bound = body is null ? EmptyObject : bytes;
        request.Body = new MemoryStream(bound.Array!, bound.Offset, bound.Count, writable: false);
        request.ContentLength = bound.Count;
        if (string.IsNullOrEmpty(request.ContentType)) request.ContentType = "application/json";
        await next(context);
    }

    private static async Task<ArraySegment<byte>> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength is 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0)) return ArraySegment<byte>.Empty;
        // Kestrel's body size limit applies while reading (413 through the exception handler).
        var buffer = new MemoryStream(request.ContentLength is > 0 and < 1 << 20 ? (int)request.ContentLength : 4096);
        await request.Body.CopyToAsync(buffer, ct);
        return new ArraySegment<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static (JsonObject? Body, IResult? Problem) Parse(ArraySegment<byte> bytes, HttpContext context)
    {
        if (bytes.Count == 0) return (null, null);
        try
        {
            var node = JsonNode.Parse(bytes.AsSpan(), documentOptions: Parsing);
            if (UnstorableText(node, "") is { } bad) return (null, Problems.Invalid(context, [bad], "The request contains text that cannot be stored."));
            return node switch
            {
                null => (null, null),
                JsonObject body => (body, null),
                _ => (null, Problems.Status(context, 400, "malformed-json", "The request body must be a JSON object.", "Send an object such as { \"expectedVersion\": 1 }.")),
            };
        }
        catch (JsonException e)
        {
            return (null, Problems.Status(context, 400, "malformed-json", "The request body is not valid JSON.", Describe(e)));
        }
        catch (InvalidOperationException)
        {
            // The duplicate check reads every property name; one that is not valid Unicode cannot be read.
            return (null, Problems.Status(context, 400, "invalid-character", "The request contains text that cannot be stored.",
                "A property name is not valid Unicode (invalid UTF-8 or an unpaired surrogate)."));
        }
    }

    // The parser's messages may name CLR types; say where and, for the limits we set, which limit.
    private static string Describe(JsonException e)
    {
        var where = e.LineNumber is { } line ? $" at line {line + 1}, position {e.BytePositionInLine + 1}" : "";
        if (e.Message.Contains("depth", StringComparison.OrdinalIgnoreCase))
            return $"The JSON is nested deeper than {MaxDepth} levels{where}.";
        if (e.Message.Contains("Duplicate property", StringComparison.OrdinalIgnoreCase))
            return $"The JSON names the same property twice{(e.Path is { } path ? $" at '{path}'" : "")}.";
        return $"The JSON is malformed{where}.";
    }

    /// <summary>The record's members as they are named in JSON, and the members of nested records, each with the JSON type it takes.</summary>
    private static void Shape(JsonObject body, Type type, string path, List<FieldError> errors)
    {
        var members = Members(type);
        foreach (var (name, value) in body)
        {
            var field = path == "" ? Shorten(name) : $"{path}.{Shorten(name)}";
            if (!members.TryGetValue(name, out var memberType))
            {
                errors.Add(new(field, "unknown-field", $"Unknown field; {(path == "" ? "this request" : $"'{path}'")} takes {string.Join(", ", members.Keys)}."));
                continue;
            }
            if (value is null) continue;
            var fits = memberType switch
            {
                _ when memberType == typeof(string) => value.GetValueKind() == JsonValueKind.String,
                _ when memberType == typeof(long) || memberType == typeof(int) => value is JsonValue number && number.GetValueKind() == JsonValueKind.Number && number.TryGetValue<long>(out _),
                _ when memberType == typeof(bool) => value.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
                _ when memberType.IsAssignableFrom(typeof(List<string>)) => value is JsonArray items && items.All(i => i?.GetValueKind() == JsonValueKind.String),
                _ => value is JsonObject,
            };
            if (!fits)
            {
                errors.Add(new(field, "type", $"'{field}' must be {Expected(memberType)}."));
                continue;
            }
            if (memberType != typeof(JsonObject) && value is JsonObject nested) Shape(nested, memberType, field, errors);
        }
    }

    private static string Expected(Type type) =>
        type == typeof(string) ? "a string"
        : type.IsAssignableFrom(typeof(List<string>)) ? "a list of strings"
        : type == typeof(long) || type == typeof(int) ? "a whole number"
        : type == typeof(bool) ? "true or false"
        : "an object";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, IReadOnlyDictionary<string, Type>> MemberCache = new();

    private static IReadOnlyDictionary<string, Type> Members(Type type) => MemberCache.GetOrAdd(type, static t =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .ToDictionary(p => VorgangSetup.ApiJson.PropertyNamingPolicy?.ConvertName(p.Name) ?? p.Name,
                p => Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType));

    /// <summary>
    /// The first string or property name that is not valid Unicode (invalid UTF-8, an escaped lone surrogate) or
    /// holds a NUL character. The parser lets them through, but reading them throws and PostgreSQL refuses to store them.
    /// </summary>
    private static FieldError? UnstorableText(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject obj:
                List<KeyValuePair<string, JsonNode?>> members;
                try { members = [.. obj]; }
                catch (InvalidOperationException) { return InvalidText(path == "" ? "(body)" : path); }
                foreach (var (name, child) in members)
                {
                    var childPath = path == "" ? Shorten(name) : $"{path}.{Shorten(name)}";
                    if (name.Contains('\0')) return InvalidText(childPath);
                    if (UnstorableText(child, childPath) is { } bad) return bad;
                }
                return null;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                    if (UnstorableText(array[i], $"{path}[{i}]") is { } bad) return bad;
                return null;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                try { return value.GetValue<string>().Contains('\0') ? InvalidText(path) : null; }
                catch (InvalidOperationException) { return InvalidText(path); }
            default:
                return null;
        }
    }

    private static FieldError InvalidText(string path) =>
        new(path, "invalid-character", "Text must be valid Unicode without NUL characters (U+0000) or unpaired surrogates.");

    private static string Shorten(string name) => (name.Length > 100 ? name[..100] : name).Replace("\0", "\\0");
}
