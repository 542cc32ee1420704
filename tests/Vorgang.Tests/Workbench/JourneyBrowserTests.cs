using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Vorgang.Tests.Deadlines;
using Vorgang.Tests.Definitions;
using Vorgang.Tests.Infrastructure;
using Vorgang.Tests.Portal;
using Vorgang.Workflows.Deadlines;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Tests.Workbench;

/// <summary>
/// Every service to each of its outcomes, in Debian's chromium and only through the pages: a citizen applies in the
/// portal, a caseworker of the team the case is routed to finds it in the workbench's queue, claims it and takes the
/// steps on the case page (the school its own, signed in as the school; the citizen theirs on the status page; the
/// engine's timers when the clock has moved on); after every step the citizen's status page, opened through
/// <c>/track</c> in a browser of its own, shows the new status; at the end an auditor finds every event in the console
/// and the case as it was one step before the outcome.
/// </summary>
/// <remarks>
/// The outcomes are the final states reachable in each service's latest definition: a new one gets a theory case of its
/// own, which fails until a journey leads to it.
/// </remarks>
public sealed class JourneyBrowserTests(AppFixture app, BrowserFixture browser) : ApiTest(app), IClassFixture<BrowserFixture>
{
    private enum By { Caseworker, School, Citizen, Clock }

    /// <summary>
    /// Pages whose state the other browser tests do not reach — a form with inputs only staff see, a party's workbench —
    /// are checked with axe once per kind and language.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> AxeChecked = new();
    private readonly List<string> _violations = [];

    private async Task AxeOnceAsync(IPage page, string kind)
    {
        if (AxeChecked.TryAdd(kind, true)) _violations.AddRange(await BrowserFixture.AxeViolationsWideAndNarrowAsync(page));
    }

    /// <summary>A step of a journey: who takes which action with which inputs (<c>today+14d</c> is a date relative to the engine's today).</summary>
    private sealed record Step(By By, string Action, params (string Id, string Value)[] Inputs);

    private static Step Staff(string action, params (string, string)[] inputs) => new(By.Caseworker, action, inputs);
    private static Step School(string action, params (string, string)[] inputs) => new(By.School, action, inputs);
    private static Step Citizen(string action, params (string, string)[] inputs) => new(By.Citizen, action, inputs);
    /// <summary>The clock moves on until the state's reminder (<c>reminder</c>) or its timeout (<c>timeout</c>) is due, and the engine's timer acts.</summary>
    private static Step Clock(string timer) => new(By.Clock, timer);

    private const string Minutes = "Besprochen: Abstand zur Grenze, Höhe des Carports und die Entwässerung. Nächster Schritt: Lageplan einreichen.";

    /// <summary>The caseworker's team for each service's example (where the definition routes it) and the journey to each outcome.</summary>
    private static readonly Dictionary<string, string> Teams = new()
    {
        ["change-of-address"] = "registration-office",
        ["school-transport"] = "school-administration",
        ["building-permit-consultation"] = "building-control",
        ["residential-parking-permit"] = "parking-permits",
        ["defect-report"] = "civil-engineering",
    };

