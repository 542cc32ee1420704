namespace Vorgang.Workflows.Definitions;

public enum Severity { Error, Warning }

/// <summary>A located finding in a definition file: where it is, which rule it breaks, and what to do.</summary>
public sealed record Diagnostic(string File, int Line, string Path, string Rule, string Message, Severity Severity = Severity.Error)
{
    public override string ToString() =>
        $"{File}:{Line}: {(Severity == Severity.Error ? "error" : "warning")} [{Rule}] {(Path.Length == 0 ? "/" : Path)}: {Message}";
}
