using System.Text.Json.Nodes;
using Vorgang.Tests.Definitions;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Tests.Deadlines;

/// <summary>Given a case, when a step or an extension, then the deadline events — on the pure decider, with the shipped change-of-address definition.</summary>
public sealed class LegalClockTests
{
    private const string CaseNumber = "2026-000042";
    private static readonly DateOnly Monday = new(2026, 3, 30);
    private static readonly ProcessDefinition Definition = ShippedDefinitions.Definition("change-of-address", today: Monday);

    private static readonly Caller Anna = new("anna", Roles.Caseworker, "Anna Schmidt", "registration-office", Channels.Office);
    private static readonly Caller Ben = new("ben", Roles.Caseworker, "Ben Weber", "registration-office", Channels.Office);
    private static readonly Caller Citizen = new("citizen", Roles.Citizen, "", null);
    private static readonly Caller Admin = new("root", Roles.Admin, "Alex Admin", null, Channels.Office);

    private static DateTimeOffset At(DateOnly day) => BerlinClock.At(day, new TimeOnly(10, 0));

    private static JsonObject Data() => new()
    {
        ["firstName"] = "Erika",
        ["lastName"] = "Mustermann",
        ["dateOfBirth"] = "1985-04-12",
        ["previousAddress"] = new JsonObject { ["street"] = "Am Anger", ["houseNumber"] = "12", ["postalCode"] = "07743", ["city"] = "Jena" },
        ["newAddress"] = new JsonObject { ["street"] = "Löbdergraben", ["houseNumber"] = "3", ["postalCode"] = "07743", ["city"] = "Jena" },
        ["moveInDate"] = "2026-03-27",
        ["landlordConfirmationAvailable"] = false,
    };

    private static Case Submitted(ProcessDefinition? definition = null)
    {
        var decision = CaseDecider.Submit(definition ?? Definition, Data(), "de", CaseNumber, "hash", Actor.AnonymousCitizen(), At(Monday), Monday);
        Assert.Null(decision.Problem);
        return Case.Create((CaseSubmitted)Assert.Single(decision.Events));
    }

    private static Decision Decide(Case state, string action, Caller caller, DateOnly on, JsonObject? input = null, ProcessDefinition? definition = null) =>
        CaseDecider.Decide(definition ?? Definition, state, action, input, caller, At(on), on);

    private static (Case State, IReadOnlyList<object> Events) Act(Case state, string action, Caller caller, DateOnly on, JsonObject? input = null, ProcessDefinition? definition = null)
    {
        var decision = Decide(state, action, caller, on, input, definition);
        Assert.True(decision.Problem is null, $"Refused: {decision.Problem}");
        return (decision.Events.Aggregate(state, (s, e) => s.Fold(e)), decision.Events);
    }

    private static Case Waiting(DateOnly since, ProcessDefinition? definition = null)
    {
        var (inReview, _) = Act(Submitted(definition), "start-review", Anna, Monday, definition: definition);
        return Act(inReview, "request-landlord-confirmation", Anna, since, new JsonObject { ["message"] = "Bitte nachreichen." }, definition).State;
    }

    private static JsonObject Extension(int days, string reason = "Rückfrage beim Vermieter.") => new() { ["workingDays"] = days, ["reason"] = reason };

    [Fact]
    public void Submission_sets_the_due_date_in_working_days_across_easter()
    {
        var state = Submitted();

        Assert.Equal(new DateOnly(2026, 4, 15), state.DueOn);
        Assert.False(state.ClockStopped);
        Assert.Empty(state.DeadlineHistory);
    }

