using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Tests.Forecasts;

public sealed class CitizenOutlookTests(AppFixture app) : ApiTest(app)
{
    private static DateOnly Today => TimeProvider.System.Today();

    [Fact]
    public async Task Without_history_the_expected_date_comes_from_the_service_norms()
    {
        var submitted = await Host.Submit("change-of-address");
        var outlook = (await Host.Track(submitted.CaseNumber, submitted.TrackingCode))["outlook"]!;

        Assert.Equal("service-norm", (string)outlook["basis"]!);
        Assert.Equal(WorkingDays.Add(Today, 5).ToString("yyyy-MM-dd"), (string)outlook["expectedCompletionOn"]!);
        Assert.Equal(1, (int)outlook["queuePosition"]!["position"]!);
        Assert.Equal(1, (int)outlook["queuePosition"]!["of"]!);
        Assert.Null(outlook["delay"]);
    }

    [Fact]
    public async Task With_enough_recent_cases_the_expected_date_is_their_median_from_this_state()
    {
        // Five registrations took 2, 3, 4, 6 and 9 working days from arrival: the median is 4.
        var start = WorkingDays.Subtract(Today, 40);
        var durations = new[] { 9, 2, 6, 3, 4 };
        for (var i = 0; i < durations.Length; i++)
            await App.AddClosedChangeOfAddress($"2026-90000{i}", start, durations[i]);

        var submitted = await Host.Submit("change-of-address");
        var outlook = (await Host.Track(submitted.CaseNumber, submitted.TrackingCode))["outlook"]!;

        Assert.Equal("history", (string)outlook["basis"]!);
        Assert.Equal(WorkingDays.Add(Today, 4).ToString("yyyy-MM-dd"), (string)outlook["expectedCompletionOn"]!);
    }

    [Fact]
    public async Task Four_cases_are_too_few_and_the_norm_still_applies()
    {
        var start = WorkingDays.Subtract(Today, 40);
        for (var i = 0; i < 4; i++) await App.AddClosedChangeOfAddress($"2026-90001{i}", start, 20);

        var submitted = await Host.Submit("change-of-address");
        var outlook = (await Host.Track(submitted.CaseNumber, submitted.TrackingCode))["outlook"]!;
        Assert.Equal("service-norm", (string)outlook["basis"]!);
    }

    [Fact]
    public async Task A_delay_notice_appears_when_the_expected_date_passes_the_legal_deadline()
    {
        // Recent registrations took 15 working days; the law allows 10.
        var start = WorkingDays.Subtract(Today, 60);
        for (var i = 0; i < 5; i++) await App.AddClosedChangeOfAddress($"2026-90002{i}", start, 15);

        var submitted = await Host.Submit("change-of-address", language: "en");
        var outlook = (await Host.Track(submitted.CaseNumber, submitted.TrackingCode))["outlook"]!;

        Assert.Equal("legal-deadline", (string)outlook["delay"]!["reason"]!);
        Assert.Contains($"legal deadline of {submitted.DueOn:yyyy-MM-dd}", (string)outlook["delay"]!["text"]!);
        var german = (await Host.Track(submitted.CaseNumber, submitted.TrackingCode, lang: "de"))["outlook"]!;
        Assert.StartsWith("Ihr Antrag wird voraussichtlich nicht bis zur gesetzlichen Frist", (string)german["delay"]!["text"]!);
    }

    [Fact]
    public async Task The_queue_position_counts_the_cases_ahead_in_the_team_queue()
    {
        var first = await Host.Submit("change-of-address");
        var second = await Host.Submit("change-of-address");
        var otherTeam = await Host.Submit("defect-report");

        var position = (await Host.Track(second.CaseNumber, second.TrackingCode))["outlook"]!["queuePosition"]!;
        Assert.Equal(2, (int)position["position"]!);
        Assert.Equal(2, (int)position["of"]!);

        // Once the first case is done, the second moves up.
        var anna = App.Token("caseworker", "registration-office", "Anna Schmidt", subject: "anna");
        await Host.Act(first.CaseNumber, anna, "start-review");
        await Host.Act(first.CaseNumber, anna, "register");
        position = (await Host.Track(second.CaseNumber, second.TrackingCode))["outlook"]!["queuePosition"]!;
        Assert.Equal(1, (int)position["position"]!);
        Assert.Equal(1, (int)position["of"]!);
        Assert.NotNull((await Host.Track(otherTeam.CaseNumber, otherTeam.TrackingCode))["outlook"]);
    }

    [Fact]
    public async Task A_closed_case_has_no_outlook()
    {
        var submitted = await Host.Submit("change-of-address");
        var view = await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "withdraw", 1);
        Assert.Null(view["outlook"]);
    }
}
