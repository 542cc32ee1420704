using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Vorgang.Tests.Api;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.OpenApi;

/// <summary>
/// The OpenAPI document describes the API a client meets: who may call each operation, every problem it can answer,
/// the bodies it reads, and schemas that the engine's real answers satisfy.
/// </summary>
public sealed class OpenApiDocumentTests(AppFixture app) : ApiTest(app)
{
    /// <summary>The public contract's operations (docs/api.md): added to, never changed.</summary>
    private static readonly string[] Operations =
    [
        "GET /api/services", "GET /api/services/{serviceId}", "GET /api/services/{serviceId}/example", "GET /api/services/{serviceId}/diagram",
        "GET /api/services/{serviceId}/form-schema", "POST /api/services/{serviceId}/cases",
        "GET /api/track/{caseNumber}", "GET /api/track/{caseNumber}/accesses", "GET /api/track/{caseNumber}/receipt", "GET /api/track/{caseNumber}/letters", "GET /api/track/{caseNumber}/letters/{documentId}", "POST /api/track/{caseNumber}/actions/{actionId}",
        "GET /api/me/cases", "GET /api/me/cases/{caseNumber}", "POST /api/me/cases/{caseNumber}/actions/{actionId}", "GET /api/me/cases/{caseNumber}/accesses",
        "GET /api/queues/{team}", "GET /api/parties/{party}/cases", "GET /api/cases/{caseNumber}", "POST /api/cases/{caseNumber}/actions/{actionId}",
        "GET /api/cases/{caseNumber}/history", "GET /api/cases/{caseNumber}/state", "GET /api/cases/{caseNumber}/receipt", "GET /api/cases/{caseNumber}/letters/{documentId}",
        "GET /api/audit/cases/{caseNumber}/verify", "GET /api/audit/verify", "GET /api/audit/cases/{caseNumber}/reads",
        "POST /api/admin/cases/{caseNumber}/erasure", "GET /api/open-data/statistics",
        "POST /api/track/{caseNumber}/documents", "GET /api/track/{caseNumber}/documents", "GET /api/track/{caseNumber}/documents/{documentId}",
        "POST /api/cases/{caseNumber}/documents", "GET /api/cases/{caseNumber}/documents", "GET /api/cases/{caseNumber}/documents/{documentId}",
        "GET /api/admin/services/{serviceId}/versions/{version}/notifications/preview",
        "POST /api/admin/webhooks", "GET /api/admin/webhooks", "GET /api/admin/webhooks/{id}", "DELETE /api/admin/webhooks/{id}",
        "GET /api/admin/webhooks/{id}/dead-letters", "POST /api/admin/webhooks/{id}/resume",
        "GET /api/track/{caseNumber}/messages", "POST /api/track/{caseNumber}/messages", "GET /api/cases/{caseNumber}/messages", "POST /api/cases/{caseNumber}/messages",
    ];

    private async Task<JsonObject> Document()
    {
        var response = await Host.Get("/openapi/v1.json");
        Assert.True(response.Status == 200, response.ToString());
        return Assert.IsType<JsonObject>(response.Json);
    }

