using System.Globalization;
using System.Net.Mail;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Vorgang.Workflows.Definitions;

/// <summary>One violated rule of one field: <c>Field</c> is a path such as <c>newAddress.postalCode</c> or <c>householdMembers[0].firstName</c>.</summary>
public sealed record FieldError(string Field, string Rule, string Message);

/// <summary>
/// Validates submitted values against field definitions, reporting every violation at once in the
/// requested language, and turns valid values into expression parameters.
/// </summary>
public static class FormValidator
{
    private static readonly Regex PhonePattern = new(@"^\+?[0-9][0-9 ()/-]{4,24}$", RegexOptions.Compiled);
    private static readonly Regex PostalCodePattern = new(@"^[0-9]{5}$", RegexOptions.Compiled);

    public static List<FieldError> Validate(
        IReadOnlyList<FieldDefinition> fields, JsonObject? data, string language, DateOnly today,
        IReadOnlyDictionary<string, object?>? outerValues = null)
    {
        var errors = new List<FieldError>();
        data ??= new JsonObject();
        ValidateObject(fields, data, "", language, today, errors, outerValues);
        return errors;
    }

    private static void ValidateObject(
        IReadOnlyList<FieldDefinition> fields, JsonObject data, string prefix, string lang, DateOnly today,
        List<FieldError> errors, IReadOnlyDictionary<string, object?>? outerValues)
    {
        var known = fields.Select(f => f.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, _) in data)
        {
            if (!known.Contains(name))
            {
                errors.Add(new(prefix + name, "unknown-field", T(lang, "Dieses Feld gibt es in diesem Formular nicht.", "This form has no such field.")));
            }
        }

        // Conditions see the raw values of this level (plus the outer form, for action inputs).
        var values = ToParameters(fields, data);
        if (outerValues is not null)
        {
            foreach (var (k, v) in outerValues) values.TryAdd(k, v);
        }

