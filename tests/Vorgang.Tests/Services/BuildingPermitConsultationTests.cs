using System.Text.Json.Nodes;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Services;

public sealed class BuildingPermitConsultationTests(AppFixture app) : ApiTest(app)
{
    private const string Service = "building-permit-consultation";
    private const string Team = "building-control";

    private static JsonObject Slots() => new()
    {
        ["slot1"] = "2030-03-05 10:00",
        ["slot2"] = "2030-03-06 14:30",
        ["slot3"] = "2030-03-07 09:00",
        ["meetingPlace"] = "https://video.jena.example/bauberatung/4711",
        ["message"] = "Wir haben drei Termine für Sie reserviert.",
    };

    private const string Minutes =
        "Der Carport an der Grenze ist bis 3 Meter mittlere Wandhöhe und 9 Meter Länge verfahrensfrei. Bitte halten Sie die Abstandsflächen ein.";

    [Fact]
    public async Task Citizen_books_a_proposed_slot_and_receives_the_minutes()
    {
        var submitted = await Host.Submit(Service, language: "de");
        Assert.Equal("submitted", submitted.Status.State);
        Assert.False(submitted.Status.WaitingForYou);

        var bernd = App.Token("caseworker", Team, "Bernd Bauer", subject: "bernd");
        var staff = await Host.StaffCase(submitted.CaseNumber, bernd);
        Assert.Equal(Team, (string)staff["team"]!);
        Assert.Equal("submitted", (string)staff["state"]!);
        Assert.Null(staff["assignee"]);
        Assert.Empty(staff["fees"]!.AsArray());

        var view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.Equal("Ihre Anfrage ist bei uns eingegangen.", view.StatusText());
        Assert.Equal("Wir lesen Ihre Fragen. Dann schlagen wir Ihnen Termine vor.", (string)view["status"]!["nextStep"]!);
        Assert.False(view.WaitingForYou());
        Assert.Null(view["neededFromYou"]);
        Assert.Equal(["withdraw"], view["actions"].Ids());

        // The office proposes three slots: now it waits for the citizen to choose one.
        staff = await Host.Act(submitted.CaseNumber, bernd, "propose-slots", Slots());
        Assert.Equal("awaiting-booking", (string)staff["state"]!);
        Assert.Equal("bernd", (string)staff["assignee"]!["id"]!);
        Assert.Equal("Bernd Bauer", (string)staff["assignee"]!["name"]!);

        view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.Equal("Wir haben Ihnen drei Termine vorgeschlagen.", view.StatusText());
        Assert.True(view.WaitingForYou());
        Assert.StartsWith("Bitte wählen Sie einen Termin aus.", (string)view["neededFromYou"]!["text"]!);
        // The proposed slots reach the citizen as the message, each with its label.
        var message = (string)view["neededFromYou"]!["message"]!;
        Assert.Contains("Termin 1: 2030-03-05 10:00", message);
        Assert.Contains("Termin 3: 2030-03-07 09:00", message);
        Assert.Equal(["book-slot", "request-new-slots", "withdraw"], view["actions"].Ids().Order().ToList());
        var proposal = view.LastTimelineEntry();
        Assert.Equal("step", (string)proposal["kind"]!);
        Assert.Equal("Termine vorschlagen", (string)proposal["title"]!);
        Assert.Equal("2030-03-06 14:30", (string)proposal["details"]!["Termin 2"]!);
        Assert.Equal("https://video.jena.example/bauberatung/4711", (string)proposal["details"]!["Link zum Video-Gespräch oder Raum"]!);
        var queued = Assert.Single(await Host.QueueItems(Team, bernd));
        Assert.Equal("awaiting-booking", (string)queued["state"]!);
        Assert.True((bool)queued["waitingForCitizen"]!);

        // There is no fourth slot: the input is refused with the field and rule named, and nothing changes.
        var (status, problem) = await Host.TryCitizenAct(submitted.CaseNumber, submitted.TrackingCode, "book-slot", view.Version(),
            new JsonObject { ["chosenSlot"] = 4 });
        Assert.Equal(400, status);
        Assert.Equal("invalid-input", (string)problem!["rule"]!);
        Assert.Equal(["max"], problem.RulesFor("chosenSlot"));
        (status, problem) = await Host.TryCitizenAct(submitted.CaseNumber, submitted.TrackingCode, "book-slot", view.Version(),
            new JsonObject { ["chosenSlot"] = 0 });
        Assert.Equal(400, status);
        Assert.Equal(["min"], problem!.RulesFor("chosenSlot"));
        (status, problem) = await Host.TryCitizenAct(submitted.CaseNumber, submitted.TrackingCode, "book-slot", view.Version());
        Assert.Equal(400, status);
        Assert.Equal(["required"], problem!.RulesFor("chosenSlot"));
        Assert.Equal(view.Version(), (await Host.Track(submitted.CaseNumber, submitted.TrackingCode)).Version());

        view = await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "book-slot", view.Version(),
            new JsonObject { ["chosenSlot"] = 2 });
        Assert.Equal("appointment-booked", (string)view["status"]!["state"]!);
        Assert.Equal("Ihr Termin steht fest.", view.StatusText());
        Assert.False(view.WaitingForYou());
        Assert.Null(view["neededFromYou"]);
        Assert.Equal(["request-new-slots", "withdraw"], view["actions"].Ids().Order().ToList());
        Assert.Equal("2", (string)view.LastTimelineEntry()["details"]!["Welcher Termin passt Ihnen? (1, 2 oder 3)"]!);

