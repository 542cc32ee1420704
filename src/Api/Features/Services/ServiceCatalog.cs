using Microsoft.AspNetCore.Mvc;
using Vorgang.Api.Problems;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Wolverine.Http;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Api.Features.Services;

public sealed record ServiceSummary(
    string Id, int Version, LocalizedText Title, LocalizedText Summary, string Team, bool Anonymous,
    DeadlineDefinition? LegalDeadline, IReadOnlyList<FeeDefinition> Fees, IReadOnlyList<DocumentRequirement> Documents, string Href);

public sealed record PublicState(string Id, bool Initial, bool Final, string? Outcome, LocalizedText Status, LocalizedText? NextStep, string? WaitingFor, Duration? ServiceNorm,
    ReminderDefinition? Reminder = null, TimeoutDefinition? Timeout = null);

public sealed record PublicAction(string Id, string Kind, LocalizedText Label, LocalizedText? Description, IReadOnlyList<string> By, IReadOnlyList<string> From, string To, IReadOnlyList<FieldDefinition> Inputs, string? Guard, LocalizedText? GuardMessage);

/// <summary>One service as a client needs it to build a form and explain the process: everything but internal routing details.</summary>
public sealed record ServiceDefinitionView(
    string Id, int Version, string Dsl, LocalizedText Title, LocalizedText Summary, string Team, bool Anonymous,
    DeadlineDefinition? LegalDeadline, IReadOnlyList<string> Roles, IReadOnlyList<string> Parties,
    IReadOnlyList<FieldDefinition> Form, IReadOnlyList<ComputedValue> Computed,
    IReadOnlyList<DocumentRequirement> Documents, IReadOnlyList<FeeDefinition> Fees,
    IReadOnlyList<PublicState> States, IReadOnlyList<PublicAction> Actions,
    IReadOnlyList<int> Versions, System.Text.Json.Nodes.JsonObject Example)
{
    /// <summary>How long personal data is kept once a case is final.</summary>
    public RetentionDefinition? Retention { get; init; }
}

public sealed record SubmitApplicationExample(System.Text.Json.Nodes.JsonObject Data, string Language);

public static class ServiceCatalogEndpoints
{
    [WolverineGet("/api/services", OperationId = "listServices")]
    [EndpointSummary("The service catalogue: every service with its latest version.")]
    [EndpointDescription("Every service with its latest version: id, title and summary (German and English), the responsible team, whether anonymous submissions are allowed, the legal deadline, fees, required documents and the address of its details.")]
    [Tags("Services")]
    public static IReadOnlyList<ServiceSummary> List(DefinitionCatalog catalog) =>
        catalog.LatestVersions
            .Select(d => new ServiceSummary(d.Id, d.Version, d.Title, d.Summary, d.Team, d.Anonymous, d.LegalDeadline, d.Fees, d.Documents, $"/api/services/{d.Id}"))
            .ToList();

    [WolverineGet("/api/services/{serviceId}", OperationId = "getService")]
    [EndpointSummary("One service: form, documents, fees, states, actions, roles and an example submission.")]
    [EndpointDescription("The service's form fields (type, labels, constraints, `requiredWhen`/`visibleWhen`, `personal`), computed values, documents, fees, states with their status texts, reminders and timeouts, actions (who, from, to, inputs, guard), the roles that act on it, its published versions and an `example` submission that passes validation today. `version` picks a published version; without it, the latest.")]
    [Tags("Services")]
    [ProducesResponseType<ServiceDefinitionView>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static IResult Get(string serviceId, [FromQuery] int? version, DefinitionCatalog catalog, TimeProvider time, HttpContext context)
    {
        if (UnreadableVersion(version, context) is { } invalid) return invalid;
        var d = Find(catalog, serviceId, version);
        if (d is null) return Problems.Problems.NotFound(context, $"There is no service '{serviceId}'{(version is null ? "" : $" in version {version}")}.");
        var roles = d.Actions.SelectMany(a => a.By).Append(Workflows.Definitions.Roles.Caseworker).Distinct().Order().ToList();
        return Results.Ok(new ServiceDefinitionView(
            d.Id, d.Version, d.Dsl, d.Title, d.Summary, d.Team, d.Anonymous, d.LegalDeadline, roles, d.Parties,
            d.Form, d.Computed, d.Documents, d.Fees,
            d.States.Select(s => new PublicState(s.Id, s.Initial, s.Final, s.Outcome, s.Status, s.NextStep, s.WaitingFor, s.ServiceNorm, s.Reminder, s.Timeout)).ToList(),
            d.Actions.Select(a => new PublicAction(a.Id, a.Kind, a.Label, a.Description, a.By, a.From, a.To, a.Inputs, a.Guard, a.GuardMessage)).ToList(),
            catalog.Published.Where(p => p.Definition.Id == d.Id).Select(p => p.Definition.Version).Order().ToList(),
            DefinitionChecker.ResolveExample(d, time.Today())) { Retention = d.Retention });
    }

    [WolverineGet("/api/services/{serviceId}/example", OperationId = "getServiceExample")]
    [EndpointSummary("A ready-to-send submission body for the service: its example data, valid today.")]
    [EndpointDescription("The service's example as a ready-to-send body for `POST /api/services/{serviceId}/cases`: `{ data, language }`, with dates relative to today resolved. `lang` (de, en) sets the language, German by default.")]
    [Tags("Services")]
    [ProducesResponseType<SubmitApplicationExample>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static IResult Example(string serviceId, [FromQuery] string? lang, DefinitionCatalog catalog, TimeProvider time, HttpContext context)
    {
        var d = catalog.Latest(serviceId);
        return d is null
            ? Problems.Problems.NotFound(context, $"There is no service '{serviceId}'.")
            : Results.Ok(new SubmitApplicationExample(DefinitionChecker.ResolveExample(d, time.Today()), lang == "en" ? "en" : "de"));
    }

    [WolverineGet("/api/services/{serviceId}/diagram", OperationId = "getServiceDiagram")]
    [EndpointSummary("The service as a Mermaid state diagram.")]
    [EndpointDescription("The states and actions of the latest version (or `version`) as a Mermaid `stateDiagram-v2`, labelled in `lang` (de, en; English by default).")]
    [Tags("Services")]
    [Produces("text/vnd.mermaid")]
    public static IResult Diagram(string serviceId, [FromQuery] int? version, [FromQuery] string? lang, DefinitionCatalog catalog, HttpContext context)
    {
        if (UnreadableVersion(version, context) is { } invalid) return invalid;
        var d = Find(catalog, serviceId, version);
        return d is null
            ? Problems.Problems.NotFound(context, $"There is no service '{serviceId}'.")
            : Results.Text(MermaidDiagram.Render(d, lang == "de" ? "de" : "en"), "text/vnd.mermaid; charset=utf-8");
    }

    /// <summary>
    /// A <c>version</c> that is not a whole number reaches the endpoint as null, as if none had been asked for; it
    /// would silently answer with the latest version instead of saying that the question was wrong.
    /// </summary>
    private static IResult? UnreadableVersion(int? version, HttpContext context) =>
        version is null && context.Request.Query.ContainsKey("version")
            ? Problems.Problems.Invalid(context, [new FieldError("version", "integer", "Give a version as a whole number, e.g. 1.")], "The request is invalid.")
            : null;

    public static ProcessDefinition? Find(DefinitionCatalog catalog, string serviceId, int? version) =>
        version is { } v ? catalog.Get(serviceId, v) : catalog.Latest(serviceId);
}
