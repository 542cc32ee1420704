using System.Globalization;
using System.Text.Json.Nodes;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Api.Views;

/// <summary>A form value as a person reads it: the label of a chosen option, yes or no, a date, the items of a list.</summary>
public static class FormValues
{
    public static string Display(FieldDefinition field, JsonNode value, string language)
    {
        switch (value)
        {
            case JsonArray items:
                return string.Join("\n", items.Select(item => item is JsonObject entry
                    ? string.Join(", ", field.Fields.Where(f => entry[f.Id] is not null).Select(f => $"{f.Label.For(language)}: {Display(f, entry[f.Id]!, language)}"))
                    : item is null ? "" : Display(field, item, language)));
            case JsonValue v when v.TryGetValue<string>(out var text):
                if (field.Options.FirstOrDefault(o => o.Value == text) is { } option) return option.Label.For(language);
                if (field.Type == FieldTypes.Date && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                    return date.ToString(language == "en" ? "d MMMM yyyy" : "dd.MM.yyyy", CultureInfo.GetCultureInfo(language == "en" ? "en-GB" : "de-DE"));
                return text;
            case JsonObject parts:
                return string.Join(", ", parts.Where(p => p.Value is not null).Select(p => p.Value is JsonValue part ? part.ToString() : p.Value!.ToJsonString()));
            case JsonValue v when v.TryGetValue<bool>(out var flag):
                return flag ? (language == "en" ? "yes" : "ja") : (language == "en" ? "no" : "nein");
            default:
                return value.ToJsonString();
        }
    }
}
