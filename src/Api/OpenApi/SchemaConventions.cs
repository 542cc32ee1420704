using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Vorgang.Api.Features.Casework;
using Vorgang.Api.Features.Privacy;
using Vorgang.Api.Features.Submitting;

namespace Vorgang.Api.OpenApi;

/// <summary>What every schema of the document gets, wherever it is used.</summary>
public sealed class SchemaConventions : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(JsonObject))
        {
            // Form data and action input: an object whose members the service's definition names.
            schema.Type = JsonSchemaType.Object;
            schema.Properties?.Clear();
            schema.AdditionalPropertiesAllowed = true;
            schema.AdditionalProperties = null;
            schema.Description ??= "A JSON object; which members it takes depends on the service (see its definition).";
        }

        // The web defaults let the serializer read numbers from strings, so the generator offers "integer or numeric
        // string". The API reads and writes numbers only (a string where a number belongs is 400), so say just that.
        if (schema.Type is { } t && t.HasFlag(JsonSchemaType.String) && (t.HasFlag(JsonSchemaType.Integer) || t.HasFlag(JsonSchemaType.Number)))
        {
            schema.Type = t & ~JsonSchemaType.String;
            schema.Pattern = null;
        }
        RequestRules(schema, type);
        return Task.CompletedTask;
    }

    /// <summary>
    /// What the engine requires of the request bodies (docs/api.md), which their records' nullable members do not say:
    /// a record's positional parameters would otherwise all count as required, and none as bounded.
    /// </summary>
    private static void RequestRules(OpenApiSchema schema, Type type)
    {
        if (type == typeof(ActionRequest))
        {
            schema.Description = "A change to a case: the version of the case the caller last saw, and the action's input.";
            schema.Required = new HashSet<string> { "expectedVersion" };
            Property(schema, "expectedVersion", JsonSchemaType.Integer, "The `version` of the case as last read; a stale one is 409.", p => p.Minimum = "0");
            Property(schema, "input", JsonSchemaType.Object, "The action's input fields (the `inputs` of the action), e.g. `{ \"message\": \"…\" }`.");
        }
        else if (type == typeof(SubmitApplication))
        {
            schema.Description = "An application for a service: the form values and the language the citizen reads.";
            schema.Required = new HashSet<string> { "data" };
            Property(schema, "data", JsonSchemaType.Object, "The form values, by field id; their JSON Schema is GET /api/services/{serviceId}/form-schema.");
            Property(schema, "language", JsonSchemaType.String, "The language of the citizen's texts (default de).", p => p.Enum = [JsonValue.Create("de"), JsonValue.Create("en")]);
        }
        else if (type == typeof(OnBehalfOf))
        {
            schema.Description = "Staff only: the person a caseworker submits for at a counter (assisted submission); others are refused (400 staff-only).";
            schema.Required = new HashSet<string> { "name" };
            Property(schema, "name", JsonSchemaType.String, "The person's name.", p => (p.MinLength, p.MaxLength, p.Pattern) = (1, 200, "\\S"));
            Property(schema, "identifiedBy", JsonSchemaType.String, "How staff identified the person, e.g. Personalausweis.", p => p.MaxLength = 200);
        }
        else if (type == typeof(Vorgang.Api.Features.Messages.MessageRequest))
        {
            schema.Description = "A message to the other side of the case's thread.";
            schema.Required = new HashSet<string> { "text" };
            Property(schema, "text", JsonSchemaType.String, "1–5000 characters after trimming; line breaks allowed, no other control characters.",
                p => (p.MinLength, p.MaxLength, p.Pattern) = (1, Vorgang.Api.Features.Messages.MessageRequest.MaxLength, "\\S"));
            Property(schema, "expectedVersion", JsonSchemaType.Integer, "Optional: the `version` of the case as last read; a stale one is 409. Without it the message is appended at the current version.", p => p.Minimum = "0");
        }
        else if (type == typeof(ErasureRequest))
        {
            schema.Description = "Why a case's personal data is erased, e.g. the data subject's request under Art. 17 GDPR with its reference.";
            schema.Required = new HashSet<string> { "reason" };
            Property(schema, "reason", JsonSchemaType.String, "1–500 characters.", p => (p.MinLength, p.MaxLength, p.Pattern) = (1, 500, "\\S"));
        }
    }

    private static void Property(OpenApiSchema schema, string name, JsonSchemaType type, string description, Action<OpenApiSchema>? rules = null)
    {
        if (schema.Properties?.TryGetValue(name, out var found) != true || found is not OpenApiSchema property) return;
        property.Type = type;
        property.Pattern = null;
        property.Description = description;
        rules?.Invoke(property);
    }
}
