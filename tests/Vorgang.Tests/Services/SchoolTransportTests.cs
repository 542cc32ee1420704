using System.Text.Json.Nodes;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Services;

public sealed class SchoolTransportTests(AppFixture app) : ApiTest(app)
{
    private const string Service = "school-transport";
    private const string Team = "school-administration";

    private string School() => App.Token("school", "grundschule-lobeda-west", name: "Grundschule Lobeda-West", subject: "school-1");
    private string Caseworker() => App.Token("caseworker", Team, "Sven Schulamt", subject: "sven");

    private async Task<JsonObject> Pupil(int grade, decimal distanceKm)
    {
        var data = await Host.Example(Service);
        data["grade"] = grade;
        data["distanceKm"] = distanceKm;
        return data;
    }

    [Fact]
    public async Task Eligible_pupil_gets_the_ticket_after_the_school_confirms_enrolment()
    {
        var submitted = await Host.Submit(Service, await Pupil(grade: 4, distanceKm: 2.6m), language: "de");
        Assert.Equal("waiting-for-school", submitted.Status.State);

        var sven = Caseworker();
        var staff = await Host.StaffCase(submitted.CaseNumber, sven);
        Assert.Equal(Team, (string)staff["team"]!);
        Assert.Equal("waiting-for-school", (string)staff["state"]!);
        Assert.Null(staff["assignee"]);
        Assert.True((bool)staff["computed"]!["eligible"]!);
        Assert.Equal(2m, (decimal)staff["computed"]!["distanceThresholdKm"]!);

        // The office waits for the school, not for the parent.
        var view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.Equal("Ihr Antrag ist bei uns eingegangen. Wir warten auf die Bestätigung der Schule.", view.StatusText());
        Assert.False(view.WaitingForYou());
        Assert.Null(view["neededFromYou"]);
        Assert.Equal(["withdraw"], view["actions"].Ids());

        // The school, a second party, reads the case and confirms the enrolment.
        var school = School();
        var asSchool = await Host.StaffCase(submitted.CaseNumber, school);
        Assert.Equal("waiting-for-school", (string)asSchool["state"]!);
        Assert.Equal(["confirm-enrolment", "deny-enrolment"], asSchool["allowedActions"].Ids().Order().ToList());
        asSchool = await Host.Act(submitted.CaseNumber, school, "confirm-enrolment",
            new JsonObject { ["confirmedGrade"] = 4, ["schoolNote"] = "Klasse 4b, Klassenleitung Frau Roth." });
        Assert.Equal("in-review", (string)asSchool["state"]!);
        Assert.Null(asSchool["assignee"]); // a party does not claim the case
        Assert.Empty(asSchool["allowedActions"]!.AsArray());

        view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.Equal("Die Schule hat die Anmeldung bestätigt. Wir prüfen jetzt Ihren Antrag.", view.StatusText());
        Assert.False(view.WaitingForYou());
        var confirmation = view.LastTimelineEntry();
        Assert.Equal("step", (string)confirmation["kind"]!);
        Assert.Equal("Anmeldung bestätigen", (string)confirmation["title"]!);
        Assert.Equal("4", (string)confirmation["details"]!["Klasse laut Schule"]!);
        Assert.DoesNotContain("Frau Roth", view.ToJsonString()); // the school's note is internal

        // A question to the parent stops at the parent.
        staff = await Host.Act(submitted.CaseNumber, sven, "request-information",
            new JsonObject { ["message"] = "Bitte bestätigen Sie die Hausnummer: 20 oder 20a?" });
        Assert.Equal("waiting-for-citizen", (string)staff["state"]!);
        Assert.Equal("Sven Schulamt", (string)staff["assignee"]!["name"]!);
        view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.Equal("Wir brauchen noch etwas von Ihnen.", view.StatusText());
        Assert.True(view.WaitingForYou());
        Assert.Equal("Bitte bestätigen Sie die Hausnummer: 20 oder 20a?", (string)view["neededFromYou"]!["message"]!);
        Assert.StartsWith("Bitte beantworten Sie unsere Frage", (string)view["neededFromYou"]!["text"]!);
        Assert.Equal(["provide-information", "withdraw"], view["actions"].Ids().Order().ToList());

        view = await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "provide-information", view.Version(),
            new JsonObject { ["answer"] = "Hausnummer 20." });
        Assert.Equal("in-review", (string)view["status"]!["state"]!);
        Assert.False(view.WaitingForYou());
        Assert.Null(view["neededFromYou"]);

