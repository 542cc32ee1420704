using System.Text.Json.Nodes;
using Alba;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vorgang.Api.Features.Submitting;
using Vorgang.Api.Security;
using Vorgang.Projections.Statistics;
using Vorgang.Tests.Deadlines;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Tests.Privacy;

/// <summary>
/// Personal data is sealed with a key per case in the log, readable only through the engine, and gone for good once the
/// key is deleted — on request or when the service's retention period ends — while the events, their hash chain, the
/// non-personal facts and the statistics stay.
/// </summary>
public sealed class PersonalDataTests(AppFixture app) : ApiTest(app)
{
    private const string Service = "change-of-address";
    private string Caseworker => App.Token("caseworker", "registration-office", "Anna Schmidt", "caseworker:anna");
    private string Auditor => App.Token("auditor", name: "Petra Prüfer", subject: "auditor:petra");
    private string Admin => App.Token("admin", name: "Admin Istrator", subject: "admin:root");

    private static string Marker(string what) => $"Zq{what}{Guid.NewGuid():N}"[..24];

    private sealed record Markers(string First, string Last, string Mail, string Landlord, string Comment)
    {
        public IEnumerable<string> All => [First, Last, Mail, Landlord, Comment];
    }

    private async Task<(SubmissionAccepted Accepted, Markers Markers)> SubmitWithMarkers(string? token = null)
    {
        var markers = new Markers(Marker("First"), Marker("Last"), Marker("mail").ToLowerInvariant(), Marker("Landlord"), Marker("Comment"));
        var data = await Host.Example(Service);
        data["firstName"] = markers.First;
        data["lastName"] = markers.Last;
        data["email"] = $"{markers.Mail}@example.org";
        return (await Host.Submit(Service, data, token: token), markers);
    }

    /// <summary>Review, ask the citizen, let them answer (a personal form field and a personal message), register: final.</summary>
    private async Task CompleteWithAnswer(SubmissionAccepted accepted, Markers markers)
    {
        await Host.Act(accepted.CaseNumber, Caseworker, "start-review");
        var asked = await Host.Act(accepted.CaseNumber, Caseworker, "request-landlord-confirmation", new JsonObject { ["message"] = "Bitte nachreichen." });
        await Host.CitizenAct(accepted.CaseNumber, accepted.TrackingCode, "provide-information", (long)asked["version"]!,
            new JsonObject { ["landlordName"] = markers.Landlord, ["comment"] = markers.Comment });
        var registered = await Host.Act(accepted.CaseNumber, Caseworker, "register");
        Assert.True((bool)registered["isClosed"]!);
    }

    [Fact]
    public async Task Personal_values_are_stored_sealed_and_read_opened_by_those_who_may()
    {
        var (accepted, markers) = await SubmitWithMarkers();
        await CompleteWithAnswer(accepted, markers);

        foreach (var marker in markers.All)
            Assert.Empty(await Host.TablesContaining(marker));
        // The search itself finds what is there: the case number is in the events, the read models and the timers.
        Assert.Contains("vorgang.mt_events", await Host.TablesContaining(accepted.CaseNumber));
        var stored = await StoredSubmission(accepted.CaseNumber);
        Assert.StartsWith("sealed:v1:", (string)stored["data"]!["firstName"]!);
        // Non-personal values stay readable in the log: they feed statistics and audits without any key.
        Assert.True((bool)stored["data"]!["landlordConfirmationAvailable"]!);

        var staff = await Host.StaffCase(accepted.CaseNumber, Caseworker);
        Assert.Equal(markers.First, (string)staff["data"]!["firstName"]!);
        Assert.Equal(markers.Landlord, (string)staff["data"]!["landlordName"]!);

        var history = await History(accepted.CaseNumber);
        Assert.Equal(markers.Last, (string)history[0]!["data"]!["data"]!["lastName"]!);
        var answer = history.Single(e => (string)e!["type"]! == "information_provided")!;
        Assert.Equal(markers.Comment, (string)answer["data"]!["input"]!["comment"]!);
        Assert.Equal(markers.Landlord, (string)answer["data"]!["formChanges"]!["landlordName"]!);

        // The citizen reads back what they wrote.
        var citizen = await Host.Track(accepted.CaseNumber, accepted.TrackingCode);
        Assert.Contains(citizen["timeline"]!.AsArray(), e => e!["details"]?.AsObject().Any(d => (string?)d.Value == markers.Comment) == true);
    }

