using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Msagl.Core.Geometry;
using Microsoft.Msagl.Core.Geometry.Curves;
using Microsoft.Msagl.Core.Layout;
using Microsoft.Msagl.Core.Routing;
using Microsoft.Msagl.Layout.Layered;
using Microsoft.Msagl.Miscellaneous;
using Vorgang.Workflows.Definitions;
using GraphEdge = Microsoft.Msagl.Core.Layout.Edge;
using GraphNode = Microsoft.Msagl.Core.Layout.Node;

namespace Vorgang.Web.Audit;

/// <summary>
/// A definition version's states and actions as an SVG drawn on the server, with one case's path marked (decision 44).
/// The layout — MSAGL's layered (Sugiyama) layout, top to bottom, nodes sized to their labels — is computed once per
/// definition version and language and kept; marking a case's path only chooses strokes and marks when the SVG is written.
/// Never colour alone: states passed have a thick border and a check mark, the current state says so in words, steps
/// taken are thick and solid, the others thin and dashed, final states have a double outline. No <c>style</c> attribute
/// and no <c>&lt;style&gt;</c> element: the pages' content security policy allows neither, so presentation attributes.
/// </summary>
public sealed class StateDiagram
{
    private const double FontSize = 14, LabelFontSize = 13, LineHeight = 18, PaddingX = 12, PaddingY = 8, Margin = 8;
    private const double CheckWidth = 18, ArrowLength = 10, StartRadius = 7, FinalInset = 4;
    private const int StatusLineChars = 22, StatusLines = 3, ActionLabelChars = 22;

    // Colours on white: ink 16:1, the thin outlines, dashes and their labels 7.6:1 (6.3:1 on the passed states' tint); WCAG
    // 1.4.11 asks 3:1 of graphics, 1.4.3 4.5:1 of text.
    private const string Ink = "#1d2034", Muted = "#4e5368", Paper = "#ffffff", VisitedFill = "#e8eaf2", CurrentFill = "#fff3b0";

    private static readonly ConcurrentDictionary<(string Key, string Language, string Marker), Lazy<StateDiagram>> Layouts = new();

    private StateDiagram(string definition, double width, double height, IReadOnlyList<StateBox> states, IReadOnlyList<Step> steps, Point start)
    {
        Definition = definition;
        Width = width;
        Height = height;
        States = states;
        Steps = steps;
        Start = start;
    }

    /// <summary>The definition's key (<c>id@vN</c>).</summary>
    public string Definition { get; }
    public double Width { get; }
    public double Height { get; }
    public IReadOnlyList<StateBox> States { get; }
    /// <summary>Every action from each of its source states, and the arrow from the start to the initial state (<see cref="Step.ActionId"/> null).</summary>
    public IReadOnlyList<Step> Steps { get; }
    /// <summary>The centre of the start dot.</summary>
    public Point Start { get; }

    /// <summary>A state's box: its top left corner, size, and the label's lines (the id, then its status text wrapped).</summary>
    public sealed record StateBox(string Id, string Status, bool Final, double X, double Y, double Width, double Height, IReadOnlyList<string> StatusLines);

    /// <summary>An arrow: the SVG path of its curve (ending where the arrowhead begins) and its label's centre.</summary>
    public sealed record Step(string? ActionId, string? From, string To, string Label, string ShortLabel, string Path, double LabelX, double LabelY, double LabelWidth);

    /// <summary>
    /// The layout of <paramref name="definition"/> in <paramref name="language"/>, computed on first use and kept (a
    /// version is frozen once a case uses it, decision 5). Every box has room for the check mark and for
    /// <paramref name="currentMarker"/>, the language's word for the current state, so a case's marks never move anything.
    /// </summary>
    public static StateDiagram For(ProcessDefinition definition, string language, string currentMarker) =>
        Layouts.GetOrAdd((definition.Key, language, currentMarker), _ => new Lazy<StateDiagram>(() => Layout(definition, language, currentMarker))).Value;

