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
        var buffer = new ArrayBufferWriter<byte>(json.Length + 16);
        WriteTo(buffer, json);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes the canonical UTF-8 text of <paramref name="json"/> to <paramref name="output"/>.</summary>
    public static void WriteTo(IBufferWriter<byte> output, string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        Write(writer, document.RootElement);
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                WriteProperties(writer, element);
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

    private static void WriteProperties(Utf8JsonWriter writer, JsonElement element)
    {
        var count = element.GetPropertyCount();
        if (count == 0) return;
        var properties = ArrayPool<(string Name, int At, JsonElement Value)>.Shared.Rent(count);
        try
        {
            var n = 0;
            foreach (var property in element.EnumerateObject()) properties[n] = (property.Name, n++, property.Value);
            var span = properties.AsSpan(0, n);
            // Keys in ordinal order; a repeated key keeps its last value, as jsonb does (the later one sorts after).
            span.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name) is var byName and not 0 ? byName : a.At.CompareTo(b.At));
            for (var i = 0; i < span.Length; i++)
            {
                if (i + 1 < span.Length && span[i + 1].Name == span[i].Name) continue;
                writer.WritePropertyName(span[i].Name);
                Write(writer, span[i].Value);
            }
        }
        finally
        {
            ArrayPool<(string, int, JsonElement)>.Shared.Return(properties, clearArray: true);
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
