using System.Text.Json.Nodes;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Services;

public sealed class ResidentialParkingPermitTests(AppFixture app) : ApiTest(app)
{
    private const string Service = "residential-parking-permit";
    private const string Team = "parking-permits";
    private const string PaymentInstructions = "IBAN DE00 8305 3030 0000 0000 00, Verwendungszweck ANW-4711";

    private string Caseworker() => App.Token("caseworker", Team, "Paula Parker", subject: "paula");

    /// <summary>Submits, starts the review and asks for the fee; returns the citizen's view while payment is due.</summary>
    private async Task<(string CaseNumber, string TrackingCode, JsonNode View)> AwaitingPayment(string language = "de")
    {
        var submitted = await Host.Submit(Service, language: language);
        var paula = Caseworker();
        await Host.Act(submitted.CaseNumber, paula, "check");
        var staff = await Host.Act(submitted.CaseNumber, paula, "request-payment", new JsonObject { ["paymentInstructions"] = PaymentInstructions });
        Assert.Equal("awaiting-payment", (string)staff["state"]!);
        return (submitted.CaseNumber, submitted.TrackingCode, await Host.Track(submitted.CaseNumber, submitted.TrackingCode));
    }

    [Fact]
    public async Task Permit_is_issued_after_the_citizen_confirms_the_payment()
    {
        var submitted = await Host.Submit(Service, language: "de");
        var paula = Caseworker();
        var staff = await Host.StaffCase(submitted.CaseNumber, paula);
        Assert.Equal(Team, (string)staff["team"]!);
        Assert.Equal("submitted", (string)staff["state"]!);
        Assert.Null(staff["assignee"]);
        var fee = Assert.Single(staff["fees"]!.AsArray())!;
        Assert.Equal("permit-fee", (string)fee["id"]!);
        Assert.Equal(30.70m, (decimal)fee["amount"]!);
        // The example's car is registered to the employer: the keeper's declaration is required.
        Assert.True((bool)staff["documents"]!.AsArray().Single(d => (string)d!["id"]! == "keeper-declaration")!["required"]!);

        var view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.Equal("Ihr Antrag ist bei uns eingegangen.", view.StatusText());
        Assert.False(view.WaitingForYou());
        Assert.Null(view["neededFromYou"]);
        Assert.Equal(["withdraw"], view["actions"].Ids());

        staff = await Host.Act(submitted.CaseNumber, paula, "check");
        Assert.Equal("in-review", (string)staff["state"]!);
        Assert.Equal("Paula Parker", (string)staff["assignee"]!["name"]!);
        view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.Equal("Wir prüfen Ihren Antrag.", view.StatusText());
        Assert.False(view.WaitingForYou());

        // The fee is due: the office waits for the citizen.
        staff = await Host.Act(submitted.CaseNumber, paula, "request-payment", new JsonObject { ["paymentInstructions"] = PaymentInstructions });
        Assert.Equal("awaiting-payment", (string)staff["state"]!);
        view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.Equal("Ihr Antrag ist in Ordnung. Bitte bezahlen Sie jetzt die Gebühr.", view.StatusText());
        Assert.True(view.WaitingForYou());
        Assert.StartsWith("Bitte überweisen Sie 30,70 Euro.", (string)view["neededFromYou"]!["text"]!);
        // The office's payment details reach the citizen as the message of what is needed.
        Assert.Equal(PaymentInstructions, (string)view["neededFromYou"]!["message"]!);
        Assert.Equal(["confirm-payment", "withdraw"], view["actions"].Ids().Order().ToList());
        Assert.Equal(PaymentInstructions, (string)view.LastTimelineEntry()["details"]!["Zahlungsdaten (IBAN, Verwendungszweck)"]!);

        // A payment date in the future is refused, field and rule named.
        var (status, problem) = await Host.TryCitizenAct(submitted.CaseNumber, submitted.TrackingCode, "confirm-payment", view.Version(),
            new JsonObject { ["paymentReference"] = "ANW-4711", ["paidOn"] = ServiceTestSteps.Day(3) });
        Assert.Equal(400, status);
        Assert.Equal(["maxDate"], problem!.RulesFor("paidOn"));
        (status, problem) = await Host.TryCitizenAct(submitted.CaseNumber, submitted.TrackingCode, "confirm-payment", view.Version(),
            new JsonObject { ["paidOn"] = ServiceTestSteps.Day() });
        Assert.Equal(400, status);
        Assert.Equal(["required"], problem!.RulesFor("paymentReference"));

        view = await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "confirm-payment", view.Version(),
            new JsonObject { ["paymentReference"] = "ANW-4711", ["paidOn"] = ServiceTestSteps.Day() });
        Assert.Equal("payment-confirmed", (string)view["status"]!["state"]!);
        Assert.Equal("Sie haben die Zahlung bestätigt. Wir stellen jetzt Ihren Ausweis aus.", view.StatusText());
        Assert.False(view.WaitingForYou());
        Assert.Null(view["neededFromYou"]);
        Assert.Empty(view["actions"]!.AsArray());
        Assert.Equal("ANW-4711", (string)view.LastTimelineEntry()["details"]!["Verwendungszweck Ihrer Überweisung"]!);

