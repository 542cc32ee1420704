using System.Globalization;
using System.Text;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Web;

/// <summary>
/// The start page's search (a small Zuständigkeitsfinder): a service matches when every word of the query begins a
/// word of its title, summary or search terms in either language, ignoring case and accents ("umzug" finds "Umzug",
/// "moving house" finds "moving house"). Best first: search terms, then title, then summary.
/// </summary>
public static class ServiceSearch
{
    public static IReadOnlyList<ProcessDefinition> Find(IEnumerable<ProcessDefinition> services, string query, string lang)
    {
        var words = Words(query);
        if (words.Count == 0) return [];
        return services
            .Select(d => (Definition: d, Score: Score(d, words)))
            .Where(x => x.Score > 0)
            .OrderByDescending(x => x.Score).ThenBy(x => x.Definition.Title.For(lang), StringComparer.CurrentCulture)
            .Select(x => x.Definition)
            .ToList();
    }

    private static int Score(ProcessDefinition d, IReadOnlyList<string> query)
    {
        var terms = Words(string.Join(' ', (d.SearchTerms?.De ?? []).Concat(d.SearchTerms?.En ?? [])));
        var title = Words(d.Title.De + " " + d.Title.En + " " + d.Id.Replace('-', ' '));
        var summary = Words(d.Summary.De + " " + d.Summary.En);
        var score = 0;
        foreach (var word in query)
        {
            var best = Matches(terms, word) ? 3 : Matches(title, word) ? 2 : Matches(summary, word) ? 1 : 0;
            if (best == 0) return 0;
            score += best;
        }
        return score;
    }

    private static bool Matches(IReadOnlyList<string> words, string word) => words.Any(w => w.StartsWith(word, StringComparison.Ordinal));

    private static List<string> Words(string text)
    {
        var normalized = Fold(text);
        return normalized.Split((char[])[' ', ',', '.', '-', '/', '(', ')', '?', '!', '\'', '’', '„', '“', '"', ';', ':'], StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w.Length > 1 || char.IsDigit(w[0]))
            .ToList();
    }

    /// <summary>Lower case without accents; ß as ss: "Straßenschäden" and "strassenschaden" are the same word.</summary>
    private static string Fold(string text)
    {
        var decomposed = text.ToLowerInvariant().Replace("ß", "ss").Normalize(NormalizationForm.FormD);
        var folded = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark) folded.Append(c);
        return folded.ToString();
    }
}