    /// <summary>Lays the definition out afresh (<see cref="For"/> keeps the result).</summary>
    public static StateDiagram Layout(ProcessDefinition definition, string language, string currentMarker)
    {
        var graph = new GeometryGraph();
        var nodes = new Dictionary<string, GraphNode>(StringComparer.Ordinal);
        var labels = new Dictionary<string, (string Status, IReadOnlyList<string> Lines)>(StringComparer.Ordinal);
        foreach (var state in definition.States)
        {
            var status = state.Status.For(language);
            var lines = Wrap(status, StatusLineChars, StatusLines);
            // Room for the check mark and the longest current-state marker, so that a case's marks never change the layout.
            var idLine = CheckWidth + TextWidth(state.Id + " (" + currentMarker + ")", FontSize, bold: true);
            var width = Math.Max(idLine, lines.Select(l => TextWidth(l, FontSize, bold: false)).DefaultIfEmpty(0).Max()) + 2 * PaddingX;
            var height = (1 + lines.Count) * LineHeight + 2 * PaddingY + (state.Final ? 2 * FinalInset : 0);
            if (state.Final) width += 2 * FinalInset;
            var node = new GraphNode(CurveFactory.CreateRectangleWithRoundedCorners(Math.Ceiling(width), height, 8, 8, new Point(0, 0)), state.Id);
            nodes[state.Id] = node;
            labels[state.Id] = (status, lines);
            graph.Nodes.Add(node);
        }
        var start = new GraphNode(CurveFactory.CreateCircle(StartRadius, new Point(0, 0)), null);
        graph.Nodes.Add(start);

        var edges = new List<(GraphEdge Edge, string? ActionId, string? From, string To, string Label, string Short)>();
        void Connect(GraphNode source, GraphNode target, string? actionId, string? from, string to, string label)
        {
            var edge = new GraphEdge(source, target) { Weight = actionId is null ? 3 : 1 };
            edge.EdgeGeometry.TargetArrowhead = new Arrowhead { Length = ArrowLength };
            var shortLabel = label.Length == 0 ? "" : Truncate(label, ActionLabelChars);
            if (shortLabel.Length > 0) edge.Label = new Label(Math.Ceiling(TextWidth(shortLabel, LabelFontSize, bold: false)) + 8, LineHeight, edge);
            graph.Edges.Add(edge);
            edges.Add((edge, actionId, from, to, label, shortLabel));
        }
        Connect(start, nodes[definition.InitialState.Id], null, null, definition.InitialState.Id, "");
        foreach (var action in definition.Actions)
        {
            if (!nodes.TryGetValue(action.To, out var target)) continue;
            foreach (var from in action.From)
            {
                if (nodes.TryGetValue(from, out var source)) Connect(source, target, action.Id, from, action.To, action.Label.For(language));
            }
        }

        var settings = new SugiyamaLayoutSettings
        {
            NodeSeparation = 16,
            LayerSeparation = 44,
            EdgeRoutingSettings = { EdgeRoutingMode = EdgeRoutingMode.SugiyamaSplines },
        };
        LayoutHelpers.CalculateLayout(graph, settings, null);

        // MSAGL's y axis points up, SVG's down: flip about the top of everything drawn.
        var box = graph.Nodes[0].BoundingBox;
        foreach (var n in graph.Nodes) box.Add(n.BoundingBox);
        foreach (var (edge, _, _, _, _, _) in edges)
        {
            box.Add(edge.Curve.BoundingBox);
            if (edge.EdgeGeometry.TargetArrowhead is { } head) box.Add(head.TipPosition);
            if (edge.Label is { } label) box.Add(label.BoundingBox);
        }
        double X(double x) => x - box.Left + Margin;
        double Y(double y) => box.Top - y + Margin;

        var states = definition.States.Select(s =>
        {
            var b = nodes[s.Id].BoundingBox;
            var (status, lines) = labels[s.Id];
            return new StateBox(s.Id, status, s.Final, Round(X(b.Left)), Round(Y(b.Top)), Round(b.Width), Round(b.Height), lines);
        }).ToList();
        var steps = edges.Select(e =>
        {
            var labelCenter = e.Edge.Label?.Center ?? e.Edge.Curve.End;
            return new Step(e.ActionId, e.From, e.To, e.Label, e.Short, PathOf(e.Edge.Curve, X, Y), Round(X(labelCenter.X)), Round(Y(labelCenter.Y)), e.Edge.Label?.Width ?? 0);
        }).ToList();
        return new StateDiagram(definition.Key, Math.Ceiling(box.Width + 2 * Margin), Math.Ceiling(box.Height + 2 * Margin), states, steps,
            new Point(Round(X(start.Center.X)), Round(Y(start.Center.Y))));
    }

