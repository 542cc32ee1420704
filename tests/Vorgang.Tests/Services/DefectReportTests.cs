using System.Text.Json.Nodes;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Services;

public sealed class DefectReportTests(AppFixture app) : ApiTest(app)
{
    private const string Service = "defect-report";
    private const string RoadTeam = "civil-engineering";

    private string Caseworker(string team = RoadTeam) => App.Token("caseworker", team, "Max Mängel", subject: $"max@{team}");

    private async Task<JsonObject> Report(string category = "road-damage", bool anonymous = false)
    {
        var data = await Host.Example(Service);
        data["category"] = category;
        if (anonymous)
        {
            data.Remove("reporterName");
            data.Remove("reporterEmail");
        }
        return data;
    }

    [Fact]
    public async Task Anonymous_report_is_accepted_worked_and_resolved()
    {
        var data = await Report(anonymous: true);
        Assert.False(data.ContainsKey("reporterName") || data.ContainsKey("reporterEmail"));
        var submitted = await Host.Submit(Service, data, language: "de");
        Assert.Equal("reported", submitted.Status.State);

        var max = Caseworker();
        var staff = await Host.StaffCase(submitted.CaseNumber, max);
        Assert.Equal(RoadTeam, (string)staff["team"]!);
        Assert.Equal("reported", (string)staff["state"]!);
        Assert.Null(staff["assignee"]);
        Assert.False((bool)staff["computed"]!["reporterReachable"]!);

        var view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.Equal("Ihre Meldung ist bei uns eingegangen. Danke!", view.StatusText());
        Assert.Equal("Die zuständige Stelle sieht sich die Meldung an.", (string)view["status"]!["nextStep"]!);
        Assert.False(view.WaitingForYou());
        Assert.Null(view["neededFromYou"]);
        Assert.Empty(view["actions"]!.AsArray());

        // Nobody to ask: the guard refuses a question, and nothing is recorded (not even a claim).
        var (status, problem) = await Host.TryAct(submitted.CaseNumber, max, "request-information", staff.Version(),
            new JsonObject { ["message"] = "Auf welcher Straßenseite?" });
        Assert.Equal(422, status);
        Assert.Equal("guard-failed", (string)problem!["rule"]!);
        Assert.Equal("The reporter did not give an email address. A question is not possible.", (string)problem["title"]!);
        staff = await Host.StaffCase(submitted.CaseNumber, max);
        Assert.Equal("reported", (string)staff["state"]!);
        Assert.Null(staff["assignee"]);

        var plannedFor = ServiceTestSteps.Day(10);
        staff = await Host.Act(submitted.CaseNumber, max, "start-work", new JsonObject { ["plannedFor"] = plannedFor });
        Assert.Equal("in-progress", (string)staff["state"]!);
        Assert.Equal("Max Mängel", (string)staff["assignee"]!["name"]!);

        view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.Equal("Wir kümmern uns um den Mangel.", view.StatusText());
        Assert.False(view.WaitingForYou());
        Assert.Empty(view["actions"]!.AsArray());
        Assert.Equal(plannedFor, (string)view.LastTimelineEntry()["details"]!["Voraussichtlich erledigt bis"]!);

        staff = await Host.Act(submitted.CaseNumber, max, "resolve", new JsonObject { ["resolution"] = "Schlagloch mit Kaltasphalt verfüllt." });
        Assert.Equal("resolved", (string)staff["state"]!);
        Assert.True((bool)staff["isClosed"]!);
        Assert.Equal("completed", (string)staff["outcome"]!);

        view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.True((bool)view["isClosed"]!);
        Assert.Equal("completed", (string)view["outcome"]!);
        Assert.Equal("Der Mangel ist behoben. Danke für Ihre Meldung!", view.StatusText());
        Assert.Empty(view["actions"]!.AsArray());
        Assert.Equal(["submitted", "in-progress", "step", "decided"], view.TimelineKinds());
        Assert.Equal("Schlagloch mit Kaltasphalt verfüllt.", (string)view.LastTimelineEntry()["details"]!["Was wurde gemacht?"]!);
        Assert.DoesNotContain("Max", view.ToJsonString());
        Assert.Empty(await Host.QueueItems(RoadTeam, max)); // closed cases leave the queue
    }

    [Fact]
    public async Task Reports_are_routed_to_the_department_of_their_category()
    {
        var pothole = await Host.Submit(Service, await Report("road-damage", anonymous: true));
        var lamp = await Host.Submit(Service, await Report("street-lighting", anonymous: true));
        var rubbish = await Host.Submit(Service, await Report("illegal-waste"));
        var graffiti = await Host.Submit(Service, await Report("graffiti"));
        var other = await Host.Submit(Service, await Report("other"));

        foreach (var (submitted, team) in new[]
                 {
                     (pothole, RoadTeam), (lamp, "street-lighting"), (rubbish, "waste-management"),
                     (graffiti, "parks-and-gardens"), (other, "defect-intake"),
                 })
        {
            var caseworker = Caseworker(team);
            Assert.Equal(team, (string)(await Host.StaffCase(submitted.CaseNumber, caseworker))["team"]!);
            var queue = await Host.QueueItems(team, caseworker);
            Assert.Equal([submitted.CaseNumber], queue.Select(i => (string)i["caseNumber"]!).ToList());
            Assert.Equal("reported", (string)queue[0]["state"]!);
        }

        // Each department sees its own reports only.
        var roads = Caseworker(RoadTeam);
        // Another department's report answers like one that does not exist; its queue is refused by name (teams are public).
        var (status, problem) = await Host.TryStaffCase(lamp.CaseNumber, roads);
        Assert.Equal(404, status);
        Assert.Equal("not-found", (string)problem!["rule"]!);
        var (queueStatus, queueProblem, _) = await Host.Send(HttpMethod.Get, "/api/queues/street-lighting", token: roads);
        Assert.Equal(403, queueStatus);
        Assert.Equal("other-team", (string)queueProblem!["rule"]!);
        (status, problem) = await Host.TryAct(lamp.CaseNumber, roads, "start-work", 1);
        Assert.Equal(404, status);
        Assert.Equal("not-found", (string)problem!["rule"]!);

        // The lighting department works its report to the end.
        var lighting = Caseworker("street-lighting");
        await Host.Act(lamp.CaseNumber, lighting, "start-work");
        var staff = await Host.Act(lamp.CaseNumber, lighting, "resolve", new JsonObject { ["resolution"] = "Leuchtmittel getauscht." });
        Assert.Equal("completed", (string)staff["outcome"]!);
        Assert.Empty(await Host.QueueItems("street-lighting", lighting));
        Assert.Single(await Host.QueueItems(RoadTeam, roads));
    }

