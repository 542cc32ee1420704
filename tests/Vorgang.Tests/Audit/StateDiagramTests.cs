using System.Globalization;
using System.Xml.Linq;
using Vorgang.Tests.Definitions;
using Vorgang.Web.Audit;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Tests.Audit;

/// <summary>
/// The auditor's state diagram as SVG: well-formed, one box per state and one arrow per action and source state, a case's
/// path marked without colour alone, nothing the pages' content security policy would block, and a name for assistive
/// technology.
/// </summary>
public sealed class StateDiagramTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static readonly StateDiagramTexts Texts = new(
        "Zustandsdiagramm", "Weg dieses Vorgangs: submitted, in-review.", "aktuell", "aktueller Zustand", "durchlaufen", "genommen");

    public static TheoryData<string, string> ServicesAndLanguages()
    {
        var data = new TheoryData<string, string>();
        foreach (var id in ShippedDefinitions.ServiceIds)
        {
            data.Add(id, "de");
            data.Add(id, "en");
        }
        return data;
    }

    /// <summary>The case's first step: the initial state, then where the first action from it leads.</summary>
    private static (StateDiagramPath Path, ActionDefinition Step) FirstStep(ProcessDefinition definition)
    {
        var initial = definition.InitialState.Id;
        var step = definition.Actions.First(a => a.From.Contains(initial) && a.To != initial);
        return (new StateDiagramPath(new HashSet<string> { initial, step.To }, step.To, new HashSet<(string, string)> { (step.Id, initial) }), step);
    }

    private static XElement Parse(string svg) => XElement.Parse(svg);

    private static IEnumerable<XElement> States(XElement svg) => svg.Descendants(Svg + "g").Where(g => g.Attribute("data-state") is not null);

    private static IEnumerable<XElement> Steps(XElement svg) => svg.Descendants(Svg + "g").Where(g => g.Attribute("data-to") is not null);

    private static bool HasClass(XElement e, string name) => ((string?)e.Attribute("class") ?? "").Split(' ').Contains(name);

    [Theory]
    [MemberData(nameof(ServicesAndLanguages))]
    public void Every_shipped_definition_is_drawn_as_well_formed_svg_with_a_box_per_state_and_an_arrow_per_step(string serviceId, string language)
    {
        var definition = ShippedDefinitions.Definition(serviceId);
        var (path, _) = FirstStep(definition);
        var svg = Parse(StateDiagram.Layout(definition, language, "aktuell").Svg(path, Texts));

        Assert.Equal(Svg + "svg", svg.Name);
        Assert.Equal(definition.States.Select(s => s.Id).Order(StringComparer.Ordinal), States(svg).Select(g => (string)g.Attribute("data-state")!).Order(StringComparer.Ordinal));
        var expected = definition.Actions.SelectMany(a => a.From.Select(from => $"{a.Id}:{from}->{a.To}")).Append($":->{definition.InitialState.Id}");
        Assert.Equal(expected.Order(StringComparer.Ordinal),
            Steps(svg).Select(g => $"{g.Attribute("data-action")!.Value}:{g.Attribute("data-from")!.Value}->{g.Attribute("data-to")!.Value}").Order(StringComparer.Ordinal));
        foreach (var step in Steps(svg))
        {
            var line = step.Element(Svg + "path")!;
            Assert.Matches(@"^M[-0-9.]+,[-0-9.]+( [LC][-0-9., ]+)+$", (string)line.Attribute("d")!);
            Assert.StartsWith("url(#state-diagram-arrow-", (string)line.Attribute("marker-end")!);
        }
        // The arrowheads the arrows name exist.
        var markers = svg.Descendants(Svg + "marker").Select(m => (string)m.Attribute("id")!).ToHashSet();
        Assert.All(Steps(svg), s => Assert.Contains(((string)s.Element(Svg + "path")!.Attribute("marker-end")!)[5..^1], markers));

        // Everything lies inside the picture, and no two boxes overlap.
        var (width, height) = (double.Parse((string)svg.Attribute("width")!, CultureInfo.InvariantCulture), double.Parse((string)svg.Attribute("height")!, CultureInfo.InvariantCulture));
        Assert.Equal($"0 0 {svg.Attribute("width")!.Value} {svg.Attribute("height")!.Value}", (string)svg.Attribute("viewBox")!);
        var boxes = States(svg).Select(g => g.Element(Svg + "rect")!).Select(r => (X: D(r, "x"), Y: D(r, "y"), W: D(r, "width"), H: D(r, "height"))).ToList();
        Assert.All(boxes, b => Assert.True(b.X >= 0 && b.Y >= 0 && b.X + b.W <= width && b.Y + b.H <= height, $"{b} lies outside {width}×{height}"));
        for (var i = 0; i < boxes.Count; i++)
            for (var j = i + 1; j < boxes.Count; j++)
                Assert.False(boxes[i].X < boxes[j].X + boxes[j].W && boxes[j].X < boxes[i].X + boxes[i].W && boxes[i].Y < boxes[j].Y + boxes[j].H && boxes[j].Y < boxes[i].Y + boxes[i].H,
                    $"boxes {i} and {j} overlap");
    }

    private static double D(XElement e, string attribute) => double.Parse((string)e.Attribute(attribute)!, CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(ServicesAndLanguages))]
    public void Nothing_in_the_svg_is_a_style_the_content_security_policy_blocks_and_it_has_an_accessible_name(string serviceId, string language)
    {
        var definition = ShippedDefinitions.Definition(serviceId);
        var svg = Parse(StateDiagram.Layout(definition, language, "current").Svg(FirstStep(definition).Path, Texts, "d1"));

        Assert.DoesNotContain(svg.DescendantsAndSelf(), e => e.Attribute("style") is not null);
        Assert.DoesNotContain(svg.Descendants(), e => e.Name.LocalName is "style" or "script" or "foreignObject" or "image");
        Assert.DoesNotContain(svg.DescendantsAndSelf().Attributes(), a => a.Name.LocalName.StartsWith("on", StringComparison.Ordinal) || a.Value.Contains("javascript:", StringComparison.OrdinalIgnoreCase));
        // Only references into the SVG itself: no resource from anywhere.
        Assert.All(svg.DescendantsAndSelf().Attributes().Where(a => a.Value.StartsWith("url(", StringComparison.Ordinal)), a => Assert.StartsWith("url(#d1-", a.Value));

        Assert.Equal("img", (string?)svg.Attribute("role"));
        var title = svg.Elements(Svg + "title").Single();
        Assert.Equal("d1-title", (string?)title.Attribute("id"));
        Assert.Equal("d1-title", (string?)svg.Attribute("aria-labelledby"));
        Assert.Equal(Texts.Title, title.Value);
        var desc = svg.Elements(Svg + "desc").Single();
        Assert.Equal((string?)desc.Attribute("id"), (string?)svg.Attribute("aria-describedby"));
        Assert.Equal(Texts.Description, desc.Value);
    }

    [Fact]
    public void The_case_s_path_is_marked_by_border_check_mark_words_and_line_never_by_colour_alone()
    {
        var definition = ShippedDefinitions.Definition("change-of-address");
        var (path, step) = FirstStep(definition);
        var svg = Parse(StateDiagram.Layout(definition, "de", "aktuell").Svg(path, Texts));
        var initial = definition.InitialState.Id;

        foreach (var state in States(svg))
        {
            var id = (string)state.Attribute("data-state")!;
            var border = state.Element(Svg + "rect")!;
            var visited = path.Visited.Contains(id);
            Assert.Equal(visited, HasClass(state, "portal-diagram__state--visited"));
            Assert.Equal(visited ? "3" : "1.5", (string?)border.Attribute("stroke-width"));
            Assert.Equal(visited, state.Elements(Svg + "path").Any(p => HasClass(p, "portal-diagram__check")));
            Assert.Equal(id == step.To, HasClass(state, "portal-diagram__state--current"));
            Assert.Equal(id == step.To, state.Value.Contains("(aktuell)", StringComparison.Ordinal));
            // The whole status text is the box's tooltip, with its mark in words.
            var status = definition.State(id)!.Status.For("de");
            var mark = id == step.To ? " (aktueller Zustand)" : visited ? " (durchlaufen)" : "";
            Assert.Equal($"{id}: {status}{mark}", state.Element(Svg + "title")!.Value);
            // Final states have a double outline.
            Assert.Equal(definition.State(id)!.Final ? 2 : 1, state.Elements(Svg + "rect").Count());
        }
        Assert.Equal(initial, (string)States(svg).First(s => HasClass(s, "portal-diagram__state--visited") && !HasClass(s, "portal-diagram__state--current")).Attribute("data-state")!);

        foreach (var arrow in Steps(svg))
        {
            var action = (string)arrow.Attribute("data-action")!;
            var taken = action.Length == 0 || (action == step.Id && (string)arrow.Attribute("data-from")! == initial);
            var line = arrow.Element(Svg + "path")!;
            Assert.Equal(taken, HasClass(arrow, "portal-diagram__step--taken"));
            Assert.Equal(taken ? "3" : "1.5", (string?)line.Attribute("stroke-width"));
            Assert.Equal(taken ? null : "6 4", (string?)line.Attribute("stroke-dasharray"));
            if (action.Length > 0) Assert.Equal(taken, arrow.Element(Svg + "title")!.Value.EndsWith("(genommen)", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_layout_is_kept_per_definition_version_and_language_and_a_case_s_marks_move_nothing()
    {
        var definition = ShippedDefinitions.Definition("change-of-address");
        var layout = StateDiagram.For(definition, "de", "aktuell");
        Assert.Same(layout, StateDiagram.For(definition, "de", "aktuell"));
        Assert.NotSame(layout, StateDiagram.For(definition, "en", "current"));

        static IEnumerable<string> Geometry(XElement svg) =>
            svg.Descendants().Where(e => e.Name.LocalName is "rect" or "path" && !HasClass(e, "portal-diagram__check"))
                .Select(e => string.Join(" ", new[] { "x", "y", "width", "height", "d" }.Select(a => (string?)e.Attribute(a))));
        var unmarked = Parse(layout.Svg(StateDiagramPath.None, Texts));
        var marked = Parse(layout.Svg(FirstStep(definition).Path, Texts));
        Assert.Equal(Geometry(unmarked), Geometry(marked));
        // Drawn again from scratch, the same picture: the layout does not depend on chance.
        Assert.Equal(layout.Svg(StateDiagramPath.None, Texts), StateDiagram.Layout(definition, "de", "aktuell").Svg(StateDiagramPath.None, Texts));
    }

    [Fact]
    public void Long_labels_are_shortened_with_an_ellipsis_and_markup_in_a_definition_stays_text()
    {
        var definition = ShippedDefinitions.Definition("change-of-address");
        var longLabel = "Eine sehr lange Bezeichnung <b>für</b> einen Schritt & mehr";
        definition = definition with
        {
            Actions = [.. definition.Actions.Select((a, i) => i == 0 ? a with { Label = new LocalizedText(longLabel, longLabel) } : a)],
        };
        var svg = Parse(StateDiagram.Layout(definition, "de", "aktuell").Svg(StateDiagramPath.None, Texts));

        var arrow = Steps(svg).Single(s => (string)s.Attribute("data-action")! == definition.Actions[0].Id);
        Assert.StartsWith(longLabel, arrow.Element(Svg + "title")!.Value);
        var shown = arrow.Element(Svg + "text")!.Value;
        Assert.EndsWith("…", shown);
        Assert.True(shown.Length <= 22, shown);
        Assert.Empty(svg.Descendants(Svg + "b"));

        var closed = States(svg).Single(s => (string)s.Attribute("data-state")! == "closed-unanswered");
        var lines = closed.Elements(Svg + "text").Skip(1).Select(t => t.Value).ToList();
        Assert.InRange(lines.Count, 1, 3);
        Assert.All(lines, l => Assert.True(l.Length <= 22, l));
        Assert.EndsWith("…", lines[^1]);
        Assert.Contains(definition.State("closed-unanswered")!.Status.For("de"), closed.Element(Svg + "title")!.Value);
    }

    [Theory]
    [InlineData("Wir prüfen Ihre Angaben.", new[] { "Wir prüfen Ihre", "Angaben." })]
    [InlineData("Kurz.", new[] { "Kurz." })]
    [InlineData("Eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn vierzehn", new[] { "Eins zwei drei vier", "fünf sechs sieben acht", "neun zehn elf zwölf…" })]
    [InlineData("Donaudampfschifffahrtsgesellschaftskapitän", new[] { "Donaudampfschifffahrt…" })]
    public void Status_texts_wrap_at_spaces_into_at_most_three_lines(string text, string[] expected)
    {
        Assert.Equal(expected, StateDiagram.Wrap(text, 22, 3));
    }
}
