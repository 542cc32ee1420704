using System.Text.Json.Nodes;
using Vorgang.Web.Pages;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Web.Forms;

/// <summary>One field as a page renders it: its input name and engine path, the current value and the errors of the page.</summary>
public sealed record FieldModel(PortalPage Page, FieldDefinition Field, string Path, JsonNode? Value, IReadOnlyList<FieldError> Errors, bool Required)
{
    public string Name => FormPages.Prefix + Path;
    /// <summary>Set where several forms on one page share input names (one form per action): keeps every id unique.</summary>
    public string? Scope { get; init; }
    public string Id => FormPages.InputId(Scope is null ? Path : $"{Scope}.{Path}");
    public string HintId => Id + "-hint";
    public string ErrorId => Id + "-error";
    public FieldError? Error => Errors.FirstOrDefault(e => e.Field == Path);

    public FieldError? ErrorAt(string path) => Errors.FirstOrDefault(e => e.Field == path);

    public string? DescribedBy(string? errorId = null)
    {
        var ids = new List<string>();
        if (Field.Help is not null) ids.Add(HintId);
        if (errorId is not null) ids.Add(errorId);
        else if (Error is not null) ids.Add(ErrorId);
        return ids.Count == 0 ? null : string.Join(' ', ids);
    }

    public string Label => Field.Label.For(Page.Lang) + (Required ? "" : " " + Page.T("Optional"));

    public string? Text => FormPages.InputValue(Value);

    /// <summary>Long texts get a text area; short ones (a name, a number plate) a line.</summary>
    public bool Multiline => Field.Type == FieldTypes.Text && (Field.MaxLength is null or > 200);

    public FieldModel Sub(FieldDefinition sub, string path, JsonNode? value) => new(Page, sub, path, value, Errors, sub.Required);
}
