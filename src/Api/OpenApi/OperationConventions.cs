using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Vorgang.Api.Features.Casework;
using Vorgang.Api.Features.Privacy;
using Vorgang.Api.Features.Services;
using Vorgang.Api.Features.Submitting;
using Vorgang.Api.Features.Tracking;
using Vorgang.Api.Hosting;
using Vorgang.Api.Security;
using Vorgang.Workflows.Deadlines;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Api.OpenApi;

/// <summary>
/// Completes each operation from what the endpoint declares: who may call it (its authorization policy, the tracking
/// code), which problem responses it can answer, its request body with examples, and the headers it reads and writes.
/// </summary>
public sealed class OperationConventions : IOpenApiOperationTransformer
{
    /// <summary>Operations that anyone may call, and that act for the caller when a token comes along.</summary>
    private static readonly HashSet<string> TokenOptional = ["submitApplication"];

    /// <summary>Route parameters that name something that may not exist, so the operation can answer 404.</summary>
    private static readonly string[] LookedUp = ["serviceId", "caseNumber", "actionId"];

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var document = context.Document ?? throw new InvalidOperationException("The operation has no document.");
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).ToHashSet();
        var staff = policies.Contains(StaffAuth.StaffPolicy);
        var citizen = policies.Contains(CitizenAuth.Policy);
        var tracking = metadata.OfType<TrackingLockoutAttribute>().Any();
        var tokenOptional = operation.OperationId is { } id && TokenOptional.Contains(id);
        var post = string.Equals(description.HttpMethod, "POST", StringComparison.OrdinalIgnoreCase);

        operation.Security = Security(document, staff, citizen, tracking, tokenOptional);

        // The framework's default answer for IResult (an empty object) is never what the endpoint sends.
        foreach (var produced in description.SupportedResponseTypes.Where(r => r.Type is { } t && typeof(IResult).IsAssignableFrom(t)))
        {
            operation.Responses?.Remove(produced.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        // The problems the endpoint declares itself; Wolverine's implicit 404 (no body) is not one.
        var declared = description.SupportedResponseTypes
            .Where(r => r.StatusCode >= 400 && r.Type is { } t && typeof(Microsoft.AspNetCore.Mvc.ProblemDetails).IsAssignableFrom(t))
            .Select(r => r.StatusCode).ToHashSet();
        var problems = new SortedSet<int>(declared.Where(DocumentConventions.ProblemResponses.ContainsKey))
        {
            // A NUL character in the path or query, a value that cannot be read: any request can be 400.
            400,
            // The rate limit per client, and the read admission and database time limit, apply to every request.
            429, 503,
        };
        if (staff || citizen) problems.UnionWith([401, 403]);
        if (tokenOptional) problems.Add(403);
        if (description.ParameterDescriptions.Any(p => p.Source == BindingSource.Path && LookedUp.Contains(p.Name))) problems.Add(404);
        if (post) problems.UnionWith([413, 415]);
        operation.Responses ??= [];
        foreach (var status in operation.Responses.Keys.Where(k => k.Length == 3 && k[0] is '4' or '5').ToList()) operation.Responses.Remove(status);
        foreach (var status in problems)
        {
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] =
                new OpenApiResponseReference(DocumentConventions.ProblemResponses[status], document);
        }

        if (post) RequestBody(operation, context);
        Parameters(operation);
        SpecialResponses(operation, document);
        return Task.CompletedTask;
    }

    private static List<OpenApiSecurityRequirement> Security(OpenApiDocument document, bool staff, bool citizen, bool tracking, bool tokenOptional)
    {
        OpenApiSecurityRequirement Requirement(string scheme) => new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };
        var requirements = new List<OpenApiSecurityRequirement>();
        if (staff) requirements.Add(Requirement(ApiDocument.Schemes.Staff));
        if (citizen) requirements.Add(Requirement(ApiDocument.Schemes.Citizen));
        if (tracking) requirements.Add(Requirement(ApiDocument.Schemes.TrackingCode));
        if (tokenOptional)
        {
            // Anonymous, or with a staff token (at the counter) or a citizen-account token.
            requirements.Add(new OpenApiSecurityRequirement());
            requirements.Add(Requirement(ApiDocument.Schemes.Staff));
            requirements.Add(Requirement(ApiDocument.Schemes.Citizen));
        }
        // Public: the empty requirement says that no credentials are needed.
        if (requirements.Count == 0) requirements.Add(new OpenApiSecurityRequirement());
        return requirements;
    }

    /// <summary>The body the endpoint binds (described by the framework from its record) gets examples of its own.</summary>
    private static void RequestBody(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var bodyType = context.Description.ParameterDescriptions.FirstOrDefault(p => p.Source == BindingSource.Body)?.Type;
        if (bodyType is null && Features.Documents.DocumentEndpoints.IsUploadPath(context.Description.RelativePath))
        {
            operation.RequestBody = UploadBody();
            return;
        }
        if (bodyType is null || operation.RequestBody is not OpenApiRequestBody body || body.Content is null) return;
        body.Required = true;
        foreach (var media in body.Content.Values.OfType<OpenApiMediaType>())
        {
            media.Examples = Examples(bodyType, context.ApplicationServices);
        }
        if (bodyType == typeof(SubmitApplication))
        {
            body.Description = "The form `data` of the service (its JSON Schema: `GET " + GetFormSchemaEndpoint.Path +
                "`), the citizen's `language`, and for staff at a counter `onBehalfOf`.";
        }
    }

    /// <summary>A document upload: the file in the part <c>file</c>, optionally the definition's document id in <c>documentId</c>.</summary>
    private static OpenApiRequestBody UploadBody() => new()
    {
        Required = true,
        Description = "The file in the part `file` (its type is decided by its content), optionally the definition's document it is in `documentId`.",
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["multipart/form-data"] = new()
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new HashSet<string> { Features.Documents.DocumentEndpoints.FilePart },
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        [Features.Documents.DocumentEndpoints.FilePart] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "The file: PDF, JPEG, PNG or WebP, as the document allows." },
                        [Features.Documents.DocumentEndpoints.DocumentIdPart] = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[a-z0-9-]{1,200}$", Description = "The id of the definition's document it is, e.g. landlord-confirmation." },
                    },
                },
            },
        },
    };

    private static Dictionary<string, IOpenApiExample>? Examples(Type bodyType, IServiceProvider services)
    {
        OpenApiExample Example(string summary, object value) =>
            new() { Summary = summary, Value = JsonSerializer.SerializeToNode(value, VorgangSetup.ApiJson) };

        if (bodyType == typeof(SubmitApplication))
        {
            var catalog = services.GetRequiredService<DefinitionCatalog>();
            var today = services.GetRequiredService<TimeProvider>().Today();
            return catalog.LatestVersions.ToDictionary(d => d.Id, d => (IOpenApiExample)Example(
                $"{d.Title.En} (its example data, valid today)",
                new JsonObject { ["data"] = DefinitionChecker.ResolveExample(d, today), ["language"] = "de" }));
        }
        if (bodyType == typeof(ActionRequest))
        {
            return new()
            {
                ["no-input"] = Example("An action without input, at the version last seen", new JsonObject { ["expectedVersion"] = 1, ["input"] = new JsonObject() }),
                ["with-input"] = Example("An action with input (here: extend-deadline)",
                    new JsonObject { ["expectedVersion"] = 3, ["input"] = new JsonObject { ["workingDays"] = 10, ["reason"] = "Gutachten des Bauordnungsamts steht aus." } }),
            };
        }
        if (bodyType == typeof(Vorgang.Api.Features.Messages.MessageRequest))
        {
            return new()
            {
                ["text"] = Example("A message, appended at whatever version the case is at",
                    new JsonObject { ["text"] = "Ich ziehe erst am 15. um. Kann ich die Wohnungsgeberbestätigung nachreichen?" }),
                ["at-version"] = Example("A message at the version last seen (a newer one is 409)",
                    new JsonObject { ["text"] = "Ja, bitte reichen Sie sie bis Monatsende nach.", ["expectedVersion"] = 4 }),
            };
        }
        if (bodyType == typeof(Vorgang.Api.Features.Webhooks.WebhookSubscriptionRequest))
        {
            return new()
            {
                ["all"] = Example("Every event of every service", new JsonObject { ["url"] = "https://fachverfahren.jena.example/vorgang-events", ["description"] = "Fachverfahren Meldewesen" }),
                ["filtered"] = Example("Decisions of one service only", new JsonObject
                {
                    ["url"] = "https://parken.jena.example/hooks/vorgang", ["serviceId"] = "residential-parking-permit",
                    ["eventTypes"] = new JsonArray("case_decided", "letter_issued"), ["description"] = "Parkraumbewirtschaftung",
                }),
            };
        }
        if (bodyType == typeof(ErasureRequest))
            return new() { ["request"] = Example("An erasure on the data subject's request", new JsonObject { ["reason"] = "Antrag auf Löschung nach Art. 17 DSGVO, Az. DS-2026-0042" }) };
        return null;
    }

    private static void Parameters(OpenApiOperation operation)
    {
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            switch (parameter.In, parameter.Name)
            {
                case (ParameterLocation.Header, SubmitApplicationEndpoint.IdempotencyHeader):
                    parameter.Description = "1–200 visible ASCII characters, a fresh UUID per application: a repeated request with the same key answers the same case.";
                    parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 200, Pattern = "^[\\x21-\\x7E]+$" };
                    break;
                case (ParameterLocation.Header, TrackCaseEndpoints.TrackingCodeHeader):
                    parameter.Description = "The tracking code from the submission's answer (the security scheme trackingCode).";
                    break;
                case (ParameterLocation.Query, "lang"):
                    parameter.Description ??= "The language of the texts: de or en.";
                    break;
                case (ParameterLocation.Query, "version") when operation.OperationId is "getService" or "getServiceDiagram" or "getServiceFormSchema":
                    parameter.Description ??= "A published version of the service; without it, the latest.";
                    break;
            }
        }
    }

    private static void SpecialResponses(OpenApiOperation operation, OpenApiDocument document)
    {
        if (operation.Responses is null) return;
        switch (operation.OperationId)
        {
            case "submitApplication" when operation.Responses.TryGetValue("201", out var created) && created is OpenApiResponse accepted:
                accepted.Description = "The case was submitted, or — repeated with the same Idempotency-Key — is answered again (Idempotent-Replayed: true).";
                accepted.Headers = new Dictionary<string, IOpenApiHeader>
                {
                    ["Location"] = new OpenApiHeader { Description = "/api/track/{caseNumber}", Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                    ["Idempotent-Replayed"] = new OpenApiHeader
                    {
                        Description = "`true` when this answers an earlier request with the same Idempotency-Key; absent otherwise.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("true")] },
                    },
                };
                accepted.Links = new Dictionary<string, IOpenApiLink>
                {
                    ["trackCase"] = new OpenApiLink
                    {
                        OperationId = "trackCase",
                        Description = "Follow the case with its number and, in X-Tracking-Code, the tracking code of this answer.",
                        Parameters = new Dictionary<string, RuntimeExpressionAnyWrapper>
                        {
                            ["caseNumber"] = new() { Expression = RuntimeExpression.Build("$response.body#/caseNumber") },
                        },
                    },
                };
                operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
                operation.Extensions["x-form-schema"] = new JsonNodeExtension(new JsonObject
                {
                    ["operationId"] = "getServiceFormSchema",
                    ["path"] = GetFormSchemaEndpoint.Path,
                    ["describes"] = "#/requestBody/content/application~1json/schema/properties/data",
                });
                break;
            case "getServiceDiagram" when operation.Responses.TryGetValue("200", out var diagram) && diagram is OpenApiResponse text:
                text.Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["text/vnd.mermaid"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A Mermaid stateDiagram-v2." } },
                };
                break;
            case "getOpenDataStatistics" when operation.Responses.TryGetValue("200", out var statistics) && statistics is OpenApiResponse table
                                              && table.Content?.ContainsKey("text/csv") == true:
                table.Content["text/csv"] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String,
                        Description = "RFC 4180, UTF-8, CRLF; header row service_id,period,from,to,submitted,completed,median_working_days,p90_working_days,within_deadline_share,suppressed.",
                    },
                };
                break;
            case "getServiceFormSchema" when operation.Responses.TryGetValue("200", out var formSchema) && formSchema is OpenApiResponse schemaResponse:
                schemaResponse.Description = "A JSON Schema (draft 2020-12) of the submission's `data`.";
                schemaResponse.Content = new Dictionary<string, OpenApiMediaType>
                {
                    [FormSchema.MediaType] = new()
                    {
                        Schema = new OpenApiSchema
                        {
                            Type = JsonSchemaType.Object,
                            Description = "A JSON Schema document: `$schema`, `type: object`, `properties`, `required`, `allOf` (conditions), and `x-service`, `x-version`, `x-language`, `x-resolvedOn`.",
                            Required = new HashSet<string> { "$schema", "type", "properties" },
                            Properties = new Dictionary<string, IOpenApiSchema>
                            {
                                ["$schema"] = new OpenApiSchema { Type = JsonSchemaType.String, Const = FormSchema.Dialect },
                                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Const = "object" },
                                ["properties"] = new OpenApiSchema { Type = JsonSchemaType.Object },
                            },
                        },
                    },
                };
                break;
        }
    }
}