    private static readonly Dictionary<(string Service, string Outcome), Step[]> Journeys = new()
    {
        [("change-of-address", "registered")] =
        [
            Staff("start-review"),
            Staff("request-landlord-confirmation", ("message", "Bitte nennen Sie den Namen Ihres Vermieters.")),
            Citizen("provide-information", ("landlordName", "Wohnungsgenossenschaft Jena eG"), ("comment", "Die Bestätigung liegt bei.")),
            Staff("register"),
        ],
        [("change-of-address", "rejected")] = [Staff("start-review"), Staff("reject", ("reason", "Die Wohnung liegt nicht in Jena."))],
        [("change-of-address", "withdrawn")] = [Staff("start-review"), Citizen("withdraw")],
        [("change-of-address", "closed-unanswered")] =
        [
            Staff("start-review"),
            Staff("request-landlord-confirmation", ("message", "Bitte reichen Sie die Wohnungsgeberbestätigung nach.")),
            Clock("reminder"),
            Clock("timeout"),
        ],

        [("school-transport", "ticket-issued")] =
        [
            School("confirm-enrolment", ("confirmedGrade", "4"), ("schoolNote", "Klasse 4b, Klassenlehrerin Frau Schulz.")),
            Staff("issue-ticket", ("ticketNumber", "ST-2026-0815"), ("ticketValidUntil", "today+6m")),
        ],
        [("school-transport", "not-enrolled")] = [School("deny-enrolment", ("reason", "Das Kind ist an unserer Schule nicht angemeldet."))],
        [("school-transport", "rejected")] =
        [
            School("confirm-enrolment", ("confirmedGrade", "4")),
            Staff("request-information", ("message", "Wie lang ist der Schulweg genau?")),
            Citizen("provide-information", ("answer", "Es sind 1,8 Kilometer.")),
            Staff("reject", ("reason", "Der Schulweg ist kürzer als 2 Kilometer.")),
        ],
        [("school-transport", "withdrawn")] = [School("confirm-enrolment", ("confirmedGrade", "4")), Citizen("withdraw")],

        [("building-permit-consultation", "completed")] =
        [
            Staff("propose-slots", ("slot1", "today+7d 10:00"), ("slot2", "today+8d 14:00"), ("slot3", "today+9d 09:30"),
                ("meetingPlace", "Raum 2.14, Am Anger 26"), ("message", "Bitte wählen Sie einen Termin.")),
            Citizen("book-slot", ("chosenSlot", "2")),
            Staff("record-consultation"),
            Staff("write-minutes", ("minutes", Minutes), ("permitAssessment", "not-required")),
        ],
        [("building-permit-consultation", "cancelled")] =
        [
            Staff("request-plans", ("message", "Bitte schicken Sie uns eine Skizze.")),
            Citizen("provide-plans", ("comment", "Die Skizze kommt per Post.")),
            Staff("propose-slots", ("slot1", "today+7d 10:00"), ("slot2", "today+8d 14:00"), ("slot3", "today+9d 09:30"), ("meetingPlace", "https://video.example/bauberatung")),
            Citizen("book-slot", ("chosenSlot", "1")),
            Staff("record-no-show", ("note", "Niemand hat sich eingewählt.")),
        ],
        [("building-permit-consultation", "withdrawn")] =
        [
            Staff("propose-slots", ("slot1", "today+7d 10:00"), ("slot2", "today+8d 14:00"), ("slot3", "today+9d 09:30"), ("meetingPlace", "Raum 2.14")),
            Citizen("request-new-slots", ("reason", "Ich bin in dieser Woche verreist.")),
            Citizen("withdraw"),
        ],

        [("residential-parking-permit", "permit-issued")] =
        [
            Staff("check"),
            Staff("request-payment", ("paymentInstructions", "IBAN DE02 8205 1000 0000 0000 00, Verwendungszweck PARK-4711")),
            Citizen("confirm-payment", ("paymentReference", "PARK-4711"), ("paidOn", "today")),
            Staff("issue-permit", ("zoneMatches", "true"), ("permitNumber", "B-2026-0042"), ("validUntil", "today+1y")),
        ],
        [("residential-parking-permit", "rejected")] =
        [
            Staff("check"),
            Staff("request-information", ("message", "Bitte laden Sie den Fahrzeugschein hoch.")),
            Citizen("provide-information", ("answer", "Der Wagen ist inzwischen verkauft.")),
            Staff("reject", ("reason", "Kein Fahrzeug mehr vorhanden.")),
        ],
        [("residential-parking-permit", "cancelled")] =
        [
            Staff("check"),
            Staff("request-payment", ("paymentInstructions", "IBAN DE02 8205 1000 0000 0000 00, Verwendungszweck PARK-4712")),
            Staff("close-unpaid", ("note", "Nach Rücksprache nicht bezahlt.")),
        ],
        [("residential-parking-permit", "withdrawn")] = [Staff("check"), Citizen("withdraw")],

        [("defect-report", "resolved")] =
        [
            Staff("start-work", ("plannedFor", "today+14d")),
            Staff("request-information", ("message", "Auf welcher Straßenseite ist das Schlagloch?")),
            Citizen("provide-information", ("answer", "Auf der Seite zum Markt hin.")),
            Staff("resolve", ("resolution", "Das Schlagloch wurde mit Kaltasphalt verfüllt.")),
        ],
        [("defect-report", "forwarded")] = [Staff("forward", ("forwardedTo", "Deutsche Bahn, DB Netz AG"), ("reason", "Die Stelle gehört zum Bahngelände."))],
        [("defect-report", "rejected")] =
        [
            Staff("start-work"),
            Staff("reject", ("rejectionReason", "duplicate"), ("explanation", "Der Mangel wurde schon gemeldet und ist in Arbeit.")),
        ],
    };

