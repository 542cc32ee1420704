using System.Text;

namespace Vorgang.Workflows.Definitions;

/// <summary>Renders a definition's states and actions as a Mermaid state diagram — generated from the rules, never drawn by hand.</summary>
public static class MermaidDiagram
{
    public static string Render(ProcessDefinition definition, string language = "en")
    {
        var sb = new StringBuilder();
        sb.AppendLine("stateDiagram-v2");
        sb.AppendLine($"    %% {definition.Id} v{definition.Version}: {definition.Title.For(language)}");
        foreach (var state in definition.States)
        {
            sb.AppendLine($"    state \"{Escape(state.Id)}\" as {Node(state.Id)}");
        }
        sb.AppendLine($"    [*] --> {Node(definition.InitialState.Id)}");
        foreach (var action in definition.Actions)
        {
            foreach (var from in action.From)
            {
                sb.AppendLine($"    {Node(from)} --> {Node(action.To)}: {Escape(action.Label.For(language))} ({string.Join(", ", action.By)})");
            }
        }
        foreach (var state in definition.States.Where(s => s.Final))
        {
            sb.AppendLine($"    {Node(state.Id)} --> [*]");
        }
        foreach (var state in definition.States.Where(s => s.WaitingFor is not null))
        {
            sb.AppendLine($"    note right of {Node(state.Id)}: waits for {state.WaitingFor}");
        }
        return sb.ToString();
    }

    private static string Node(string id) => id.Replace('-', '_');
    private static string Escape(string text) => text.Replace("\"", "'").Replace(":", " -").Replace(";", ",");
}
