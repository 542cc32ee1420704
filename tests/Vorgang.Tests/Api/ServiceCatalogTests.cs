using System.Text.Json.Nodes;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Api;

/// <summary>What a form client reads before anything is submitted: the catalog, each service's form and process, its diagram and the OpenAPI document.</summary>
public sealed class ServiceCatalogTests(AppFixture app) : ApiTest(app)
{
    private static readonly string[] ShippedServices =
        ["change-of-address", "building-permit-consultation", "school-transport", "residential-parking-permit", "defect-report"];

    private static readonly HashSet<string> FieldTypes = ["text", "number", "integer", "date", "boolean", "choice", "address", "email", "phone", "list"];

    private async Task<JsonArray> Catalog()
    {
        var response = await Host.Get("/api/services");
        Assert.True(response.Status == 200, response.ToString());
        Assert.Equal("application/json", response.MediaType);
        return Assert.IsType<JsonArray>(response.Json);
    }

    private static void AssertLocalized(JsonNode? text, string what)
    {
        var localized = Assert.IsType<JsonObject>(text);
        Assert.False(string.IsNullOrWhiteSpace((string?)localized["de"]), $"{what} has no German text: {localized.ToJsonString()}");
        Assert.False(string.IsNullOrWhiteSpace((string?)localized["en"]), $"{what} has no English text: {localized.ToJsonString()}");
    }

    private static void AssertFields(JsonArray fields, string at)
    {
        Assert.NotEmpty(fields);
        foreach (var field in fields)
        {
            var id = (string?)field!["id"];
            Assert.False(string.IsNullOrWhiteSpace(id), $"{at}: a field without id");
            var type = (string?)field["type"];
            Assert.True(type is not null && FieldTypes.Contains(type), $"{at}/{id}: unknown type '{type}'");
            AssertLocalized(field["label"], $"{at}/{id}.label");
            if (type == "choice")
            {
                var options = field["options"]!.AsArray();
                Assert.NotEmpty(options);
                foreach (var option in options) AssertLocalized(option!["label"], $"{at}/{id} option {(string?)option["value"]}");
            }
            if (type == "list") AssertFields(field["fields"]!.AsArray(), $"{at}/{id}");
        }
    }

    [Fact]
    public async Task Catalog_lists_the_five_services()
    {
        var services = await Catalog();
        Assert.Equal(ShippedServices.Order(), services.Select(s => (string)s!["id"]!).Order());
        foreach (var service in services)
        {
            var id = (string)service!["id"]!;
            Assert.Equal($"/api/services/{id}", (string)service["href"]!);
            Assert.True((int)service["version"]! >= 1);
            Assert.False(string.IsNullOrWhiteSpace((string?)service["team"]), id);
            AssertLocalized(service["title"], $"{id}.title");
            AssertLocalized(service["summary"], $"{id}.summary");
        }
        Assert.Equal("registration-office", (string)services.Single(s => (string)s!["id"]! == "change-of-address")!["team"]!);
    }

    [Fact]
    public async Task Every_service_describes_its_form_states_and_roles()
    {
        foreach (var id in (await Catalog()).Select(s => (string)s!["id"]!))
        {
            var response = await Host.Get($"/api/services/{id}");
            Assert.True(response.Status == 200, $"{id}: {response}");
            var service = response.Json!;
            Assert.Equal(id, (string)service["id"]!);
            Assert.Equal("vorgang/v1", (string)service["dsl"]!);
            Assert.Contains((int)service["version"]!, service["versions"]!.AsArray().Select(v => (int)v!));
            AssertLocalized(service["title"], $"{id}.title");

            AssertFields(service["form"]!.AsArray(), id);

            var states = service["states"]!.AsArray();
            Assert.NotEmpty(states);
            Assert.Single(states, s => (bool)s!["initial"]!);
            Assert.Contains(states, s => (bool)s!["final"]!);
            foreach (var state in states)
            {
                var stateId = (string)state!["id"]!;
                AssertLocalized(state["status"], $"{id}/states/{stateId}.status");
                if ((bool)state["final"]!) Assert.False(string.IsNullOrWhiteSpace((string?)state["outcome"]), $"{id}/states/{stateId}: final without outcome");
            }
            var stateIds = states.Select(s => (string)s!["id"]!).ToHashSet();

            var roles = service["roles"]!.AsArray().Select(r => (string)r!).ToList();
            Assert.Contains("caseworker", roles);
            var actions = service["actions"]!.AsArray();
            Assert.NotEmpty(actions);
            foreach (var action in actions)
            {
                var actionId = (string)action!["id"]!;
                AssertLocalized(action["label"], $"{id}/actions/{actionId}.label");
                Assert.Contains((string)action["to"]!, stateIds);
                Assert.All(action["from"]!.AsArray(), from => Assert.Contains((string)from!, stateIds));
                Assert.All(action["by"]!.AsArray(), by => Assert.Contains((string)by!, roles));
            }

            Assert.IsType<JsonObject>(service["example"]);
            Assert.DoesNotContain("routing", service.AsObject().Select(p => p.Key));
        }
    }

