using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Microsoft.Extensions.DependencyInjection;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Deadlines;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Tests.Api;

/// <summary>
/// GET /api/services/{id}/form-schema: a JSON Schema of each service's form that a standard validator (JsonSchema.Net)
/// applies, and that agrees with the engine's own form validation on the example and its variations.
/// </summary>
public sealed class FormSchemaTests(AppFixture app) : ApiTest(app)
{
    public static TheoryData<string> Services => new()
    {
        "change-of-address", "building-permit-consultation", "school-transport", "residential-parking-permit", "defect-report",
    };

    private async Task<(JsonSchema Schema, JsonObject Document)> SchemaOf(string serviceId, string query = "")
    {
        var response = await Host.Get($"/api/services/{serviceId}/form-schema{query}");
        Assert.True(response.Status == 200, response.ToString());
        Assert.Equal("application/schema+json", response.MediaType);
        var document = Assert.IsType<JsonObject>(response.Json);
        return (JsonSchema.FromText(response.Text), document);
    }

    private static bool Accepts(JsonSchema schema, JsonNode data) =>
        schema.Evaluate(JsonDocument.Parse(data.ToJsonString()).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List }).IsValid;

    private ProcessDefinition Definition(string serviceId) => Host.Services.GetRequiredService<DefinitionCatalog>().Latest(serviceId)!;

    private bool EngineAccepts(string serviceId, JsonObject data) =>
        FormValidator.Validate(Definition(serviceId).Form, (JsonObject)data.DeepClone(), "en", App.Clock.Today()).Count == 0;

    [Theory]
    [MemberData(nameof(Services))]
    public async Task The_schema_accepts_the_service_s_example(string serviceId)
    {
        var (schema, document) = await SchemaOf(serviceId);
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", (string?)document["$schema"]);
        Assert.Equal("object", (string?)document["type"]);
        Assert.False((bool)document["additionalProperties"]!);
        Assert.Equal(serviceId, (string?)document["x-service"]);
        var example = await Host.Example(serviceId);
        Assert.True(Accepts(schema, example), $"{serviceId}: the schema refuses the example {example.ToJsonString()}");
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Leaving_out_a_field_is_refused_exactly_when_the_engine_refuses_it(string serviceId)
    {
        var (schema, _) = await SchemaOf(serviceId);
        var example = await Host.Example(serviceId);
        var refusedSomething = false;
        foreach (var (name, _) in example.ToList())
        {
            var without = (JsonObject)example.DeepClone();
            without.Remove(name);
            var engine = EngineAccepts(serviceId, without);
            Assert.True(Accepts(schema, without) == engine, $"{serviceId} without '{name}': the engine {(engine ? "accepts" : "refuses")} it, the schema does not agree");
            refusedSomething |= !engine;
        }
        Assert.True(refusedSomething, $"{serviceId}: no field of the example is required");
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task A_value_of_the_wrong_type_or_an_unknown_field_is_refused(string serviceId)
    {
        var (schema, _) = await SchemaOf(serviceId);
        var example = await Host.Example(serviceId);
        foreach (var field in Definition(serviceId).Form.Where(f => example.ContainsKey(f.Id)))
        {
            var wrong = (JsonObject)example.DeepClone();
            wrong[field.Id] = field.Type is FieldTypes.Number or FieldTypes.Integer or FieldTypes.Boolean ? "12" : 12;
            Assert.False(EngineAccepts(serviceId, wrong), $"{serviceId}.{field.Id}: the engine accepts a wrong type");
            Assert.False(Accepts(schema, wrong), $"{serviceId}.{field.Id} ({field.Type}): the schema accepts {wrong[field.Id]!.ToJsonString()}");
        }
        var unknown = (JsonObject)example.DeepClone();
        unknown["favouriteColour"] = "blue";
        Assert.False(Accepts(schema, unknown), $"{serviceId}: the schema accepts an unknown field");
    }

    [Fact]
    public async Task Conditional_fields_are_required_when_their_condition_holds_and_left_out_otherwise()
    {
        const string service = "change-of-address";
        var (schema, document) = await SchemaOf(service, "?lang=en");
        var example = await Host.Example(service);
        Assert.True((bool)example["landlordConfirmationAvailable"]!);

        var withoutName = (JsonObject)example.DeepClone();
        withoutName.Remove("landlordName");
        Assert.False(Accepts(schema, withoutName), "landlordName is required while landlordConfirmationAvailable is true");

        var noConfirmation = (JsonObject)example.DeepClone();
        noConfirmation["landlordConfirmationAvailable"] = false;
        Assert.False(Accepts(schema, noConfirmation), "landlordName must be left out without a landlord confirmation");
        Assert.False(EngineAccepts(service, noConfirmation));
        noConfirmation.Remove("landlordName");
        Assert.True(Accepts(schema, noConfirmation));
        Assert.True(EngineAccepts(service, noConfirmation));

        var landlordName = document["properties"]!["landlordName"]!;
        Assert.Equal("landlordConfirmationAvailable = true", (string?)landlordName["x-requiredWhen"]);
        Assert.Contains("Required when: landlordConfirmationAvailable = true", (string?)landlordName["description"]);
    }

    [Fact]
    public async Task An_isSet_condition_becomes_if_then_as_well()
    {
        var (schema, _) = await SchemaOf("defect-report");
        var example = await Host.Example("defect-report");
        var onlyLatitude = (JsonObject)example.DeepClone();
        onlyLatitude.Remove("longitude");
        Assert.False(EngineAccepts("defect-report", onlyLatitude));
        Assert.False(Accepts(schema, onlyLatitude));
        onlyLatitude.Remove("latitude");
        Assert.Equal(EngineAccepts("defect-report", onlyLatitude), Accepts(schema, onlyLatitude));
    }

    [Fact]
    public async Task Options_patterns_bounds_and_formats_come_from_the_definition()
    {
        var (_, document) = await SchemaOf("school-transport", "?lang=en");
        var properties = document["properties"]!;
        Assert.Equal("Apply for a school ticket (school transport)", (string?)document["title"]);

        var school = properties["school"]!;
        Assert.Contains("grundschule-lobeda-west", school["enum"]!.AsArray().Select(v => (string?)v));
        Assert.Contains(school["oneOf"]!.AsArray(), o => (string?)o!["const"] == "grundschule-saaleaue" && (string?)o["title"] == "Grundschule Saaleaue (primary school)");

        var grade = properties["grade"]!;
        Assert.Equal(("integer", 1m, 13m), ((string?)grade["type"], (decimal)grade["minimum"]!, (decimal)grade["maximum"]!));
        Assert.Equal(("string", "email"), ((string?)properties["parentEmail"]!["type"], (string?)properties["parentEmail"]!["format"]));
        Assert.Equal(100, (int)properties["parentFirstName"]!["maxLength"]!);
        Assert.True((bool)properties["parentFirstName"]!["x-personal"]!);

        var birth = properties["pupilDateOfBirth"]!;
        Assert.Equal("date", (string?)birth["format"]);
        Assert.Equal(App.Clock.Today().AddYears(-25).ToString("yyyy-MM-dd"), (string?)birth["formatMinimum"]);
        Assert.Equal("today-25y", (string?)birth["x-minDate"]);

        var postalCode = properties["homeAddress"]!["properties"]!["postalCode"]!;
        Assert.Equal("^[0-9]{5}$", (string?)postalCode["pattern"]);
        Assert.Contains(postalCode["allOf"]!.AsArray(), p => (string?)p!["pattern"] == "^07(74[3579]|751)$");
        Assert.Equal(new[] { "street", "houseNumber", "postalCode", "city" }, properties["homeAddress"]!["required"]!.AsArray().Select(v => (string)v!));
    }

    [Fact]
    public async Task Titles_are_German_by_default_and_English_on_request()
    {
        var (_, german) = await SchemaOf("school-transport");
        var (_, english) = await SchemaOf("school-transport", "?lang=en");
        var (_, accepted) = await SchemaOf("school-transport", "");
        Assert.Equal("Ihr Vorname", (string?)german["properties"]!["parentFirstName"]!["title"]);
        Assert.Equal("Your first name", (string?)english["properties"]!["parentFirstName"]!["title"]);
        Assert.Equal("de", (string?)accepted["x-language"]);
        var viaHeader = await Host.Get("/api/services/school-transport/form-schema", headers: new Dictionary<string, string> { ["Accept-Language"] = "en-GB" });
        Assert.Equal("en", (string?)viaHeader.Json!["x-language"]);
    }

    [Fact]
    public async Task A_published_version_can_be_asked_for_and_bad_questions_are_problems()
    {
        var (_, v1) = await SchemaOf("change-of-address", "?version=1");
        Assert.Equal(1, (int)v1["x-version"]!);
        (await Host.Get("/api/services/nope/form-schema")).AssertProblem(404, "not-found");
        (await Host.Get("/api/services/change-of-address/form-schema?version=99")).AssertProblem(404, "not-found");
        (await Host.Get("/api/services/change-of-address/form-schema?version=one")).AssertProblem(400, "integer");
        (await Host.Get("/api/services/change-of-address/form-schema?lang=fr")).AssertProblem(400, "one-of");
    }

    [Fact]
    public void Conditions_that_are_not_plain_comparisons_are_only_described()
    {
        FieldDefinition Field(string id, string type) => new() { Id = id, Type = type, Label = new(id, id) };
        var fields = new[] { Field("a", FieldTypes.Integer), Field("b", FieldTypes.Text) };
        Assert.NotNull(FormSchema.Condition("a = 3", fields));
        Assert.NotNull(FormSchema.Condition("isSet(b) and a == 3", fields));
        Assert.Equal(3m, (decimal)FormSchema.Condition("[a] = 3", fields)!["properties"]!["a"]!["const"]!);
        Assert.Null(FormSchema.Condition("a > 3", fields));
        Assert.Null(FormSchema.Condition("a = 3 or isSet(b)", fields));
        Assert.Null(FormSchema.Condition("unknown = 1", fields));
        Assert.Null(FormSchema.Condition("daysSince(a) > 3", fields));
    }
}