    /// <summary>Every final state that some path of actions reaches from the initial state, for each service's latest definition.</summary>
    private static IEnumerable<(ProcessDefinition Definition, string Outcome)> ReachableOutcomes()
    {
        foreach (var serviceId in Directory.EnumerateDirectories(ShippedDefinitions.Folder).Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            var definition = ShippedDefinitions.Definition(serviceId!);
            var reached = new HashSet<string> { definition.InitialState.Id };
            var next = new Queue<string>(reached);
            while (next.TryDequeue(out var state))
                foreach (var action in definition.Actions.Where(a => a.From.Contains(state)))
                    if (reached.Add(action.To)) next.Enqueue(action.To);
            foreach (var final in definition.States.Where(s => s.Final && reached.Contains(s.Id)))
                yield return (definition, final.Id);
        }
    }

    /// <summary>One case per (service, outcome); every other one in English.</summary>
    public static TheoryData<string, string, string> Outcomes()
    {
        var data = new TheoryData<string, string, string>();
        var i = 0;
        foreach (var (definition, outcome) in ReachableOutcomes()) data.Add(definition.Id, outcome, i++ % 2 == 0 ? "de" : "en");
        return data;
    }

    [Fact]
    public void Each_journey_leads_through_its_definition_to_its_outcome_and_every_reachable_outcome_has_one()
    {
        var reachable = ReachableOutcomes().Select(r => (r.Definition.Id, r.Outcome)).ToHashSet();
        Assert.Equal(reachable.Order(), Journeys.Keys.Order());
        Assert.Equal(ReachableOutcomes().Select(r => r.Definition.Id).Distinct().Order(), Teams.Keys.Order());
        foreach (var ((serviceId, outcome), steps) in Journeys)
        {
            var definition = ShippedDefinitions.Definition(serviceId);
            var state = definition.InitialState;
            foreach (var step in steps)
            {
                if (step is { By: By.Clock, Action: "reminder" })
                {
                    Assert.True(state.Reminder is not null, $"{serviceId}: {state.Id} has no reminder.");
                    continue;
                }
                var action = definition.Action(step.By == By.Clock ? state.Timeout?.Action ?? "" : step.Action);
                Assert.True(action is not null && action.From.Contains(state.Id), $"{serviceId} → {outcome}: {step.Action} is not open in {state.Id}.");
                Assert.Contains(RoleOf(step.By, definition), action.By);
                state = definition.State(action.To)!;
            }
            Assert.Equal(outcome, state.Id);
            Assert.True(state.Final);
        }
    }

    private static string RoleOf(By by, ProcessDefinition definition) => by switch
    {
        By.Caseworker => Roles.Caseworker,
        By.School => definition.Parties.Single(),
        By.Citizen => Roles.Citizen,
        _ => Roles.System,
    };

    /// <summary>An event the auditor must find, with the role of whoever caused it where there is one.</summary>
    private sealed record Expected(string Type, string? Role = null);

