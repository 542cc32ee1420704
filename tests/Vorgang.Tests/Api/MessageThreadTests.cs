using System.Text.Json.Nodes;
using Vorgang.Api.Features.Submitting;
using Vorgang.Tests.Infrastructure;
using Vorgang.Tests.Privacy;

namespace Vorgang.Tests.Api;

/// <summary>The message thread of a case between the citizen and the office: events on the case, read markers beside it.</summary>
public sealed class MessageThreadTests(AppFixture app) : ApiTest(app)
{
    private const string Service = "change-of-address";
    private const string Team = "registration-office";

    private string Anna => App.Token("caseworker", Team, "Anna Schmidt", "anna");
    private string OtherTeam => App.Token("caseworker", "defect-intake", "Dora Mängel", "dora");
    private string Auditor => App.Token("auditor", name: "Ida Prüfer", subject: "ida");
    private string Admin => App.Token("admin", name: "Ada Admin", subject: "ada");
    private string School => App.Token("school", "grundschule-lobeda-west", "Grundschule Lobeda-West", "school-lobeda-west");

    private static Dictionary<string, string> Code(string code) => new() { ["X-Tracking-Code"] = code };

    private Task<ApiResponse> CitizenPost(SubmissionAccepted c, string text, long? expectedVersion = null) =>
        Host.PostJson($"/api/track/{c.CaseNumber}/messages", Body(text, expectedVersion), headers: Code(c.TrackingCode));

    private Task<ApiResponse> OfficePost(string caseNumber, string text, string? token = null, long? expectedVersion = null) =>
        Host.PostJson($"/api/cases/{caseNumber}/messages", Body(text, expectedVersion), token ?? Anna);

    private static JsonObject Body(string text, long? expectedVersion) =>
        expectedVersion is null ? new JsonObject { ["text"] = text } : new JsonObject { ["text"] = text, ["expectedVersion"] = expectedVersion };

    private async Task<JsonObject> CitizenThread(SubmissionAccepted c)
    {
        var response = await Host.Get($"/api/track/{c.CaseNumber}/messages", headers: Code(c.TrackingCode));
        Assert.True(response.Status == 200, response.ToString());
        return (JsonObject)response.Json!;
    }

    private async Task<JsonObject> OfficeThread(string caseNumber, string? token = null)
    {
        var response = await Host.Get($"/api/cases/{caseNumber}/messages", token ?? Anna);
        Assert.True(response.Status == 200, response.ToString());
        return (JsonObject)response.Json!;
    }

    private async Task<JsonObject> QueueRow(string caseNumber)
    {
        var response = await Host.Get($"/api/queues/{Team}", Anna);
        Assert.True(response.Status == 200, response.ToString());
        return (JsonObject)response.Json!["items"]!.AsArray().Single(i => (string)i!["caseNumber"]! == caseNumber)!;
    }

