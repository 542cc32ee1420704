using System.Text.Json.Nodes;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Benchmarks;

/// <summary>
/// Generates the event streams of a realistic city: the five services in their real proportions, two years of
/// submissions, most cases closed along paths of their definitions, about a tenth still open in every state.
/// </summary>
public sealed class CityGenerator(DefinitionCatalog catalog, int seed)
{
    public const string TrackingCode = "BENCH-BENCH-BENCH-BENCH";
    private static readonly string TrackingHash = TrackingCodes.Hash(TrackingCode);

    /// <summary>The five services in the proportions of the city's submissions; the mixed submission load uses the same.</summary>
    public static readonly IReadOnlyList<(string Service, double Share)> Mix =
    [
        ("defect-report", 0.40), ("change-of-address", 0.35), ("residential-parking-permit", 0.12),
        ("school-transport", 0.08), ("building-permit-consultation", 0.05),
    ];

    private static readonly string[] FirstNames = ["Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hannes", "Ida", "Jonas", "Lena", "Milan"];
    private static readonly string[] LastNames = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann"];
    private static readonly Actor Office = new("staff:benchmark", Roles.Caseworker, "Sachbearbeitung", Channels.Office);

    private readonly Random _random = new(seed);

    public sealed record GeneratedCase(string CaseNumber, bool Open, string Team, IReadOnlyList<object> Events);

    public GeneratedCase Next(string caseNumber, DateTimeOffset submittedAt, bool open)
    {
        var definition = catalog.Latest(Pick())!;
        var data = Vary(DefinitionChecker.ResolveExample(definition, BerlinClock.DateOf(submittedAt)));
        var values = CaseDecider.Values(definition, data, BerlinClock.DateOf(submittedAt));
        var team = definition.Routing.FirstOrDefault(r => Rules.IsTrue(r.When, values, BerlinClock.DateOf(submittedAt)))?.Team ?? definition.Team;
        var events = new List<object>
        {
            new CaseSubmitted(caseNumber, definition.Id, definition.Version, definition.InitialState.Id, team, "de", data, TrackingHash,
                WorkingDays.DueDate(definition.LegalDeadline, BerlinClock.DateOf(submittedAt)), Actor.AnonymousCitizen(), submittedAt),
        };

        // A random walk along the definition's actions: to a final state for closed cases, stopping on the way for open ones.
        var state = definition.InitialState;
        var at = submittedAt;
        var stopAfter = open ? _random.Next(0, 4) : int.MaxValue;
        var claimed = false;
        for (var step = 0; step < 40 && !state.Final && step < stopAfter; step++)
        {
            // An open case never takes a step that ends it: otherwise short paths (a defect report is closed in two
            // steps) would leave far fewer cases open than were drawn as open.
            var choices = definition.Actions
                .Where(a => a.From.Contains(state.Id) && a.Kind != ActionKinds.Withdraw && !(open && definition.State(a.To)!.Final))
                .ToList();
            if (choices.Count == 0) break;
            var action = choices[_random.Next(choices.Count)];
            var target = definition.State(action.To)!;
            at = at.AddHours(_random.Next(2, 72));
            var actor = action.By.Contains(Roles.Caseworker) ? Office : new Actor("citizen", action.By[0], "", Channels.Online);
            if (actor == Office && !claimed)
            {
                events.Add(new CaseClaimed(caseNumber, Office.Id, Office.Name, Office, at));
                claimed = true;
            }
            var input = new JsonObject();
            events.Add(action.Kind switch
            {
                ActionKinds.RequestInformation => new InformationRequested(caseNumber, action.Id, state.Id, target.Id, input, target.WaitingFor, actor, at),
                ActionKinds.ProvideInformation => new InformationProvided(caseNumber, action.Id, state.Id, target.Id, input, new JsonObject(), target.WaitingFor, actor, at),
                ActionKinds.Decide => new CaseDecided(caseNumber, action.Id, state.Id, target.Id, target.Outcome ?? "completed", input, actor, at),
                _ => (object)new CaseActionTaken(caseNumber, action.Id, state.Id, target.Id, input, target.WaitingFor, actor, at),
            });
            if (target.Final) events.Add(new CaseClosed(caseNumber, target.Id, target.Outcome ?? "completed", at));
            state = target;
        }
        return new GeneratedCase(caseNumber, !state.Final, team, events);
    }

    /// <summary>A case with a long history (an information loop), for the "as of" figure.</summary>
    public GeneratedCase Long(string caseNumber, DateTimeOffset submittedAt, int events)
    {
        var definition = catalog.Latest("change-of-address")!;
        var generated = new List<object>
        {
            new CaseSubmitted(caseNumber, definition.Id, definition.Version, "submitted", definition.Team, "de",
                DefinitionChecker.ResolveExample(definition, BerlinClock.DateOf(submittedAt)), TrackingHash, null, Actor.AnonymousCitizen(), submittedAt),
            new CaseClaimed(caseNumber, Office.Id, Office.Name, Office, submittedAt),
            new CaseActionTaken(caseNumber, "start-review", "submitted", "in-review", new JsonObject(), null, Office, submittedAt),
        };
        var at = submittedAt;
        while (generated.Count < events)
        {
            at = at.AddMinutes(30);
            generated.Add(new InformationRequested(caseNumber, "request-landlord-confirmation", "in-review", "waiting-for-citizen",
                new JsonObject { ["message"] = "Bitte reichen Sie die Bestätigung nach." }, Roles.Citizen, Office, at));
            generated.Add(new InformationProvided(caseNumber, "provide-information", "waiting-for-citizen", "in-review",
                new JsonObject { ["landlordName"] = "Wohnungsgenossenschaft" }, new JsonObject { ["landlordName"] = "Wohnungsgenossenschaft" }, null,
                Actor.AnonymousCitizen(), at.AddMinutes(5)));
        }
        return new GeneratedCase(caseNumber, true, definition.Team, generated.Take(events).ToList());
    }

    private string Pick()
    {
        var roll = _random.NextDouble();
        foreach (var (service, share) in Mix)
        {
            if ((roll -= share) < 0) return service;
        }
        return Mix[0].Service;
    }

    private JsonObject Vary(JsonObject data)
    {
        if (data.ContainsKey("firstName")) data["firstName"] = FirstNames[_random.Next(FirstNames.Length)];
        if (data.ContainsKey("lastName")) data["lastName"] = LastNames[_random.Next(LastNames.Length)];
        if (data.ContainsKey("category") && data["category"] is JsonValue)
        {
            var categories = new[] { "road-damage", "street-lighting", "illegal-waste", "graffiti", "playground", "green-space", "other" };
            data["category"] = categories[_random.Next(categories.Length)];
        }
        return data;
    }
}