        var validUntil = ServiceTestSteps.Day(200);
        staff = await Host.Act(submitted.CaseNumber, sven, "issue-ticket",
            new JsonObject { ["ticketNumber"] = "ST-2026-004711", ["ticketValidUntil"] = validUntil });
        Assert.Equal("ticket-issued", (string)staff["state"]!);
        Assert.True((bool)staff["isClosed"]!);
        Assert.Equal("approved", (string)staff["outcome"]!);
        Assert.Equal("Sven Schulamt", (string)staff["assignee"]!["name"]!);

        view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.True((bool)view["isClosed"]!);
        Assert.Equal("approved", (string)view["outcome"]!);
        Assert.StartsWith("Ihr Kind bekommt ein Schülerticket.", view.StatusText());
        Assert.Empty(view["actions"]!.AsArray());
        Assert.Equal(["submitted", "step", "in-progress", "information-requested", "information-provided", "decided", "letter-issued"], view.TimelineKinds());
        var decided = view.LastTimelineEntry("decided");
        Assert.Equal("ST-2026-004711", (string)decided["details"]!["Ticketnummer"]!);
        Assert.Equal(validUntil, (string)decided["details"]!["Gültig bis"]!);
        Assert.DoesNotContain("Sven", view.ToJsonString());
        Assert.DoesNotContain("Grundschule Lobeda-West", view.ToJsonString());
    }

    [Theory]
    [InlineData(1, "2.0", true)]
    [InlineData(4, "1.9", false)]
    [InlineData(5, "2.9", false)]
    [InlineData(10, "3.0", true)]
    [InlineData(11, "4.9", false)]
    [InlineData(13, "5.0", true)]
    public async Task Eligibility_depends_on_grade_and_distance(int grade, string distanceKm, bool eligible)
    {
        var submitted = await Host.Submit(Service, await Pupil(grade, decimal.Parse(distanceKm, System.Globalization.CultureInfo.InvariantCulture)));
        var staff = await Host.StaffCase(submitted.CaseNumber, Caseworker());
        Assert.Equal(eligible, (bool)staff["computed"]!["eligible"]!);
    }

    [Fact]
    public async Task Ineligible_pupil_gets_no_ticket_and_a_reason_the_parent_reads()
    {
        var submitted = await Host.Submit(Service, await Pupil(grade: 7, distanceKm: 2.5m), language: "de");
        var school = School();
        await Host.Act(submitted.CaseNumber, school, "confirm-enrolment", new JsonObject { ["confirmedGrade"] = 7 });

        var sven = Caseworker();
        var staff = await Host.StaffCase(submitted.CaseNumber, sven);
        Assert.False((bool)staff["computed"]!["eligible"]!);
        Assert.Equal(3m, (decimal)staff["computed"]!["distanceThresholdKm"]!);

        // The rule forbids the ticket: the guard refuses with its message.
        var (status, problem) = await Host.TryAct(submitted.CaseNumber, sven, "issue-ticket", (long)staff["version"]!,
            new JsonObject { ["ticketNumber"] = "ST-2026-000001", ["ticketValidUntil"] = ServiceTestSteps.Day(200) });
        Assert.Equal(422, status);
        Assert.Equal("guard-failed", (string)problem!["rule"]!);
        Assert.StartsWith("Grade and distance do not give an entitlement.", (string)problem["title"]!);
        Assert.Equal(staff.Version(), (await Host.StaffCase(submitted.CaseNumber, sven)).Version());

        const string reason = "Der Schulweg ist 2,5 km lang. Ab Klasse 5 gibt es das Ticket erst ab 3 km.";
        staff = await Host.Act(submitted.CaseNumber, sven, "reject", new JsonObject { ["reason"] = reason });
        Assert.Equal("rejected", (string)staff["state"]!);
        Assert.Equal("rejected", (string)staff["outcome"]!);
        Assert.True((bool)staff["isClosed"]!);
        Assert.Equal("Sven Schulamt", (string)staff["assignee"]!["name"]!);

        var view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.True((bool)view["isClosed"]!);
        Assert.Equal("rejected", (string)view["outcome"]!);
        Assert.Equal("Wir können leider kein Schülerticket ausstellen. Den Grund finden Sie im Bescheid.", view.StatusText());
        Assert.StartsWith("Sie sind nicht einverstanden?", (string)view["status"]!["nextStep"]!);
        Assert.Equal(["submitted", "step", "in-progress", "decided", "letter-issued"], view.TimelineKinds());
        Assert.Equal(reason, (string)view.LastTimelineEntry("decided")["details"]!["Begründung"]!);
        Assert.Empty(view["actions"]!.AsArray());
    }

    [Fact]
    public async Task School_denies_the_enrolment_and_only_the_school_may()
    {
        var submitted = await Host.Submit(Service, language: "en");
        var sven = Caseworker();
        var staff = await Host.StaffCase(submitted.CaseNumber, sven);
        Assert.DoesNotContain("deny-enrolment", staff["allowedActions"].Ids());

        // deny-enrolment is by [school] only: a caseworker is refused for the role, before anything else.
        var (status, problem) = await Host.TryAct(submitted.CaseNumber, sven, "deny-enrolment", (long)staff["version"]!,
            new JsonObject { ["reason"] = "Not our pupil." });
        Assert.Equal(403, status);
        Assert.Equal("role-not-allowed", (string)problem!["rule"]!);
        staff = await Host.StaffCase(submitted.CaseNumber, sven);
        Assert.Null(staff["assignee"]);
        Assert.Equal("waiting-for-school", (string)staff["state"]!);

        // The school works on the case but not on the office's queue, and does not claim.
        var school = School();
        var (queueStatus, _, _) = await Host.Send(HttpMethod.Get, $"/api/queues/{Team}", token: school);
        Assert.Equal(403, queueStatus);
        (status, problem) = await Host.TryAct(submitted.CaseNumber, school, "claim", staff.Version());
        Assert.Equal(403, status);
        Assert.Equal("role-not-allowed", (string)problem!["rule"]!);

        const string reason = "No pupil of this name is enrolled at our school for the coming year.";
        var asSchool = await Host.Act(submitted.CaseNumber, school, "deny-enrolment", new JsonObject { ["reason"] = reason });
        Assert.Equal("not-enrolled", (string)asSchool["state"]!);
        Assert.Equal("rejected", (string)asSchool["outcome"]!);

        staff = await Host.StaffCase(submitted.CaseNumber, sven);
        Assert.Equal("not-enrolled", (string)staff["state"]!);
        Assert.True((bool)staff["isClosed"]!);
        Assert.Equal("rejected", (string)staff["outcome"]!);
        Assert.Null(staff["assignee"]);

        var view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.True((bool)view["isClosed"]!);
        Assert.Equal("rejected", (string)view["outcome"]!);
        Assert.Equal("The school could not confirm that your child is enrolled there. That is why we cannot issue a ticket.", view.StatusText());
        Assert.Equal(["submitted", "decided"], view.TimelineKinds());
        Assert.Equal(reason, (string)view.LastTimelineEntry()["details"]!["Reason"]!);
        Assert.Empty(view["actions"]!.AsArray());
    }

    [Fact]
    public async Task Caseworker_enters_a_confirmation_that_came_by_post()
    {
        var submitted = await Host.Submit(Service);
        var sven = Caseworker();
        var staff = await Host.Act(submitted.CaseNumber, sven, "confirm-enrolment", new JsonObject { ["confirmedGrade"] = 4 });
        Assert.Equal("in-review", (string)staff["state"]!);
        Assert.Equal("Sven Schulamt", (string)staff["assignee"]!["name"]!);
        Assert.Contains("issue-ticket", staff["allowedActions"].Ids());
    }

    [Fact]
    public async Task Parent_withdraws_while_the_school_has_not_answered()
    {
        var submitted = await Host.Submit(Service);
        var view = await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "withdraw", 1);
        Assert.True((bool)view["isClosed"]!);
        Assert.Equal("withdrawn", (string)view["outcome"]!);
        Assert.Equal("Sie haben Ihren Antrag zurückgezogen.", view.StatusText());
        Assert.Equal(["submitted", "withdrawn"], view.TimelineKinds());
        Assert.Empty(view["actions"]!.AsArray());

        var school = School();
        var asSchool = await Host.StaffCase(submitted.CaseNumber, school);
        Assert.Equal("withdrawn", (string)asSchool["outcome"]!);
        Assert.Empty(asSchool["allowedActions"]!.AsArray());
        var (status, problem) = await Host.TryAct(submitted.CaseNumber, school, "confirm-enrolment", asSchool.Version(),
            new JsonObject { ["confirmedGrade"] = 4 });
        Assert.Equal(422, status);
        Assert.Equal("case-closed", (string)problem!["rule"]!);
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
        Assert.Equal("We have received your application. We are waiting for the school to confirm.", english.StatusText());
        Assert.Equal("Schülerticket beantragen (Schülerbeförderung)", (string)german["serviceTitle"]!);
        Assert.Equal("Apply for a school ticket (school transport)", (string)english["serviceTitle"]!);
    }
}
