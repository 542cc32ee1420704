using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Vorgang.Workflows.Definitions;

/// <summary>
/// The JSON Schema (draft 2020-12) of a service's <c>data</c> object, generated from its form: what a client needs to
/// build and check a form before submitting. It says what <see cref="FormValidator"/> checks as far as JSON Schema can:
/// types, required fields, options, formats, lengths, bounds and patterns, unknown fields refused, and conditions of the
/// simple form <c>field = value</c> or <c>isSet(field)</c> as <c>if</c>/<c>then</c>. What it cannot say (dates relative
/// to today, other conditions) it describes, and keeps in <c>x-</c> keywords; the engine's validation stays the judge.
/// </summary>
/// <remarks>
/// A value that satisfies the schema can still be refused by the engine for such a described rule, never the other way
/// round, with one deliberate difference: the schema wants an optional field left out rather than sent as null or
/// blank, which the engine also accepts.
/// </remarks>
public static partial class FormSchema
{
    public const string Dialect = "https://json-schema.org/draft/2020-12/schema";
    public const string MediaType = "application/schema+json";

    /// <summary>What <see cref="FormValidator"/> applies when a definition sets no bound.</summary>
    private const int DefaultMaxLength = 10_000, DefaultMaxItems = 100, AddressPartMaxLength = 200;
    private const string PhonePattern = @"^\+?[0-9][0-9 ()/-]{4,24}$";
    private const string PostalCodePattern = "^[0-9]{5}$";
    /// <summary>A blank text counts as not filled in: a required text needs one character that is not white space.</summary>
    private const string NotBlank = @"\S";

    public static JsonObject For(ProcessDefinition definition, string language, DateOnly today)
    {
        var schema = new JsonObject
        {
            ["$schema"] = Dialect,
            ["title"] = definition.Title.For(language),
            ["description"] = definition.Summary.For(language),
        };
        foreach (var (key, value) in ObjectSchema(definition.Form, language, today)) schema[key] = value?.DeepClone();
        schema["x-service"] = definition.Id;
        schema["x-version"] = definition.Version;
        schema["x-language"] = language;
        // Dates relative to today (minDate: today-18y) are resolved as of this day.
        schema["x-resolvedOn"] = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return schema;
    }

