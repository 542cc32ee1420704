using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Alba;
using Vorgang.Tests.Api;
using Vorgang.Tests.Definitions;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Tests.Security;

/// <summary>
/// A second party reaches a case only once the process has turned to it: the case is in, or has been in, a state that
/// waits for the party or offers it an action. The shipped school transport turns to the school at once; the variant here
/// lets the office check first and ask the school only then.
/// </summary>
public static class LaterSchool
{
    /// <summary>School transport where the office reviews first and asks the school with <c>ask-school</c>.</summary>
    public static string Yaml()
    {
        var yaml = File.ReadAllText(Path.Combine(ShippedDefinitions.Folder, "school-transport", "v1.yaml"));
        yaml = Replace(yaml, "  - id: waiting-for-school\n    initial: true\n", "  - id: waiting-for-school\n");
        yaml = Replace(yaml, "  - id: in-review\n", "  - id: in-review\n    initial: true\n");
        yaml = Replace(yaml, "actions:\n", """
            actions:
              - id: ask-school
                label: { de: Schule fragen, en: Ask the school }
                by: [caseworker]
                from: [in-review]
                to: waiting-for-school

            """.Replace("\r\n", "\n"));
        return yaml;
    }

    private static string Replace(string text, string old, string replacement)
    {
        Assert.Contains(old, text);
        return text.Replace(old, replacement);
    }

    public static ProcessDefinition Definition()
    {
        var result = DefinitionLoader.Load(Yaml(), "school-transport/v1.yaml", ShippedDefinitions.Today);
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Diagnostics));
        return result.Definition!;
    }
}

