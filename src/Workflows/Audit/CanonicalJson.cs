using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Vorgang.Workflows.Audit;

/// <summary>
/// One text per JSON value, whoever wrote it: object keys sorted (ordinal) at every depth, no insignificant
/// whitespace, strings re-escaped the same way, numbers written by value. PostgreSQL's <c>jsonb</c> reorders keys,
/// drops whitespace and rewrites numbers (<c>1e2</c> → <c>100</c>), so a hash over the serializer's output and a hash
/// over the stored column agree only after both went through here.
/// </summary>
public static class CanonicalJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    public static string Canonicalize(string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
        var buffer = new ArrayBufferWriter<byte>(json.Length + 16);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions)) Write(writer, document.RootElement);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                // A repeated key keeps its last value, as jsonb does.
                var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject()) properties[property.Name] = property.Value;
                foreach (var key in properties.Keys.Order(StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    Write(writer, properties[key]);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray()) Write(writer, item);
                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(element.GetString());
                break;
            case JsonValueKind.Number:
                writer.WriteRawValue(Number(element.GetRawText()), skipInputValidation: true);
                break;
            case JsonValueKind.True:
                writer.WriteBooleanValue(true);
                break;
            case JsonValueKind.False:
                writer.WriteBooleanValue(false);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    /// <summary>
    /// A JSON number by its exact value: significant digits without leading or trailing zeros and a decimal exponent
    /// (<c>12.50</c>, <c>1.25e1</c> and <c>125e-1</c> all become <c>125e-1</c>; zero is <c>0</c>). Exact for any
    /// size, unlike a round trip through double or decimal.
    /// </summary>
    public static string Number(string raw)
    {
        var text = raw.AsSpan();
        var negative = text.Length > 0 && text[0] == '-';
        if (negative) text = text[1..];

        var exponentAt = text.IndexOfAny('e', 'E');
        long exponent = 0;
        if (exponentAt >= 0)
        {
            exponent = long.Parse(text[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..exponentAt];
        }

        var digits = new StringBuilder(text.Length);
        var point = text.IndexOf('.');
        if (point >= 0)
        {
            digits.Append(text[..point]).Append(text[(point + 1)..]);
            exponent -= text.Length - point - 1;
        }
        else
        {
            digits.Append(text);
        }

        var start = 0;
        while (start < digits.Length && digits[start] == '0') start++;
        var end = digits.Length;
        while (end > start && digits[end - 1] == '0') { end--; exponent++; }
        if (start == end) return "0";

        var significant = digits.ToString(start, end - start);
        var sign = negative ? "-" : "";
        return exponent == 0 ? sign + significant : $"{sign}{significant}e{exponent.ToString(CultureInfo.InvariantCulture)}";
    }
}