    [Fact]
    public async Task Erasure_on_request_leaves_no_personal_data_anywhere_while_history_chain_and_statistics_stay()
    {
        var (accepted, markers) = await SubmitWithMarkers();
        await CompleteWithAnswer(accepted, markers);
        var eventsBefore = (await History(accepted.CaseNumber)).Count;

        var (status, receipt, _) = await Host.Send(HttpMethod.Post, $"/api/admin/cases/{accepted.CaseNumber}/erasure",
            new JsonObject { ["reason"] = "Antrag auf Löschung nach Art. 17 DSGVO, Az. 2026-17" }.ToJsonString(), Admin);
        Assert.Equal(200, status);
        Assert.Equal("request", (string)receipt!["basis"]!);
        Assert.False((bool)receipt["alreadyErased"]!);
        await App.CatchUpAsync();

        // Nowhere the engine writes: database, log, traces.
        foreach (var marker in markers.All)
        {
            Assert.Empty(await Host.TablesContaining(marker));
            Assert.Empty(App.LogLinesContaining(marker));
            Assert.Empty(App.SpansContaining(marker));
        }
        // The spans of these requests were captured and are searched: they name the case (not the person).
        Assert.NotEmpty(App.SpansContaining(accepted.CaseNumber));
        Assert.Equal(0, await Count($"select count(*) from vorgang.mt_doc_subjectkey where id = $1", accepted.CaseNumber));
        // Not even ciphertext is left in the read models.
        Assert.Equal(0, await Count($"select count(*) from vorgang.mt_doc_case where id = $1 and data::text like '%sealed:v1:%'", accepted.CaseNumber));

        var staff = await Host.StaffCase(accepted.CaseNumber, Caseworker);
        Assert.Null(staff["data"]!["firstName"]);
        Assert.Null(staff["data"]!["landlordName"]);
        Assert.True((bool)staff["data"]!["landlordConfirmationAvailable"]!);
        Assert.NotNull(staff["personalDataErasedAt"]);

        var history = await History(accepted.CaseNumber);
        Assert.Equal(eventsBefore + 1, history.Count);
        var erased = history[^1]!;
        Assert.Equal("personal_data_erased", (string)erased["type"]!);
        Assert.Equal("admin:root", (string)erased["actor"]!["id"]!);
        Assert.Null(history[0]!["data"]!["data"]!["firstName"]);
        // The states and dates stay: the history still tells what happened.
        Assert.Equal(["case_submitted", "case_claimed", "case_action_taken", "information_requested", "deadline_suspended"],
            history.Take(5).Select(e => (string)e!["type"]!));

        var (_, verify, _) = await Host.Send(HttpMethod.Get, $"/api/audit/cases/{accepted.CaseNumber}/verify", token: Auditor);
        Assert.True((bool)verify!["intact"]!);

        await using (var session = Host.Services.GetRequiredService<IDocumentStore>().QuerySession())
        {
            var statistic = await session.LoadAsync<CaseStatistic>(accepted.CaseNumber);
            Assert.NotNull(statistic);
            Assert.Equal("approved", statistic.Outcome);
        }

        var citizen = await Host.Track(accepted.CaseNumber, accepted.TrackingCode);
        Assert.Equal("personal-data-erased", (string)citizen["timeline"]!.AsArray()[^1]!["kind"]!);

        var (_, asOf, _) = await Host.Send(HttpMethod.Get, $"/api/cases/{accepted.CaseNumber}/state?version=1", token: Auditor);
        Assert.Null(asOf!["case"]!["data"]!["firstName"]);
        Assert.Equal("submitted", (string)asOf["case"]!["state"]!);

        var (again, second, _) = await Host.Send(HttpMethod.Post, $"/api/admin/cases/{accepted.CaseNumber}/erasure",
            new JsonObject { ["reason"] = "repeated" }.ToJsonString(), Admin);
        Assert.Equal(200, again);
        Assert.True((bool)second!["alreadyErased"]!);
        Assert.Equal("Antrag auf Löschung nach Art. 17 DSGVO, Az. 2026-17", (string)second["reason"]!);
        Assert.Equal(eventsBefore + 1, (await History(accepted.CaseNumber)).Count);
    }