public sealed class PartyAccessTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static Case Submitted(ProcessDefinition definition) =>
        Case.Create(new CaseSubmitted("2026-000042", definition.Id, definition.Version, definition.InitialState.Id, definition.Team, "de",
            new JsonObject { ["school"] = LobedaWest }, "hash", null, Actor.AnonymousCitizen(), Now));

    private const string LobedaWest = "grundschule-lobeda-west";

    private static Case Move(Case state, string to) =>
        state.Fold(new CaseActionTaken(state.Id, "step", state.State, to, new JsonObject(), null, new Actor("sven", "caseworker", "Sven", "office"), Now));

    [Fact]
    public void The_shipped_school_transport_addresses_the_school_from_submission()
    {
        var definition = ShippedDefinitions.Definition("school-transport", today: ShippedDefinitions.Today);
        Assert.Equal(["waiting-for-school"], PartyAccess.StatesAddressing(definition, "school").Order());
        var state = Submitted(definition);
        Assert.True(PartyAccess.IsAddressedTo(definition, state, "school", LobedaWest));
        // Each school reaches the applications naming it: not another school's, not without naming one.
        Assert.False(PartyAccess.IsAddressedTo(definition, state, "school", "gymnasium-am-planetarium"));
        Assert.False(PartyAccess.IsAddressedTo(definition, state, "school"));
        // Staff roles and undeclared parties are never "addressed" (they have rules of their own, or none).
        Assert.False(PartyAccess.IsAddressedTo(definition, state, Roles.Caseworker));
        Assert.False(PartyAccess.IsAddressedTo(definition, state, "kindergarten"));
        var address = ShippedDefinitions.Definition("change-of-address", today: ShippedDefinitions.Today);
        Assert.Empty(PartyAccess.StatesAddressing(address, "school"));
    }

    [Fact]
    public void A_case_is_addressed_once_it_enters_a_state_of_the_party_and_stays_so()
    {
        var definition = LaterSchool.Definition();
        var state = Submitted(definition);
        Assert.Equal(["in-review"], state.VisitedStates);
        Assert.False(PartyAccess.IsAddressedTo(definition, state, "school", LobedaWest));

        state = Move(state, "waiting-for-school");
        Assert.True(PartyAccess.IsAddressedTo(definition, state, "school", LobedaWest));
        state = Move(state, "in-review");
        Assert.True(PartyAccess.IsAddressedTo(definition, state, "school", LobedaWest));
        Assert.Equal(["in-review", "waiting-for-school"], state.VisitedStates);
    }

    [Fact]
    public void The_parties_lists_read_the_rule_the_case_itself_decides_by()
    {
        // Asked later, the organisation corrected by the citizen, answered, closed: at every step the queue row's
        // addressees (the lists) agree with PartyAccess.IsAddressedTo on the case (the case endpoints).
        var definition = LaterSchool.Definition();
        var projection = new Vorgang.Projections.Queues.QueueItemProjection(
            new DefinitionCatalog([new PublishedDefinition(definition, "school-transport/v1.yaml", "", "")]));
        var submitted = new CaseSubmitted("2026-000042", definition.Id, definition.Version, definition.InitialState.Id, definition.Team, "de",
            new JsonObject { ["school"] = LobedaWest }, "hash", null, Actor.AnonymousCitizen(), Now);
        var state = Case.Create(submitted);
        var item = projection.Create(submitted);
        var sven = new Actor("sven", "caseworker", "Sven", "office");
        var steps = new object[]
        {
            new CaseActionTaken(state.Id, "ask-school", "in-review", "waiting-for-school", new JsonObject(), "school", sven, Now),
            new InformationProvided(state.Id, "provide-information", "waiting-for-school", "waiting-for-school", new JsonObject(),
                new JsonObject { ["school"] = "gymnasium-am-planetarium" }, "school", Actor.AnonymousCitizen(), Now),
            new CaseActionTaken(state.Id, "confirm-enrolment", "waiting-for-school", "in-review", new JsonObject(), null, sven, Now),
            new CaseDecided(state.Id, "reject", "in-review", "rejected", "rejected", new JsonObject(), sven, Now),
            new CaseClosed(state.Id, "rejected", "rejected", Now),
        };
        var callers = new (string Party, string? Organisation)[] { ("school", LobedaWest), ("school", "gymnasium-am-planetarium"), ("school", null), ("kindergarten", LobedaWest) };
        void Agree(string when)
        {
            foreach (var (party, organisation) in callers)
            {
                var addressees = PartyAccess.AddresseesOf(party, organisation);
                var addressed = PartyAccess.IsAddressedTo(definition, state, party, organisation);
                Assert.True(addressed == item.AddressedTo.Any(addressees.Contains), $"{when}: addressed to {party}/{organisation}");
                var waits = addressed && !state.IsClosed && PartyAccess.StatesAddressing(definition, party).Contains(state.State);
                Assert.True(waits == item.AwaitedBy.Any(addressees.Contains), $"{when}: waiting for {party}/{organisation}");
            }
        }
        Agree("submitted");
        Assert.Empty(item.AddressedTo);
        foreach (var e in steps)
        {
            state = state.Fold(e);
            item = e switch
            {
                CaseActionTaken a => projection.Apply(a, item),
                InformationProvided p => projection.Apply(p, item),
                CaseDecided d => projection.Apply(d, item),
                CaseClosed c => projection.Apply(c, item),
                _ => throw new InvalidOperationException(),
            };
            Agree(e.GetType().Name);
        }
        Assert.Equal(["school/gymnasium-am-planetarium"], item.AddressedTo);
        Assert.Empty(item.AwaitedBy);
    }

    [Fact]
    public void A_snapshot_stored_before_visited_states_were_kept_still_knows_its_current_state()
    {
        var definition = LaterSchool.Definition();
        var old = Move(Submitted(definition), "waiting-for-school") with { VisitedStates = [] };
        Assert.True(PartyAccess.IsAddressedTo(definition, old, "school", LobedaWest));
    }
}