    /// <summary>
    /// The SVG of this layout with a case's path marked. <paramref name="idPrefix"/> keeps the ids of the title,
    /// description and arrowheads unique on the page.
    /// </summary>
    public string Svg(StateDiagramPath path, StateDiagramTexts texts, string idPrefix = "state-diagram")
    {
        var sb = new StringBuilder(8192);
        sb.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"portal-diagram__svg\" viewBox=\"0 0 {N(Width)} {N(Height)}\" width=\"{N(Width)}\" height=\"{N(Height)}\" role=\"img\" aria-labelledby=\"{idPrefix}-title\" aria-describedby=\"{idPrefix}-desc\" font-size=\"{N(FontSize)}\" data-definition=\"{E(Definition)}\">");
        sb.Append(CultureInfo.InvariantCulture, $"<title id=\"{idPrefix}-title\">{E(texts.Title)}</title><desc id=\"{idPrefix}-desc\">{E(texts.Description)}</desc>");
        sb.Append("<defs>");
        foreach (var (kind, colour) in new[] { ("taken", Ink), ("other", Muted) })
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"<marker id=\"{idPrefix}-arrow-{kind}\" viewBox=\"0 0 {N(ArrowLength)} 8\" refX=\"0\" refY=\"4\" markerWidth=\"{N(ArrowLength)}\" markerHeight=\"8\" markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path d=\"M0,0 L{N(ArrowLength)},4 L0,8 z\" fill=\"{colour}\"/></marker>");
        }
        sb.Append("</defs>");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{N(Width)}\" height=\"{N(Height)}\" fill=\"{Paper}\"/>");

        // The arrows first, so that boxes and labels lie over them.
        sb.Append("<g class=\"portal-diagram__steps\" fill=\"none\">");
        foreach (var step in Steps)
        {
            var taken = step.ActionId is null ? path.Visited.Count > 0 : path.Taken.Contains((step.ActionId, step.From!));
            var kind = taken ? "taken" : "other";
            var name = step.ActionId is null ? "" : $"{step.Label}: {step.From} → {step.To}{(taken ? $" ({texts.Taken})" : "")}";
            sb.Append(CultureInfo.InvariantCulture,
                $"<g class=\"portal-diagram__step portal-diagram__step--{kind}\" data-action=\"{E(step.ActionId ?? "")}\" data-from=\"{E(step.From ?? "")}\" data-to=\"{E(step.To)}\">");
            if (name.Length > 0) sb.Append(CultureInfo.InvariantCulture, $"<title>{E(name)}</title>");
            sb.Append(CultureInfo.InvariantCulture,
                $"<path d=\"{step.Path}\" stroke=\"{(taken ? Ink : Muted)}\" stroke-width=\"{(taken ? "3" : "1.5")}\"{(taken ? "" : " stroke-dasharray=\"6 4\"")} marker-end=\"url(#{idPrefix}-arrow-{kind})\"/>");
            if (step.ShortLabel.Length > 0)
            {
                sb.Append(CultureInfo.InvariantCulture,
                    $"<rect x=\"{N(step.LabelX - step.LabelWidth / 2)}\" y=\"{N(step.LabelY - LineHeight / 2)}\" width=\"{N(step.LabelWidth)}\" height=\"{N(LineHeight)}\" fill=\"{Paper}\" fill-opacity=\"0.9\"/>");
                sb.Append(CultureInfo.InvariantCulture,
                    $"<text x=\"{N(step.LabelX)}\" y=\"{N(step.LabelY + 4.5)}\" text-anchor=\"middle\" font-size=\"{N(LabelFontSize)}\" fill=\"{(taken ? Ink : Muted)}\"{(taken ? " font-weight=\"600\"" : "")}>{E(step.ShortLabel)}</text>");
            }
            sb.Append("</g>");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{N(Start.X)}\" cy=\"{N(Start.Y)}\" r=\"{N(StartRadius)}\" fill=\"{Ink}\"/>");
        sb.Append("</g>");

        sb.Append("<g class=\"portal-diagram__states\">");
        foreach (var state in States)
        {
            var visited = path.Visited.Contains(state.Id);
            var current = state.Id == path.Current;
            var classes = "portal-diagram__state" + (visited ? " portal-diagram__state--visited" : "") + (current ? " portal-diagram__state--current" : "") + (state.Final ? " portal-diagram__state--final" : "");
            var marks = current ? texts.Current : visited ? texts.Visited : null;
            sb.Append(CultureInfo.InvariantCulture, $"<g class=\"{classes}\" data-state=\"{E(state.Id)}\">");
            sb.Append(CultureInfo.InvariantCulture, $"<title>{E($"{state.Id}: {state.Status}{(marks is null ? "" : $" ({marks})")}")}</title>");
            var stroke = visited || current ? Ink : Muted;
            var strokeWidth = visited || current ? "3" : "1.5";
            sb.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{N(state.X)}\" y=\"{N(state.Y)}\" width=\"{N(state.Width)}\" height=\"{N(state.Height)}\" rx=\"8\" fill=\"{(current ? CurrentFill : visited ? VisitedFill : Paper)}\" stroke=\"{stroke}\" stroke-width=\"{strokeWidth}\"/>");
            if (state.Final)
            {
                sb.Append(CultureInfo.InvariantCulture,
                    $"<rect x=\"{N(state.X + FinalInset)}\" y=\"{N(state.Y + FinalInset)}\" width=\"{N(state.Width - 2 * FinalInset)}\" height=\"{N(state.Height - 2 * FinalInset)}\" rx=\"5\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"1.5\"/>");
            }
            var inset = state.Final ? FinalInset : 0;
            var left = state.X + inset + PaddingX;
            var baseline = state.Y + inset + PaddingY + LineHeight - 4.5;
            var idX = left;
            if (visited)
            {
                // A drawn check mark: the same on every machine, whatever font is at hand for U+2713.
                sb.Append(CultureInfo.InvariantCulture,
                    $"<path class=\"portal-diagram__check\" d=\"M{N(left + 1)},{N(baseline - 5)} L{N(left + 5)},{N(baseline - 1)} L{N(left + 13)},{N(baseline - 11)}\" fill=\"none\" stroke=\"{Ink}\" stroke-width=\"2.5\" stroke-linecap=\"round\" stroke-linejoin=\"round\"/>");
                idX += CheckWidth;
            }
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(idX)}\" y=\"{N(baseline)}\" fill=\"{Ink}\"><tspan font-weight=\"600\">{E(state.Id)}</tspan>");
            if (current) sb.Append(CultureInfo.InvariantCulture, $" <tspan class=\"portal-diagram__current\">({E(texts.CurrentMarker)})</tspan>");
            sb.Append("</text>");
            for (var i = 0; i < state.StatusLines.Count; i++)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(left)}\" y=\"{N(baseline + (i + 1) * LineHeight)}\" fill=\"{Ink}\">{E(state.StatusLines[i])}</text>");
            }
            sb.Append("</g>");
        }
        sb.Append("</g></svg>");
        return sb.ToString();
    }

    /// <summary>The SVG path of an MSAGL curve: lines and cubic Bézier segments as they are, anything else as short lines.</summary>
    private static string PathOf(ICurve curve, Func<double, double> x, Func<double, double> y)
    {
        var sb = new StringBuilder();
        string P(Point p) => $"{N(x(p.X))},{N(y(p.Y))}";
        sb.Append('M').Append(P(curve.Start));
        void Segment(ICurve segment)
        {
            switch (segment)
            {
                case Curve composite:
                    foreach (var part in composite.Segments) Segment(part);
                    break;
                case LineSegment line:
                    sb.Append(" L").Append(P(line.End));
                    break;
                case CubicBezierSegment bezier:
                    sb.Append(" C").Append(P(bezier.B(1))).Append(' ').Append(P(bezier.B(2))).Append(' ').Append(P(bezier.B(3)));
                    break;
                default:
                    const int pieces = 12;
                    for (var i = 1; i <= pieces; i++)
                        sb.Append(" L").Append(P(segment[segment.ParStart + (segment.ParEnd - segment.ParStart) * i / pieces]));
                    break;
            }
        }
        Segment(curve);
        return sb.ToString();
    }

    /// <summary>
    /// The width of <paramref name="text"/> in Fira Sans, estimated from its characters' usual advance widths (in em),
    /// rounded up a little: a box too wide by a few pixels is harmless, text beyond its box is not.
    /// </summary>
    public static double TextWidth(string text, double size, bool bold)
    {
        double em = 0;
        foreach (var c in text)
        {
            em += c switch
            {
                'i' or 'j' or 'l' or '.' or ',' or ':' or ';' or '\'' or '!' or '|' or 'ı' => 0.26,
                ' ' or 'f' or 't' or 'r' or '(' or ')' or '-' or '/' or 'I' => 0.34,
                'm' or 'w' => 0.82,
                'M' or 'W' => 0.9,
                >= 'A' and <= 'Z' or 'Ä' or 'Ö' or 'Ü' => 0.64,
                >= '0' and <= '9' => 0.56,
                '…' => 0.8,
                _ => 0.54,
            };
        }
        return em * size * (bold ? 1.06 : 1.0) * 1.04;
    }

    /// <summary>At most <paramref name="lines"/> lines of at most <paramref name="chars"/> characters, broken at spaces; an ellipsis where text is left out.</summary>
    public static IReadOnlyList<string> Wrap(string text, int chars, int lines)
    {
        var result = new List<string>();
        var line = new StringBuilder();
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return [];
        for (var i = 0; i < words.Length; i++)
        {
            var word = words[i];
            if (line.Length > 0 && line.Length + 1 + word.Length > chars)
            {
                if (result.Count == lines - 1) break;
                result.Add(Truncate(line.ToString(), chars));
                line.Clear();
            }
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
            if (i == words.Length - 1)
            {
                result.Add(Truncate(line.ToString(), chars));
                return result;
            }
        }
        // Words were left out: the last line ends in an ellipsis (the whole text is in the box's tooltip).
        var last = line.ToString();
        while (last.Length + 1 > chars && last.LastIndexOf(' ') is > 0 and var space) last = last[..space];
        result.Add(last.Length + 1 <= chars ? last.TrimEnd(',', ';', ':') + "…" : Truncate(last, chars));
        return result;
    }

    private static string Truncate(string text, int chars) => text.Length <= chars ? text : text[..(chars - 1)].TrimEnd() + "…";

    private static double Round(double value) => Math.Round(value, 1);
    private static string N(double value) => Math.Round(value, 1).ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>Text and attribute values escaped for XML (and so for HTML).</summary>
    private static string E(string text) => System.Security.SecurityElement.Escape(text) ?? "";
}

/// <summary>A case's path through the diagram: the states it has been in, the one it is in, and the steps it took (action and source state).</summary>
public sealed record StateDiagramPath(IReadOnlySet<string> Visited, string? Current, IReadOnlySet<(string ActionId, string From)> Taken)
{
    public static readonly StateDiagramPath None = new(new HashSet<string>(), null, new HashSet<(string, string)>());
}

/// <summary>The words of the page's language: the accessible name and description, and the marks spelled out in tooltips.</summary>
/// <param name="CurrentMarker">Written in the current state's box, in brackets ("aktuell").</param>
/// <param name="Current">The current state in a tooltip ("aktueller Zustand").</param>
/// <param name="Visited">A state passed, in a tooltip ("durchlaufen").</param>
/// <param name="Taken">A step this case took, in a tooltip.</param>
public sealed record StateDiagramTexts(string Title, string Description, string CurrentMarker, string Current, string Visited, string Taken);
