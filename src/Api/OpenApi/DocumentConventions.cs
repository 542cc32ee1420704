using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Vorgang.Api.OpenApi;

/// <summary>
/// The document as a whole: info, servers, the tags with their descriptions, the security schemes, and the problem
/// responses and schema that every operation refers to (docs/api.md, "Errors").
/// </summary>
public sealed class DocumentConventions : IOpenApiDocumentTransformer
{
    /// <summary>The problem responses an operation may refer to, by status: the name of each in <c>components/responses</c>.</summary>
    public static readonly IReadOnlyDictionary<int, string> ProblemResponses = new Dictionary<int, string>
    {
        [400] = "BadRequest", [401] = "Unauthorized", [403] = "Forbidden", [404] = "NotFound", [409] = "Conflict",
        [413] = "PayloadTooLarge", [415] = "UnsupportedMediaType", [422] = "UnprocessableContent", [429] = "TooManyRequests",
        [503] = "ServiceUnavailable",
    };

    private static readonly (int Status, string Description)[] ProblemTexts =
    [
        (400, "Invalid form data or action input (every error at once, in `errors` and `violations`), malformed JSON, text that cannot be stored, or a bad query value. Rules: `invalid-form`, `invalid-input`, `required`, `malformed-json`, `invalid-character`, `one-of`, …"),
        (401, "No valid bearer token (`unauthenticated`), with `WWW-Authenticate: Bearer`."),
        (403, "The token carries no role, or the role may not use this endpoint or take this action: `forbidden`, `role-not-allowed`, `other-team`, `read-only`."),
        (404, "Unknown service, case or action, a wrong tracking code, or a case the caller may not reach — the same answer as for a case that does not exist (`not-found`, `unknown-action`)."),
        (409, "The case changed meanwhile (`version-conflict`, with `currentVersion`), is claimed by a colleague (`assigned-to-colleague`) or is still open (`case-not-final`)."),
        (413, "The request body is larger than the engine accepts (`payload-too-large`; 256 KiB by default)."),
        (415, "The request body was not sent as JSON (`unsupported-media-type`)."),
        (422, "Not possible now: the action is not allowed in this state (with `allowedActions`), its guard is not met, the case is closed, the Idempotency-Key was used with other data, or the deadline cannot be extended so far."),
        (429, "Too many requests from this client (`rate-limited`), or too many wrong tracking codes for the case number or from the client (`too-many-attempts`). Retry after `Retry-After` seconds."),
        (503, "The engine is overloaded (`overloaded`) or the database does not answer in time (`unavailable`). Retry after `Retry-After` seconds, a submission with the same Idempotency-Key."),
    ];

    private static readonly (string Name, string Description)[] Tags =
    [
        ("Services", "The service catalogue: each service's form, process, example submission, form schema and state diagram. Public."),
        ("Citizens", "Submitting an application and following it: with the case number and the tracking code (X-Tracking-Code), or signed in with a citizen account."),
        ("Casework", "Staff work: team queues, the staff view of a case and its actions (staff bearer token)."),
        ("Audit", "For auditors and admins: a case's full history and past states, hash-chain verification and the recorded reads of personal data."),
        ("Admin", "For admins: erasure of a final case's personal data on request."),
        ("Open data", "Published statistics per service and period. Public; small counts are withheld."),
    ];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Vorgang";
        document.Info.Description =
            "Event-sourced case handling for a city's online services: service catalogue, submission, citizen tracking, casework and audit. " +
            "Every client error is an RFC 9457 problem (`application/problem+json`) naming the broken `rule`; invalid input lists every field at once. " +
            "The reference page is at `/api/reference`.";
        document.Info.License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" };
        // Relative: the engine that serves the document, whatever address it is reached at (behind a proxy, the address it
        // saw the request at is not the one its clients use).
        document.Servers = [new OpenApiServer { Url = "/", Description = "The engine that serves this document." }];

