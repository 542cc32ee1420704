using System.Globalization;
using System.Text.Json.Nodes;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Api.Views;

/// <summary>A form value as a person reads it.</summary>
public static class FormValues
{
    /// <summary>As the API's views show an input: a chosen option's label, yes or no, else the value as given.</summary>
    public static string Display(FieldDefinition field, JsonNode value, string language)
    {
        if (value is not JsonValue v) return value.ToJsonString();
        if (v.TryGetValue<string>(out var text)) return field.Options.FirstOrDefault(o => o.Value == text)?.Label.For(language) ?? text;
        if (v.TryGetValue<bool>(out var flag)) return flag ? (language == "en" ? "yes" : "ja") : (language == "en" ? "no" : "nein");
        return v.ToJsonString();
    }

    /// <summary>As a letter prints it: besides <see cref="Display"/>, dates as the reader writes them, addresses and list items in words.</summary>
    public static string Printed(FieldDefinition field, JsonNode value, string language)
    {
        switch (value)
        {
            case JsonArray items:
                return string.Join("\n", items.Select(item => item is JsonObject entry
                    ? string.Join(", ", field.Fields.Where(f => entry[f.Id] is not null).Select(f => $"{f.Label.For(language)}: {Printed(f, entry[f.Id]!, language)}"))
                    : item is null ? "" : Printed(field, item, language)));
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