    [Fact]
    public async Task Every_service_example_is_accepted_as_it_is()
    {
        foreach (var summary in await Catalog())
        {
            var id = (string)summary!["id"]!;
            var service = (await Host.Get($"/api/services/{id}")).Json!;
            var initial = (string)service["states"]!.AsArray().Single(s => (bool)s!["initial"]!)!["id"]!;
            foreach (var language in new[] { "de", "en" })
            {
                var response = await Host.PostJson($"/api/services/{id}/cases",
                    new JsonObject { ["data"] = service["example"]!.DeepClone(), ["language"] = language });
                Assert.True(response.Status == 201, $"The example of {id} ({language}) was refused: {response}");
                Assert.Equal(id, (string)response.Json!["serviceId"]!);
                Assert.Equal(initial, (string)response.Json!["status"]!["state"]!);
                Assert.Matches(@"^\d{4}-\d{6}$", (string)response.Json!["caseNumber"]!);
                Assert.False(string.IsNullOrWhiteSpace((string?)response.Json!["trackingCode"]));
            }
        }
    }

    [Fact]
    public async Task Every_service_offers_a_ready_to_send_example_body()
    {
        foreach (var summary in await Catalog())
        {
            var id = (string)summary!["id"]!;
            var example = await Host.Get($"/api/services/{id}/example?lang=en");
            Assert.True(example.Status == 200, $"{id}: {example}");
            Assert.Equal("en", (string)example.Json!["language"]!);
            Assert.Equal((await Host.Get($"/api/services/{id}")).Json!["example"]!.ToJsonString(), example.Json!["data"]!.ToJsonString());

            var response = await Host.Call(HttpMethod.Post, $"/api/services/{id}/cases", example.Text);
            Assert.True(response.Status == 201, $"The example body of {id} was refused: {response}");
        }
        (await Host.Get("/api/services/x/example")).AssertProblem(404, "not-found");
    }

    [Fact]
    public async Task Every_service_has_a_state_diagram()
    {
        foreach (var summary in await Catalog())
        {
            var id = (string)summary!["id"]!;
            var states = (await Host.Get($"/api/services/{id}")).Json!["states"]!.AsArray().Select(s => (string)s!["id"]!).ToList();
            foreach (var lang in new[] { "", "?lang=de" })
            {
                var response = await Host.Get($"/api/services/{id}/diagram{lang}");
                Assert.True(response.Status == 200, $"{id}: {response}");
                Assert.Equal("text/vnd.mermaid", response.MediaType);
                Assert.StartsWith("stateDiagram-v2", response.Text);
                foreach (var state in states) Assert.Contains($"\"{state}\"", response.Text);
                Assert.Contains("[*] -->", response.Text);
            }
        }
    }

    [Fact]
    public async Task OpenApi_document_describes_the_public_paths()
    {
        var response = await Host.Get("/openapi/v1.json");
        Assert.True(response.Status == 200, response.ToString());
        Assert.Equal("application/json", response.MediaType);
        var paths = Assert.IsType<JsonObject>(response.Json!["paths"]);
        foreach (var path in new[]
                 {
                     "/api/services", "/api/services/{serviceId}", "/api/services/{serviceId}/cases", "/api/track/{caseNumber}",
                     "/api/cases/{caseNumber}", "/api/cases/{caseNumber}/actions/{actionId}", "/api/queues/{team}", "/api/cases/{caseNumber}/history",
                 })
        {
            Assert.True(paths.ContainsKey(path), $"OpenAPI has no path {path}; it has {string.Join(", ", paths.Select(p => p.Key))}");
        }
        Assert.NotNull(paths["/api/services/{serviceId}/cases"]!["post"]);
        Assert.NotNull(paths["/api/cases/{caseNumber}/actions/{actionId}"]!["post"]);
        Assert.NotNull(paths["/api/queues/{team}"]!["get"]);
    }

    [Fact]
    public async Task A_service_version_that_does_not_exist_is_404()
    {
        (await Host.Get("/api/services/change-of-address?version=99")).AssertProblem(404, "not-found");
        var v1 = await Host.Get("/api/services/change-of-address?version=1");
        Assert.Equal(200, v1.Status);
        Assert.Equal(1, (int)v1.Json!["version"]!);
    }
}
