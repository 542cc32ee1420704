using System.Text.Json;
using System.Text.Json.Nodes;
using Vorgang.Api.Features.Casework;
using Vorgang.Api.Features.Submitting;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Api.Problems;

/// <summary>
/// Reads request bodies from JSON trees rather than binding them to types, so that a wrong shape is
/// answered with the field and the rule (e.g. <c>expectedVersion</c>: <c>integer</c>) instead of a
/// serializer message that names internal types.
/// </summary>
public static class RequestBodies
{
    public const int MaxDepth = 32;

    // Duplicate names would otherwise surface only when the object is first read, as an exception far from here.
    private static readonly JsonDocumentOptions Parsing = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = false };

    /// <summary>Parses the request body as a JSON object; a malformed body answers 400 <c>malformed-json</c> with the position.</summary>
    public static async Task<(JsonObject? Body, IResult? Problem)> ReadAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength is 0 || (request.ContentLength is null && !request.Headers.TransferEncoding.Any())) return (null, null);
        try
        {
            var node = await JsonNode.ParseAsync(request.Body, documentOptions: Parsing, cancellationToken: context.RequestAborted);
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

    public static SubmitApplication? Submission(JsonObject? body, List<FieldError> errors)
    {
        if (body is null) return new SubmitApplication(null, null);
        Unknown(body, errors, "data", "language", "onBehalfOf");
        var data = body["data"];
        if (data is not null and not JsonObject) errors.Add(new("data", "type", "'data' must be an object with the form values."));
        var language = OptionalString(body, "language", errors);
        var onBehalfOf = OnBehalfOf(body["onBehalfOf"], errors);
        return errors.Count > 0 ? null : new SubmitApplication(data as JsonObject, language) { OnBehalfOf = onBehalfOf };
    }

    private static OnBehalfOf? OnBehalfOf(JsonNode? node, List<FieldError> errors)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject person:
                var before = errors.Count;
                foreach (var (part, _) in person)
                {
                    if (part is not ("name" or "identifiedBy"))
                        errors.Add(new($"onBehalfOf.{(part.Length > 100 ? part[..100] : part)}", "unknown-field", "Unknown field; 'onBehalfOf' takes name, identifiedBy."));
                }
                var name = OptionalString(person, "name", errors, "onBehalfOf.name");
                var identifiedBy = OptionalString(person, "identifiedBy", errors, "onBehalfOf.identifiedBy");
                if (string.IsNullOrWhiteSpace(name))
                    errors.Add(new("onBehalfOf.name", "required", "Give the name of the person you submit for."));
                else if (name.Length > 200)
                    errors.Add(new("onBehalfOf.name", "max-length", "Use at most 200 characters."));
                if (identifiedBy?.Length > 200)
                    errors.Add(new("onBehalfOf.identifiedBy", "max-length", "Use at most 200 characters."));
                return errors.Count > before ? null : new OnBehalfOf(name!.Trim(), string.IsNullOrWhiteSpace(identifiedBy) ? null : identifiedBy.Trim());
            default:
                errors.Add(new("onBehalfOf", "type", "'onBehalfOf' must be an object: { \"name\": …, \"identifiedBy\": … }."));
                return null;
        }
    }

    /// <summary>The reason of an erasure on request: required, 1–500 characters.</summary>
    public static string? ErasureReason(JsonObject? body, List<FieldError> errors)
    {
        if (body is not null) Unknown(body, errors, "reason");
        var reason = body is null ? null : OptionalString(body, "reason", errors)?.Trim();
        if (errors.Count > 0) return null;
        if (string.IsNullOrEmpty(reason)) errors.Add(new("reason", "required", "Say why the data is erased, e.g. the request's reference."));
        else if (reason.Length > 500) errors.Add(new("reason", "max-length", "Use at most 500 characters."));
        return errors.Count > 0 ? null : reason;
    }

    public static ActionRequest? Action(JsonObject? body, List<FieldError> errors)
    {
        if (body is null) return new ActionRequest(null, null);
        Unknown(body, errors, "expectedVersion", "input");
        long? expected = null;
        switch (body["expectedVersion"])
        {
            case null: break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) && n >= 0:
                expected = n;
                break;
            default:
                errors.Add(new("expectedVersion", "integer", "'expectedVersion' must be a whole number ≥ 0: the version of the case you last saw."));
                break;
        }
        var input = body["input"];
        if (input is not null and not JsonObject) errors.Add(new("input", "type", "'input' must be an object with the action's input values."));
        return errors.Count > 0 ? null : new ActionRequest(expected, input as JsonObject);
    }

    private static void Unknown(JsonObject body, List<FieldError> errors, params string[] known)
    {
        foreach (var (name, _) in body)
        {
            if (!known.Contains(name))
                errors.Add(new(name.Length > 100 ? name[..100] : name, "unknown-field", $"Unknown field; this request takes {string.Join(", ", known)}."));
        }
    }

    private static string? OptionalString(JsonObject body, string name, List<FieldError> errors, string? field = null)
    {
        switch (body[name])
        {
            case null: return null;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String: return v.GetValue<string>();
            default:
                errors.Add(new(field ?? name, "type", $"'{field ?? name}' must be a string."));
                return null;
        }
    }
}
