using Vorgang.Workflows.Definitions;

namespace Vorgang.Workflows.Cases;

/// <summary>A document of the case as the write model keeps it: what it is, never its file name (sealed in its event).</summary>
public sealed record CaseDocument(Guid Id, string? RequirementId, string ContentType, long Length, string Sha256, string UploadedByRole, DateTimeOffset UploadedAt)
{
    public static CaseDocument Of(DocumentUploaded e) => new(e.DocumentId, e.RequirementId, e.ContentType, e.Length, e.Sha256, e.UploadedBy.Role, e.UploadedAt);
}

/// <summary>What a stored file is, before it becomes an event: decided from its bytes after the checks (see the API's document intake).</summary>
public sealed record DocumentFacts(Guid DocumentId, string? RequirementId, string ContentType, long Length, string Sha256, string FileName);

/// <summary>The definition's documents against a case, as pure functions: which are needed, which are missing, whether an upload may be added.</summary>
public static class CaseDocuments
{
    /// <summary>
    /// Whether the definition's document is needed for this case: <c>required</c>, or its <c>requiredWhen</c> holds; a document
    /// with only <c>requiredBefore</c> is needed before those actions (that is what <c>requiredBefore</c> says).
    /// </summary>
    public static bool IsNeeded(ProcessDefinition definition, DocumentRequirement document, Case state, DateOnly today)
    {
        if (document.Required) return true;
        if (document.RequiredWhen is { } when)
        {
            try
            {
                return Rules.IsTrue(when, CaseDecider.Values(definition, state.Data, today), today);
            }
            catch (Exception)
            {
                // A condition that cannot be evaluated on this data (an optional field left empty) does not make it needed.
                return false;
            }
        }
        return document.RequiredBefore.Count > 0;
    }

    public static bool IsPresent(Case state, string requirementId) => state.Documents.Any(d => d.RequirementId == requirementId);

    /// <summary>The documents the case still needs and does not have (what the citizen is shown as missing).</summary>
    public static IReadOnlyList<DocumentRequirement> Missing(ProcessDefinition definition, Case state, DateOnly today) =>
        definition.Documents.Where(d => (d.Required || d.RequiredWhen is not null) && IsNeeded(definition, d, state, today) && !IsPresent(state, d.Id)).ToList();

    /// <summary>The documents that block <paramref name="actionId"/> now.</summary>
    public static IReadOnlyList<DocumentRequirement> MissingBefore(ProcessDefinition definition, Case state, string actionId, DateOnly today) =>
        definition.Documents.Where(d => d.RequiredBefore.Contains(actionId) && IsNeeded(definition, d, state, today) && !IsPresent(state, d.Id)).ToList();

    /// <summary>The refusal of an action that needs documents not yet uploaded (rule <c>documents-missing</c>), or null.</summary>
    public static CaseProblem? Guard(ProcessDefinition definition, Case state, string actionId, string lang, DateOnly today, IReadOnlyList<string>? allowed)
    {
        var missing = MissingBefore(definition, state, actionId, today);
        if (missing.Count == 0) return null;
        var names = string.Join(", ", missing.Select(d => d.Label.For(lang)));
        return new CaseProblem(422, "documents-missing",
            lang == "en" ? "Documents are missing." : "Es fehlen Unterlagen.",
            lang == "en" ? $"Action '{actionId}' needs these documents first: {names}." : $"Für „{actionId}“ fehlen noch diese Unterlagen: {names}.")
        {
            Errors = missing.Select(d => new FieldError("documents", "documents-missing", d.Id)).ToList(),
            AllowedActions = allowed,
        };
    }

    /// <summary>Why no document can be added now (a closed case, an unknown requirement), or null.</summary>
    public static CaseProblem? RefuseUpload(ProcessDefinition definition, Case state, string? requirementId)
    {
        if (state.IsClosed)
            return new CaseProblem(422, "case-closed", "The case is closed.", $"Case {state.Id} ended with outcome '{state.Outcome}'; no document can be added.");
        if (requirementId is { } id && definition.Documents.All(d => d.Id != id)) return UnknownRequirement(definition, id);
        return null;
    }

    /// <summary>A document added to the case by <paramref name="caller"/>: the event, or why not.</summary>
    public static Decision Upload(ProcessDefinition definition, Case state, DocumentFacts facts, Caller caller, DateTimeOffset now) =>
        RefuseUpload(definition, state, facts.RequirementId) is { } problem
            ? Decision.Refuse(problem)
            : Decision.Accept(new DocumentUploaded(state.Id, facts.DocumentId, facts.RequirementId, facts.ContentType, facts.Length, facts.Sha256,
                facts.FileName, caller.AsActor(), now));

    public static CaseProblem UnknownRequirement(ProcessDefinition definition, string id) =>
        new(422, "unknown-document", "Unknown document.",
            definition.Documents.Count == 0
                ? $"Service '{definition.Id}' asks for no documents; send the file without 'documentId'."
                : $"Service '{definition.Id}' has no document '{id}'; it asks for {string.Join(", ", definition.Documents.Select(d => d.Id))}.")
        {
            Errors = [new FieldError("documentId", "unknown-document", $"'{id}' is not a document of this service.")],
        };
}
