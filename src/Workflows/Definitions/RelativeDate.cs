using System.Globalization;
using System.Text.RegularExpressions;

namespace Vorgang.Workflows.Definitions;

/// <summary>Dates in definitions: absolute (<c>2026-01-31</c>) or relative to today (<c>today</c>, <c>today-14d</c>, <c>today+6m</c>, <c>today-18y</c>).</summary>
public static partial class RelativeDate
{
    [GeneratedRegex(@"^today(?:(?<sign>[+-])(?<n>\d{1,4})(?<unit>[dwmy]))?$")]
    private static partial Regex RelativePattern();

    public static bool TryResolve(string text, DateOnly today, out DateOnly date)
    {
        var match = RelativePattern().Match(text);
        if (match.Success)
        {
            if (!match.Groups["n"].Success)
            {
                date = today;
                return true;
            }
            var n = int.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture) * (match.Groups["sign"].Value == "-" ? -1 : 1);
            try
            {
                date = match.Groups["unit"].Value switch
                {
                    "d" => today.AddDays(n),
                    "w" => today.AddDays(7 * n),
                    "m" => today.AddMonths(n),
                    _ => today.AddYears(n),
                };
                return true;
            }
            catch (ArgumentOutOfRangeException)
            {
                date = default;
                return false;
            }
        }
        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }

    public static bool IsRelative(string text) => RelativePattern().IsMatch(text);
}