    private static JsonObject ObjectSchema(IReadOnlyList<FieldDefinition> fields, string lang, DateOnly today)
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        var conditions = new JsonArray();
        foreach (var field in fields)
        {
            properties[field.Id] = FieldSchema(field, lang, today);
            if (field.Required && field.VisibleWhen is null) required.Add(field.Id);
            foreach (var condition in Conditions(field, fields)) conditions.Add(condition);
        }
        var schema = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = properties,
        };
        if (required.Count > 0) schema["required"] = required;
        // The engine refuses fields the form does not have.
        schema["additionalProperties"] = false;
        if (conditions.Count > 0) schema["allOf"] = conditions;
        return schema;
    }

    private static JsonObject FieldSchema(FieldDefinition field, string lang, DateOnly today)
    {
        var schema = new JsonObject { ["title"] = field.Label.For(lang) };
        var notes = new List<string>();
        if (field.Help is not null) notes.Add(field.Help.For(lang));
        var patterns = new List<string>();
        var mustBeFilled = field.Required && field.VisibleWhen is null;
        switch (field.Type)
        {
            case FieldTypes.Text or FieldTypes.Email or FieldTypes.Phone:
                schema["type"] = "string";
                if (field.Type == FieldTypes.Email) schema["format"] = "email";
                if (field.Type == FieldTypes.Phone) patterns.Add(PhonePattern);
                if (field.Pattern is not null) patterns.Add(field.Pattern);
                if (mustBeFilled) patterns.Add(NotBlank);
                var minLength = Math.Max(field.MinLength ?? 0, mustBeFilled ? 1 : 0);
                if (minLength > 0) schema["minLength"] = minLength;
                schema["maxLength"] = field.Type == FieldTypes.Email ? Math.Min(field.MaxLength ?? 254, 254) : field.MaxLength ?? DefaultMaxLength;
                if (field.Pattern is not null && field.PatternMessage is not null) notes.Add(field.PatternMessage.For(lang));
                break;
            case FieldTypes.Number or FieldTypes.Integer:
                schema["type"] = field.Type;
                if (field.Min is { } min) schema["minimum"] = min;
                if (field.Max is { } max) schema["maximum"] = max;
                break;
            case FieldTypes.Boolean:
                schema["type"] = "boolean";
                break;
            case FieldTypes.Date:
                schema["type"] = "string";
                schema["format"] = "date";
                patterns.Add(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}$");
                DateBounds(field, schema, notes, lang, today);
                break;
            case FieldTypes.Choice:
                schema["type"] = "string";
                schema["enum"] = new JsonArray([.. field.Options.Select(o => (JsonNode)o.Value)]);
                // The same values once more, each with its label: what a form shows.
                schema["oneOf"] = new JsonArray([.. field.Options.Select(o => (JsonNode)new JsonObject { ["const"] = o.Value, ["title"] = o.Label.For(lang) })]);
                break;
            case FieldTypes.Address:
                foreach (var (key, value) in AddressSchema(field, lang)) schema[key] = value?.DeepClone();
                break;
            case FieldTypes.List:
                schema["type"] = "array";
                schema["items"] = ObjectSchema(field.Fields, lang, today);
                var minItems = Math.Max(field.MinItems ?? 0, mustBeFilled ? 1 : 0);
                if (minItems > 0) schema["minItems"] = minItems;
                schema["maxItems"] = field.MaxItems ?? DefaultMaxItems;
                break;
        }
        AddPatterns(schema, patterns);
        if (field.RequiredWhen is not null)
            notes.Add(T(lang, $"Pflichtfeld, wenn gilt: {field.RequiredWhen}", $"Required when: {field.RequiredWhen}"));
        if (field.Required && field.VisibleWhen is not null)
            notes.Add(T(lang, "Pflichtfeld, wo es auszufüllen ist.", "Required where it applies."));
        if (field.VisibleWhen is not null)
            notes.Add(T(lang, $"Nur auszufüllen, wenn gilt: {field.VisibleWhen}", $"Only to be filled in when: {field.VisibleWhen}"));
        if (notes.Count > 0) schema["description"] = string.Join(" ", notes);
        if (field.RequiredWhen is not null) schema["x-requiredWhen"] = field.RequiredWhen;
        if (field.VisibleWhen is not null) schema["x-visibleWhen"] = field.VisibleWhen;
        if (field.Personal) schema["x-personal"] = true;
        return schema;
    }

    private static void DateBounds(FieldDefinition field, JsonObject schema, List<string> notes, string lang, DateOnly today)
    {
        DateOnly? earliest = field.MinDate is not null && RelativeDate.TryResolve(field.MinDate, today, out var e) ? e : null;
        DateOnly? latest = field.MaxDate is not null && RelativeDate.TryResolve(field.MaxDate, today, out var l) ? l : null;
        // JSON Schema compares no dates; formatMinimum/formatMaximum are the keywords validators with date support read.
        if (earliest is { } from)
        {
            schema["formatMinimum"] = Iso(from);
            schema["x-minDate"] = field.MinDate;
        }
        if (latest is { } to)
        {
            schema["formatMaximum"] = Iso(to);
            schema["x-maxDate"] = field.MaxDate;
        }
        if (earliest is not null || latest is not null)
        {
            notes.Add((earliest, latest) switch
            {
                ({ } a, { } b) => T(lang, $"Ein Datum vom {a:dd.MM.yyyy} bis zum {b:dd.MM.yyyy}.", $"A date from {Iso(a)} to {Iso(b)}."),
                ({ } a, null) => T(lang, $"Ein Datum ab dem {a:dd.MM.yyyy}.", $"A date from {Iso(a)} on."),
                (null, { } b) => T(lang, $"Ein Datum bis zum {b:dd.MM.yyyy}.", $"A date up to {Iso(b)}."),
                _ => "",
            });
        }
    }

    /// <remarks>An address field's <c>pattern</c> applies to its postal code.</remarks>
    private static JsonObject AddressSchema(FieldDefinition field, string lang)
    {
        JsonObject Part(string de, string en, bool required, params string[] patterns)
        {
            var part = new JsonObject { ["title"] = T(lang, de, en), ["type"] = "string" };
            if (required) part["minLength"] = 1;
            part["maxLength"] = AddressPartMaxLength;
            AddPatterns(part, required ? [.. patterns, NotBlank] : [.. patterns]);
            return part;
        }
        var postalCode = field.Pattern is null ? Part("Postleitzahl", "Postal code", true, PostalCodePattern) : Part("Postleitzahl", "Postal code", true, PostalCodePattern, field.Pattern);
        if (field.Pattern is not null && field.PatternMessage is not null) postalCode["description"] = field.PatternMessage.For(lang);
        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["street"] = Part("Straße", "Street", true),
                ["houseNumber"] = Part("Hausnummer", "House number", true),
                ["postalCode"] = postalCode,
                ["city"] = Part("Ort", "City", true),
                ["addition"] = Part("Adresszusatz", "Address addition", false),
            },
            ["required"] = new JsonArray("street", "houseNumber", "postalCode", "city"),
            ["additionalProperties"] = false,
        };
    }

    /// <summary>One pattern as <c>pattern</c>; several must all match, so the others go into <c>allOf</c>.</summary>
    private static void AddPatterns(JsonObject schema, IReadOnlyList<string> patterns)
    {
        if (patterns.Count == 0) return;
        schema["pattern"] = patterns[0];
        if (patterns.Count > 1) schema["allOf"] = new JsonArray([.. patterns.Skip(1).Select(p => (JsonNode)new JsonObject { ["pattern"] = p })]);
    }

    /// <summary>
    /// <c>requiredWhen</c> and <c>visibleWhen</c> as <c>if</c>/<c>then</c>/<c>else</c> where the condition translates;
    /// a hidden field must be left out. A field that is required only when visible is required with its condition.
    /// </summary>
    private static IEnumerable<JsonObject> Conditions(FieldDefinition field, IReadOnlyList<FieldDefinition> fields)
    {
        var requiredWhen = field.RequiredWhen is not null ? Condition(field.RequiredWhen, fields)
            : field.Required && field.VisibleWhen is not null ? Condition(field.VisibleWhen, fields)
            : null;
        var visibleWhen = field.VisibleWhen is null ? null : Condition(field.VisibleWhen, fields);
        var sameCondition = requiredWhen is not null && visibleWhen is not null && JsonNode.DeepEquals(requiredWhen, visibleWhen);
        if (requiredWhen is not null)
        {
            var rule = new JsonObject { ["if"] = requiredWhen, ["then"] = Filled(field) };
            if (sameCondition) rule["else"] = LeftOut(field);
            yield return rule;
        }
        if (visibleWhen is not null && !sameCondition)
            yield return new JsonObject { ["if"] = visibleWhen, ["else"] = LeftOut(field) };
    }

    private static JsonObject Filled(FieldDefinition field)
    {
        var then = new JsonObject { ["required"] = new JsonArray(field.Id) };
        JsonObject? value = field.Type switch
        {
            FieldTypes.Text or FieldTypes.Email or FieldTypes.Phone => new JsonObject { ["minLength"] = 1, ["pattern"] = NotBlank },
            FieldTypes.List => new JsonObject { ["minItems"] = 1 },
            _ => null,
        };
        if (value is not null) then["properties"] = new JsonObject { [field.Id] = value };
        return then;
    }

    private static JsonObject LeftOut(FieldDefinition field) => new() { ["properties"] = new JsonObject { [field.Id] = false } };

    [GeneratedRegex(@"^\s*\[?(?<field>[A-Za-z_][A-Za-z0-9_]*)\]?\s*==?\s*(?<value>true|false|'[^'\\]*'|-?[0-9]+(?:\.[0-9]+)?)\s*$")]
    private static partial Regex EqualsPattern();

    [GeneratedRegex(@"^\s*isSet\(\s*\[?(?<field>[A-Za-z_][A-Za-z0-9_]*)\]?\s*\)\s*$")]
    private static partial Regex IsSetPattern();

    [GeneratedRegex(@"\s+(?:and|&&)\s+", RegexOptions.IgnoreCase)]
    private static partial Regex And();

    /// <summary>
    /// A condition over this form level as the <c>if</c> of a JSON Schema: <c>field = literal</c>, <c>isSet(field)</c> and
    /// their conjunctions with <c>and</c>. Anything else is null: the condition is then only described.
    /// </summary>
    public static JsonObject? Condition(string expression, IReadOnlyList<FieldDefinition> fields)
    {
        var parts = And().Split(expression);
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var part in parts)
        {
            if (EqualsPattern().Match(part) is { Success: true } equals && fields.Any(f => f.Id == equals.Groups["field"].Value))
            {
                var name = equals.Groups["field"].Value;
                if (properties.ContainsKey(name)) return null;
                properties[name] = new JsonObject { ["const"] = Literal(equals.Groups["value"].Value) };
                required.Add(name);
            }
            else if (IsSetPattern().Match(part) is { Success: true } isSet && fields.FirstOrDefault(f => f.Id == isSet.Groups["field"].Value) is { } set)
            {
                if (properties.ContainsKey(set.Id)) return null;
                properties[set.Id] = set.Type switch
                {
                    FieldTypes.Text or FieldTypes.Email or FieldTypes.Phone or FieldTypes.Date or FieldTypes.Choice => new JsonObject { ["pattern"] = NotBlank },
                    FieldTypes.List => new JsonObject { ["minItems"] = 1 },
                    _ => new JsonObject { ["not"] = new JsonObject { ["type"] = "null" } },
                };
                required.Add(set.Id);
            }
            else
            {
                return null;
            }
        }
        return new JsonObject { ["properties"] = properties, ["required"] = required };
    }

    private static JsonNode Literal(string text) => text switch
    {
        "true" => true,
        "false" => false,
        _ when text.StartsWith('\'') => text[1..^1],
        _ => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string T(string lang, string de, string en) => lang == "en" ? en : de;
}