        // Not checked that address and car match the zone: the guard refuses.
        staff = await Host.StaffCase(submitted.CaseNumber, paula);
        var validUntil = ServiceTestSteps.Day(371);
        JsonObject Issue(bool zoneMatches) => new() { ["zoneMatches"] = zoneMatches, ["permitNumber"] = "J-B-2026-0815", ["validUntil"] = validUntil };
        (status, problem) = await Host.TryAct(submitted.CaseNumber, paula, "issue-permit", staff.Version(), Issue(zoneMatches: false));
        Assert.Equal(422, status);
        Assert.Equal("guard-failed", (string)problem!["rule"]!);
        Assert.StartsWith("The permit may only be issued if", (string)problem["title"]!);

        staff = await Host.Act(submitted.CaseNumber, paula, "issue-permit", Issue(zoneMatches: true));
        Assert.Equal("permit-issued", (string)staff["state"]!);
        Assert.True((bool)staff["isClosed"]!);
        Assert.Equal("approved", (string)staff["outcome"]!);
        Assert.Equal("Paula Parker", (string)staff["assignee"]!["name"]!);

        view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.True((bool)view["isClosed"]!);
        Assert.Equal("approved", (string)view["outcome"]!);
        Assert.StartsWith("Ihr Anwohnerparkausweis ist ausgestellt und kommt per Post.", view.StatusText());
        Assert.StartsWith("Etwa vier Wochen bevor der Ausweis abläuft", (string)view["status"]!["nextStep"]!);
        Assert.Empty(view["actions"]!.AsArray());
        Assert.Equal(["submitted", "in-progress", "step", "step", "step", "decided", "letter-issued"], view.TimelineKinds());
        var details = view.LastTimelineEntry("decided")["details"]!.AsObject();
        Assert.Equal("J-B-2026-0815", (string)details["Ausweisnummer"]!);
        Assert.Equal(validUntil, (string)details["Gültig bis"]!);
        Assert.False(details.ContainsKey("Adresse und Auto passen zur Parkzone")); // internal check
        Assert.DoesNotContain("Paula", view.ToJsonString());
    }

    [Fact]
    public async Task Home_outside_Jena_is_refused_at_submission()
    {
        var data = await Host.Example(Service);
        data["address"]!["postalCode"] = "99423"; // Weimar
        var (status, problem) = await Host.TrySubmit(Service, data, language: "de");
        Assert.Equal(400, status);
        Assert.Equal("invalid-form", (string)problem!["rule"]!);
        Assert.Equal(["pattern"], problem.RulesFor("address.postalCode"));
        Assert.Equal("Die Postleitzahl liegt nicht in Jena. Den Ausweis gibt es nur für Wohnungen in Jena.",
            (string)problem["errors"]!["address.postalCode"]![0]!);

        (status, problem) = await Host.TrySubmit(Service, data, language: "en");
        Assert.Equal(400, status);
        Assert.Equal("The postcode is not in Jena. The permit is only for homes in Jena.", (string)problem!["errors"]!["address.postalCode"]![0]!);
    }

    [Theory]
    [InlineData("JAB123")]
    [InlineData("j-ab 123")]
    [InlineData("J-AB 0123")]
    [InlineData("J-ABC 12")]
    public async Task Number_plate_in_the_wrong_format_is_refused(string plate)
    {
        var data = await Host.Example(Service);
        data["vehicleRegistration"] = plate;
        var (status, problem) = await Host.TrySubmit(Service, data, language: "en");
        Assert.Equal(400, status);
        Assert.Equal(["pattern"], problem!.RulesFor("vehicleRegistration"));
        Assert.Equal("Please write the number plate like this – J-AB 123.", (string)problem!["errors"]!["vehicleRegistration"]![0]!);
    }

    [Theory]
    [InlineData("J-AB 123")]
    [InlineData("SHK-X 9999")]
    [InlineData("J-E 1E")]
    public async Task Number_plates_as_they_are_written_are_accepted(string plate)
    {
        var data = await Host.Example(Service);
        data["vehicleRegistration"] = plate;
        await Host.Submit(Service, data);
    }

    [Fact]
    public async Task Caseworker_rejects_after_asking_for_the_registration_certificate()
    {
        var submitted = await Host.Submit(Service, language: "de");
        var paula = Caseworker();
        await Host.Act(submitted.CaseNumber, paula, "check");
        var staff = await Host.Act(submitted.CaseNumber, paula, "request-information",
            new JsonObject { ["message"] = "Bitte laden Sie den Fahrzeugschein hoch." });
        Assert.Equal("waiting-for-citizen", (string)staff["state"]!);

        var view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.Equal("Wir brauchen noch etwas von Ihnen.", view.StatusText());
        Assert.True(view.WaitingForYou());
        Assert.Equal("Bitte laden Sie den Fahrzeugschein hoch.", (string)view["neededFromYou"]!["message"]!);
        Assert.Equal(["provide-information", "withdraw"], view["actions"].Ids().Order().ToList());

        view = await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "provide-information", view.Version(),
            new JsonObject { ["answer"] = "Das Auto ist in Weimar zugelassen, ich wohne aber hier." });
        Assert.Equal("in-review", (string)view["status"]!["state"]!);
        Assert.False(view.WaitingForYou());

        const string reason = "Sie sind unter der Adresse nicht gemeldet.";
        staff = await Host.Act(submitted.CaseNumber, paula, "reject", new JsonObject { ["reason"] = reason });
        Assert.Equal("rejected", (string)staff["state"]!);
        Assert.Equal("rejected", (string)staff["outcome"]!);
        Assert.True((bool)staff["isClosed"]!);

        view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.True((bool)view["isClosed"]!);
        Assert.Equal("rejected", (string)view["outcome"]!);
        Assert.StartsWith("Wir können Ihnen leider keinen Anwohnerparkausweis ausstellen.", view.StatusText());
        Assert.Equal(["submitted", "in-progress", "step", "information-requested", "information-provided", "decided", "letter-issued"], view.TimelineKinds());
        Assert.Equal(reason, (string)view.LastTimelineEntry("decided")["details"]!["Begründung"]!);
        Assert.Empty(view["actions"]!.AsArray());
    }

    [Fact]
    public async Task Application_is_cancelled_when_the_fee_is_not_paid()
    {
        var (caseNumber, trackingCode, view) = await AwaitingPayment(language: "en");
        Assert.True(view.WaitingForYou());

        var paula = Caseworker();
        var staff = await Host.Act(caseNumber, paula, "close-unpaid", new JsonObject { ["note"] = "Zwei Erinnerungen ohne Zahlung." });
        Assert.Equal("cancelled", (string)staff["state"]!);
        Assert.Equal("cancelled", (string)staff["outcome"]!);
        Assert.True((bool)staff["isClosed"]!);

        view = await Host.Track(caseNumber, trackingCode);
        Assert.True((bool)view["isClosed"]!);
        Assert.Equal("cancelled", (string)view["outcome"]!);
        Assert.Equal("We have closed your application because the fee was not paid.", view.StatusText());
        Assert.False(view.WaitingForYou());
        Assert.Null(view["neededFromYou"]);
        Assert.Empty(view["actions"]!.AsArray());
        Assert.Equal(["submitted", "in-progress", "step", "step", "decided"], view.TimelineKinds());
        Assert.DoesNotContain("Erinnerungen", view.ToJsonString());
    }

    [Fact]
    public async Task Citizen_withdraws_instead_of_paying()
    {
        var (caseNumber, trackingCode, view) = await AwaitingPayment();
        view = await Host.CitizenAct(caseNumber, trackingCode, "withdraw", view.Version());
        Assert.True((bool)view["isClosed"]!);
        Assert.Equal("withdrawn", (string)view["outcome"]!);
        Assert.Equal("Sie haben Ihren Antrag zurückgezogen.", view.StatusText());
        Assert.False(view.WaitingForYou());
        Assert.Equal(["submitted", "in-progress", "step", "step", "withdrawn"], view.TimelineKinds());

        var staff = await Host.StaffCase(caseNumber, Caseworker());
        Assert.Equal("withdrawn", (string)staff["state"]!);
        Assert.Equal("withdrawn", (string)staff["outcome"]!);
        Assert.Empty(staff["allowedActions"]!.AsArray());
    }

    [Fact]
    public async Task Queue_shows_that_the_office_waits_for_the_payment()
    {
        var (caseNumber, _, view) = await AwaitingPayment();
        Assert.True(view.WaitingForYou());
        var item = Assert.Single(await Host.QueueItems(Team, Caseworker()));
        Assert.Equal(caseNumber, (string)item["caseNumber"]!);
        Assert.Equal("awaiting-payment", (string)item["state"]!);
        Assert.True((bool)item["waitingForCitizen"]!);
    }

    [Fact]
    public async Task Status_reads_differently_in_german_and_english()
    {
        var submitted = await Host.Submit(Service, language: "de");
        var german = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        var english = await Host.Track(submitted.CaseNumber, submitted.TrackingCode, lang: "en");
        Assert.False(string.IsNullOrWhiteSpace(german.StatusText()));
        Assert.False(string.IsNullOrWhiteSpace(english.StatusText()));
        Assert.NotEqual(german.StatusText(), english.StatusText());
        Assert.Equal("Ihr Antrag ist bei uns eingegangen.", german.StatusText());
        Assert.Equal("We have received your application.", english.StatusText());
    }
}