/// <summary>The same end to end, on an engine that runs the variant.</summary>
[Collection(AppCollection.Name)]
public sealed class PartyAccessApiTests : IAsyncLifetime
{
    private readonly string _folder = TestDatabase.CreateTempDirectory("later-school");
    private IAlbaHost _host = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "school-transport"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "school-transport", "v1.yaml"), LaterSchool.Yaml());
        _host = await EngineHosts.StartAsync(await TestDatabase.CreateDatabaseAsync("parties"), new TestClock(),
            new Dictionary<string, string> { ["Vorgang:DefinitionsPath"] = _folder });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        TestDatabase.DeleteDirectory(_folder);
    }

    private string Token(string role, string? team = null) =>
        SecurityTokens.Signed(SecurityTokens.Claims(role, team, subject: role, name: role));

    [Fact]
    public async Task The_school_reaches_the_case_only_after_the_office_asked_it()
    {
        var sven = Token("caseworker", "school-administration");
        var school = Token("school", "grundschule-lobeda-west");
        var submitted = await _host.Submit("school-transport");
        var missing = submitted.CaseNumber[..5] + "999999";

        // Not yet addressed: the same answer as for a number nobody uses, for reading and for acting.
        var refused = await _host.Get($"/api/cases/{submitted.CaseNumber}", school);
        var nothing = await _host.Get($"/api/cases/{missing}", school);
        refused.AssertProblem(404, "not-found");
        Assert.Equal(Normalized(nothing.Text, missing), Normalized(refused.Text, submitted.CaseNumber));
        JsonObject Confirm() => new() { ["confirmedGrade"] = 4 };
        var act = await _host.StaffAction(submitted.CaseNumber, "confirm-enrolment", school, 1, Confirm());
        var actOnNothing = await _host.StaffAction(missing, "confirm-enrolment", school, 1, Confirm());
        act.AssertProblem(404, "not-found");
        Assert.Equal(Normalized(actOnNothing.Text, missing), Normalized(act.Text, submitted.CaseNumber));

        // Nor is it in the school's lists.
        Assert.Empty(await ListAsync(school, "waiting"));
        Assert.Empty(await ListAsync(school, "all"));

        // The office asks the school: now it reads the case and confirms.
        var asked = await _host.Act(submitted.CaseNumber, sven, "ask-school");
        Assert.Equal([submitted.CaseNumber], await ListAsync(school, "waiting"));
        Assert.Empty(await ListAsync(Token("school", "gymnasium-am-planetarium"), "all"));
        Assert.Equal("waiting-for-school", (string)asked["state"]!);
        var view = await _host.StaffCase(submitted.CaseNumber, school);
        Assert.Equal(["confirm-enrolment", "deny-enrolment"], view["allowedActions"].Ids().Order());
        // Another school — the application names Grundschule Lobeda-West — reaches nothing, and learns nothing.
        var otherSchool = Token("school", "gymnasium-am-planetarium");
        var foreign = await _host.Get($"/api/cases/{submitted.CaseNumber}", otherSchool);
        foreign.AssertProblem(404, "not-found");
        Assert.Equal(Normalized((await _host.Get($"/api/cases/{missing}", otherSchool)).Text, missing), Normalized(foreign.Text, submitted.CaseNumber));
        (await _host.StaffAction(submitted.CaseNumber, "confirm-enrolment", otherSchool, (long)view["version"]!, Confirm())).AssertProblem(404, "not-found");
        var confirmed = await _host.Act(submitted.CaseNumber, school, "confirm-enrolment", Confirm());
        Assert.Equal("in-review", (string)confirmed["state"]!);

        Assert.Empty(await ListAsync(school, "waiting"));
        Assert.Equal([submitted.CaseNumber], await ListAsync(school, "all"));

        // Having been addressed, the school still reads the case, but has nothing left to do on it.
        view = await _host.StaffCase(submitted.CaseNumber, school);
        Assert.Empty(view["allowedActions"].Ids());
        (await _host.StaffAction(submitted.CaseNumber, "confirm-enrolment", school, (long)view["version"]!, Confirm()))
            .AssertProblem(422, "action-not-allowed-in-state");
    }

    private async Task<List<string>> ListAsync(string token, string show)
    {
        var list = await _host.Get($"/api/parties/school/cases?show={show}", token);
        Assert.True(list.Status == 200, list.ToString());
        return list.Json!["items"]!.AsArray().Select(i => (string)i!["caseNumber"]!).ToList();
    }

    private static string Normalized(string text, string caseNumber) =>
        Regex.Replace(text.Replace(caseNumber, "{n}", StringComparison.Ordinal), "\"traceId\":\"[^\"]*\"", "\"traceId\":\"…\"");
}
