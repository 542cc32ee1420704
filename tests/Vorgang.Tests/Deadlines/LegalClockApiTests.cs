using System.Text.Json.Nodes;
using Alba;
using Vorgang.Api.Features.Submitting;
using Vorgang.Tests.Infrastructure;
using Vorgang.Tests.Services;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Tests.Deadlines;

/// <summary>
/// The legal clock over HTTP: it stops while the office waits for the citizen and the due date moves by exactly the
/// working days waited; caseworkers extend it where the definition allows. Dates are set on the engine's clock so that
/// the working days (with Easter) are known.
/// </summary>
public sealed class LegalClockApiTests(AppFixture app) : ApiTest(app)
{
    private const string Service = "change-of-address";
    private const string Team = "registration-office";

    // Monday 30 March 2026; ten working days later, across Good Friday (3 April) and Easter Monday (6 April), is 15 April.
    private static readonly DateOnly Monday = new(2026, 3, 30);
    private static readonly TimeOnly NineOClock = new(9, 0);

    private string Anna => App.Token("caseworker", Team, "Anna Schmidt", subject: "anna");

    private void On(DateOnly day, TimeOnly? time = null) => App.Clock.SetUtcNow(BerlinClock.At(day, time ?? NineOClock));

    private async Task<SubmissionAccepted> SubmitWithoutLandlordConfirmation()
    {
        var data = await Host.Example(Service);
        data["landlordConfirmationAvailable"] = false;
        data.Remove("landlordName");
        return await Host.Submit(Service, data, language: "en");
    }

    private static JsonNode Deadline(JsonNode staffView) => staffView["deadline"]!;

    private static List<string> HistoryKinds(JsonNode staffView) =>
        Deadline(staffView)["history"]!.AsArray().Select(e => (string)e!["kind"]!).ToList();

    [Fact]
    public async Task The_clock_stops_while_the_office_waits_for_the_citizen_and_the_due_date_moves_by_the_working_days_waited()
    {
        On(Monday);
        var submitted = await SubmitWithoutLandlordConfirmation();
        Assert.Equal(new DateOnly(2026, 4, 15), submitted.DueOn);

        On(Monday.AddDays(1));
        await Host.Act(submitted.CaseNumber, Anna, "start-review");
        On(new DateOnly(2026, 4, 2)); // Thursday before Easter
        var staff = await Host.Act(submitted.CaseNumber, Anna, "request-landlord-confirmation",
            new JsonObject { ["message"] = "Please send us the landlord's confirmation." });

        Assert.True((bool)Deadline(staff)["clockStopped"]!);
        Assert.Equal("2026-04-02", (string)Deadline(staff)["stoppedSince"]!);
        Assert.Equal("2026-04-15", (string)staff["dueOn"]!);
        var queued = Assert.Single(await Host.QueueItems(Team, Anna));
        Assert.True((bool)queued["clockStopped"]!);
        Assert.True((bool)queued["waitingForCitizen"]!);

        // The answer comes a week later, on Thursday 9 April: the clock stood still on 7, 8 and 9 April —
        // Good Friday, the weekend and Easter Monday are no working days anyway.
        On(new DateOnly(2026, 4, 9), new TimeOnly(10, 30));
        var view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        view = await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "provide-information", (long)view["version"]!,
            new JsonObject { ["landlordName"] = "Wohnungsgenossenschaft Jena eG" });
        Assert.Equal("2026-04-20", (string)view["dueOn"]!);

        staff = await Host.StaffCase(submitted.CaseNumber, Anna);
        Assert.Equal("2026-04-20", (string)staff["dueOn"]!);
        Assert.False((bool)Deadline(staff)["clockStopped"]!);
        Assert.Null(Deadline(staff)["stoppedSince"]);
        Assert.Equal(10, (int)Deadline(staff)["period"]!["workingDays"]!);
        Assert.Equal(["set", "suspended", "resumed"], HistoryKinds(staff));
        var history = Deadline(staff)["history"]!.AsArray();
        Assert.Equal("2026-04-15", (string)history[0]!["dueOn"]!);
        Assert.Equal("request-landlord-confirmation", (string)history[1]!["actionId"]!);
        var resumed = history[2]!;
        Assert.Equal((3, "working", "2026-04-15", "2026-04-20"),
            ((int)resumed["days"]!, (string)resumed["dayKind"]!, (string)resumed["previousDueOn"]!, (string)resumed["dueOn"]!));
        Assert.Equal("Clock running again ('provide-information'): 3 working day(s) waited, now due on 2026-04-20 instead of 2026-04-15.", (string)resumed["text"]!);