        document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [ApiDocument.Schemes.Staff] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT",
                Description = "A staff member's token from the city's identity provider (caseworker, party, auditor, admin), carrying `sub`, `name`, `role` and, for caseworkers and parties, `team`. Development: `dotnet run --project src/Api -- token --role caseworker --team registration-office`.",
            },
            [ApiDocument.Schemes.Citizen] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT",
                Description = "A citizen-account token from the citizens' identity provider (e.g. BundID), told apart from staff tokens by its issuer. Development: `dotnet run --project src/Api -- token --role citizen --sub bundid:4711`.",
            },
            [ApiDocument.Schemes.TrackingCode] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = Features.Tracking.TrackCaseEndpoints.TrackingCodeHeader,
                Description = "The tracking code of one case, shown once in the submission's answer; it opens only that case. Wrong codes are limited (429).",
            },
        };

        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas["Violation"] = Violation();
        document.Components.Schemas["ProblemDetails"] = ProblemDetails(document);

        document.Components.Responses = ProblemTexts.ToDictionary(p => ProblemResponses[p.Status], p => (IOpenApiResponse)Problem(p.Status, p.Description, document));

        OpenAnswers(document);
        return Task.CompletedTask;
    }

    private static OpenApiResponse Problem(int status, string description, OpenApiDocument document)
    {
        var response = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [Problems.Problems.ContentType] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", document) },
            },
        };
        var integer = new OpenApiSchema { Type = JsonSchemaType.Integer };
        if (status is 429 or 503)
            response.Headers = new Dictionary<string, IOpenApiHeader> { ["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait before retrying.", Schema = integer } };
        if (status == 401)
            response.Headers = new Dictionary<string, IOpenApiHeader> { ["WWW-Authenticate"] = new OpenApiHeader { Description = "Bearer", Schema = new OpenApiSchema { Type = JsonSchemaType.String } } };
        return response;
    }

    /// <summary>RFC 9457 with our extensions (src/Api/Problems/Problems.cs).</summary>
    private static OpenApiSchema ProblemDetails(OpenApiDocument document)
    {
        OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "An RFC 9457 problem. Besides the standard members: `rule` names the rule that was broken; invalid input adds `errors` and `violations` (at most 200; `omittedErrors` counts the rest).",
            Required = new HashSet<string> { "type", "title", "status", "rule" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = Text("`https://vorgang.example/problems/{rule}`"),
                ["title"] = Text("What went wrong, in one sentence."),
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Description = "The HTTP status." },
                ["detail"] = Text("What to do about it."),
                ["instance"] = Text("The request's path."),
                ["rule"] = Text("The rule that was broken, e.g. `required`, `version-conflict`, `not-found`."),
                ["traceId"] = Text("The request's trace id, for the operator's logs."),
                ["errors"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "Field → messages (in the request's language), e.g. `{ \"newAddress.postalCode\": [\"…\"] }`.",
                    AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                },
                ["violations"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array,
                    Description = "Each broken rule with its field: the same as `errors`, with the rule.",
                    Items = new OpenApiSchemaReference("Violation", document),
                },
                ["omittedErrors"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Description = "How many violations beyond the first 200 were left out." },
                ["allowedActions"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String },
                    Description = "With `action-not-allowed-in-state`: the actions the case allows now.",
                },
                ["currentVersion"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Description = "With `version-conflict`: the case's version now." },
            },
        };
    }

    private static OpenApiSchema Violation() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "One broken rule of one field.",
        Required = new HashSet<string> { "field", "rule", "message" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["field"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A path such as `newAddress.postalCode` or `householdMembers[0].firstName`." },
            ["rule"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "e.g. `required`, `maxLength`, `pattern`, `unknown-field`." },
            ["message"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What to correct, in the request's language." },
        },
    };

    /// <summary>
    /// Answers may gain members (docs/api.md: the contract is only ever added to), so their schemas must not close the
    /// object as the serializer's settings would have them. Request bodies stay closed: the engine refuses unknown fields.
    /// </summary>
    private static void OpenAnswers(OpenApiDocument document)
    {
        var requests = new HashSet<string>();
        foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []))
        {
            foreach (var media in operation.RequestBody?.Content?.Values ?? [])
                Collect(media.Schema, document, requests);
        }
        foreach (var (name, schema) in document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>())
        {
            if (schema is not OpenApiSchema open) continue;
            NullMembersOptional(open);
            if (!requests.Contains(name)) open.AdditionalPropertiesAllowed = true;
        }
    }

    /// <summary>Null members are left out of answers (JsonIgnoreCondition.WhenWritingNull): a member that may be null is not always there.</summary>
    private static void NullMembersOptional(OpenApiSchema schema)
    {
        if (schema.Required is not { Count: > 0 } required || schema.Properties is null) return;
        foreach (var (name, property) in schema.Properties)
        {
            var mayBeNull = property.Type?.HasFlag(JsonSchemaType.Null) == true ||
                            (property.OneOf ?? []).Any(p => p is not OpenApiSchemaReference && p.Type == JsonSchemaType.Null);
            if (mayBeNull) required.Remove(name);
        }
    }

    /// <summary>The names of the component schemas a schema refers to, directly or through others.</summary>
    private static void Collect(IOpenApiSchema? schema, OpenApiDocument document, HashSet<string> names)
    {
        switch (schema)
        {
            case null:
                return;
            case OpenApiSchemaReference reference:
                if (reference.Reference.Id is { } id && names.Add(id) && document.Components?.Schemas?.TryGetValue(id, out var target) == true)
                    Collect(target, document, names);
                return;
        }
        foreach (var property in schema.Properties?.Values ?? []) Collect(property, document, names);
        Collect(schema.Items, document, names);
        Collect(schema.AdditionalProperties, document, names);
        foreach (var part in (schema.AllOf ?? []).Concat(schema.AnyOf ?? []).Concat(schema.OneOf ?? [])) Collect(part, document, names);
    }
}
