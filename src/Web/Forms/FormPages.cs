using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Primitives;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Web.Forms;

/// <summary>
/// The form as pages: which fields a page shows (their <c>visibleWhen</c> evaluated on the answers so far), how posted
/// form fields become the JSON values the engine validates, and which of the engine's errors belong to a page.
/// Inputs are named <c>f.{field}</c>, <c>f.{field}.{part}</c> and <c>f.{field}[{i}].{sub}</c>.
/// </summary>
public static class FormPages
{
    public const string Prefix = "f.";

    public static FormStep? Step(ProcessDefinition definition, string stepId) => definition.Pages.FirstOrDefault(s => s.Id == stepId);

    public static FieldDefinition Field(ProcessDefinition definition, string id) => definition.Form.First(f => f.Id == id);

    public static bool IsVisible(FieldDefinition field, JsonObject answers, DateOnly today, IReadOnlyList<FieldDefinition> form) =>
        field.VisibleWhen is null || Rules.IsTrue(field.VisibleWhen, FormValidator.ToParameters(form, answers), today);

    public static IReadOnlyList<FieldDefinition> VisibleFields(ProcessDefinition definition, FormStep step, JsonObject answers, DateOnly today) =>
        step.Fields.Select(id => Field(definition, id)).Where(f => IsVisible(f, answers, today, definition.Form)).ToList();

    /// <summary>The pages that ask something with the answers so far.</summary>
    public static IReadOnlyList<FormStep> ActivePages(ProcessDefinition definition, JsonObject answers, DateOnly today) =>
        definition.Pages.Where(s => VisibleFields(definition, s, answers, today).Count > 0).ToList();