    [Fact]
    public async Task Citizen_and_office_write_to_each_other_and_each_side_counts_what_it_has_not_read()
    {
        var c = await Host.Submit(Service, language: "de");

        var posted = await CitizenPost(c, "  Ich ziehe erst am 15. um.\r\nGeht das trotzdem?  ");
        Assert.True(posted.Status == 201, posted.ToString());
        Assert.Equal($"/api/track/{c.CaseNumber}/messages", posted.Response.Headers.Location!.OriginalString);
        Assert.Equal("Ich ziehe erst am 15. um.\nGeht das trotzdem?", (string)posted.Json!["text"]!);
        Assert.Equal("citizen", (string)posted.Json!["side"]!);
        Assert.Equal(2L, (long)posted.Json!["version"]!);

        // The office has one unread message: in the queue and in the case view, until a caseworker reads the thread.
        Assert.Equal(1, (int)(await QueueRow(c.CaseNumber))["unreadMessages"]!);
        Assert.Equal(1, (int)(await Host.StaffCase(c.CaseNumber, Anna))["unreadMessages"]!);
        // An auditor's read leaves it unread for the team.
        Assert.Equal(1, (int)(await OfficeThread(c.CaseNumber, Auditor))["unread"]!);
        var office = await OfficeThread(c.CaseNumber);
        Assert.Equal(1, (int)office["unread"]!);
        var first = office["messages"]!.AsArray().Single()!;
        Assert.True((bool)first["new"]!);
        Assert.Null(first["author"]);
        Assert.Equal(0, (int)(await OfficeThread(c.CaseNumber))["unread"]!);
        Assert.Equal(0, (int)(await Host.StaffCase(c.CaseNumber, Anna))["unreadMessages"]!);
        Assert.Equal(0, (int)(await QueueRow(c.CaseNumber))["unreadMessages"]!);

        var reply = await OfficePost(c.CaseNumber, "Ja, das geht. Bitte reichen Sie die Wohnungsgeberbestätigung nach.");
        Assert.True(reply.Status == 201, reply.ToString());
        Assert.Equal("Anna Schmidt", (string)reply.Json!["author"]!);
        Assert.Equal($"/api/cases/{c.CaseNumber}/messages", reply.Response.Headers.Location!.OriginalString);

        // The citizen sees one new message from the office, without the caseworker's name.
        var tracked = await Host.Track(c.CaseNumber, c.TrackingCode);
        Assert.Equal(1, (int)tracked["unreadMessages"]!);
        var versionBefore = (long)tracked["version"]!;
        var citizen = await CitizenThread(c);
        Assert.Equal(1, (int)citizen["unread"]!);
        Assert.Equal(["citizen", "office"], citizen["messages"]!.AsArray().Select(m => (string)m!["side"]!));
        Assert.All(citizen["messages"]!.AsArray(), m => Assert.Null(m!["author"]));
        Assert.DoesNotContain("Anna", citizen.ToJsonString());
        Assert.Equal([false, true], citizen["messages"]!.AsArray().Select(m => (bool)m!["new"]!));
        var again = await Host.Track(c.CaseNumber, c.TrackingCode);
        Assert.Equal(0, (int)again["unreadMessages"]!);
        // Reading changes nothing on the case: its version is where the two messages left it.
        Assert.Equal(versionBefore, (long)again["version"]!);
        Assert.Equal(3L, versionBefore);

        // The office reads the messages in the staff order too, with the writer's name on its own.
        var thread = await OfficeThread(c.CaseNumber);
        Assert.Equal([null, "Anna Schmidt"], thread["messages"]!.AsArray().Select(m => (string?)m!["author"]));
        Assert.Equal(3L, (long)thread["version"]!);
    }

    [Fact]
    public async Task A_message_is_an_event_in_the_history_the_chain_and_the_case_as_of_a_version()
    {
        var c = await Host.Submit(Service);
        Assert.Equal(201, (await CitizenPost(c, "Erste Nachricht")).Status);
        await Host.Act(c.CaseNumber, Anna, "claim");
        Assert.Equal(201, (await OfficePost(c.CaseNumber, "Antwort des Amts")).Status);

        var history = (await Host.Get($"/api/cases/{c.CaseNumber}/history", Auditor)).Json!["events"]!.AsArray();
        Assert.Equal(["case_submitted", "case_message_posted", "case_claimed", "case_message_posted"], history.Select(e => (string)e!["type"]!));
        var office = history[3]!;
        Assert.Equal("anna", (string)office["actor"]!["id"]!);
        Assert.Equal("office", (string)office["channel"]!);
        Assert.Equal("Antwort des Amts", (string)office["data"]!["text"]!);
        Assert.Empty(office["data"]!["attachments"]!.AsArray());
        Assert.NotNull(office["headers"]!["hash"]);

        var verify = await Host.Get($"/api/audit/cases/{c.CaseNumber}/verify", Auditor);
        Assert.True((bool)verify.Json!["intact"]!, verify.ToString());

        var asOf = await Host.Get($"/api/cases/{c.CaseNumber}/state?version=3", Auditor);
        Assert.True(asOf.Status == 200, asOf.ToString());
        Assert.Equal(["Erste Nachricht"], asOf.Json!["messages"]!.AsArray().Select(m => (string)m!["text"]!));
        var now = await Host.Get($"/api/cases/{c.CaseNumber}/state?version=4", Auditor);
        Assert.Equal(["Erste Nachricht", "Antwort des Amts"], now.Json!["messages"]!.AsArray().Select(m => (string)m!["text"]!));
        // A message does not move the case: state and assignee as the claim left them.
        Assert.Equal("submitted", (string)now.Json!["case"]!["state"]!);
    }