    [Theory]
    [MemberData(nameof(Outcomes))]
    public async Task A_case_goes_from_the_portal_through_the_workbench_to_its_outcome_and_the_auditor_sees_every_step(string serviceId, string outcome, string lang)
    {
        Assert.True(Journeys.TryGetValue((serviceId, outcome), out var steps), $"No journey leads {serviceId} to '{outcome}': add one to {nameof(Journeys)}.");
        var prefix = lang == "en" ? "/en" : "";
        var definition = Host.Services.GetRequiredService<DefinitionCatalog>().Latest(serviceId)!;
        var example = PortalClient.Flatten(await Host.Example(serviceId));
        string Status(string state) => definition.State(state)!.Status.For(lang);

        // 1. The citizen applies through the portal and notes number and code from the confirmation.
        var (caseNumber, trackingCode) = await ApplyAsync(serviceId, prefix, example);
        var state = definition.InitialState.Id;
        var expected = new List<Expected> { new("case_submitted", Roles.Citizen) };
        var stateAt = new List<string> { state };
        var clockStopped = false;
        // The day the case entered its current state, from which its reminder and timeout count.
        var enteredOn = App.Clock.Today();
        var lastStepFrom = 0;

        // The citizen follows the case in a browser of their own, entered through /track.
        var citizen = await browser.OpenAsync(Host);
        await citizen.GotoAsync(prefix + "/track");
        await citizen.FillAsync("#f-caseNumber", caseNumber);
        await citizen.FillAsync("#f-trackingCode", trackingCode);
        await PortalBrowserTests.ClickAndWaitAsync(citizen, "main form button[type=submit]");
        Assert.EndsWith($"{prefix}/track/{caseNumber}", new Uri(citizen.Url).AbsolutePath);
        await AssertStatusAsync(citizen, Status(state), "after the submission");

        // 2. A caseworker of the team the case is routed to finds it in the queue and claims it.
        var team = Teams[serviceId];
        var caseworker = await SignInAsync(prefix, "caseworker", team, "Anna Schmidt", prefix + "/staff");
        Assert.Contains(team, await caseworker.InnerTextAsync("h1"));
        await caseworker.SelectOptionAsync("#f-service", serviceId);
        await caseworker.SelectOptionAsync("#f-assignee", "unassigned");
        await PortalBrowserTests.ClickAndWaitAsync(caseworker, ".portal-filters button[type=submit]");
        Assert.Contains($"service={serviceId}", caseworker.Url);
        await PortalBrowserTests.ClickAndWaitAsync(caseworker, $"#row-{caseNumber} a[href='{prefix}/staff/cases/{caseNumber}']");
        Assert.Equal(Status(state), (await caseworker.InnerTextAsync("#case-status")).Trim());
        await TakeAsync(caseworker, "claim", [], "the caseworker");
        Assert.Equal("Anna Schmidt", (await caseworker.InnerTextAsync("#case-assignee")).Trim());
        expected.Add(new("case_claimed", Roles.Caseworker));
        stateAt.Add(state);
        await AssertStatusAsync(citizen, Status(state), "after the claim");

        IPage? school = null;
        var previous = By.Caseworker;
        var clockMoved = false;
        foreach (var step in steps)
        {
            ActionDefinition action;
            lastStepFrom = expected.Count;
            var what = $"{step.By} {step.Action} in {state}";
            switch (step.By)
            {
                case By.Caseworker:
                    action = definition.Action(step.Action)!;
                    // The page as it is now: the citizen or the school may have moved the case since it was last loaded.
                    if (previous != By.Caseworker) await caseworker.GotoAsync($"{prefix}/staff/cases/{caseNumber}");
                    if (action.Inputs.Any(i => i.Internal)) await AxeOnceAsync(caseworker, "internal-input:" + lang);
                    await TakeAsync(caseworker, step.Action, step.Inputs, what);
                    break;
                case By.School:
                    action = definition.Action(step.Action)!;
                    if (school is null)
                    {
                        // The school signs in with its own id as team and finds the case in its list of cases waiting for it.
                        var party = definition.Parties.Single();
                        school = await SignInAsync(prefix, party, example["f." + definition.PartyFields[party]], "Sekretariat Lobeda-West", prefix + "/staff");
                        Assert.True(await school.IsVisibleAsync($"#party-cases #row-{caseNumber}"), "The case waits in the school's list.");
                        await AxeOnceAsync(school, "party-workbench:" + lang);
                        await PortalBrowserTests.ClickAndWaitAsync(school, $"#row-{caseNumber} a");
                        Assert.EndsWith($"{prefix}/staff/cases/{caseNumber}", new Uri(school.Url).AbsolutePath);
                    }
                    else await school.GotoAsync($"{prefix}/staff/cases/{caseNumber}");
                    await TakeAsync(school, step.Action, step.Inputs, what);
                    break;
                case By.Citizen:
                    action = definition.Action(step.Action)!;
                    await citizen.GotoAsync($"{prefix}/track/{caseNumber}");
                    var form = citizen.Locator("form.portal-action", new() { Has = citizen.Locator($"input[name=actionId][value='{step.Action}']") });
                    Assert.True(await form.CountAsync() == 1, $"The status page offers no form for {what}.");
                    await FillAsync(form, step.Inputs);
                    await ClickAndWaitAsync(citizen, form.Locator("button[type=submit]"));
                    await AssertNoErrorAsync(citizen, what);
                    Assert.EndsWith("?done=1", citizen.Url);
                    break;
                default:
                    var current = definition.State(state)!;
                    if (step.Action == "reminder")
                    {
                        await Host.AdvanceTo(App.Clock, WorkingDays.Add(enteredOn, current.Reminder!.AfterWorkingDays), new TimeOnly(12, 0));
                        clockMoved = true;
                        expected.Add(new("citizen_reminded"));
                        stateAt.Add(state);
                        await AssertStatusAsync(citizen, Status(state), "after the reminder");
                        previous = step.By;
                        continue;
                    }
                    // The citizen has the whole last working day; the timer acts on the day after.
                    await Host.AdvanceTo(App.Clock, WorkingDays.Add(enteredOn, current.Timeout!.AfterWorkingDays).AddDays(1), new TimeOnly(12, 0));
                    clockMoved = true;
                    action = definition.Action(current.Timeout.Action)!;
                    break;
            }
            foreach (var type in EventsOf(definition, action, ref clockStopped))
                expected.Add(new(type, type is "case_closed" or "deadline_suspended" or "deadline_resumed" or "letter_issued" ? null : RoleOf(step.By, definition)));
            if (action.To != state) enteredOn = App.Clock.Today();
            state = action.To;
            while (stateAt.Count < expected.Count) stateAt.Add(state);
            if (step.By is By.Caseworker or By.School)
                Assert.Equal(Status(state), (await (step.By == By.School ? school! : caseworker).InnerTextAsync("#case-status")).Trim());
            // 3. The citizen sees the step on the status page (their own step: on the page their form led to).
            await AssertStatusAsync(citizen, Status(state), $"after {what}", reload: step.By != By.Citizen);
            previous = step.By;
        }
        Assert.Equal(outcome, state);
        Assert.True(definition.State(state)!.Final);
        await caseworker.GotoAsync($"{prefix}/staff/cases/{caseNumber}");
        if (clockMoved)
        {
            // Weeks have passed on the engine's clock: the caseworker's idle session has ended, and she signs in again.
            Assert.EndsWith(prefix + "/staff/sign-in", new Uri(caseworker.Url).AbsolutePath);
            await SignInHereAsync(caseworker, Roles.Caseworker, team, "Anna Schmidt");
            Assert.EndsWith($"{prefix}/staff/cases/{caseNumber}", new Uri(caseworker.Url).AbsolutePath);
        }
        Assert.True(await caseworker.IsVisibleAsync("#case-no-actions"), "A closed case offers no more actions.");
        await AssertStatusAsync(citizen, Status(state), "at the end");
        Assert.Equal(0, await citizen.Locator("form.portal-action").CountAsync());

        // 4. The auditor sees every event, in order, and the case as it was before the last step.
        var auditor = await SignInAsync(prefix, Roles.Auditor, null, "Petra Prüfer", $"{prefix}/audit/cases/{caseNumber}");
        Assert.Equal(outcome, (await auditor.InnerTextAsync("#current-state")).Trim());
        Assert.Equal(expected.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), (await auditor.InnerTextAsync("#current-version")).Trim());
        var events = auditor.Locator("#history > li");
        Assert.Equal(expected.Count, await events.CountAsync());
        for (var v = 1; v <= expected.Count; v++)
        {
            var entry = auditor.Locator($"#event-{v}");
            Assert.Contains(expected[v - 1].Type, await entry.Locator("h3").InnerTextAsync());
            if (expected[v - 1].Role is { } role) Assert.Contains($"({role})", await entry.InnerTextAsync());
        }
        Assert.Equal(expected.Count, await auditor.Locator("#versions a").CountAsync());
        // The version before the step that ended the case: its state is not the outcome.
        var before = lastStepFrom;
        var earlier = stateAt[before - 1];
        Assert.NotEqual(outcome, earlier);
        await PortalBrowserTests.ClickAndWaitAsync(auditor, $"#versions a[href='{prefix}/audit/cases/{caseNumber}?version={before}']");
        Assert.Equal(before.ToString(System.Globalization.CultureInfo.InvariantCulture), (await auditor.InnerTextAsync("#as-of-version")).Trim());
        Assert.Equal(earlier, (await auditor.InnerTextAsync("#as-of-state")).Trim());
        Assert.Equal(Status(earlier), (await auditor.InnerTextAsync("#as-of-status")).Trim());
        Assert.Equal(outcome, (await auditor.InnerTextAsync("#current-state")).Trim());

