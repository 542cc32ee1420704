using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vorgang.Projections.Queues;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Cases;

namespace Vorgang.Tests.Audit;

/// <summary>Read models are disposable: rebuilt from the event log with the command-line verb, they are the same documents as those built live.</summary>
public sealed class ProjectionRebuildTests(AppFixture app) : ApiTest(app)
{
    private const string Service = "change-of-address";
    private const string Team = "registration-office";

    private string Anna => App.Token("caseworker", Team, "Anna Schmidt", subject: "anna");
    private string Admin => App.Token("admin", name: "Ada Admin", subject: "ada");

    /// <summary>Cases of several services with different histories: waiting and answered, decided both ways, withdrawn, released and assigned, untouched.</summary>
    private async Task<List<string>> CasesWithDifferentHistories()
    {
        var numbers = new List<string>();

        var data = await Host.Example(Service);
        data["landlordConfirmationAvailable"] = false;
        data.Remove("landlordName");
        var registered = await Host.Submit(Service, data, language: "en");
        await Host.Act(registered.CaseNumber, Anna, "start-review");
        await Host.Act(registered.CaseNumber, Anna, "request-landlord-confirmation", new JsonObject { ["message"] = "Please send it." });
        // Without the confirmation at hand when applying, the registration waits for it as a document (decision 47).
        await Documents.DocumentRequests.UploadLandlordConfirmation(Host, registered.CaseNumber, registered.TrackingCode);
        var asked = await Host.Track(registered.CaseNumber, registered.TrackingCode);
        await Host.CitizenAct(registered.CaseNumber, registered.TrackingCode, "provide-information", (long)asked["version"]!,
            new JsonObject { ["landlordName"] = "Wohnungsgenossenschaft Jena eG" });
        await Host.Act(registered.CaseNumber, Anna, "register");
        numbers.Add(registered.CaseNumber);

        var rejected = await Host.Submit(Service);
        await Host.Act(rejected.CaseNumber, Anna, "start-review");
        await Host.Act(rejected.CaseNumber, Anna, "reject", new JsonObject { ["reason"] = "Nicht bewohnbar." });
        numbers.Add(rejected.CaseNumber);

        var withdrawn = await Host.Submit(Service);
        await Host.CitizenAct(withdrawn.CaseNumber, withdrawn.TrackingCode, "withdraw", 1);
        numbers.Add(withdrawn.CaseNumber);

        var waiting = await Host.Submit(Service, language: "en");
        await Host.Act(waiting.CaseNumber, Anna, "start-review");
        await Host.Act(waiting.CaseNumber, Anna, "request-landlord-confirmation", new JsonObject { ["message"] = "Still missing." });
        numbers.Add(waiting.CaseNumber);

        var handedOver = await Host.Submit(Service);
        await Host.Act(handedOver.CaseNumber, Anna, "claim");
        await Host.Act(handedOver.CaseNumber, Anna, "release");
        await Host.Act(handedOver.CaseNumber, Admin, "assign", new JsonObject { ["assigneeId"] = "bernd", ["assigneeName"] = "Bernd Brot" });
        numbers.Add(handedOver.CaseNumber);

        foreach (var service in new[] { "defect-report", "school-transport", "residential-parking-permit", "building-permit-consultation" })
            numbers.Add((await Host.Submit(service)).CaseNumber);
        return numbers;
    }

    /// <summary>Every document of every registered read model, as stored (id → jsonb text), per table.</summary>
    private async Task<SortedDictionary<string, SortedDictionary<string, string>>> ReadModels()
    {
        var store = (DocumentStore)Host.Services.GetRequiredService<IDocumentStore>();
        var tables = store.Options.Projections.All
            .SelectMany(p => p.PublishedTypes())
            .Distinct()
            .Select(t => ((IReadOnlyStoreOptions)store.Options).FindOrResolveDocumentType(t).TableName.QualifiedName)
            .ToList();
        Assert.Contains(((IReadOnlyStoreOptions)store.Options).FindOrResolveDocumentType(typeof(QueueItem)).TableName.QualifiedName, tables);
        Assert.Contains(((IReadOnlyStoreOptions)store.Options).FindOrResolveDocumentType(typeof(Case)).TableName.QualifiedName, tables);

        var dataSource = Host.Services.GetRequiredService<NpgsqlDataSource>();
        var result = new SortedDictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            var documents = new SortedDictionary<string, string>(StringComparer.Ordinal);
            await using var command = dataSource.CreateCommand($"select id::text, data::text from {table}");
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) documents[reader.GetString(0)] = reader.GetString(1);
            result[table] = documents;
        }
        return result;
    }

    [Fact]
    public async Task Read_models_rebuilt_by_the_verb_equal_those_built_live()
    {
        var numbers = await CasesWithDifferentHistories();
        await App.CatchUpAsync();
        var live = await ReadModels();
        Assert.Equal(numbers.Order(StringComparer.Ordinal), live.Single(t => t.Key.EndsWith("mt_doc_queueitem")).Value.Keys);
        Assert.Equal(numbers.Count, live.Single(t => t.Key.EndsWith("mt_doc_case")).Value.Count);

        // Wipe them first, so that an unchanged table cannot pass for a rebuilt one.
        var dataSource = Host.Services.GetRequiredService<NpgsqlDataSource>();
        foreach (var table in live.Keys)
        {
            await using var wipe = dataSource.CreateCommand($"delete from {table}");
            await wipe.ExecuteNonQueryAsync();
        }

        var run = await VerbProcess.RunAsync("projections", "rebuild");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("QueueItem:", run.Stdout);
        Assert.Matches(@"events/s", run.Stdout);

        var rebuilt = await ReadModels();
        Assert.Equal(live.Keys, rebuilt.Keys);
        foreach (var (table, documents) in live)
        {
            Assert.Equal(documents.Keys, rebuilt[table].Keys);
            foreach (var (id, json) in documents)
                Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(rebuilt[table][id])),
                    $"{table} {id} differs after the rebuild:\nlive:    {json}\nrebuilt: {rebuilt[table][id]}");
        }

        // The engine carries on with the rebuilt models.
        var view = await Host.StaffCase(numbers[3], Anna);
        Assert.Equal("waiting-for-citizen", (string)view["state"]!);
    }

    [Fact]
    public async Task One_read_model_is_rebuilt_by_name_and_an_unknown_name_is_refused()
    {
        var numbers = await CasesWithDifferentHistories();
        var before = await ReadModels();
        var queue = before.Keys.Single(t => t.EndsWith("mt_doc_queueitem"));
        await using (var wipe = Host.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand($"delete from {queue}"))
            await wipe.ExecuteNonQueryAsync();

        var run = await VerbProcess.RunAsync("projections", "rebuild", "--name", "QueueItem");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(before[queue], (await ReadModels())[queue]);
        Assert.DoesNotContain("Case:", run.Stdout);

        var unknown = await VerbProcess.RunAsync("projections", "rebuild", "--name", "Nonsense");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("QueueItem", unknown.Stderr);
        Assert.NotEmpty(numbers);
    }
}