    [Fact]
    public async Task Who_may_read_and_write_the_thread()
    {
        var c = await Host.Submit(Service);
        var url = $"/api/cases/{c.CaseNumber}/messages";
        var nobody = "/api/cases/2026-999999/messages";

        // Another team's case answers exactly like a number nobody uses.
        var otherGet = (await Host.Get(url, OtherTeam)).AssertProblem(404, "not-found");
        var missingGet = (await Host.Get(nobody, OtherTeam)).AssertProblem(404, "not-found");
        Assert.Equal((string)missingGet["title"]!, (string)otherGet["title"]!);
        (await OfficePost(c.CaseNumber, "Hallo", OtherTeam)).AssertProblem(404, "not-found");
        (await OfficePost("2026-999999", "Hallo")).AssertProblem(404, "not-found");

        Assert.Equal(200, (await Host.Get(url, Auditor)).Status);
        Assert.Equal(200, (await Host.Get(url, Admin)).Status);
        (await OfficePost(c.CaseNumber, "Hallo", Auditor)).AssertProblem(403, "read-only");
        (await OfficePost(c.CaseNumber, "Hallo", Admin)).AssertProblem(403, "role-not-allowed");
        (await Host.Get(url, School)).AssertProblem(403, "role-not-allowed");
        (await OfficePost(c.CaseNumber, "Hallo", School)).AssertProblem(403, "role-not-allowed");
        Assert.Equal(401, (await Host.Get(url)).Status);
        Assert.Equal(401, (await Host.PostJson(url, new JsonObject { ["text"] = "Hallo" })).Status);

        // A wrong code, no code and a number nobody uses: the same 404 for the citizen's side.
        var wrong = c with { TrackingCode = "AAAAA-AAAAA-AAAAA-AAAAA" };
        (await Host.Get($"/api/track/{c.CaseNumber}/messages", headers: Code(wrong.TrackingCode))).AssertProblem(404, "not-found");
        (await Host.Get($"/api/track/{c.CaseNumber}/messages")).AssertProblem(404, "not-found");
        (await CitizenPost(wrong, "Hallo")).AssertProblem(404, "not-found");
        // Every refusal wrote nothing: the case is still at its first event.
        Assert.Equal(1L, (long)(await Host.Track(c.CaseNumber, c.TrackingCode))["version"]!);
        // Staff reads of the thread are recorded reads; citizens' own are not.
        var reads = await Host.Get($"/api/audit/cases/{c.CaseNumber}/reads", Auditor);
        Assert.Contains(reads.Json!["reads"]!.AsArray(), r => (string)r!["endpoint"]! == "messages" && (string)r["reader"]!["role"]! == "auditor");
    }

    [Fact]
    public async Task Bad_messages_are_problems_naming_the_rule_and_write_nothing()
    {
        var c = await Host.Submit(Service);
        var url = $"/api/track/{c.CaseNumber}/messages";
        async Task Refused(string body, string field, string rule)
        {
            var problem = (await Host.Call(HttpMethod.Post, url, body, headers: Code(c.TrackingCode))).AssertProblemStatus(400);
            Assert.Contains(problem.AssertConsistentErrors(), v => v.Field == field && v.Rule == rule);
        }
        await Refused("{}", "text", "required");
        await Refused("""{ "text": "   \n  " }""", "text", "required");
        await Refused(new JsonObject { ["text"] = new string('x', 5001) }.ToJsonString(), "text", "maxLength");
        await Refused("""{ "text": "Spalte\tSpalte" }""", "text", "control-characters");
        await Refused("""{ "text": "Hallo", "expectedVersion": -1 }""", "expectedVersion", "integer");
        await Refused("""{ "text": 42 }""", "text", "type");
        await Refused("""{ "text": "Hallo", "subject": "x" }""", "subject", "unknown-field");
        var malformed = await Host.Call(HttpMethod.Post, url, """{ "text": "Hallo" """, headers: Code(c.TrackingCode));
        malformed.AssertProblemStatus(400);
        Assert.Equal(201, (await CitizenPost(c, new string('x', 5000))).Status);

        // A stale expected version is a conflict; the current one is accepted.
        (await CitizenPost(c, "Zu spät", expectedVersion: 1)).AssertProblem(409, "version-conflict");
        Assert.Equal(201, (await CitizenPost(c, "Rechtzeitig", expectedVersion: 2)).Status);
        Assert.Equal(2, (await CitizenThread(c))["messages"]!.AsArray().Count);
    }