    [Fact]
    public async Task Reporter_with_email_answers_a_question_and_the_report_is_forwarded()
    {
        var submitted = await Host.Submit(Service, await Report("other"), language: "en");
        var intake = Caseworker("defect-intake");
        var staff = await Host.StaffCase(submitted.CaseNumber, intake);
        Assert.Equal("defect-intake", (string)staff["team"]!);
        Assert.True((bool)staff["computed"]!["reporterReachable"]!);

        staff = await Host.Act(submitted.CaseNumber, intake, "request-information",
            new JsonObject { ["message"] = "Is the damage on the railway bridge or on the road below it?" });
        Assert.Equal("waiting-for-reporter", (string)staff["state"]!);
        Assert.Equal("Max Mängel", (string)staff["assignee"]!["name"]!);

        var view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.Equal("We have a question about your report.", view.StatusText());
        Assert.True(view.WaitingForYou());
        Assert.Equal("Is the damage on the railway bridge or on the road below it?", (string)view["neededFromYou"]!["message"]!);
        Assert.StartsWith("Please answer our question.", (string)view["neededFromYou"]!["text"]!);
        Assert.Equal(["provide-information"], view["actions"].Ids());

        view = await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "provide-information", view.Version(),
            new JsonObject { ["answer"] = "On the railway bridge itself." });
        Assert.Equal("in-progress", (string)view["status"]!["state"]!);
        Assert.Equal("We are dealing with the problem.", view.StatusText());
        Assert.False(view.WaitingForYou());
        Assert.Null(view["neededFromYou"]);

        staff = await Host.Act(submitted.CaseNumber, intake, "forward",
            new JsonObject { ["forwardedTo"] = "DB InfraGO AG", ["reason"] = "The bridge belongs to the railway." });
        Assert.Equal("forwarded", (string)staff["state"]!);
        Assert.Equal("forwarded", (string)staff["outcome"]!);
        Assert.True((bool)staff["isClosed"]!);

        view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.True((bool)view["isClosed"]!);
        Assert.Equal("forwarded", (string)view["outcome"]!);
        Assert.StartsWith("The city is not responsible for this.", view.StatusText());
        Assert.Empty(view["actions"]!.AsArray());
        Assert.Equal(["submitted", "in-progress", "information-requested", "information-provided", "decided"], view.TimelineKinds());
        Assert.Equal("DB InfraGO AG", (string)view.LastTimelineEntry()["details"]!["Forwarded to"]!);
    }

    [Fact]
    public async Task Report_of_a_known_defect_is_closed_as_duplicate()
    {
        var submitted = await Host.Submit(Service, await Report("street-lighting", anonymous: true), language: "de");
        var lighting = Caseworker("street-lighting");
        var staff = await Host.Act(submitted.CaseNumber, lighting, "reject",
            new JsonObject { ["rejectionReason"] = "duplicate", ["explanation"] = "Diese Laterne wurde schon gemeldet. Die Reparatur ist beauftragt." });
        Assert.Equal("rejected", (string)staff["state"]!);
        Assert.Equal("rejected", (string)staff["outcome"]!);
        Assert.True((bool)staff["isClosed"]!);

        var view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.True((bool)view["isClosed"]!);
        Assert.Equal("rejected", (string)view["outcome"]!);
        Assert.StartsWith("Wir bearbeiten diese Meldung nicht weiter.", view.StatusText());
        Assert.Equal(["submitted", "in-progress", "decided"], view.TimelineKinds());
        var details = view.LastTimelineEntry()["details"]!;
        Assert.Equal("Schon gemeldet", (string)details["Grund"]!);
        Assert.Equal("Diese Laterne wurde schon gemeldet. Die Reparatur ist beauftragt.", (string)details["Erklärung für die meldende Person"]!);
    }

    [Fact]
    public async Task Status_reads_differently_in_german_and_english()
    {
        var submitted = await Host.Submit(Service, await Report(anonymous: true), language: "de");
        var german = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        var english = await Host.Track(submitted.CaseNumber, submitted.TrackingCode, lang: "en");
        Assert.False(string.IsNullOrWhiteSpace(german.StatusText()));
        Assert.False(string.IsNullOrWhiteSpace(english.StatusText()));
        Assert.NotEqual(german.StatusText(), english.StatusText());
        Assert.Equal("We have received your report. Thank you!", english.StatusText());
        Assert.Equal(german.StatusText(), (string)german["timeline"]![0]!["status"]!);
        Assert.Equal(english.StatusText(), (string)english["timeline"]![0]!["status"]!);
    }
}
