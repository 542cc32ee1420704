using System.Text.Json.Nodes;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Tests.Services;

public sealed class ChangeOfAddressTests(AppFixture app) : ApiTest(app)
{
    private const string Service = "change-of-address";
    private const string Team = "registration-office";

    [Fact]
    public async Task Citizen_is_registered_after_providing_the_missing_landlord_confirmation()
    {
        var data = await Host.Example(Service);
        data["landlordConfirmationAvailable"] = false;
        data.Remove("landlordName");
        var submitted = await Host.Submit(Service, data, language: "en");
        Assert.Matches(@"^\d{4}-\d{6}$", submitted.CaseNumber);
        Assert.Equal("submitted", submitted.Status.State);

        var view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.Equal("We have received your registration.", (string)view["status"]!["text"]!);
        Assert.Equal(["withdraw"], view["actions"].Ids());

        var anna = App.Token("caseworker", Team, "Anna Schmidt");
        var staff = await Host.Act(submitted.CaseNumber, anna, "start-review");
        Assert.Equal("in-review", (string)staff["state"]!);
        Assert.Equal("Anna Schmidt", (string)staff["assignee"]!["name"]!);

        // Registration needs the landlord's confirmation: without the document (v3, decision 47) it is refused.
        var (status, problem) = await Host.TryAct(submitted.CaseNumber, anna, "register", (long)staff["version"]!);
        Assert.Equal(422, status);
        Assert.Equal("documents-missing", (string)problem!["rule"]!);

        await Host.Act(submitted.CaseNumber, anna, "request-landlord-confirmation",
            new JsonObject { ["message"] = "Please send us the landlord's confirmation." });
        view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.True((bool)view["status"]!["waitingForYou"]!);
        Assert.Equal("Please send us the landlord's confirmation.", (string)view["neededFromYou"]!["message"]!);
        // Unanswered, the registration closes after 20 working days: that is the citizen's "by when".
        Assert.Equal(WorkingDays.Add(TimeProvider.System.Today(), 20).ToString("yyyy-MM-dd"), (string)view["neededFromYou"]!["by"]!);
        Assert.Contains("provide-information", view["actions"].Ids());

        await Documents.DocumentRequests.UploadLandlordConfirmation(Host, submitted.CaseNumber, submitted.TrackingCode);
        view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        view = await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "provide-information", (long)view["version"]!,
            new JsonObject { ["landlordName"] = "Wohnungsgenossenschaft Jena eG" });
        Assert.Equal("in-review", (string)view["status"]!["state"]!);
        Assert.Null(view["neededFromYou"]);

        staff = await Host.Act(submitted.CaseNumber, anna, "register");
        Assert.Equal("registered", (string)staff["state"]!);
        Assert.True((bool)staff["isClosed"]!);
        Assert.Equal("approved", (string)staff["outcome"]!);
        Assert.Equal("Wohnungsgenossenschaft Jena eG", (string)staff["data"]!["landlordName"]!);

        view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.Equal("You are registered at your new address. Your registration certificate is ready.", (string)view["status"]!["text"]!);
        Assert.Empty(view["actions"]!.AsArray());
        var timeline = view["timeline"]!.AsArray().Select(e => (string)e!["kind"]!).ToList();
        Assert.Equal(["submitted", "in-progress", "step", "information-requested", "document-uploaded", "information-provided", "decided", "letter-issued"], timeline);
        Assert.DoesNotContain("Anna", view.ToJsonString());
    }

    [Fact]
    public async Task Caseworker_rejects_with_a_reason_the_citizen_reads_in_german()
    {
        var submitted = await Host.Submit(Service, language: "de");
        var anna = App.Token("caseworker", Team, "Anna Schmidt");
        await Host.Act(submitted.CaseNumber, anna, "start-review");
        var staff = await Host.Act(submitted.CaseNumber, anna, "reject", new JsonObject { ["reason"] = "Die Wohnung ist nicht bewohnbar gemeldet." });
        Assert.Equal("rejected", (string)staff["outcome"]!);

        var view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.StartsWith("Wir konnten Ihre Anmeldung leider nicht durchführen.", (string)view["status"]!["text"]!);
        var decided = view["timeline"]!.AsArray().Last(e => (string)e!["kind"]! == "decided")!;
        Assert.Equal("Die Wohnung ist nicht bewohnbar gemeldet.", (string)decided["details"]!["Begründung"]!);
    }

    [Fact]
    public async Task Citizen_withdraws_before_the_review()
    {
        var submitted = await Host.Submit(Service);
        var view = await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "withdraw", 1);
        Assert.True((bool)view["isClosed"]!);
        Assert.Equal("withdrawn", (string)view["outcome"]!);
        Assert.Equal("Sie haben Ihre Anmeldung zurückgezogen.", (string)view["status"]!["text"]!);

        var anna = App.Token("caseworker", Team, "Anna Schmidt");
        var (status, problem) = await Host.TryAct(submitted.CaseNumber, anna, "start-review", (long)view["version"]!);
        Assert.Equal(422, status);
        Assert.Equal("case-closed", (string)problem!["rule"]!);
    }
}