    [Fact]
    public void Waiting_for_the_citizen_stops_the_clock_with_the_due_date_as_it_stands()
    {
        var (inReview, _) = Act(Submitted(), "start-review", Anna, Monday);
        var thursday = new DateOnly(2026, 4, 2);

        var (waiting, events) = Act(inReview, "request-landlord-confirmation", Anna, thursday, new JsonObject { ["message"] = "Bitte nachreichen." });

        Assert.IsType<InformationRequested>(events[0]);
        Assert.Equal(new DeadlineSuspended(CaseNumber, "request-landlord-confirmation", "waiting-for-citizen", new DateOnly(2026, 4, 15), thursday, At(thursday)), events[1]);
        Assert.Equal(thursday, waiting.ClockStoppedOn);
        Assert.True(waiting.ClockStopped);
        Assert.Equal(new DateOnly(2026, 4, 15), waiting.DueOn);
    }

    [Theory]
    [InlineData("2026-04-02", "2026-04-02", 0, "2026-04-15")] // answered the same day
    [InlineData("2026-04-02", "2026-04-03", 0, "2026-04-15")] // on Good Friday: no working day lost
    [InlineData("2026-04-02", "2026-04-07", 1, "2026-04-16")] // Tuesday after Easter
    [InlineData("2026-04-02", "2026-04-09", 3, "2026-04-20")]
    [InlineData("2026-04-08", "2026-04-15", 5, "2026-04-22")] // a full week
    [InlineData("2026-04-13", "2026-05-05", 15, "2026-05-07")] // three weeks with 1 May: the due date itself had passed meanwhile
    public void The_answer_starts_the_clock_again_and_moves_the_due_date_by_the_working_days_waited(string asked, string answered, int waited, string due)
    {
        var waiting = Waiting(DateOnly.Parse(asked));
        var on = DateOnly.Parse(answered);

        var (after, events) = Act(waiting, "provide-information", Citizen, on, new JsonObject { ["landlordName"] = "WG Jena eG" });

        Assert.Equal(2, events.Count);
        Assert.Equal(new DeadlineResumed(CaseNumber, "provide-information", "in-review", DateOnly.Parse(asked), on, waited, "working",
            new DateOnly(2026, 4, 15), DateOnly.Parse(due), At(on)), events[1]);
        Assert.Equal(DateOnly.Parse(due), after.DueOn);
        Assert.False(after.ClockStopped);
        Assert.Equal(["suspended", "resumed"], after.DeadlineHistory.Select(c => c.Kind));
        Assert.Equal(new DeadlineChange("resumed", At(on), DateOnly.Parse(due), new DateOnly(2026, 4, 15), waited, "working",
            ActionId: "provide-information", State: "in-review"), after.DeadlineHistory[1]);
    }

    [Fact]
    public void Two_waits_add_up()
    {
        var waiting = Waiting(new DateOnly(2026, 4, 2));
        var (answered, _) = Act(waiting, "provide-information", Citizen, new DateOnly(2026, 4, 9), new JsonObject { ["landlordName"] = "WG Jena eG" });
        var (again, _) = Act(answered, "request-landlord-confirmation", Anna, new DateOnly(2026, 4, 10), new JsonObject { ["message"] = "Bitte die Bestätigung selbst." });
        var (done, _) = Act(again, "provide-information", Citizen, new DateOnly(2026, 4, 14), new JsonObject { ["landlordName"] = "WG Jena eG" });

        // 3 working days (7–9 April), then 2 more (13, 14 April): 15 April + 5 = 22 April.
        Assert.Equal(new DateOnly(2026, 4, 22), done.DueOn);
        Assert.Equal(["suspended", "resumed", "suspended", "resumed"], done.DeadlineHistory.Select(c => c.Kind));
    }

    [Fact]
    public void Closing_while_the_office_waits_ends_the_clock_without_a_resumption()
    {
        var waiting = Waiting(new DateOnly(2026, 4, 2));

        var (closed, events) = Act(waiting, "reject", Anna, new DateOnly(2026, 4, 20), new JsonObject { ["reason"] = "Keine Bestätigung." });

        Assert.Equal([typeof(CaseDecided), typeof(CaseClosed)], events.Select(e => e.GetType()));
        Assert.Equal(new DateOnly(2026, 4, 15), closed.DueOn);
    }