        staff = await Host.Act(submitted.CaseNumber, bernd, "record-consultation");
        Assert.Equal("consultation-held", (string)staff["state"]!);
        view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.Equal("Die Beratung hat stattgefunden.", view.StatusText());
        Assert.Equal("Wir schreiben ein Protokoll. Sie finden es danach hier.", (string)view["status"]!["nextStep"]!);
        Assert.Empty(view["actions"]!.AsArray());

        staff = await Host.Act(submitted.CaseNumber, bernd, "write-minutes",
            new JsonObject { ["minutes"] = Minutes, ["permitAssessment"] = "not-required" });
        Assert.Equal("completed", (string)staff["state"]!);
        Assert.True((bool)staff["isClosed"]!);
        Assert.Equal("completed", (string)staff["outcome"]!);
        Assert.Equal("Bernd Bauer", (string)staff["assignee"]!["name"]!);

        view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.True((bool)view["isClosed"]!);
        Assert.Equal("completed", (string)view["outcome"]!);
        Assert.StartsWith("Die Beratung ist abgeschlossen. Das Protokoll finden Sie hier.", view.StatusText());
        Assert.False(view.WaitingForYou());
        Assert.Empty(view["actions"]!.AsArray());
        Assert.Equal(["submitted", "in-progress", "step", "step", "step", "decided", "letter-issued"], view.TimelineKinds());
        var decided = view.LastTimelineEntry("decided");
        Assert.Equal(Minutes, (string)decided["details"]!["Protokoll der Beratung"]!);
        Assert.Equal("Nein, voraussichtlich nicht", (string)decided["details"]!["Ist eine Baugenehmigung nötig?"]!);
        Assert.DoesNotContain("Bernd", view.ToJsonString());
    }

    [Fact]
    public async Task Applicant_who_misses_the_booked_appointment_has_the_request_cancelled()
    {
        var submitted = await Host.Submit(Service);
        var bernd = App.Token("caseworker", Team, "Bernd Bauer", subject: "bernd");
        await Host.Act(submitted.CaseNumber, bernd, "propose-slots", Slots());
        var view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        view = await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "book-slot", view.Version(), new JsonObject { ["chosenSlot"] = 1 });
        Assert.Equal("appointment-booked", (string)view["status"]!["state"]!);

        var staff = await Host.Act(submitted.CaseNumber, bernd, "record-no-show",
            new JsonObject { ["note"] = "Niemand im Video-Raum, 20 Minuten gewartet." });
        Assert.Equal("cancelled", (string)staff["state"]!);
        Assert.True((bool)staff["isClosed"]!);
        Assert.Equal("cancelled", (string)staff["outcome"]!);

        view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.True((bool)view["isClosed"]!);
        Assert.Equal("cancelled", (string)view["outcome"]!);
        Assert.Equal("Der Termin hat nicht stattgefunden. Deshalb haben wir Ihre Anfrage beendet.", view.StatusText());
        Assert.Equal("Sie können jederzeit eine neue Anfrage stellen.", (string)view["status"]!["nextStep"]!);
        Assert.Empty(view["actions"]!.AsArray());
        Assert.Equal(["submitted", "in-progress", "step", "step", "decided"], view.TimelineKinds());
        // The internal note stays with the office.
        Assert.Null(view.LastTimelineEntry()["details"]);
        Assert.DoesNotContain("Video-Raum", view.ToJsonString());
    }

    [Fact]
    public async Task Citizen_withdraws_after_booking_before_the_consultation()
    {
        var submitted = await Host.Submit(Service);
        var bernd = App.Token("caseworker", Team, "Bernd Bauer", subject: "bernd");
        await Host.Act(submitted.CaseNumber, bernd, "propose-slots", Slots());
        var view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        view = await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "book-slot", view.Version(), new JsonObject { ["chosenSlot"] = 3 });

        view = await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "withdraw", view.Version());
        Assert.True((bool)view["isClosed"]!);
        Assert.Equal("withdrawn", (string)view["outcome"]!);
        Assert.Equal("Sie haben Ihre Anfrage zurückgezogen.", view.StatusText());
        Assert.Empty(view["actions"]!.AsArray());
        Assert.Equal(["submitted", "in-progress", "step", "step", "withdrawn"], view.TimelineKinds());

        var staff = await Host.StaffCase(submitted.CaseNumber, bernd);
        Assert.Equal("withdrawn", (string)staff["state"]!);
        Assert.Equal("withdrawn", (string)staff["outcome"]!);
        Assert.Empty(staff["allowedActions"]!.AsArray());
        var (status, problem) = await Host.TryAct(submitted.CaseNumber, bernd, "record-consultation", (long)staff["version"]!);
        Assert.Equal(422, status);
        Assert.Equal("case-closed", (string)problem!["rule"]!);
    }

    [Fact]
    public async Task Office_asks_for_plans_before_proposing_slots()
    {
        var data = await Host.Example(Service);
        data["plansAvailable"] = false;
        var submitted = await Host.Submit(Service, data, language: "en");
        var bernd = App.Token("caseworker", Team, "Bernd Bauer", subject: "bernd");

        var staff = await Host.Act(submitted.CaseNumber, bernd, "request-plans",
            new JsonObject { ["message"] = "Please upload a site plan showing the carport and the boundary." });
        Assert.Equal("waiting-for-plans", (string)staff["state"]!);

        var view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.Equal("We need some documents from you.", view.StatusText());
        Assert.True(view.WaitingForYou());
        Assert.StartsWith("Please upload plans, sketches or photos", (string)view["neededFromYou"]!["text"]!);
        Assert.Equal("Please upload a site plan showing the carport and the boundary.", (string)view["neededFromYou"]!["message"]!);
        Assert.Equal(["provide-plans", "withdraw"], view["actions"].Ids().Order().ToList());

        // Slots come only after the plans.
        var (status, problem) = await Host.TryAct(submitted.CaseNumber, bernd, "propose-slots", (long)staff["version"]!, Slots());
        Assert.Equal(422, status);
        Assert.Equal("action-not-allowed-in-state", (string)problem!["rule"]!);

        view = await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "provide-plans", view.Version(),
            new JsonObject { ["comment"] = "The site plan is uploaded." });
        Assert.Equal("in-preparation", (string)view["status"]!["state"]!);
        Assert.Equal("We are preparing your consultation.", view.StatusText());
        Assert.False(view.WaitingForYou());
        Assert.Null(view["neededFromYou"]);
        Assert.Equal(["withdraw"], view["actions"].Ids());

        staff = await Host.Act(submitted.CaseNumber, bernd, "propose-slots", Slots());
        Assert.Equal("awaiting-booking", (string)staff["state"]!);
        view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.True(view.WaitingForYou());
        Assert.StartsWith("Please choose one appointment.", (string)view["neededFromYou"]!["text"]!);

        view = await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "book-slot", view.Version(), new JsonObject { ["chosenSlot"] = 1 });
        await Host.Act(submitted.CaseNumber, bernd, "record-consultation");
        staff = await Host.Act(submitted.CaseNumber, bernd, "write-minutes",
            new JsonObject { ["minutes"] = Minutes, ["permitAssessment"] = "unclear" });
        Assert.Equal("completed", (string)staff["outcome"]!);

        view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.True((bool)view["isClosed"]!);
        Assert.StartsWith("The consultation is finished.", view.StatusText());
        Assert.Equal(
            ["submitted", "in-progress", "information-requested", "information-provided", "step", "step", "step", "decided", "letter-issued"],
            view.TimelineKinds());
        Assert.Equal("Not clear yet", (string)view.LastTimelineEntry("decided")["details"]!["Is a building permit needed?"]!);
    }

    [Fact]
    public async Task Slot_proposal_after_answered_request_does_not_repeat_the_old_request()
    {
        var submitted = await Host.Submit(Service, language: "en");
        var bernd = App.Token("caseworker", Team, "Bernd Bauer", subject: "bernd");
        await Host.Act(submitted.CaseNumber, bernd, "request-plans", new JsonObject { ["message"] = "Please upload a site plan." });
        var view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "provide-plans", view.Version(), new JsonObject { ["comment"] = "Done." });
        await Host.Act(submitted.CaseNumber, bernd, "propose-slots", Slots());

        view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.True(view.WaitingForYou());
        // The site plan was sent already; what is needed now is a booking, not the plan again.
        Assert.NotEqual("Please upload a site plan.", (string?)view["neededFromYou"]!["message"]);
    }

    [Theory]
    [InlineData("listed-building", "07743", "monument-protection")]
    [InlineData("listed-building", "07745", "monument-protection")] // the first matching rule wins
    [InlineData("extension", "07747", "building-control-south")]
    [InlineData("extension", "07749", "building-control")]
    public async Task Request_is_routed_to_the_responsible_team(string projectType, string postalCode, string team)
    {
        var data = await Host.Example(Service);
        data["projectType"] = projectType;
        data["plotAddress"]!["postalCode"] = postalCode;
        var submitted = await Host.Submit(Service, data);

        var caseworker = App.Token("caseworker", team, "Clara Denkmal", subject: "clara");
        var staff = await Host.StaffCase(submitted.CaseNumber, caseworker);
        Assert.Equal(team, (string)staff["team"]!);
        Assert.Equal([submitted.CaseNumber], (await Host.QueueItems(team, caseworker)).Select(i => (string)i["caseNumber"]!).ToList());

        if (team != Team)
        {
            var (status, problem) = await Host.TryStaffCase(submitted.CaseNumber, App.Token("caseworker", Team, "Bernd Bauer", subject: "bernd"));
            Assert.Equal(404, status);
            Assert.Equal("not-found", (string)problem!["rule"]!);
        }

        staff = await Host.Act(submitted.CaseNumber, caseworker, "propose-slots", Slots());
        Assert.Equal("awaiting-booking", (string)staff["state"]!);
        Assert.Equal("Clara Denkmal", (string)staff["assignee"]!["name"]!);
    }

    [Fact]
    public async Task Plot_outside_Jena_is_refused_at_submission()
    {
        var data = await Host.Example(Service);
        data["plotAddress"]!["postalCode"] = "07751"; // Jena-Maua: still Jena
        await Host.Submit(Service, (JsonObject)data.DeepClone());

        data["plotAddress"]!["postalCode"] = "99423"; // Weimar
        var (status, problem) = await Host.TrySubmit(Service, data, language: "en");
        Assert.Equal(400, status);
        Assert.Equal("invalid-form", (string)problem!["rule"]!);
        Assert.Equal(["pattern"], problem.RulesFor("plotAddress.postalCode"));
        Assert.StartsWith("The postcode is not in Jena.", (string)problem["errors"]!["plotAddress.postalCode"]![0]!);
    }

    [Fact]
    public async Task Status_reads_differently_in_german_and_english()
    {
        var submitted = await Host.Submit(Service, language: "de");
        var german = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        var english = await Host.Track(submitted.CaseNumber, submitted.TrackingCode, lang: "en");
        Assert.Equal("de", (string)german["language"]!);
        Assert.Equal("en", (string)english["language"]!);
        Assert.False(string.IsNullOrWhiteSpace(german.StatusText()));
        Assert.False(string.IsNullOrWhiteSpace(english.StatusText()));
        Assert.NotEqual(german.StatusText(), english.StatusText());
        Assert.Equal("We have received your request.", english.StatusText());
        Assert.NotEqual((string)german["status"]!["nextStep"]!, (string)english["status"]!["nextStep"]!);
    }
}