    [Fact]
    public async Task Erasure_on_request_is_for_admins_with_a_reason_and_only_for_final_cases()
    {
        var open = await Host.Submit(Service);
        var body = new JsonObject { ["reason"] = "Art. 17" }.ToJsonString();
        var url = $"/api/admin/cases/{open.CaseNumber}/erasure";

        Assert.Equal(401, (await Host.Send(HttpMethod.Post, url, body)).Status);
        foreach (var token in new[] { Caseworker, Auditor, App.Token("school", name: "Schule") })
        {
            var (status, problem, _) = await Host.Send(HttpMethod.Post, url, body, token);
            Assert.Equal(403, status);
            Assert.Equal("role-not-allowed", (string)problem!["rule"]!);
        }
        var (notFinal, conflict, _) = await Host.Send(HttpMethod.Post, url, body, Admin);
        Assert.Equal(409, notFinal);
        Assert.Equal("case-not-final", (string)conflict!["rule"]!);

        var (missing, invalid, _) = await Host.Send(HttpMethod.Post, url, "{}", Admin);
        Assert.Equal(400, missing);
        Assert.Equal("reason", (string)invalid!["violations"]![0]!["field"]!);
        Assert.Equal(404, (await Host.Send(HttpMethod.Post, "/api/admin/cases/2026-999999/erasure", body, Admin)).Status);

        // Nothing was erased by any of these.
        var staff = await Host.StaffCase(open.CaseNumber, Caseworker);
        Assert.NotNull(staff["data"]!["firstName"]);
        Assert.Null(staff["personalDataErasedAt"]);
    }

    [Fact]
    public async Task Retention_erases_the_personal_data_when_the_period_after_the_final_state_has_ended()
    {
        var (accepted, markers) = await SubmitWithMarkers();
        var withdrawn = await Host.CitizenAct(accepted.CaseNumber, accepted.TrackingCode, "withdraw", accepted.Version);
        Assert.True((bool)withdrawn["isClosed"]!);
        var closedOn = BerlinClock.DateOf(App.Clock.GetUtcNow());

        // change-of-address keeps personal data 180 days after the case is final: on the 180th day it is still there …
        await Host.AdvanceTo(App.Clock, closedOn.AddDays(180), new TimeOnly(23, 0));
        Assert.Equal(markers.First, (string)(await Host.StaffCase(accepted.CaseNumber, Caseworker))["data"]!["firstName"]!);

        // … and gone once that day has ended, erased by the engine itself.
        await Host.AdvanceTo(App.Clock, closedOn.AddDays(181), new TimeOnly(0, 30));
        var staff = await Host.StaffCase(accepted.CaseNumber, Caseworker);
        Assert.Null(staff["data"]!["firstName"]);
        var erased = (await History(accepted.CaseNumber))[^1]!;
        Assert.Equal("personal_data_erased", (string)erased["type"]!);
        Assert.Equal("retention", (string)erased["data"]!["basis"]!);
        Assert.Equal("system", (string)erased["actor"]!["id"]!);
        Assert.Equal(0, await Host.ScheduledTimers());
        Assert.Contains(App.LogLinesContaining(accepted.CaseNumber), l => l.Contains("retention"));
        Assert.Empty(App.LogLinesContaining(markers.First));

        // Fired once: moving on does not erase again.
        await Host.AdvanceTo(App.Clock, closedOn.AddDays(400), new TimeOnly(12, 0));
        Assert.Single(await History(accepted.CaseNumber), e => (string)e!["type"]! == "personal_data_erased");
        // An admin asked to erase it later learns that retention did, and when.
        var (status, receipt, _) = await Host.Send(HttpMethod.Post, $"/api/admin/cases/{accepted.CaseNumber}/erasure",
            new JsonObject { ["reason"] = "Art. 17" }.ToJsonString(), Admin);
        Assert.Equal(200, status);
        Assert.True((bool)receipt!["alreadyErased"]!);
        Assert.Equal("retention", (string)receipt["basis"]!);
        Assert.Contains("180 days", (string)receipt["reason"]!);
    }