        queued = Assert.Single(await Host.QueueItems(Team, Anna));
        Assert.Equal("2026-04-20", (string)queued["dueOn"]!);
        Assert.False((bool)queued["clockStopped"]!);

        // Every shift is an event of its own, stored under a stable name, by the engine's clock (actor system).
        var (_, auditHistory, _) = await Host.Send(HttpMethod.Get, $"/api/cases/{submitted.CaseNumber}/history", token: App.Token("auditor", name: "Ida Prüfer"));
        var events = auditHistory!["events"]!.AsArray();
        var types = events.Select(e => (string)e!["type"]!).ToList();
        Assert.Equal(["case_submitted", "case_claimed", "case_action_taken", "information_requested", "deadline_suspended", "information_provided", "deadline_resumed"], types);
        var resumedEvent = events.Single(e => (string)e!["type"]! == "deadline_resumed")!;
        Assert.Equal("system", (string)resumedEvent["actor"]!["role"]!);
        Assert.Equal(3, (int)resumedEvent["data"]!["daysAdded"]!);
        Assert.Equal("2026-04-02", (string)resumedEvent["data"]!["suspendedOn"]!);
        Assert.Equal("2026-04-09", (string)resumedEvent["data"]!["resumedOn"]!);
    }

    [Fact]
    public async Task The_case_as_of_a_version_shows_the_due_date_then_in_force()
    {
        On(Monday);
        var submitted = await SubmitWithoutLandlordConfirmation();
        await Host.Act(submitted.CaseNumber, Anna, "start-review");
        On(new DateOnly(2026, 4, 2));
        var waiting = await Host.Act(submitted.CaseNumber, Anna, "request-landlord-confirmation", new JsonObject { ["message"] = "Bitte nachreichen." });
        On(new DateOnly(2026, 4, 9));
        await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "provide-information", (long)waiting["version"]!,
            new JsonObject { ["landlordName"] = "WG Jena eG" });

        var auditor = App.Token("auditor", name: "Ida Prüfer");
        var (_, then, _) = await Host.Send(HttpMethod.Get, $"/api/cases/{submitted.CaseNumber}/state?version={(long)waiting["version"]!}", token: auditor);
        Assert.Equal("2026-04-15", (string)then!["case"]!["dueOn"]!);
        Assert.True((bool)then["case"]!["deadline"]!["clockStopped"]!);
        var (_, now, _) = await Host.Send(HttpMethod.Get, $"/api/cases/{submitted.CaseNumber}/state?version={(long)waiting["version"]! + 2}", token: auditor);
        Assert.Equal("2026-04-20", (string)now!["case"]!["dueOn"]!);
    }

    [Fact]
    public async Task A_caseworker_extends_the_deadline_with_a_reason_up_to_the_maximum_the_definition_allows()
    {
        On(Monday);
        var submitted = await SubmitWithoutLandlordConfirmation();
        var staff = await Host.Act(submitted.CaseNumber, Anna, "start-review");

        var offered = staff["allowedActions"]!.AsArray().Single(a => (string)a!["id"]! == "extend-deadline")!;
        Assert.Equal("Extend deadline", (string)offered["label"]!);
        Assert.Equal(["workingDays", "reason"], offered["inputs"].Ids());
        Assert.Equal(10, (int)offered["inputs"]![0]!["max"]!);
        Assert.Equal((10, 0, 10), ((int)Deadline(staff)["extension"]!["maxWorkingDays"]!, (int)Deadline(staff)["extension"]!["usedWorkingDays"]!,
            (int)Deadline(staff)["extension"]!["remainingWorkingDays"]!));

        On(Monday.AddDays(2));
        staff = await Host.Act(submitted.CaseNumber, Anna, "extend-deadline",
            new JsonObject { ["workingDays"] = 4, ["reason"] = "The landlord's confirmation has to be checked with the housing office." });
        Assert.Equal("2026-04-21", (string)staff["dueOn"]!); // 15 April + 4 working days
        var extended = Deadline(staff)["history"]!.AsArray().Last()!;
        Assert.Equal(("extended", 4, "Anna Schmidt", "2026-04-15", "2026-04-21"),
            ((string)extended["kind"]!, (int)extended["days"]!, (string)extended["by"]!, (string)extended["previousDueOn"]!, (string)extended["dueOn"]!));
        Assert.Equal("The landlord's confirmation has to be checked with the housing office.", (string)extended["reason"]!);
        Assert.Equal(6, (int)Deadline(staff)["extension"]!["remainingWorkingDays"]!);

        // Beyond the maximum: refused, naming the rule and how much is left.
        var (status, problem) = await Host.TryAct(submitted.CaseNumber, Anna, "extend-deadline", (long)staff["version"]!,
            new JsonObject { ["workingDays"] = 7, ["reason"] = "More time." });
        Assert.Equal(422, status);
        Assert.Equal("extension-limit", (string)problem!["rule"]!);
        Assert.Contains("legalDeadline.extension.maxWorkingDays", (string)problem["detail"]!);
        Assert.Equal("workingDays", (string)problem["violations"]![0]!["field"]!);

        // Without a reason: invalid input.
        (status, problem) = await Host.TryAct(submitted.CaseNumber, Anna, "extend-deadline", (long)staff["version"]!, new JsonObject { ["workingDays"] = 1 });
        Assert.Equal(400, status);
        Assert.Equal("invalid-input", (string)problem!["rule"]!);

        // The rest of the maximum is still allowed; then the action is no longer offered, and refused.
        staff = await Host.Act(submitted.CaseNumber, Anna, "extend-deadline", new JsonObject { ["workingDays"] = 6, ["reason"] = "Staff shortage over Easter." });
        Assert.Equal("2026-04-29", (string)staff["dueOn"]!);
        Assert.DoesNotContain("extend-deadline", staff["allowedActions"].Ids());
        (status, problem) = await Host.TryAct(submitted.CaseNumber, Anna, "extend-deadline", (long)staff["version"]!,
            new JsonObject { ["workingDays"] = 1, ["reason"] = "One more day." });
        Assert.Equal((422, "extension-limit"), (status, (string)problem!["rule"]!));
        Assert.Equal("2026-04-29", (string)Assert.Single(await Host.QueueItems(Team, Anna))["dueOn"]!);

        // Other roles may not extend.
        (status, problem) = await Host.TryAct(submitted.CaseNumber, App.Token("admin", name: "Alex Admin"), "extend-deadline", (long)staff["version"]!,
            new JsonObject { ["workingDays"] = 1, ["reason"] = "x" });
        Assert.Equal((403, "role-not-allowed"), (status, (string)problem!["rule"]!));
        (status, problem) = await Host.TryAct(submitted.CaseNumber, App.Token("auditor", name: "Ida Prüfer"), "extend-deadline", (long)staff["version"]!,
            new JsonObject { ["workingDays"] = 1, ["reason"] = "x" });
        Assert.Equal((403, "read-only"), (status, (string)problem!["rule"]!));
        var (citizenStatus, citizenProblem, _) = await Host.Send(HttpMethod.Post, $"/api/track/{submitted.CaseNumber}/actions/extend-deadline",
            new JsonObject { ["expectedVersion"] = (long)staff["version"]!, ["input"] = new JsonObject { ["workingDays"] = 1, ["reason"] = "x" } }.ToJsonString(),
            headers: new Dictionary<string, string> { ["X-Tracking-Code"] = submitted.TrackingCode });
        Assert.Equal((403, "role-not-allowed"), (citizenStatus, (string)citizenProblem!["rule"]!));
    }

    [Theory]
    [InlineData("school-transport", "school-administration", "sets a legal deadline without an extension")]
    [InlineData("defect-report", "civil-engineering", "sets no legal deadline")]
    public async Task Where_the_definition_allows_no_extension_the_deadline_cannot_be_extended(string service, string team, string _)
    {
        var submitted = await Host.Submit(service);
        var token = App.Token("caseworker", team, "Ben Weber", subject: "ben");

        var staff = await Host.StaffCase(submitted.CaseNumber, token);
        Assert.DoesNotContain("extend-deadline", staff["allowedActions"].Ids());
        var (status, problem) = await Host.TryAct(submitted.CaseNumber, token, "extend-deadline", (long)staff["version"]!,
            new JsonObject { ["workingDays"] = 2, ["reason"] = "More time." });

        Assert.Equal(422, status);
        Assert.Equal("extension-not-allowed", (string)problem!["rule"]!);
        Assert.Contains($"'{service}'", (string)problem["detail"]!);
    }
}
