using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vorgang.Projections.Queues;
using Vorgang.Tests.Infrastructure;
using Vorgang.Tests.Security;
using Vorgang.Workflows.Audit;
using Vorgang.Workflows.Cases;

namespace Vorgang.Tests.Api;

/// <summary>
/// A second party's own list (<c>GET /api/parties/{party}/cases</c>): a school finds the applications that wait for it,
/// most urgent first, and every application ever addressed to it — its own organisation's only, as the case endpoints decide.
/// </summary>
public sealed class PartyCasesTests(AppFixture app) : ApiTest(app)
{
    private const string Service = "school-transport";
    private const string LobedaWest = "grundschule-lobeda-west", Planetarium = "gymnasium-am-planetarium";

    private string School(string organisation = LobedaWest) => App.Token("school", organisation, "Schulsekretariat", subject: "school-" + organisation);
    private string Sven => App.Token("caseworker", "school-administration", "Sven Schulamt", subject: "sven");

    private async Task<string> SubmitFor(string school)
    {
        var data = await Host.Example(Service);
        data["school"] = school;
        data["pupilLastName"] = "Quellenberg";
        data["parentEmail"] = "quellenberg@example.org";
        return (await Host.Submit(Service, data)).CaseNumber;
    }

    /// <summary>A copy of <paramref name="template"/>'s submission under another number and due date (all cases submitted today share one).</summary>
    private async Task<string> Seed(string template, string caseNumber, DateOnly dueOn)
    {
        await using var session = Host.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        var events = await session.Events.FetchStreamAsync(template);
        var submitted = Assert.IsType<CaseSubmitted>(events[0].Data);
        CaseChain.StartStream(session, caseNumber, Scenarios.SeedStamp(submitted), submitted with
        {
            CaseNumber = caseNumber, DueOn = dueOn, TrackingCodeHash = TrackingCodes.Hash(TrackingCodes.New()),
        });
        await session.SaveChangesAsync();
        return caseNumber;
    }

    private async Task<JsonNode> List(string query = "", string? token = null, string party = "school")
    {
        var response = await Host.Get($"/api/parties/{party}/cases{query}", token ?? School());
        Assert.True(response.Status == 200, response.ToString());
        return response.Json!;
    }

    private static List<string> Numbers(JsonNode page) => page["items"]!.AsArray().Select(i => (string)i!["caseNumber"]!).ToList();

    [Fact]
    public async Task A_school_finds_what_waits_for_it_most_urgent_first_and_another_school_none_of_it()
    {
        var first = await SubmitFor(LobedaWest);
        var second = await SubmitFor(LobedaWest);
        var due = DateOnly.Parse((string)(await Host.StaffCase(first, Sven))["dueOn"]!, System.Globalization.CultureInfo.InvariantCulture);
        var urgent = await Seed(first, $"{DateTime.UtcNow.Year}-900001", due.AddDays(-30));
        var planetarium = await SubmitFor(Planetarium);
        await Host.Submit("change-of-address");

        var page = await List();
        Assert.Equal([urgent, first, second], Numbers(page));
        Assert.Equal(("school", LobedaWest, "waiting", 3L), ((string)page["party"]!, (string)page["organisation"]!, (string)page["show"]!, (long)page["total"]!));
        var item = page["items"]![1]!;
        Assert.True((bool)item["waiting"]!);
        Assert.Equal(["confirm-enrolment", "deny-enrolment"], item["actions"]!.AsArray().Select(a => (string)a!).Order());
        Assert.Equal("on-track", (string)item["risk"]!);
        Assert.Equal("waiting-for-school", (string)item["state"]!);
        // Nothing personal: the list records no reads, so it holds no personal values (the case page does, recorded).
        Assert.DoesNotContain("Quellenberg", page.ToJsonString(), StringComparison.OrdinalIgnoreCase);

        // Paging keeps the order.
        var paged = await List("?pageSize=2&page=2");
        Assert.Equal([second], Numbers(paged));
        Assert.Equal(3, (long)paged["total"]!);

        // Another school sees only its own application; every other one answers it like a case that does not exist.
        var other = await List(token: School(Planetarium));
        Assert.Equal([planetarium], Numbers(other));
        Assert.Equal([planetarium], Numbers(await List("?show=all", School(Planetarium))));
        (await Host.Get($"/api/cases/{first}", School(Planetarium))).AssertProblem(404, "not-found");
        // A school token without an organisation names no school: none of these applications.
        Assert.Empty(Numbers(await List(token: App.Token("school", null, "Irgendeine Schule", subject: "no-school"))));
        Assert.Empty(Numbers(await List("?service=change-of-address")));
    }