    [Fact]
    public async Task Citizens_signed_in_see_their_own_cases_and_nobody_elses()
    {
        var alice = CitizenToken("bundid:alice-4711", "Alice Example");
        var bob = CitizenToken("bundid:bob-0815", "Bob Beispiel");
        var ofAlice = await Host.Submit(Service, token: alice);
        var ofBob = await Host.Submit(Service, token: bob);
        await Host.Submit(Service);

        var (_, mine, _) = await Host.Send(HttpMethod.Get, "/api/me/cases", token: alice);
        Assert.Equal([ofAlice.CaseNumber], mine!["cases"]!.AsArray().Select(c => (string)c!["caseNumber"]!));
        Assert.Equal("submitted", (string)mine["cases"]![0]!["status"]!["state"]!);
        var (_, his, _) = await Host.Send(HttpMethod.Get, "/api/me/cases", token: bob);
        Assert.Equal([ofBob.CaseNumber], his!["cases"]!.AsArray().Select(c => (string)c!["caseNumber"]!));

        var (ownStatus, own, _) = await Host.Send(HttpMethod.Get, $"/api/me/cases/{ofAlice.CaseNumber}", token: alice);
        Assert.Equal(200, ownStatus);
        Assert.Equal(ofAlice.CaseNumber, (string)own!["caseNumber"]!);

        // Bob's case and a case that does not exist answer alike.
        var (otherStatus, other, _) = await Host.Send(HttpMethod.Get, $"/api/me/cases/{ofBob.CaseNumber}", token: alice);
        var (noneStatus, none, _) = await Host.Send(HttpMethod.Get, "/api/me/cases/2026-999999", token: alice);
        Assert.Equal(404, otherStatus);
        Assert.Equal(noneStatus, otherStatus);
        Assert.Equal(Comparable(none!), Comparable(other!));
        var (actOther, _, _) = await Host.Send(HttpMethod.Post, $"/api/me/cases/{ofBob.CaseNumber}/actions/withdraw",
            new JsonObject { ["expectedVersion"] = 1 }.ToJsonString(), alice);
        Assert.Equal(404, actOther);
        Assert.Equal(404, (await Host.Send(HttpMethod.Get, $"/api/me/cases/{ofBob.CaseNumber}/accesses", token: alice)).Status);

        // Staff and anonymous callers have no "me".
        Assert.Equal(401, (await Host.Send(HttpMethod.Get, "/api/me/cases")).Status);
        Assert.Equal(403, (await Host.Send(HttpMethod.Get, "/api/me/cases", token: Caseworker)).Status);
        // A staff provider's token that claims the role citizen is no citizen account.
        Assert.Equal(403, (await Host.Send(HttpMethod.Get, "/api/me/cases", token: App.Token("citizen", name: "Mallory", subject: "bundid:alice-4711"))).Status);
        // A citizen token opens no staff endpoint.
        Assert.Equal(403, (await Host.Send(HttpMethod.Get, $"/api/cases/{ofAlice.CaseNumber}", token: alice)).Status);

        var staff = await Host.StaffCase(ofAlice.CaseNumber, Caseworker);
        Assert.Equal("account", (string)staff["applicant"]!["kind"]!);
        Assert.Equal("Alice Example", (string)staff["applicant"]!["name"]!);
        Assert.Equal("citizen", (string)staff["submittedBy"]!["id"]!);
        Assert.Empty(await Host.TablesContaining("bundid:alice-4711"));
        Assert.Empty(await Host.TablesContaining("Alice Example"));

        // Alice withdraws from her list; after the erasure of her data the case is no longer linked to her account.
        var (withdrawStatus, withdrawn, _) = await Host.Send(HttpMethod.Post, $"/api/me/cases/{ofAlice.CaseNumber}/actions/withdraw",
            new JsonObject { ["expectedVersion"] = ofAlice.Version }.ToJsonString(), alice);
        Assert.Equal(200, withdrawStatus);
        Assert.True((bool)withdrawn!["isClosed"]!);
        var (erasedStatus, _, _) = await Host.Send(HttpMethod.Post, $"/api/admin/cases/{ofAlice.CaseNumber}/erasure",
            new JsonObject { ["reason"] = "Art. 17" }.ToJsonString(), Admin);
        Assert.Equal(200, erasedStatus);
        var (_, afterwards, _) = await Host.Send(HttpMethod.Get, "/api/me/cases", token: alice);
        Assert.Empty(afterwards!["cases"]!.AsArray());
        Assert.Equal(404, (await Host.Send(HttpMethod.Get, $"/api/me/cases/{ofAlice.CaseNumber}", token: alice)).Status);
    }

