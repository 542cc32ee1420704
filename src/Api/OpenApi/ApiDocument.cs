using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;

namespace Vorgang.Api.OpenApi;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c>: generated from the endpoints, then completed by three conventions —
/// <see cref="SchemaConventions"/> (no framework types, plain numbers), <see cref="OperationConventions"/> (security,
/// problem responses, request bodies with examples, per operation) and <see cref="DocumentConventions"/> (info, tags,
/// security schemes, the shared problem responses). CI lints it (tests/Vorgang.Tests/OpenApi) and generates a client from it.
/// </summary>
public static class ApiDocument
{
    public const string Path = "/openapi/v1.json";

    /// <summary>The security schemes: staff tokens, citizen-account tokens and the tracking code.</summary>
    public static class Schemes
    {
        public const string Staff = "staffToken", Citizen = "citizenToken", TrackingCode = "trackingCode";
    }

    public static void Configure(OpenApiOptions options)
    {
        // A JSON object of any shape (form data, action input) is described inline as an open object, never as a
        // component named after the framework type; IResult is the framework's, never a response of ours.
        options.CreateSchemaReferenceId = type =>
            type.Type == typeof(JsonObject) || type.Type == typeof(JsonNode) || typeof(IResult).IsAssignableFrom(type.Type)
                ? null
                : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
        options.AddSchemaTransformer<SchemaConventions>();
        options.AddOperationTransformer<OperationConventions>();
        options.AddDocumentTransformer<DocumentConventions>();
    }
}