    [Fact]
    public void A_deadline_in_calendar_days_moves_by_calendar_days()
    {
        var definition = Definition with { LegalDeadline = new DeadlineDefinition { CalendarDays = 30, Basis = "§ 1" } };
        var waiting = Waiting(new DateOnly(2026, 4, 2), definition);
        Assert.Equal(new DateOnly(2026, 4, 29), waiting.DueOn);

        var (after, events) = Act(waiting, "provide-information", Citizen, new DateOnly(2026, 4, 9), new JsonObject { ["landlordName"] = "WG Jena eG" }, definition);

        var resumed = Assert.IsType<DeadlineResumed>(events[1]);
        Assert.Equal((7, "calendar", new DateOnly(2026, 5, 6)), (resumed.DaysAdded, resumed.DayKind, resumed.DueOn));
        Assert.Equal(new DateOnly(2026, 5, 6), after.DueOn);
    }

    [Fact]
    public void Without_a_legal_deadline_there_is_no_clock()
    {
        var definition = Definition with { LegalDeadline = null };
        var waiting = Waiting(new DateOnly(2026, 4, 2), definition);

        var (after, events) = Act(waiting, "provide-information", Citizen, new DateOnly(2026, 4, 9), new JsonObject { ["landlordName"] = "WG Jena eG" }, definition);

        Assert.IsType<InformationProvided>(Assert.Single(events));
        Assert.Null(after.DueOn);
        Assert.Empty(after.DeadlineHistory);
        Assert.Null(LegalClock.ExtendAction(definition, after, Anna));
    }

    // ---- Extension ----------------------------------------------------------------------------------------------

    [Fact]
    public void A_caseworker_extends_by_working_days_with_a_reason()
    {
        var state = Submitted();
        var friday = new DateOnly(2026, 4, 10);

        var (after, events) = Act(state, "extend-deadline", Anna, friday, Extension(3));

        Assert.Equal(new DeadlineExtended(CaseNumber, 3, "Rückfrage beim Vermieter.", new DateOnly(2026, 4, 15), new DateOnly(2026, 4, 20), Anna.AsActor(), At(friday)),
            Assert.Single(events));
        Assert.Equal(new DateOnly(2026, 4, 20), after.DueOn);
        Assert.Null(after.AssigneeId); // extending is no work on the case: it does not claim it
        Assert.Equal(3, LegalClock.ExtendedWorkingDays(after));
        Assert.Equal(7, LegalClock.RemainingExtension(Definition, after));
    }

    [Fact]
    public void The_extension_is_offered_to_caseworkers_with_what_is_left_and_no_longer_when_used_up()
    {
        var state = Submitted();
        var offered = Assert.Single(CaseDecider.AllowedActions(Definition, state, Anna), a => a.Id == "extend-deadline");
        Assert.Equal(["workingDays", "reason"], offered.Inputs.Select(i => i.Id));
        Assert.Equal(10, offered.Inputs[0].Max);

        var (partly, _) = Act(state, "extend-deadline", Anna, Monday, Extension(8));
        Assert.Equal(2, Assert.Single(CaseDecider.AllowedActions(Definition, partly, Anna), a => a.Id == "extend-deadline").Inputs[0].Max);

        var (used, _) = Act(partly, "extend-deadline", Anna, Monday, Extension(2));
        Assert.DoesNotContain("extend-deadline", CaseDecider.AllowedActions(Definition, used, Anna).Select(a => a.Id));
        foreach (var caller in new[] { Citizen, Admin })
            Assert.DoesNotContain("extend-deadline", CaseDecider.AllowedActions(Definition, state, caller).Select(a => a.Id));
    }