    private static IEnumerable<(string Key, JsonObject Operation)> OperationsOf(JsonObject document) =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject().Select(op => ($"{op.Key.ToUpperInvariant()} {path.Key}", op.Value!.AsObject())));

    /// <summary>A <c>$ref</c> such as <c>#/components/responses/NotFound</c> followed, or the node itself.</summary>
    private static JsonNode Resolve(JsonObject document, JsonNode node)
    {
        if (node["$ref"] is not { } reference) return node;
        JsonNode target = document;
        foreach (var part in ((string)reference!)["#/".Length..].Split('/')) target = target[part]!;
        return target;
    }

    private static string Security(JsonObject operation) =>
        string.Join(" | ", operation["security"]!.AsArray().Select(r => string.Join("+", r!.AsObject().Select(s => s.Key)) is { Length: > 0 } s ? s : "anonymous"));

    [Fact]
    public async Task It_has_exactly_the_public_operations_each_with_id_summary_description_and_a_declared_tag()
    {
        var document = await Document();
        var operations = OperationsOf(document).ToList();
        Assert.Equal(Operations.Order(StringComparer.Ordinal), operations.Select(o => o.Key).Order(StringComparer.Ordinal));
        var tags = document["tags"]!.AsArray().ToDictionary(t => (string)t!["name"]!, t => (string?)t!["description"]);
        Assert.All(tags, t => Assert.False(string.IsNullOrWhiteSpace(t.Value), $"tag {t.Key} has no description"));
        var ids = new HashSet<string>();
        foreach (var (key, operation) in operations)
        {
            Assert.True(ids.Add((string)operation["operationId"]!), $"{key}: operationId twice");
            Assert.False(string.IsNullOrWhiteSpace((string?)operation["summary"]), $"{key} has no summary");
            var description = (string?)operation["description"];
            Assert.False(string.IsNullOrWhiteSpace(description), $"{key} has no description");
            Assert.DoesNotMatch("^(GET|POST)_", description!);
            Assert.All(operation["tags"]!.AsArray(), tag => Assert.True(tags.ContainsKey((string)tag!), $"{key}: tag {tag} is not declared"));
        }
    }

    [Fact]
    public async Task Framework_types_are_not_schemas_and_form_data_is_an_open_object()
    {
        var document = await Document();
        var schemas = document["components"]!["schemas"]!.AsObject();
        foreach (var framework in new[] { "IResult", "JsonObject", "JsonNode", "HttpContext" })
        {
            Assert.False(schemas.ContainsKey(framework), $"{framework} is a schema");
            Assert.DoesNotContain($"#/components/schemas/{framework}\"", document.ToJsonString());
        }
        var data = schemas["SubmitApplication"]!["properties"]!["data"]!;
        Assert.Equal("object", (string?)data["type"]);
        Assert.Null(data["properties"]);
        Assert.NotEqual(false, (bool?)data["additionalProperties"]);
        Assert.DoesNotContain("^-?(?:0|[1-9]\\\\d*)$", document.ToJsonString());
    }

    [Fact]
    public async Task Security_schemes_are_declared_and_each_operation_names_what_it_needs()
    {
        var document = await Document();
        var schemes = document["components"]!["securitySchemes"]!;
        Assert.Equal(("http", "bearer", "JWT"), ((string?)schemes["staffToken"]!["type"], (string?)schemes["staffToken"]!["scheme"], (string?)schemes["staffToken"]!["bearerFormat"]));
        Assert.Equal(("http", "bearer"), ((string?)schemes["citizenToken"]!["type"], (string?)schemes["citizenToken"]!["scheme"]));
        Assert.Equal(("apiKey", "header", "X-Tracking-Code"), ((string?)schemes["trackingCode"]!["type"], (string?)schemes["trackingCode"]!["in"], (string?)schemes["trackingCode"]!["name"]));

        foreach (var (key, operation) in OperationsOf(document))
        {
            var expected = key switch
            {
                "POST /api/services/{serviceId}/cases" => "anonymous | staffToken | citizenToken",
                _ when key.Contains(" /api/track/", StringComparison.Ordinal) => "trackingCode",
                _ when key.Contains(" /api/me/", StringComparison.Ordinal) => "citizenToken",
                _ when key.Contains(" /api/services", StringComparison.Ordinal) || key.Contains(" /api/open-data/", StringComparison.Ordinal) => "anonymous",
                _ => "staffToken",
            };
            Assert.True(Security(operation) == expected, $"{key}: security {Security(operation)}, expected {expected}");
        }
    }

    [Fact]
    public async Task Problems_are_declared_where_they_can_happen_with_the_problem_schema()
    {
        var document = await Document();
        foreach (var (key, operation) in OperationsOf(document))
        {
            var responses = operation["responses"]!.AsObject();
            var statuses = responses.Select(r => r.Key).ToHashSet();
            var secured = Security(operation) is "staffToken" or "citizenToken";
            Assert.Equal(secured, statuses.Contains("401"));
            if (secured) Assert.Contains("403", statuses);
            if (key.StartsWith("POST", StringComparison.Ordinal)) Assert.Superset(new HashSet<string> { "400", "413", "415" }, statuses);
            if (key.Contains("{caseNumber}", StringComparison.Ordinal) || key.Contains("{serviceId}", StringComparison.Ordinal)) Assert.Contains("404", statuses);
            if (key.Contains("/actions/", StringComparison.Ordinal)) Assert.Superset(new HashSet<string> { "409", "422" }, statuses);
            Assert.Contains("429", statuses);
            foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5'))
            {
                var content = Resolve(document, response!)["content"]!.AsObject();
                Assert.True(content.Select(c => c.Key).SequenceEqual(["application/problem+json"]), $"{key} {status}: {content.ToJsonString()}");
                Assert.Equal("#/components/schemas/ProblemDetails", (string?)content["application/problem+json"]!["schema"]!["$ref"]);
            }
        }
        var problem = document["components"]!["schemas"]!["ProblemDetails"]!["properties"]!;
        foreach (var member in new[] { "type", "title", "status", "detail", "instance", "rule", "traceId", "errors", "violations" }) Assert.NotNull(problem[member]);
        var violation = document["components"]!["schemas"]!["Violation"]!;
        Assert.Equal(["field", "message", "rule"], violation["required"]!.AsArray().Select(v => (string)v!).Order());
        Assert.NotNull(Resolve(document, document["paths"]!["/api/track/{caseNumber}"]!["get"]!["responses"]!["429"]!)["headers"]!["Retry-After"]);
    }

    [Fact]
    public async Task Every_body_is_described_with_examples_and_the_submission_links_to_the_form_schema()
    {
        var document = await Document();
        foreach (var (key, operation) in OperationsOf(document).Where(o => o.Key.StartsWith("POST", StringComparison.Ordinal)))
        {
            if (key.EndsWith("/documents", StringComparison.Ordinal))
            {
                // Uploads are multipart: the file and, optionally, the definition's document id.
                var form = operation["requestBody"]?["content"]?["multipart/form-data"]?["schema"];
                Assert.True(form is not null, $"{key} has no multipart request body");
                Assert.Equal("binary", (string?)form!["properties"]!["file"]!["format"]);
                continue;
            }
            // Resuming a webhook subscription says everything in its address.
            if (key == "POST /api/admin/webhooks/{id}/resume") continue;
            var json = operation["requestBody"]?["content"]?["application/json"];
            Assert.True(json is not null, $"{key} has no JSON request body");
            Assert.StartsWith("#/components/schemas/", (string?)json!["schema"]!["$ref"]);
            Assert.NotEmpty(json["examples"]!.AsObject());
        }

        var submit = document["paths"]!["/api/services/{serviceId}/cases"]!["post"]!;
        Assert.Contains("/api/services/{serviceId}/form-schema", (string?)submit["description"]);
        Assert.Equal("getServiceFormSchema", (string?)submit["x-form-schema"]!["operationId"]);
        var examples = submit["requestBody"]!["content"]!["application/json"]!["examples"]!.AsObject();
        Assert.Equal(5, examples.Count);
        foreach (var (service, example) in examples)
        {
            var response = await Host.PostJson($"/api/services/{service}/cases", example!["value"]!.DeepClone());
            Assert.True(response.Status == 201, $"The document's example for {service} is refused: {response}");
        }

        var successes = submit["responses"]!.AsObject().Where(r => r.Key[0] == '2').ToList();
        Assert.True(successes.Select(s => s.Key).SequenceEqual(["201"]), "a replay answers 201 as well, with Idempotent-Replayed: true");
        Assert.All(successes, s => Assert.Equal("#/components/schemas/SubmissionAccepted", (string?)s.Value!["content"]!["application/json"]!["schema"]!["$ref"]));
        Assert.NotNull(successes[0].Value!["headers"]!["Idempotent-Replayed"]);
        Assert.NotNull(successes[0].Value!["headers"]!["Location"]);
    }

    [Fact]
    public async Task The_engine_s_answers_satisfy_the_document_s_schemas()
    {
        var document = await Document();
        var data = await Host.Example("change-of-address");
        var submitted = await Host.Call(HttpMethod.Post, "/api/services/change-of-address/cases",
            new JsonObject { ["data"] = data, ["language"] = "en" }.ToJsonString(), headers: new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() });
        AssertSatisfies(document, "SubmissionAccepted", submitted, 201);
        var number = (string)submitted.Json!["caseNumber"]!;
        var code = (string)submitted.Json["trackingCode"]!;
        var caseworker = App.Token("caseworker", "registration-office");

        AssertSatisfies(document, "CitizenCaseView", await Host.Get($"/api/track/{number}", headers: new Dictionary<string, string> { ["X-Tracking-Code"] = code }), 200);
        AssertSatisfies(document, "StaffCaseView", await Host.Get($"/api/cases/{number}", caseworker), 200);
        AssertSatisfies(document, "StaffCaseView", await Host.StaffAction(number, "start-review", caseworker, 1), 200);
        AssertSatisfies(document, "CaseHistory", await Host.Get($"/api/cases/{number}/history", App.Token("auditor")), 200);
        AssertSatisfies(document, "QueuePage", await Host.Get("/api/queues/registration-office", caseworker), 200);
        AssertSatisfies(document, "ServiceDefinitionView", await Host.Get("/api/services/school-transport"), 200);
        await Host.Submit("school-transport");
        var school = App.Token("school", "grundschule-lobeda-west");
        AssertSatisfies(document, "PartyCasesPage", await Host.Get("/api/parties/school/cases", school), 200);
        AssertSatisfies(document, "PartyCasesPage", await Host.Get("/api/parties/school/cases?show=all", school), 200);

        AssertSatisfies(document, "ProblemDetails", await Host.PostJson("/api/services/change-of-address/cases", new JsonObject { ["data"] = new JsonObject() }), 400);
        AssertSatisfies(document, "ProblemDetails", await Host.Get($"/api/cases/{number}"), 401);
        AssertSatisfies(document, "ProblemDetails", await Host.Get("/api/queues/other-team", caseworker), 403);
        AssertSatisfies(document, "ProblemDetails", await Host.Get("/api/services/nope"), 404);
        AssertSatisfies(document, "ProblemDetails", await Host.StaffAction(number, "register", caseworker, 1), 409);
        AssertSatisfies(document, "ProblemDetails", await Host.Call(HttpMethod.Post, "/api/services/change-of-address/cases", "a=b", contentType: "text/plain"), 415);
    }

    /// <summary>The document's component schemas as one JSON Schema, its root the named one, applied to the answer's body.</summary>
    private static void AssertSatisfies(JsonObject document, string schemaName, ApiResponse response, int status)
    {
        Assert.True(response.Status == status, $"expected {status}: {response}");
        var defs = JsonNode.Parse(document["components"]!["schemas"]!.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal))!;
        var bundle = new JsonObject { ["$schema"] = "https://json-schema.org/draft/2020-12/schema", ["$defs"] = defs, ["$ref"] = $"#/$defs/{schemaName}" };
        var schema = JsonSchema.FromText(bundle.ToJsonString());
        var result = schema.Evaluate(JsonDocument.Parse(response.Text).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        var failures = (result.Details ?? []).Where(d => !d.IsValid && d.Errors is { Count: > 0 })
            .Select(d => $"{d.InstanceLocation} ({d.EvaluationPath}): {string.Join("; ", d.Errors!.Values)}");
        Assert.True(result.IsValid, $"The {status} answer does not satisfy {schemaName}:\n{string.Join("\n", failures.Take(20))}\n{response.Text[..Math.Min(2000, response.Text.Length)]}");
    }
}
