using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Api.Features.Tracking;
using Vorgang.Api.Problems;
using Vorgang.Workflows.Deadlines;
using Vorgang.Workflows.Definitions;
using Wolverine.Http;

namespace Vorgang.Api.Features.Services;

/// <summary>The JSON Schema of a service's form data (see <see cref="FormSchema"/>), for clients that build or check forms.</summary>
public static class GetFormSchemaEndpoint
{
    public const string Path = "/api/services/{serviceId}/form-schema";

    [WolverineGet(Path, OperationId = "getServiceFormSchema")]
    [EndpointSummary("The JSON Schema (draft 2020-12) of the service's form data: the `data` of a submission.")]
    [EndpointDescription("""
        Generated from the service's definition (the latest version, or `version`): field types, required fields, options with their labels,
        formats, lengths, bounds and patterns; fields the form does not have are refused. Conditional fields (`requiredWhen`, `visibleWhen`)
        are expressed with `if`/`then`/`else` where the condition is a plain comparison (`field = value`, `isSet(field)`), and described in
        the field's description and its `x-requiredWhen`/`x-visibleWhen` otherwise. Dates relative to today are resolved as of today
        (`formatMinimum`/`formatMaximum`, `x-resolvedOn`). Titles and descriptions are in `lang` (else Accept-Language, else German).
        The engine's own validation remains the judge: its answer to a submission names every field and rule it refuses.
        """)]
    [Tags("Services")]
    [ProducesResponseType<JsonObject>(200, FormSchema.MediaType)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static IResult Get(string serviceId, [FromQuery] int? version, [FromQuery] string? lang, DefinitionCatalog catalog, TimeProvider time, HttpContext context)
    {
        var errors = new List<FieldError>();
        // A version that is not a whole number reaches here as null; it must not silently mean the latest one.
        if (version is null && context.Request.Query.ContainsKey("version"))
            errors.Add(new("version", "integer", "Give a version as a whole number, e.g. 1."));
        if (lang is not null and not ("de" or "en"))
            errors.Add(new("lang", "one-of", "Choose 'de' or 'en'."));
        if (errors.Count > 0) return Problems.Problems.Invalid(context, errors, "The request is invalid.");

        var definition = ServiceCatalogEndpoints.Find(catalog, serviceId, version);
        if (definition is null)
            return Problems.Problems.NotFound(context, $"There is no service '{serviceId}'{(version is null ? "" : $" in version {version}")}.");
        var language = CitizenCases.PreferredLanguage(context, lang) ?? "de";
        return Results.Json(FormSchema.For(definition, language, time.Today()), (System.Text.Json.JsonSerializerOptions?)null, FormSchema.MediaType);
    }
}