    [Fact]
    public async Task A_confirmed_application_leaves_the_waiting_list_and_stays_in_the_list_of_all()
    {
        var confirmed = await SubmitFor(LobedaWest);
        var waiting = await SubmitFor(LobedaWest);
        await Host.Act(confirmed, School(), "confirm-enrolment", new JsonObject { ["confirmedGrade"] = 4 });

        Assert.Equal([waiting], Numbers(await List()));
        var all = await List("?show=all");
        // Newest first.
        Assert.Equal([waiting, confirmed], Numbers(all));
        var done = all["items"]![1]!;
        Assert.False((bool)done["waiting"]!);
        Assert.Empty(done["actions"]!.AsArray());
        Assert.Equal("in-review", (string)done["state"]!);

        // Decided and closed: still in the list of all, closed and without a risk band.
        await Host.Act(confirmed, Sven, "reject", new JsonObject { ["reason"] = "Der Schulweg ist kürzer als zwei Kilometer." });
        done = (await List("?show=all"))["items"]![1]!;
        Assert.True((bool)done["isClosed"]!);
        Assert.Equal("rejected", (string)done["outcome"]!);
        Assert.Null(done["risk"]);
        Assert.Equal([waiting], Numbers(await List()));
    }

    [Fact]
    public async Task Only_the_party_itself_gets_its_list_and_bad_values_are_named()
    {
        await SubmitFor(LobedaWest);
        (await Host.Get("/api/parties/school/cases")).AssertProblem(401, "unauthenticated");
        (await Host.Get("/api/parties/school/cases", SecurityTokens.Signed(SecurityTokens.Claims(role: null, team: null, subject: "nobody", name: "No Body"))))
            .AssertProblem(403, "forbidden");
        foreach (var staff in new[] { Sven, App.Token("auditor"), App.Token("admin") })
            (await Host.Get("/api/parties/school/cases", staff)).AssertProblem(403, "role-not-allowed");
        var account = Vorgang.Api.Security.CitizenAuth.MintToken(Host.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>(),
            "bundid:parent-4711", "Paula Parent", TimeSpan.FromHours(1));
        (await Host.Get("/api/parties/school/cases", account)).AssertProblem(403, "role-not-allowed");
        // Another party's list, or a party nobody declares: refused whatever it would hold.
        (await Host.Get("/api/parties/youth-office/cases", School())).AssertProblem(403, "role-not-allowed");
        (await Host.Get("/api/parties/kindergarten/cases", App.Token("kindergarten", null, "Kita", subject: "kita"))).AssertProblem(403, "role-not-allowed");

        foreach (var (query, field) in new[] { ("?show=mine", "show"), ("?page=0", "page"), ("?pageSize=201", "pageSize"), ("?page=x", "page"), ($"?service={new string('s', 201)}", "service") })
        {
            var problem = (await Host.Get($"/api/parties/school/cases{query}", School())).AssertProblemStatus(400);
            Assert.Equal(field, (string)problem["violations"]![0]!["field"]!);
        }
    }

    [Fact]
    public async Task The_lists_are_answered_from_their_partial_indexes()
    {
        await SubmitFor(LobedaWest);
        var store = Host.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.QuerySession();
        var addressees = PartyAccess.AddresseesOf("school", LobedaWest);
        foreach (var (query, index) in new[]
                 {
                     (PartyLists.Waiting(session, addressees).MostUrgentFirst().Take(25), PartyLists.AwaitedIndex),
                     (PartyLists.Addressed(session, addressees).NewestFirst().Take(25), PartyLists.AddressedIndex),
                 })
        {
            var command = query.ToCommand();
            await using var connection = await Host.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            // A test table is tiny and would be read whole; forbidding that shows whether the index can answer at all.
            await using (var off = new NpgsqlCommand("set local enable_seqscan = off", connection, transaction)) await off.ExecuteNonQueryAsync();
            await using var explain = new NpgsqlCommand("explain " + command.CommandText, connection, transaction);
            foreach (NpgsqlParameter parameter in command.Parameters) explain.Parameters.Add(parameter.Clone());
            var plan = new List<string>();
            await using (var reader = await explain.ExecuteReaderAsync())
                while (await reader.ReadAsync()) plan.Add(reader.GetString(0));
            Assert.Contains(plan, line => line.Contains(index, StringComparison.Ordinal));
        }
    }
}