    /// <summary>Answers to fields that no longer apply are dropped, so that the engine's "leave it empty" never meets the citizen.</summary>
    public static JsonObject Prune(ProcessDefinition definition, JsonObject answers, DateOnly today)
    {
        var pruned = (JsonObject)answers.DeepClone();
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var field in definition.Form)
            {
                if (pruned.ContainsKey(field.Id) && !IsVisible(field, pruned, today, definition.Form))
                {
                    pruned.Remove(field.Id);
                    changed = true;
                }
            }
        }
        return pruned;
    }

    /// <summary>The engine's errors for the fields of one page.</summary>
    public static IReadOnlyList<FieldError> ErrorsFor(IEnumerable<FieldError> errors, IEnumerable<FieldDefinition> fields)
    {
        var ids = fields.Select(f => f.Id).ToHashSet(StringComparer.Ordinal);
        return errors.Where(e => ids.Contains(TopLevel(e.Field))).ToList();
    }

    public static string TopLevel(string path)
    {
        var end = path.IndexOfAny(['.', '[']);
        return end < 0 ? path : path[..end];
    }

    /// <summary>The element id of an input (or of a group's first input) for an engine path such as <c>newAddress.postalCode</c>.</summary>
    public static string InputId(string path) => "f-" + path.Replace("].", "-").Replace('[', '-').Replace(']', '-').Replace('.', '-').TrimEnd('-');

    public static string ErrorId(string path) => InputId(path) + "-error";

    /// <summary>Where an error summary's link for <paramref name="error"/> leads: the input, or the first input of a group.</summary>
    public static string AnchorFor(FieldError error, ProcessDefinition definition)
    {
        var field = definition.Form.FirstOrDefault(f => f.Id == TopLevel(error.Field));
        if (field is null) return InputId(error.Field);
        return field.Type switch
        {
            FieldTypes.Address when error.Field == field.Id => InputId(field.Id + ".street"),
            _ => InputId(error.Field),
        };
    }

    /// <summary>Reads the posted inputs of <paramref name="fields"/> into <paramref name="answers"/> (empty inputs remove the answer).</summary>
    public static void Read(IEnumerable<FieldDefinition> fields, IFormCollection form, JsonObject answers)
    {
        foreach (var field in fields)
        {
            var value = ReadField(field, Prefix + field.Id, form);
            if (value is null) answers.Remove(field.Id);
            else answers[field.Id] = value;
        }
    }

    private static JsonNode? ReadField(FieldDefinition field, string name, IFormCollection form)
    {
        switch (field.Type)
        {
            case FieldTypes.Address:
                var address = new JsonObject();
                foreach (var part in FieldTypes.AddressParts)
                {
                    var text = Text(form[$"{name}.{part}"]);
                    if (text is not null) address[part] = text;
                }
                return address.Count == 0 ? null : address;
            case FieldTypes.List:
                var items = new JsonArray();
                // At most as many rows as the list may hold, and never more than a page can have shown.
                var rows = Math.Min(field.MaxItems ?? 100, 100);
                for (var i = 0; i < rows; i++)
                {
                    var item = new JsonObject();
                    foreach (var sub in field.Fields)
                    {
                        var value = ReadField(sub, $"{name}[{i}].{sub.Id}", form);
                        if (value is not null) item[sub.Id] = value;
                    }
                    if (item.Count > 0) items.Add(item);
                }
                return items.Count == 0 ? null : items;
            default:
                return Scalar(field, Text(form[name]));
        }
    }

    /// <summary>The posted text, trimmed; control characters other than line breaks and tabs are dropped (PostgreSQL cannot store a NUL).</summary>
    public static string? Text(StringValues values)
    {
        var text = values.Count == 0 ? null : values[0];
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
            text = new string(text.Where(c => !char.IsControl(c) || c is '\n' or '\r' or '\t').ToArray());
        return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
    }

    /// <summary>A typed value where the text is one; otherwise the text itself, which the engine's validation then names.</summary>
    private static JsonNode? Scalar(FieldDefinition field, string? text)
    {
        if (text is null) return null;
        switch (field.Type)
        {
            case FieldTypes.Number or FieldTypes.Integer:
                var normalized = text.Replace(" ", "");
                if (normalized.Count(c => c == ',') == 1 && !normalized.Contains('.')) normalized = normalized.Replace(',', '.');
                return decimal.TryParse(normalized, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
                    ? JsonValue.Create(number)
                    : JsonValue.Create(text);
            case FieldTypes.Boolean:
                return text switch { "true" => JsonValue.Create(true), "false" => JsonValue.Create(false), _ => JsonValue.Create(text) };
            default:
                return JsonValue.Create(text);
        }
    }

    /// <summary>The text an input shows for a stored value.</summary>
    public static string? InputValue(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        JsonValue v when v.GetValueKind() == JsonValueKind.True => "true",
        JsonValue v when v.GetValueKind() == JsonValueKind.False => "false",
        _ => null,
    };

    /// <summary>An answer as the citizen reads it on "check your answers".</summary>
    public static string Display(FieldDefinition field, JsonNode? node, string lang)
    {
        string T(string de, string en) => lang == "en" ? en : de;
        switch (field.Type)
        {
            case FieldTypes.Boolean:
                return InputValue(node) switch { "true" => T("Ja", "Yes"), "false" => T("Nein", "No"), var other => other ?? "" };
            case FieldTypes.Choice:
                var value = InputValue(node);
                return field.Options.FirstOrDefault(o => o.Value == value)?.Label.For(lang) ?? value ?? "";
            case FieldTypes.Date:
                var text = InputValue(node);
                return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                    ? date.ToString(lang == "en" ? "d MMMM yyyy" : "d. MMMM yyyy", CultureInfo.GetCultureInfo(lang == "en" ? "en-GB" : "de-DE"))
                    : text ?? "";
            case FieldTypes.Address when node is JsonObject a:
                var street = string.Join(" ", new[] { InputValue(a["street"]), InputValue(a["houseNumber"]) }.Where(s => s is not null));
                var city = string.Join(" ", new[] { InputValue(a["postalCode"]), InputValue(a["city"]) }.Where(s => s is not null));
                return string.Join(", ", new[] { street, InputValue(a["addition"]) ?? "", city }.Where(s => s.Length > 0));
            case FieldTypes.List when node is JsonArray items:
                return string.Join("; ", items.OfType<JsonObject>().Select(item =>
                    string.Join(", ", field.Fields.Where(f => item[f.Id] is not null).Select(f => Display(f, item[f.Id], lang)))));
            default:
                return InputValue(node) ?? "";
        }
    }
}