        foreach (var field in fields)
        {
            var path = prefix + field.Id;
            data.TryGetPropertyValue(field.Id, out var value);
            var present = !IsEmpty(value);
            var visible = field.VisibleWhen is null || Rules.IsTrue(field.VisibleWhen, values, today);
            if (!visible)
            {
                if (present)
                    errors.Add(new(path, "not-applicable", T(lang, "Dieses Feld ist bei Ihren Angaben nicht auszufüllen.", "This field does not apply to your answers; leave it empty.")));
                continue;
            }
            var required = field.Required || (field.RequiredWhen is not null && Rules.IsTrue(field.RequiredWhen, values, today));
            if (!present || (required && value is JsonArray { Count: 0 }))
            {
                if (required)
                    errors.Add(new(path, "required", T(lang, "Bitte füllen Sie dieses Feld aus.", "Please fill in this field.")));
                continue;
            }
            ValidateValue(field, value!, path, lang, today, errors);
        }
    }

    private static void ValidateValue(FieldDefinition field, JsonNode value, string path, string lang, DateOnly today, List<FieldError> errors)
    {
        switch (field.Type)
        {
            case FieldTypes.Text or FieldTypes.Email or FieldTypes.Phone:
                if (!TryString(value, out var text))
                {
                    errors.Add(new(path, "type", T(lang, "Bitte geben Sie einen Text ein.", "Please enter text.")));
                    return;
                }
                if (field.MinLength is { } min && text.Length < min)
                    errors.Add(new(path, "minLength", T(lang, $"Bitte geben Sie mindestens {min} Zeichen ein.", $"Please enter at least {min} characters.")));
                if ((field.MaxLength ?? 10_000) is var max && text.Length > max)
                    errors.Add(new(path, "maxLength", T(lang, $"Bitte geben Sie höchstens {max} Zeichen ein.", $"Please enter at most {max} characters.")));
                if (field.Type == FieldTypes.Email && !IsEmail(text))
                    errors.Add(new(path, "email", T(lang, "Bitte geben Sie eine gültige E-Mail-Adresse ein.", "Please enter a valid email address.")));
                if (field.Type == FieldTypes.Phone && !PhonePattern.IsMatch(text))
                    errors.Add(new(path, "phone", T(lang, "Bitte geben Sie eine gültige Telefonnummer ein.", "Please enter a valid phone number.")));
                if (field.Pattern is not null && !Matches(text, field.Pattern))
                    errors.Add(new(path, "pattern", field.PatternMessage?.For(lang) ?? T(lang, "Die Eingabe hat nicht das erwartete Format.", "The value does not have the expected format.")));
                return;
            case FieldTypes.Number or FieldTypes.Integer:
                if (value is not JsonValue nv || !TryNumber(nv, out var number))
                {
                    errors.Add(new(path, "type", T(lang, "Bitte geben Sie eine Zahl ein.", "Please enter a number.")));
                    return;
                }
                if (field.Type == FieldTypes.Integer && number != decimal.Truncate(number))
                    errors.Add(new(path, "integer", T(lang, "Bitte geben Sie eine ganze Zahl ein.", "Please enter a whole number.")));
                if (field.Min is { } lo && number < lo)
                    errors.Add(new(path, "min", T(lang, $"Der Wert muss mindestens {lo.ToString(CultureInfo.GetCultureInfo("de-DE"))} sein.", $"The value must be at least {lo.ToString(CultureInfo.InvariantCulture)}.")));
                if (field.Max is { } hi && number > hi)
                    errors.Add(new(path, "max", T(lang, $"Der Wert darf höchstens {hi.ToString(CultureInfo.GetCultureInfo("de-DE"))} sein.", $"The value must be at most {hi.ToString(CultureInfo.InvariantCulture)}.")));
                return;
            case FieldTypes.Boolean:
                if (value is not JsonValue bv || bv.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                    errors.Add(new(path, "type", T(lang, "Bitte wählen Sie Ja oder Nein.", "Please choose yes or no.")));
                return;
            case FieldTypes.Date:
                if (!TryString(value, out var dateText) || !DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    errors.Add(new(path, "date", T(lang, "Bitte geben Sie ein Datum im Format JJJJ-MM-TT ein.", "Please enter a date as YYYY-MM-DD.")));
                    return;
                }
                if (field.MinDate is not null && RelativeDate.TryResolve(field.MinDate, today, out var earliest) && date < earliest)
                    errors.Add(new(path, "minDate", T(lang, $"Das Datum darf nicht vor dem {earliest:dd.MM.yyyy} liegen.", $"The date must not be before {earliest:yyyy-MM-dd}.")));
                if (field.MaxDate is not null && RelativeDate.TryResolve(field.MaxDate, today, out var latest) && date > latest)
                    errors.Add(new(path, "maxDate", T(lang, $"Das Datum darf nicht nach dem {latest:dd.MM.yyyy} liegen.", $"The date must not be after {latest:yyyy-MM-dd}.")));
                return;
            case FieldTypes.Choice:
                if (!TryString(value, out var choice) || field.Options.All(o => o.Value != choice))
                    errors.Add(new(path, "options", T(lang,
                        $"Bitte wählen Sie einen der Werte: {string.Join(", ", field.Options.Select(o => o.Value))}.",
                        $"Please choose one of: {string.Join(", ", field.Options.Select(o => o.Value))}.")));
                return;
            case FieldTypes.Address:
                ValidateAddress(field, value, path, lang, errors);
                return;
            case FieldTypes.List:
                if (value is not JsonArray items)
                {
                    errors.Add(new(path, "type", T(lang, "Bitte geben Sie eine Liste an.", "Please give a list.")));
                    return;
                }
                if (field.MinItems is { } minItems && items.Count < minItems)
                    errors.Add(new(path, "minItems", T(lang, $"Bitte geben Sie mindestens {minItems} Einträge an.", $"Please give at least {minItems} entries.")));
                if ((field.MaxItems ?? 100) is var maxItems && items.Count > maxItems)
                    errors.Add(new(path, "maxItems", T(lang, $"Bitte geben Sie höchstens {maxItems} Einträge an.", $"Please give at most {maxItems} entries.")));
                for (var i = 0; i < items.Count && i < 1000; i++)
                {
                    if (items[i] is JsonObject item)
                        ValidateObject(field.Fields, item, $"{path}[{i}].", lang, today, errors, null);
                    else
                        errors.Add(new($"{path}[{i}]", "type", T(lang, "Jeder Eintrag muss ein Objekt sein.", "Each entry must be an object.")));
                }
                return;
        }
    }

    /// <summary>
    /// A definition's pattern that backtracks without end on some input (say <c>^(a+)+$</c> on a long text) refuses
    /// the value after 100 ms instead of failing the request.
    /// </summary>
    private static bool Matches(string text, string pattern)
    {
        try
        {
            return Regex.IsMatch(text, pattern, RegexOptions.None, TimeSpan.FromMilliseconds(100));
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <remarks>An address field's <c>pattern</c> applies to its postal code (e.g. only the city's own postal codes).</remarks>
    private static void ValidateAddress(FieldDefinition field, JsonNode value, string path, string lang, List<FieldError> errors)
    {
        if (value is not JsonObject address)
        {
            errors.Add(new(path, "type", T(lang, "Bitte geben Sie eine Anschrift an (Straße, Hausnummer, Postleitzahl, Ort).", "Please give an address (street, house number, postal code, city).")));
            return;
        }
        foreach (var (name, _) in address)
        {
            if (!FieldTypes.AddressParts.Contains(name))
                errors.Add(new($"{path}.{name}", "unknown-field", T(lang, "Eine Anschrift hat dieses Feld nicht.", "An address has no such field.")));
        }
        foreach (var part in new[] { "street", "houseNumber", "postalCode", "city" })
        {
            if (!address.TryGetPropertyValue(part, out var partValue) || IsEmpty(partValue))
            {
                errors.Add(new($"{path}.{part}", "required", T(lang, "Bitte füllen Sie dieses Feld aus.", "Please fill in this field.")));
            }
            else if (!TryString(partValue, out var s) || s.Length > 200)
            {
                errors.Add(new($"{path}.{part}", "type", T(lang, "Bitte geben Sie einen Text mit höchstens 200 Zeichen ein.", "Please enter text of at most 200 characters.")));
            }
            else if (part == "postalCode" && !PostalCodePattern.IsMatch(s))
            {
                errors.Add(new($"{path}.{part}", "pattern", T(lang, "Eine Postleitzahl hat fünf Ziffern.", "A postal code has five digits.")));
            }
            else if (part == "postalCode" && field.Pattern is not null && !Matches(s, field.Pattern))
            {
                errors.Add(new($"{path}.{part}", "pattern", field.PatternMessage?.For(lang) ?? T(lang, "Diese Postleitzahl ist hier nicht möglich.", "This postal code is not possible here.")));
            }
        }
        if (address.TryGetPropertyValue("addition", out var addition) && addition is not null && (!TryString(addition, out var a) || a.Length > 200))
            errors.Add(new($"{path}.addition", "type", T(lang, "Bitte geben Sie einen Text mit höchstens 200 Zeichen ein.", "Please enter text of at most 200 characters.")));
    }

    /// <summary>Turns form values into expression parameters: dates as dates, numbers as decimals, address parts as <c>field.part</c>.</summary>
    public static Dictionary<string, object?> ToParameters(IReadOnlyList<FieldDefinition> fields, JsonObject? data)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            JsonNode? node = null;
            data?.TryGetPropertyValue(field.Id, out node);
            values[field.Id] = ToParameter(field, node);
            if (field.Type == FieldTypes.Address)
            {
                foreach (var part in FieldTypes.AddressParts)
                {
                    values[$"{field.Id}.{part}"] = (node as JsonObject)?[part] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
                }
            }
        }
        return values;
    }

    private static object? ToParameter(FieldDefinition field, JsonNode? node)
    {
        switch (node)
        {
            case null: return null;
            case JsonArray array: return array.ToList();
            case JsonObject: return node.ToJsonString();
            case JsonValue value:
                switch (value.GetValueKind())
                {
                    case JsonValueKind.True: return true;
                    case JsonValueKind.False: return false;
                    case JsonValueKind.Number: return TryNumber(value, out var d) ? d : null;
                    case JsonValueKind.String:
                        var s = value.GetValue<string>();
                        if (field.Type == FieldTypes.Date && DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                            return date.ToDateTime(TimeOnly.MinValue);
                        return s;
                    default: return null;
                }
            default: return null;
        }
    }

    /// <summary>A JSON number as decimal, whether it was parsed from a request or built in code from int, long or double.</summary>
    private static bool TryNumber(JsonValue value, out decimal number)
    {
        number = 0;
        if (value.GetValueKind() != JsonValueKind.Number) return false;
        if (value.TryGetValue(out number)) return true;
        // Values built in code hold their CLR type (int, long, double …); their JSON text is the common ground.
        return decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number);
    }

    private static bool IsEmpty(JsonNode? node) => node switch
    {
        null => true,
        JsonValue v when v.GetValueKind() == JsonValueKind.Null => true,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => string.IsNullOrWhiteSpace(v.GetValue<string>()),
        _ => false,
    };

    private static bool TryString(JsonNode? node, out string text)
    {
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            text = v.GetValue<string>();
            return true;
        }
        text = "";
        return false;
    }

    private static bool IsEmail(string text) =>
        text.Length <= 254 && MailAddress.TryCreate(text, out var address) && address.Address == text && address.Host.Contains('.');

    private static string T(string lang, string de, string en) => lang == "en" ? en : de;
}
