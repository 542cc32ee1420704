using System.Text.Json.Nodes;
using Vorgang.Tests.Api;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Audit;

/// <summary>Every staff read of a case's personal data is recorded (who, when, which case, which endpoint) and shown to auditors; citizens reading their own case are not.</summary>
public sealed class RecordedReadsTests(AppFixture app) : ApiTest(app)
{
    private const string Service = "change-of-address";
    private const string Team = "registration-office";

    private string Anna => App.Token("caseworker", Team, "Anna Schmidt", subject: "anna");
    private string Auditor => App.Token("auditor", name: "Ida Prüfer", subject: "ida");

    private async Task<JsonArray> Reads(string caseNumber, string? token = null)
    {
        var response = await Host.Get($"/api/audit/cases/{caseNumber}/reads", token ?? Auditor);
        Assert.True(response.Status == 200, response.ToString());
        Assert.Equal(caseNumber, (string)response.Json!["caseNumber"]!);
        return response.Json!["reads"]!.AsArray();
    }

    [Fact]
    public async Task Staff_view_history_and_state_as_of_are_each_recorded_with_reader_time_and_endpoint()
    {
        var submitted = await Host.Submit(Service);
        var before = DateTimeOffset.UtcNow;

        await Host.StaffCase(submitted.CaseNumber, Anna);
        Assert.Equal(200, (await Host.Get($"/api/cases/{submitted.CaseNumber}/history", Anna)).Status);
        Assert.Equal(200, (await Host.Get($"/api/cases/{submitted.CaseNumber}/state?version=1", Anna)).Status);

        var reads = await Reads(submitted.CaseNumber);
        Assert.Equal(["staff-view", "history", "state-as-of"], reads.Select(r => (string)r!["endpoint"]!));
        foreach (var read in reads)
        {
            var reader = read!["reader"]!;
            Assert.Equal(("anna", "caseworker", "Anna Schmidt"), ((string)reader["id"]!, (string)reader["role"]!, (string)reader["name"]!));
            Assert.Equal(Team, (string)reader["team"]!);
            Assert.Equal(1, (long)read["caseVersion"]!);
            var at = DateTimeOffset.Parse((string)read["readAt"]!);
            Assert.InRange(at, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
            Assert.False(string.IsNullOrWhiteSpace((string?)read["traceId"]));
        }
        Assert.Equal("version=1", (string)reads[2]!["query"]!);

        // The auditor's own reads of the case are recorded too; reading the record of reads is not a read of the case.
        await Host.StaffCase(submitted.CaseNumber, Auditor);
        var after = await Reads(submitted.CaseNumber);
        Assert.Equal(4, after.Count);
        Assert.Equal(("ida", "auditor"), ((string)after[3]!["reader"]!["id"]!, (string)after[3]!["reader"]!["role"]!));
        Assert.Null(after[3]!["reader"]!["team"]);
    }

    [Fact]
    public async Task Recording_a_read_does_not_change_the_case_or_its_version()
    {
        var submitted = await Host.Submit(Service);
        for (var i = 0; i < 3; i++) await Host.StaffCase(submitted.CaseNumber, Anna);
        Assert.Equal(3, (await Reads(submitted.CaseNumber)).Count);

        // The version a caseworker saw before those reads is still the one to send.
        var (status, body) = await Host.TryAct(submitted.CaseNumber, Anna, "claim", expectedVersion: 1);
        Assert.True(status == 200, body?.ToJsonString());
        Assert.Equal(2, (long)body!["version"]!);
        var history = await Host.Get($"/api/cases/{submitted.CaseNumber}/history", Auditor);
        Assert.Equal(2, history.Json!["events"]!.AsArray().Count);
    }

    [Fact]
    public async Task Citizens_reading_their_own_case_and_refused_reads_are_not_recorded()
    {
        var submitted = await Host.Submit(Service);
        await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        var otto = App.Token("caseworker", "parking-permits", "Otto Fremd", subject: "otto");
        (await Host.Get($"/api/cases/{submitted.CaseNumber}", otto)).AssertProblem(404, "not-found");
        (await Host.Get($"/api/cases/{submitted.CaseNumber}/history", otto)).AssertProblem(404, "not-found");

        Assert.Empty(await Reads(submitted.CaseNumber));
    }

    [Fact]
    public async Task Reads_are_kept_per_case()
    {
        var first = await Host.Submit(Service);
        var second = await Host.Submit(Service);
        await Host.StaffCase(first.CaseNumber, Anna);
        await Host.StaffCase(second.CaseNumber, Anna);
        await Host.StaffCase(second.CaseNumber, Anna);
        Assert.Single(await Reads(first.CaseNumber));
        Assert.Equal(2, (await Reads(second.CaseNumber)).Count);
    }

    [Fact]
    public async Task Only_auditors_and_admins_see_the_reads()
    {
        var submitted = await Host.Submit(Service);
        await Host.StaffCase(submitted.CaseNumber, Anna);
        (await Host.Get($"/api/audit/cases/{submitted.CaseNumber}/reads", Anna)).AssertProblem(403, "role-not-allowed");
        Assert.Equal(401, (await Host.Get($"/api/audit/cases/{submitted.CaseNumber}/reads")).Status);
        Assert.Single(await Reads(submitted.CaseNumber, App.Token("admin", name: "Ada Admin", subject: "ada")));
        (await Host.Get("/api/audit/cases/2026-999999/reads", Auditor)).AssertProblem(404, "not-found");
    }

    [Fact]
    public async Task An_admin_reads_personal_data_only_on_the_record()
    {
        var submitted = await Host.Submit(Service);
        var admin = App.Token("admin", name: "Ada Admin", subject: "ada");
        await Host.StaffCase(submitted.CaseNumber, admin);
        Assert.Equal(200, (await Host.Get($"/api/cases/{submitted.CaseNumber}/history", admin)).Status);
        Assert.Equal(200, (await Host.Get($"/api/cases/{submitted.CaseNumber}/state?version=1", admin)).Status);

        var reads = await Reads(submitted.CaseNumber);
        Assert.Equal(["staff-view", "history", "state-as-of"], reads.Select(r => (string)r!["endpoint"]!));
        Assert.All(reads, r => Assert.Equal(("ada", "admin"), ((string)r!["reader"]!["id"]!, (string)r["reader"]!["role"]!)));
    }
}
