using Vorgang.Projections.Statistics;

namespace Vorgang.Api.Features.OpenData;

/// <summary>
/// How one count of one service in one period is exposed: <see cref="Small"/> counts (1 to 4) must be withheld and
/// must not become deducible; <see cref="Hidden"/> ones are withheld for another reason already; <see cref="Slack"/>
/// is how much a withheld count blurs the others of its month when it is withheld as cover (see <see cref="Disclosure"/>).
/// </summary>
public readonly record struct Exposure(bool Small, bool Hidden, int Slack)
{
    public static Exposure OfCount(int count) => new(Disclosure.IsSmall(count), false, count - Disclosure.MinimumCount);
}

/// <summary>
/// Statistical disclosure control for the open-data tables: counts below <see cref="MinimumCount"/> are withheld
/// (primary suppression), and so are enough further figures that no withheld count can be worked out from what is
/// published (secondary suppression).
/// </summary>
/// <remarks>
/// Weeks and months are two tables over the same days, so they are linked: a month is the sum of the parts of the
/// weeks that overlap it, and a published month minus its published weeks would give a withheld week away. Chaining
/// such sums from one month to the next even pins down how a week straddling two months splits between them. The rules:
/// <list type="number">
/// <item>A small month takes every week that overlaps it along (else the weeks, and the parts of straddling weeks
/// worked out from the neighbouring months, would add up to it).</item>
/// <item>A published month that overlaps a small week needs cover: further withheld weeks inside the month whose
/// counts blur the sum by at least <see cref="RequiredSlack"/> beyond what an observer can rule out, so that every
/// value from 1 to 4 stays possible for the small one. The smallest sufficient week is chosen; when the month's weeks
/// cannot give enough cover, the month is withheld instead.</item>
/// </list>
/// Zero is published as zero and periods without any case have no row: "nothing happened" names nobody.
/// The rules are deliberately simple; they close the exact derivations between the published tables, they are not a
/// full audit of every interval an observer might narrow a count to.
/// </remarks>
public static class Disclosure
{
    public const int MinimumCount = 5;

    /// <summary>An observer knows a withheld count is at least 1 (it has a row) and at most 4 when small; cover must leave that whole range open.</summary>
    public const int RequiredSlack = 3;

    public static bool IsSmall(int count) => count is > 0 and < MinimumCount;

    /// <summary>The periods (weeks and months of one service and one measure) whose figure must be withheld.</summary>
    public static IReadOnlySet<StatisticsPeriod> Withhold(IReadOnlyDictionary<StatisticsPeriod, Exposure> cells)
    {
        var withheld = cells.Where(c => c.Value.Small || c.Value.Hidden).Select(c => c.Key).ToHashSet();
        var weeks = cells.Keys.Where(p => p.Kind == PeriodKind.Week).OrderBy(p => p.Start).ToList();
        var months = cells.Keys.Where(p => p.Kind == PeriodKind.Month).OrderBy(p => p.Start).ToList();

        foreach (var month in months.Where(m => cells[m].Small))
        {
            withheld.UnionWith(weeks.Where(w => w.Overlaps(month)));
        }

        foreach (var month in months.Where(m => !withheld.Contains(m)))
        {
            var overlapping = weeks.Where(w => w.Overlaps(month)).ToList();
            if (!overlapping.Any(w => cells[w].Small)) continue;

            var inside = overlapping.Where(w => w.Within(month)).ToList();
            var slack = inside.Where(w => withheld.Contains(w) && !cells[w].Small).Sum(w => Math.Max(0, cells[w].Slack));
            var candidates = inside.Where(w => !withheld.Contains(w)).OrderBy(w => cells[w].Slack).ThenBy(w => w.Start).ToList();
            if (slack + candidates.Sum(w => Math.Max(0, cells[w].Slack)) < RequiredSlack)
            {
                withheld.Add(month);
                continue;
            }
            while (slack < RequiredSlack)
            {
                var need = RequiredSlack - slack;
                var pick = candidates.FindIndex(w => cells[w].Slack >= need) is var i and >= 0 ? i : candidates.Count - 1;
                slack += Math.Max(0, cells[candidates[pick]].Slack);
                withheld.Add(candidates[pick]);
                candidates.RemoveAt(pick);
            }
        }
        return withheld;
    }
}
