using System.Text.RegularExpressions;

namespace Vorgang.Workflows.Definitions;

/// <summary>The <c>{name}</c> and <c>{field.part}</c> placeholders of a letter's texts.</summary>
public static partial class LetterPlaceholders
{
    [GeneratedRegex(@"\{([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)?)\}")]
    private static partial Regex Placeholder();

    public static IEnumerable<string> Names(string text) => Placeholder().Matches(text).Select(m => m.Groups[1].Value);

    /// <summary>The text with each placeholder replaced by what <paramref name="value"/> gives for its name.</summary>
    public static string Fill(string text, Func<string, string> value) => Placeholder().Replace(text, m => value(m.Groups[1].Value));
}