    [Fact]
    public void Beyond_the_maximum_is_refused_naming_the_rule_and_what_is_left()
    {
        var (partly, _) = Act(Submitted(), "extend-deadline", Anna, Monday, Extension(8));

        var decision = Decide(partly, "extend-deadline", Anna, Monday, Extension(3));

        Assert.Empty(decision.Events);
        Assert.Equal((422, "extension-limit"), (decision.Problem!.Status, decision.Problem.Rule));
        Assert.Contains("at most 10 working days", decision.Problem.Detail);
        Assert.Contains("legalDeadline.extension.maxWorkingDays", decision.Problem.Detail);
        Assert.Equal([new FieldError("workingDays", "extension-limit", "At most 2 more working day(s).")], decision.Problem.Errors);
        Assert.Equal("extension-limit", Decide(Submitted(), "extend-deadline", Anna, Monday, new JsonObject { ["workingDays"] = 99999999999, ["reason"] = "x" }).Problem!.Rule);
    }

    [Fact]
    public void Where_the_definition_allows_no_extension_it_is_refused()
    {
        var withoutExtension = Definition with { LegalDeadline = Definition.LegalDeadline! with { Extension = null } };
        var withoutDeadline = Definition with { LegalDeadline = null };

        foreach (var definition in new[] { withoutExtension, withoutDeadline })
        {
            var state = Submitted(definition);
            var decision = Decide(state, "extend-deadline", Anna, Monday, Extension(1), definition);
            Assert.Equal((422, "extension-not-allowed"), (decision.Problem!.Status, decision.Problem.Rule));
            Assert.Contains("'change-of-address'", decision.Problem.Detail);
            Assert.DoesNotContain("extend-deadline", CaseDecider.AllowedActions(definition, state, Anna).Select(a => a.Id));
        }
    }

    [Fact]
    public void Only_a_caseworker_free_to_work_the_case_extends_and_only_with_valid_input()
    {
        var state = Submitted();
        Assert.Equal((403, "role-not-allowed"), Problem(Decide(state, "extend-deadline", Citizen, Monday, Extension(1))));
        Assert.Equal((403, "role-not-allowed"), Problem(Decide(state, "extend-deadline", Admin, Monday, Extension(1))));

        var (claimed, _) = Act(state, "claim", Anna, Monday);
        Assert.Equal((409, "assigned-to-colleague"), Problem(Decide(claimed, "extend-deadline", Ben, Monday, Extension(1))));
        Assert.DoesNotContain("extend-deadline", CaseDecider.AllowedActions(Definition, claimed, Ben).Select(a => a.Id));

        Assert.Equal((400, "invalid-input"), Problem(Decide(state, "extend-deadline", Anna, Monday, new JsonObject { ["workingDays"] = 2 })));
        Assert.Equal((400, "invalid-input"), Problem(Decide(state, "extend-deadline", Anna, Monday, Extension(0))));
        Assert.Equal((400, "invalid-input"), Problem(Decide(state, "extend-deadline", Anna, Monday, new JsonObject { ["workingDays"] = 1.5, ["reason"] = "x" })));

        var (closed, _) = Act(Act(state, "start-review", Anna, Monday).State, "reject", Anna, Monday, new JsonObject { ["reason"] = "Unvollständig." });
        Assert.Equal((422, "case-closed"), Problem(Decide(closed, "extend-deadline", Anna, Monday, Extension(1))));
    }

    [Fact]
    public void An_extension_while_the_clock_stands_still_moves_the_due_date_and_the_wait_still_counts()
    {
        var waiting = Waiting(new DateOnly(2026, 4, 2));
        var (extended, _) = Act(waiting, "extend-deadline", Anna, new DateOnly(2026, 4, 7), Extension(2));
        Assert.True(extended.ClockStopped);
        Assert.Equal(new DateOnly(2026, 4, 17), extended.DueOn);

        var (after, _) = Act(extended, "provide-information", Citizen, new DateOnly(2026, 4, 9), new JsonObject { ["landlordName"] = "WG Jena eG" });

        Assert.Equal(new DateOnly(2026, 4, 22), after.DueOn); // 17 April + 3 working days waited
    }

    private static (int, string) Problem(Decision decision)
    {
        Assert.Empty(decision.Events);
        return (decision.Problem!.Status, decision.Problem.Rule);
    }
}
