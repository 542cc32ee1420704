using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vorgang.Workflows.Definitions;

/// <summary>
/// A YAML file turned into JSON, remembering the line of every node by its JSON Pointer,
/// so that schema and semantic findings can say where in the file they are.
/// </summary>
public sealed class YamlDocument
{
    private readonly Dictionary<string, int> _lines = new(StringComparer.Ordinal);

    public JsonNode? Root { get; private set; }

    public int LineOf(string pointer)
    {
        // Walk up to the nearest ancestor that exists in the file (a missing property is reported at its parent).
        var current = pointer;
        while (true)
        {
            if (_lines.TryGetValue(current, out var line)) return line;
            if (current.Length == 0) return 1;
            var cut = current.LastIndexOf('/');
            current = cut <= 0 ? "" : current[..cut];
        }
    }

    public static YamlDocument Parse(string text)
    {
        // The representation model resolves aliases silently; definitions must say everything where it applies.
        var scanner = new Parser(new StringReader(text));
        while (scanner.MoveNext())
        {
            if (scanner.Current is YamlDotNet.Core.Events.AnchorAlias alias)
                throw new YamlException(alias.Start, alias.End, $"Aliases (*{alias.Value}) are not allowed in definitions; write the value out.");
        }
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var doc = new YamlDocument();
        if (stream.Documents.Count > 0)
        {
            doc.Root = doc.Convert(stream.Documents[0].RootNode, "");
        }
        return doc;
    }

    private JsonNode? Convert(YamlNode node, string pointer)
    {
        _lines[pointer] = (int)node.Start.Line;
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    if (key is not YamlScalarNode scalarKey)
                        throw new YamlException(key.Start, key.End, "Keys must be plain names, not lists or mappings.");
                    var name = scalarKey.Value ?? "";
                    var childPointer = $"{pointer}/{Escape(name)}";
                    _lines[childPointer] = (int)key.Start.Line;
                    if (obj.ContainsKey(name))
                    {
                        throw new YamlException(key.Start, key.End, $"Duplicate key '{name}'.");
                    }
                    obj[name] = Convert(value, childPointer);
                    _lines[childPointer] = (int)key.Start.Line;
                }
                return obj;
            case YamlSequenceNode seq:
                var arr = new JsonArray();
                var i = 0;
                foreach (var item in seq.Children)
                {
                    arr.Add(Convert(item, $"{pointer}/{i++}"));
                }
                return arr;
            case YamlScalarNode scalar:
                return ConvertScalar(scalar);
            default:
                throw new YamlException(node.Start, node.End, "Aliases and anchors are not supported in definitions.");
        }
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain) return JsonValue.Create(value);
        switch (value)
        {
            case "" or "~" or "null": return null;
            case "true": return JsonValue.Create(true);
            case "false": return JsonValue.Create(false);
        }
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d))
            return JsonValue.Create(d);
        return JsonValue.Create(value);
    }

    private static string Escape(string name) => name.Replace("~", "~0").Replace("/", "~1");
}