    [Fact]
    public async Task Messages_sent_at_once_without_a_version_are_all_kept()
    {
        var c = await Host.Submit(Service);
        var posts = await Task.WhenAll(Enumerable.Range(1, 6).Select(i => i % 2 == 0
            ? CitizenPost(c, $"Nachricht {i}")
            : OfficePost(c.CaseNumber, $"Nachricht {i}")));
        Assert.All(posts, p => Assert.True(p.Status == 201, p.ToString()));
        var thread = await OfficeThread(c.CaseNumber);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => $"Nachricht {i}").Order(), thread["messages"]!.AsArray().Select(m => (string)m!["text"]!).Order());
        Assert.Equal(7L, (long)thread["version"]!);
        Assert.True((bool)(await Host.Get($"/api/audit/cases/{c.CaseNumber}/verify", Auditor)).Json!["intact"]!);
    }

    [Fact]
    public async Task A_closed_case_takes_messages_until_its_personal_data_is_erased_which_leaves_their_text_nowhere()
    {
        var c = await Host.Submit(Service);
        await Host.Act(c.CaseNumber, Anna, "start-review");
        var asked = await Host.Act(c.CaseNumber, Anna, "request-landlord-confirmation", new JsonObject { ["message"] = "Bitte nachreichen." });
        await Host.CitizenAct(c.CaseNumber, c.TrackingCode, "provide-information", (long)asked["version"]!, new JsonObject { ["landlordName"] = "Wohnbau Jena" });
        Assert.True((bool)(await Host.Act(c.CaseNumber, Anna, "register"))["isClosed"]!);

        var citizenMarker = $"Zq{Guid.NewGuid():N}"[..24];
        var officeMarker = $"Zq{Guid.NewGuid():N}"[..24];
        Assert.Equal(201, (await CitizenPost(c, $"Danke! {citizenMarker}")).Status);
        Assert.Equal(201, (await OfficePost(c.CaseNumber, $"Gern. {officeMarker}")).Status);
        // Sealed as stored: the text is in no table in the clear, yet both sides read it.
        Assert.Empty(await Host.TablesContaining(citizenMarker));
        Assert.Contains(citizenMarker, (string)(await OfficeThread(c.CaseNumber))["messages"]![0]!["text"]!);

        var erased = await Host.PostJson($"/api/admin/cases/{c.CaseNumber}/erasure", new JsonObject { ["reason"] = "Antrag nach Art. 17 DSGVO" }, Admin);
        Assert.True(erased.Status == 200, erased.ToString());
        await App.CatchUpAsync();

        foreach (var marker in new[] { citizenMarker, officeMarker })
        {
            Assert.Empty(await Host.TablesContaining(marker));
            Assert.Empty(App.LogLinesContaining(marker));
        }
        var history = (await Host.Get($"/api/cases/{c.CaseNumber}/history", Auditor)).Json!["events"]!.AsArray();
        Assert.All(history.Where(e => (string)e!["type"]! == "case_message_posted"), e => Assert.Null(e!["data"]!["text"]));
        Assert.All((await OfficeThread(c.CaseNumber, Auditor))["messages"]!.AsArray(), m => Assert.Null(m!["text"]));
        Assert.True((bool)(await Host.Get($"/api/audit/cases/{c.CaseNumber}/verify", Auditor)).Json!["intact"]!);

        (await CitizenPost(c, "Noch etwas")).AssertProblem(409, "personal-data-erased");
        (await OfficePost(c.CaseNumber, "Noch etwas")).AssertProblem(409, "personal-data-erased");
    }
}