        Assert.Empty(_violations);
        Assert.Empty(browser.OtherHosts);
        foreach (var page in new[] { citizen, caseworker, school, auditor }) if (page is not null) await page.Context.CloseAsync();
    }

    /// <summary>
    /// The events a step appends, as the engine's rules say (decision 29, docs/definition-format.md): one per action by its
    /// kind; the legal clock stops when the office starts waiting for the citizen and runs again when it stops waiting
    /// (for services with a legal deadline, until the case is final); a final state closes the case.
    /// </summary>
    private static IEnumerable<string> EventsOf(ProcessDefinition definition, ActionDefinition action, ref bool clockStopped)
    {
        var target = definition.State(action.To)!;
        var events = new List<string>
        {
            action.Kind switch
            {
                ActionKinds.RequestInformation => "information_requested",
                ActionKinds.ProvideInformation => "information_provided",
                ActionKinds.Decide => "case_decided",
                ActionKinds.Withdraw => "case_withdrawn",
                _ => "case_action_taken",
            },
        };
        if (definition.LegalDeadline is not null && !target.Final)
        {
            var waits = target.WaitingFor == Roles.Citizen;
            if (waits && !clockStopped) events.Add("deadline_suspended");
            if (!waits && clockStopped) events.Add("deadline_resumed");
            clockStopped = waits;
        }
        if (action.Letter is not null) events.Add("letter_issued");
        if (target.Final) events.Add("case_closed");
        return events;
    }

    /// <summary>From the service's page through every page of the form with the example's answers to the confirmation.</summary>
    private async Task<(string CaseNumber, string TrackingCode)> ApplyAsync(string serviceId, string prefix, Dictionary<string, string> example)
    {
        var page = await browser.OpenAsync(Host);
        await page.GotoAsync($"{prefix}/services/{serviceId}");
        await PortalBrowserTests.ClickAndWaitAsync(page, "form.portal-start button");
        for (var pages = 0; page.Url.Contains("/form/") && pages < 20; pages++)
        {
            await PortalBrowserTests.FillAsync(page, example);
            await PortalBrowserTests.ClickAndWaitAsync(page, "main form button[type=submit]:not([name=add])");
            await AssertNoErrorAsync(page, "the form");
        }
        Assert.EndsWith("/check", new Uri(page.Url).AbsolutePath);
        await PortalBrowserTests.ClickAndWaitAsync(page, "main form button[type=submit]");
        Assert.EndsWith("/confirmation", new Uri(page.Url).AbsolutePath);
        var caseNumber = (await page.InnerTextAsync("#case-number")).Trim();
        var trackingCode = (await page.InnerTextAsync("#tracking-code")).Trim();
        Assert.Matches(@"^\d{4}-\d{6}$", caseNumber);
        Assert.NotEmpty(trackingCode);
        await page.Context.CloseAsync();
        return (caseNumber, trackingCode);
    }

    /// <summary>A fresh browser signed in at the staff sign-in (Development's local form), then at <paramref name="start"/>.</summary>
    private async Task<IPage> SignInAsync(string prefix, string role, string? team, string name, string start)
    {
        var page = await browser.OpenAsync(Host);
        await page.GotoAsync(start);
        Assert.EndsWith(prefix + "/staff/sign-in", new Uri(page.Url).AbsolutePath);
        await SignInHereAsync(page, role, team, name);
        Assert.Equal(start, new Uri(page.Url).PathAndQuery);
        return page;
    }

    /// <summary>Fills the staff sign-in page the browser shows and sends it; the page goes back where it was sent from.</summary>
    private static async Task SignInHereAsync(IPage page, string role, string? team, string name)
    {
        await page.FillAsync("#f-name", name);
        await page.SelectOptionAsync("#f-role", role);
        if (team is not null) await page.SelectOptionAsync("#f-team", team);
        await PortalBrowserTests.ClickAndWaitAsync(page, "main form button[type=submit]");
    }

    /// <summary>Fills the action's form on the case page and sends it; the page comes back with the step done.</summary>
    private async Task TakeAsync(IPage page, string actionId, (string Id, string Value)[] inputs, string what)
    {
        var form = page.Locator($"#action-{actionId}");
        Assert.True(await form.CountAsync() == 1, $"The case page offers no form for {what}: {await page.InnerTextAsync("main")}");
        await FillAsync(form, inputs);
        await ClickAndWaitAsync(page, form.Locator("button[type=submit]"));
        await AssertNoErrorAsync(page, what);
        Assert.Contains("?done=" + actionId, page.Url);
        Assert.True(await page.IsVisibleAsync("#case-done"), $"No confirmation after {what}.");
    }

    private async Task FillAsync(ILocator form, (string Id, string Value)[] inputs)
    {
        var today = App.Clock.Today();
        foreach (var (id, raw) in inputs)
        {
            // "today+7d 10:00": the date relative to the engine's today, the rest as written.
            var parts = raw.Split(' ', 2);
            var value = parts[0].StartsWith("today", StringComparison.Ordinal) && RelativeDate.TryResolve(parts[0], today, out var date)
                ? date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + (parts.Length > 1 ? " " + parts[1] : "")
                : raw;
            var field = form.Locator($"[name='f.{id}']");
            Assert.True(await field.CountAsync() > 0, $"The form has no input '{id}'.");
            if (await field.First.GetAttributeAsync("type") == "radio") await form.Locator($"[name='f.{id}'][value='{value}']").CheckAsync();
            else await field.First.FillAsync(value);
        }
    }

    private static async Task ClickAndWaitAsync(IPage page, ILocator button)
    {
#pragma warning disable CS0612
        await page.RunAndWaitForNavigationAsync(() => button.ClickAsync());
#pragma warning restore CS0612
    }

    private static async Task AssertNoErrorAsync(IPage page, string what)
    {
        foreach (var selector in new[] { ".portal-error-summary", "#case-conflict" })
            if (await page.Locator(selector).CountAsync() > 0)
                throw new Xunit.Sdk.XunitException($"{what} was refused on {page.Url}: {await page.InnerTextAsync(selector)}");
    }

    /// <summary>The citizen loads the status page again and reads the status.</summary>
    private static async Task AssertStatusAsync(IPage citizen, string status, string when, bool reload = true)
    {
        if (reload) await citizen.ReloadAsync();
        var shown = (await citizen.InnerTextAsync("#status-text")).Trim();
        Assert.True(status == shown, $"The citizen's status page {when} says \"{shown}\", not \"{status}\".");
    }
}