    [Fact]
    public async Task An_assisted_submission_records_for_whom_and_by_whom()
    {
        var person = Marker("Person");
        var data = await Host.Example(Service);
        var (status, body, _) = await Host.Send(HttpMethod.Post, $"/api/services/{Service}/cases",
            new JsonObject { ["data"] = data, ["onBehalfOf"] = new JsonObject { ["name"] = person, ["identifiedBy"] = "Personalausweis" } }.ToJsonString(),
            Caseworker);
        Assert.Equal(201, status);
        var caseNumber = (string)body!["caseNumber"]!;

        var staff = await Host.StaffCase(caseNumber, Caseworker);
        Assert.Equal("assisted", (string)staff["applicant"]!["kind"]!);
        Assert.Equal(person, (string)staff["applicant"]!["name"]!);
        Assert.Equal("Personalausweis", (string)staff["applicant"]!["identifiedBy"]!);
        Assert.Equal("caseworker:anna", (string)staff["submittedBy"]!["id"]!);
        Assert.Equal("counter", (string)staff["submittedBy"]!["channel"]!);
        Assert.Empty(await Host.TablesContaining(person));

        // Only staff submit for someone else.
        var (citizenStatus, refused, _) = await Host.Send(HttpMethod.Post, $"/api/services/{Service}/cases",
            new JsonObject { ["data"] = data.DeepClone(), ["onBehalfOf"] = new JsonObject { ["name"] = "X" } }.ToJsonString());
        Assert.Equal(400, citizenStatus);
        Assert.Equal("staff-only", (string)refused!["rule"]!);
        var (nameless, invalid, _) = await Host.Send(HttpMethod.Post, $"/api/services/{Service}/cases",
            new JsonObject { ["data"] = data.DeepClone(), ["onBehalfOf"] = new JsonObject() }.ToJsonString(), Caseworker);
        Assert.Equal(400, nameless);
        Assert.Equal("onBehalfOf.name", (string)invalid!["violations"]![0]!["field"]!);
    }

    [Fact]
    public async Task Citizens_see_who_of_the_office_read_their_data_and_when()
    {
        var accepted = await Host.Submit(Service);
        await Host.StaffCase(accepted.CaseNumber, Caseworker);
        await History(accepted.CaseNumber);
        var headers = new Dictionary<string, string> { ["X-Tracking-Code"] = accepted.TrackingCode };

        var (status, body, _) = await Host.Send(HttpMethod.Get, $"/api/track/{accepted.CaseNumber}/accesses", headers: headers);
        Assert.Equal(200, status);
        var accesses = body!["accesses"]!.AsArray();
        Assert.Equal(["caseworker", "auditor"], accesses.Select(a => (string)a!["role"]!));
        Assert.Equal("registration-office", (string)accesses[0]!["team"]!);
        Assert.Equal("Sachbearbeitung (registration-office) hat Ihren Antrag angesehen.", (string)accesses[0]!["text"]!);
        Assert.DoesNotContain("Anna", body.ToJsonString());

        var (_, english, _) = await Host.Send(HttpMethod.Get, $"/api/track/{accepted.CaseNumber}/accesses?lang=en", headers: headers);
        Assert.Equal("An auditor reviewed the history of your application.", (string)english!["accesses"]![1]!["text"]!);

        var wrong = new Dictionary<string, string> { ["X-Tracking-Code"] = "WRONG-CODE-0000" };
        Assert.Equal(404, (await Host.Send(HttpMethod.Get, $"/api/track/{accepted.CaseNumber}/accesses", headers: wrong)).Status);

        var alice = CitizenToken("bundid:alice-cockpit", "Alice");
        var ofAlice = await Host.Submit(Service, token: alice);
        await Host.StaffCase(ofAlice.CaseNumber, Caseworker);
        var (mineStatus, mine, _) = await Host.Send(HttpMethod.Get, $"/api/me/cases/{ofAlice.CaseNumber}/accesses", token: alice);
        Assert.Equal(200, mineStatus);
        Assert.Single(mine!["accesses"]!.AsArray());
    }

    private string CitizenToken(string subject, string name) =>
        CitizenAuth.MintToken(Host.Services.GetRequiredService<IConfiguration>(), subject, name, TimeSpan.FromHours(1));

    private async Task<JsonArray> History(string caseNumber)
    {
        var (status, body, _) = await Host.Send(HttpMethod.Get, $"/api/cases/{caseNumber}/history", token: Auditor);
        Assert.Equal(200, status);
        return body!["events"]!.AsArray();
    }

    private async Task<JsonNode> StoredSubmission(string caseNumber)
    {
        var dataSource = Host.Services.GetRequiredService<NpgsqlDataSource>();
        await using var command = dataSource.CreateCommand("select data::text from vorgang.mt_events where stream_id = $1 and version = 1");
        command.Parameters.AddWithValue(caseNumber);
        return JsonNode.Parse((string)(await command.ExecuteScalarAsync())!)!;
    }

    private async Task<long> Count(string sql, string caseNumber)
    {
        var dataSource = Host.Services.GetRequiredService<NpgsqlDataSource>();
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue(caseNumber);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static string Comparable(JsonNode problem)
    {
        var copy = problem.DeepClone().AsObject();
        copy.Remove("instance");
        copy.Remove("traceId");
        return copy.ToJsonString();
    }
}
