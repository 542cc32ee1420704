using System.Text.Json.Nodes;
using Vorgang.Tests.Definitions;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vorgang.Tests.Api;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Cases;

namespace Vorgang.Tests.Audit;

/// <summary>Tamper evidence: each case's events are chained by hashes; verification recomputes the chain from the stored rows.</summary>
public sealed class HashChainTests(AppFixture app) : ApiTest(app)
{
    private const string Service = "change-of-address";
    private const string Team = "registration-office";

    private string Anna => App.Token("caseworker", Team, "Anna Schmidt", subject: "anna");
    private string Auditor => App.Token("auditor", name: "Ida Prüfer", subject: "ida");

    /// <summary>Submitted, claimed, review started, information requested and provided: events 1–5 at least (more when the legal clock records its stops).</summary>
    private async Task<string> CaseWithAFewActions()
    {
        var submitted = await Host.Submit(Service, language: "en");
        await Host.Act(submitted.CaseNumber, Anna, "claim");
        await Host.Act(submitted.CaseNumber, Anna, "start-review");
        var staff = await Host.Act(submitted.CaseNumber, Anna, "request-landlord-confirmation", new JsonObject { ["message"] = "Bitte senden Sie die Bestätigung – danke!" });
        await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "provide-information", (long)staff["version"]!,
            new JsonObject { ["landlordName"] = "Wohnbau Jena GmbH" });
        return submitted.CaseNumber;
    }

    private async Task<JsonObject> Verify(string caseNumber, string? token = null)
    {
        var response = await Host.Get($"/api/audit/cases/{caseNumber}/verify", token ?? Auditor);
        Assert.True(response.Status == 200, response.ToString());
        return (JsonObject)response.Json!;
    }

    private async Task<JsonObject> VerifyAll()
    {
        var response = await Host.Get("/api/audit/verify", Auditor);
        Assert.True(response.Status == 200, response.ToString());
        return (JsonObject)response.Json!;
    }

    private async Task<JsonArray> History(string caseNumber)
    {
        var response = await Host.Get($"/api/cases/{caseNumber}/history", Auditor);
        Assert.True(response.Status == 200, response.ToString());
        return response.Json!["events"]!.AsArray();
    }

    private async Task<int> Sql(string sql, string caseNumber, long? version = null)
    {
        await using var command = Host.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql);
        command.Parameters.AddWithValue(caseNumber);
        if (version is not null) command.Parameters.AddWithValue(version.Value);
        return await command.ExecuteNonQueryAsync();
    }

    private async Task<long> VersionOf(string caseNumber, string eventType) =>
        (long)(await History(caseNumber)).First(e => (string)e!["type"]! == eventType)!["version"]!;

    private static JsonObject FirstBreak(JsonObject report)
    {
        Assert.False((bool)report["intact"]!, report.ToJsonString());
        return Assert.IsType<JsonObject>(report["firstBreak"]);
    }

    [Fact]
    public async Task An_intact_chain_verifies_and_each_event_carries_its_link()
    {
        var worked = await CaseWithAFewActions();
        var fresh = (await Host.Submit("defect-report")).CaseNumber;

        var events = await History(worked);
        var hashes = events.Select(e => (string)e!["headers"]!["hash"]!).ToList();
        Assert.All(hashes, h => Assert.Matches("^[0-9a-f]{64}$", h));
        Assert.Equal(hashes.Count, hashes.Distinct().Count());
        // The per-event link sits beside the request's own headers.
        Assert.All(events, e => Assert.Equal($"change-of-address@v{ShippedDefinitions.LatestVersion("change-of-address")}", (string)e!["headers"]!["definition"]!));

        var report = await Verify(worked);
        Assert.True((bool)report["intact"]!, report.ToJsonString());
        Assert.Equal(events.Count, (long)report["events"]!);
        Assert.Equal(events.Count, (long)report["streamVersion"]!);
        Assert.Equal(hashes[^1], (string)report["head"]!);
        Assert.Null(report["firstBreak"]);

        var all = await VerifyAll();
        Assert.Equal(2, (long)all["cases"]!);
        Assert.Equal(events.Count + 1, (long)all["events"]!);
        Assert.Equal((2L, 0L), ((long)all["intact"]!, (long)all["broken"]!));
        Assert.Empty(all["brokenCases"]!.AsArray());
        Assert.Matches("^[0-9a-f]{64}$", (string)all["headsDigest"]!);
        Assert.True((bool)(await Verify(fresh))["intact"]!);
    }

    [Fact]
    public async Task Rewriting_the_stored_json_without_changing_a_value_is_no_tampering()
    {
        var caseNumber = await CaseWithAFewActions();
        var digest = (string)(await VerifyAll())["headsDigest"]!;
        // Through text and back: jsonb orders keys and spaces them its own way; the canonical form does not care.
        Assert.True(await Sql("update vorgang.mt_events set data = (data::text)::jsonb where stream_id = $1", caseNumber) >= 5);
        Assert.True((bool)(await Verify(caseNumber))["intact"]!);
        Assert.Equal(digest, (string)(await VerifyAll())["headsDigest"]!);
    }

    [Fact]
    public async Task Data_altered_in_sql_is_caught_at_that_version()
    {
        var caseNumber = await CaseWithAFewActions();
        var other = await CaseWithAFewActions();
        var requested = await VersionOf(caseNumber, "information_requested");
        var storedHash = (string)(await History(caseNumber))[(int)requested - 1]!["headers"]!["hash"]!;

        Assert.Equal(1, await Sql(
            """update vorgang.mt_events set data = jsonb_set(data, '{input,message}', '"Bitte zahlen Sie 500 Euro."') where stream_id = $1 and version = $2""",
            caseNumber, requested));

        var broken = FirstBreak(await Verify(caseNumber));
        Assert.Equal(requested, (long)broken["version"]!);
        Assert.Equal("hash-mismatch", (string)broken["problem"]!);
        Assert.Equal(storedHash, (string)broken["found"]!);
        Assert.NotEqual(storedHash, (string)broken["expected"]!);
        Assert.True((bool)(await Verify(other))["intact"]!);

        var all = await VerifyAll();
        Assert.Equal((1L, 1L), ((long)all["intact"]!, (long)all["broken"]!));
        var listed = Assert.Single(all["brokenCases"]!.AsArray());
        Assert.Equal(caseNumber, (string)listed!["caseNumber"]!);
        Assert.Equal(requested, (long)listed["firstBreak"]!["version"]!);
    }

    [Fact]
    public async Task A_changed_event_type_is_caught()
    {
        var caseNumber = await CaseWithAFewActions();
        Assert.Equal(1, await Sql("update vorgang.mt_events set type = 'case_assigned' where stream_id = $1 and version = $2", caseNumber, 2));
        var broken = FirstBreak(await Verify(caseNumber));
        Assert.Equal((2L, "hash-mismatch"), ((long)broken["version"]!, (string)broken["problem"]!));
    }

    [Fact]
    public async Task A_deleted_event_is_caught_in_the_middle_and_at_the_end()
    {
        var middle = await CaseWithAFewActions();
        var end = await CaseWithAFewActions();
        var first = await CaseWithAFewActions();
        var last = (long)(await Verify(end))["streamVersion"]!;

        Assert.Equal(1, await Sql("delete from vorgang.mt_events where stream_id = $1 and version = $2", middle, 3));
        var broken = FirstBreak(await Verify(middle));
        Assert.Equal((3L, "missing-event"), ((long)broken["version"]!, (string)broken["problem"]!));
        Assert.Equal(("version 3", "version 4"), ((string)broken["expected"]!, (string)broken["found"]!));

        // The last event leaves no gap behind it; the stream's own version still counts it.
        Assert.Equal(1, await Sql("delete from vorgang.mt_events where stream_id = $1 and version = $2", end, last));
        broken = FirstBreak(await Verify(end));
        Assert.Equal((last, "stream-version-mismatch"), ((long)broken["version"]!, (string)broken["problem"]!));

        Assert.Equal(1, await Sql("delete from vorgang.mt_events where stream_id = $1 and version = $2", first, 1));
        broken = FirstBreak(await Verify(first));
        Assert.Equal((1L, "missing-event"), ((long)broken["version"]!, (string)broken["problem"]!));

        Assert.Equal(3, (long)(await VerifyAll())["broken"]!);
    }

    [Fact]
    public async Task The_engine_refuses_at_commit_an_event_that_did_not_come_through_the_chain()
    {
        var caseNumber = await CaseWithAFewActions();
        var version = (long)(await Verify(caseNumber))["streamVersion"]!;
        var store = Host.Services.GetRequiredService<IDocumentStore>();

        // Appended straight to the stream, with the headers the writer would set but no hash link.
        await using (var session = store.LightweightSession())
        {
            session.CorrelationId = "sneaky";
            session.SetHeader(Vorgang.Workflows.Audit.CaseStamp.DefinitionHeader, "change-of-address@v1");
            session.Events.Append(caseNumber, new CaseReleased(caseNumber, "anna", new Actor("mallory", "admin", "Mallory", Channels.Office), DateTimeOffset.UtcNow));
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => session.SaveChangesAsync());
            Assert.IsType<Vorgang.Workflows.Audit.UnsealedCaseEventException>(refused.GetBaseException());
        }
        // A chained event without the stamp is refused too: a new case started with a link but no definition header.
        await using (var session = store.LightweightSession())
        {
            var action = session.Events.StartStream<Case>("2026-999999", new CaseReleased("2026-999999", "anna", Actor.System, DateTimeOffset.UtcNow));
            action.Events[0].SetHeader(Vorgang.Workflows.Audit.CaseChain.HashHeader, Vorgang.Workflows.Audit.CaseChain.Genesis("2026-999999"));
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => session.SaveChangesAsync());
            Assert.IsType<Vorgang.Workflows.Audit.UnsealedCaseEventException>(refused.GetBaseException());
        }

        // Nothing of either was stored: the case is where it was, its chain intact.
        var report = await Verify(caseNumber);
        Assert.Equal(version, (long)report["streamVersion"]!);
        Assert.True((bool)report["intact"]!, report.ToJsonString());
        await using var query = store.QuerySession();
        Assert.Null(await query.Events.FetchStreamStateAsync("2026-999999"));
    }

    [Fact]
    public async Task An_event_appended_around_the_chain_is_caught_and_later_links_still_build_on_the_stored_chain()
    {
        var caseNumber = await CaseWithAFewActions();
        var version = (long)(await Verify(caseNumber))["streamVersion"]!;

        // What the engine's store refuses (CaseStreamGuard) is still possible for anyone with write access to the database
        // and a store of their own: such an append has no hash.
        using var bypassing = DocumentStore.For(options =>
        {
            Vorgang.Api.Hosting.VorgangSetup.ConfigureStore(options, Host.Services.GetRequiredService<NpgsqlDataSource>(),
                Host.Services.GetRequiredService<Vorgang.Workflows.Definitions.DefinitionCatalog>());
            options.Listeners.Clear();
        });
        await using (var session = bypassing.LightweightSession())
        {
            session.Events.Append(caseNumber, new CaseReleased(caseNumber, "anna", new Actor("mallory", "admin", "Mallory", Channels.Office), DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }
        var broken = FirstBreak(await Verify(caseNumber));
        Assert.Equal((version + 1, "missing-hash"), ((long)broken["version"]!, (string)broken["problem"]!));
        Assert.Equal("none", (string)broken["found"]!);

        // Work goes on (the engine does not refuse the case); the break stays where it happened.
        var (status, body) = await Host.TryAct(caseNumber, Anna, "claim", version + 1);
        Assert.True(status == 200, body?.ToJsonString());
        Assert.Equal(version + 2, (long)(await Verify(caseNumber))["streamVersion"]!);
        broken = FirstBreak(await Verify(caseNumber));
        Assert.Equal(version + 1, (long)broken["version"]!);
    }

    [Fact]
    public async Task Writers_racing_for_the_same_version_leave_one_intact_chain()
    {
        var submitted = await Host.Submit(Service);
        for (var round = 0; round < 3; round++)
        {
            var version = (long)(await Verify(submitted.CaseNumber))["streamVersion"]!;
            var action = round == 0 ? "claim" : round == 1 ? "start-review" : "request-landlord-confirmation";
            var input = round == 2 ? new JsonObject { ["message"] = "Bitte nachreichen." } : null;
            var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Host.TryAct(submitted.CaseNumber, Anna, action, version, input)));
            Assert.Equal(1, results.Count(r => r.Status == 200));
            Assert.All(results.Where(r => r.Status != 200), r => Assert.Equal(409, r.Status));
        }
        var report = await Verify(submitted.CaseNumber);
        Assert.True((bool)report["intact"]!, report.ToJsonString());
        Assert.True((long)report["events"]! >= 4);
    }

    [Fact]
    public async Task Only_auditors_and_admins_verify()
    {
        var caseNumber = (await Host.Submit(Service)).CaseNumber;
        (await Host.Get($"/api/audit/cases/{caseNumber}/verify", Anna)).AssertProblem(403, "role-not-allowed");
        (await Host.Get("/api/audit/verify", Anna)).AssertProblem(403, "role-not-allowed");
        Assert.Equal(401, (await Host.Get($"/api/audit/cases/{caseNumber}/verify")).Status);
        Assert.True((bool)(await Verify(caseNumber, App.Token("admin", name: "Ada Admin", subject: "ada")))["intact"]!);
        (await Host.Get("/api/audit/cases/2026-999999/verify", Auditor)).AssertProblem(404, "not-found");
        (await Host.Get("/api/audit/cases/nonsense/verify", Auditor)).AssertProblem(404, "not-found");
    }

    [Fact]
    public async Task The_verb_exits_0_when_intact_and_1_with_the_first_broken_link()
    {
        var caseNumber = await CaseWithAFewActions();
        var other = (await Host.Submit(Service)).CaseNumber;

        var intact = await VerbProcess.RunAsync("audit", "verify");
        Assert.True(intact.ExitCode == 0, intact.ToString());
        Assert.Contains("2 cases", intact.Stdout);
        Assert.Contains("2 intact, 0 broken", intact.Stdout);
        Assert.Contains((string)(await VerifyAll())["headsDigest"]!, intact.Stdout);

        Assert.Equal(1, await Sql("""update vorgang.mt_events set data = jsonb_set(data, '{assigneeName}', '"Someone Else"') where stream_id = $1 and version = $2""", caseNumber, 2));

        var broken = await VerbProcess.RunAsync("audit", "verify");
        Assert.True(broken.ExitCode == 1, broken.ToString());
        Assert.Contains($"Case {caseNumber}: broken at version 2 (hash-mismatch)", broken.Stderr);
        Assert.Contains("1 intact, 1 broken", broken.Stdout);

        var one = await VerbProcess.RunAsync("audit", "verify", "--case", caseNumber);
        Assert.True(one.ExitCode == 1, one.ToString());
        Assert.Contains("broken at version 2", one.Stderr);

        var fine = await VerbProcess.RunAsync("audit", "verify", "--case", other);
        Assert.True(fine.ExitCode == 0, fine.ToString());
        Assert.Contains($"Case {other}: intact, 1 events", fine.Stdout);

        Assert.Equal(2, (await VerbProcess.RunAsync("audit", "verify", "--case", "2026-999999")).ExitCode);
    }
}
