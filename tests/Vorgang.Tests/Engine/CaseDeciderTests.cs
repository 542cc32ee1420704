using System.Text.Json.Nodes;
using Vorgang.Tests.Definitions;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Tests.Engine;

/// <summary>Given events, when a command, then events or a problem — on the pure decider, with the shipped change-of-address definition.</summary>
public sealed class CaseDeciderTests
{
    private const string CaseNumber = "2026-000123";
    private const string CodeHash = "0f1e2d3c";
    private static readonly DateOnly Today = new(2026, 3, 2); // a Monday
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 30, 0, TimeSpan.FromHours(1));
    private static readonly DateTimeOffset Later = Now.AddHours(2);
    private static readonly ProcessDefinition Definition = ShippedDefinitions.Definition("change-of-address", today: Today);

    private static readonly Caller Anna = new("anna", Roles.Caseworker, "Anna Schmidt", "registration-office", Channels.Office);
    private static readonly Caller Ben = new("ben", Roles.Caseworker, "Ben Weber", "registration-office", Channels.Office);
    private static readonly Caller Citizen = new("citizen", Roles.Citizen, "", null);
    private static readonly Caller Admin = new("root", Roles.Admin, "Alex Admin", null, Channels.Office);
    private static readonly Caller Auditor = new("audit", Roles.Auditor, "Ida Prüfer", null, Channels.Office);

    private static JsonObject Address(string postalCode) => new()
    {
        ["street"] = "Löbdergraben", ["houseNumber"] = "3", ["postalCode"] = postalCode, ["city"] = "Jena",
    };

    /// <summary>A valid submission; without the landlord's confirmation the landlord's name must be left out.</summary>
    private static JsonObject Data(string postalCode = "07743", bool landlordConfirmation = true)
    {
        var data = new JsonObject
        {
            ["firstName"] = "Erika",
            ["lastName"] = "Mustermann",
            ["dateOfBirth"] = "1985-04-12",
            ["email"] = "erika.mustermann@example.org",
            ["previousAddress"] = new JsonObject { ["street"] = "Am Anger", ["houseNumber"] = "12", ["postalCode"] = "07743", ["city"] = "Jena" },
            ["newAddress"] = Address(postalCode),
            ["moveInDate"] = "2026-02-27",
            ["landlordConfirmationAvailable"] = landlordConfirmation,
        };
        if (landlordConfirmation) data["landlordName"] = "Wohnungsgenossenschaft Jena eG";
        return data;
    }

    private static Decision Submit(JsonObject data, string language = "de", DateOnly? today = null) =>
        CaseDecider.Submit(Definition, data, language, CaseNumber, CodeHash, Actor.AnonymousCitizen(), Now, today ?? Today);

    private static Case Submitted(JsonObject? data = null) =>
        Case.Create(Assert.IsType<CaseSubmitted>(Assert.Single(Accepted(Submit(data ?? Data())))));

    private static Decision Decide(Case state, string action, Caller caller, JsonObject? input = null, DateTimeOffset? at = null) =>
        CaseDecider.Decide(Definition, state, action, input, caller, at ?? Later, Today);

    private static IReadOnlyList<object> Accepted(Decision decision)
    {
        Assert.True(decision.Problem is null, $"Refused: {decision.Problem}");
        Assert.NotEmpty(decision.Events);
        return decision.Events;
    }

    private static CaseProblem Refused(Decision decision, int status, string rule)
    {
        Assert.Empty(decision.Events);
        Assert.NotNull(decision.Problem);
        Assert.Equal((status, rule), (decision.Problem.Status, decision.Problem.Rule));
        Assert.False(string.IsNullOrWhiteSpace(decision.Problem.Title));
        Assert.False(string.IsNullOrWhiteSpace(decision.Problem.Detail));
        return decision.Problem;
    }

    private static Case Fold(Case state, IEnumerable<object> events) => events.Aggregate(state, (s, e) => s.Fold(e));

    /// <summary>Takes the action, which must be accepted, and folds its events.</summary>
    private static Case Act(Case state, string action, Caller caller, JsonObject? input = null) =>
        Fold(state, Accepted(Decide(state, action, caller, input)));

    private static Case InReview(JsonObject? data = null, Caller? by = null) => Act(Submitted(data), "start-review", by ?? Anna);

    private static IEnumerable<string> Ids(IEnumerable<AvailableAction> actions) => actions.Select(a => a.Id);

    // ---- Submit --------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("07747", "registration-office-lobeda")]
    [InlineData("07745", "registration-office-lobeda")]
    [InlineData("07743", "registration-office")]
    [InlineData("99423", "registration-office")]
    public void Submitting_valid_data_yields_one_CaseSubmitted_routed_by_the_new_postal_code(string postalCode, string team)
    {
        var data = Data(postalCode);

        var submitted = Assert.IsType<CaseSubmitted>(Assert.Single(Accepted(Submit(data))));

        var expected = new CaseSubmitted(CaseNumber, "change-of-address", Definition.Version, "submitted", team, "de", data, CodeHash,
            new DateOnly(2026, 3, 16), Actor.AnonymousCitizen(), Now);
        Assert.Equal(expected with { Data = submitted.Data }, submitted);
        Assert.True(JsonNode.DeepEquals(data, submitted.Data));
        Assert.NotSame(data, submitted.Data);
    }

    [Theory]
    [InlineData("2026-03-02", "2026-03-16")] // Monday → Monday two weeks later
    [InlineData("2026-03-04", "2026-03-18")] // Wednesday
    [InlineData("2026-03-06", "2026-03-20")] // Friday
    [InlineData("2026-03-07", "2026-03-20")] // Saturday: counting starts on Monday
    [InlineData("2026-03-08", "2026-03-20")] // Sunday
    public void The_due_date_is_ten_working_days_after_submission(string today, string due)
    {
        var submitted = Assert.IsType<CaseSubmitted>(Assert.Single(Accepted(Submit(Data(), today: DateOnly.Parse(today)))));

        Assert.Equal(DateOnly.Parse(due), submitted.DueOn);
        Assert.Equal(submitted.DueOn, WorkingDays.Add(DateOnly.Parse(today), 10));
    }

    [Fact]
    public void Submitting_invalid_data_is_a_400_with_every_error()
    {
        var data = Data(landlordConfirmation: false);
        data.Remove("lastName");
        data["email"] = "erika-at-example.org";
        data["newAddress"]!["postalCode"] = "0774";
        data["moveInDate"] = "2026-12-01";
        data["landlordName"] = "Wohnungsgenossenschaft Jena eG";

        var problem = Refused(Submit(data), 400, "invalid-form");

        Assert.Equal(
            [
                new FieldError("lastName", "required", "Bitte füllen Sie dieses Feld aus."),
                new FieldError("email", "email", "Bitte geben Sie eine gültige E-Mail-Adresse ein."),
                new FieldError("newAddress.postalCode", "pattern", "Eine Postleitzahl hat fünf Ziffern."),
                new FieldError("moveInDate", "maxDate", "Das Datum darf nicht nach dem 09.03.2026 liegen."),
                new FieldError("landlordName", "not-applicable", "Dieses Feld ist bei Ihren Angaben nicht auszufüllen."),
            ],
            problem.Errors);
        Assert.Equal("5 Angabe(n) müssen korrigiert werden.", problem.Detail);
    }

    [Fact]
    public void Submission_problems_speak_the_submitter_s_language()
    {
        var data = Data();
        data.Remove("firstName");

        var problem = Refused(Submit(data, "en"), 400, "invalid-form");

        Assert.Equal("The form data is incomplete or invalid.", problem.Title);
        Assert.Equal("1 value(s) need to be corrected.", problem.Detail);
        Assert.Equal([new FieldError("firstName", "required", "Please fill in this field.")], problem.Errors);
    }

    [Fact]
    public void A_submitted_case_starts_unassigned_in_the_initial_state()
    {
        var data = Data("07747");
        var submitted = (CaseSubmitted)Accepted(Submit(data))[0];

        var state = Case.Create(submitted);

        Assert.Equal(new Case
        {
            Id = CaseNumber, ServiceId = "change-of-address", DefinitionVersion = Definition.Version, State = "submitted",
            Team = "registration-office-lobeda", Language = "de", Data = state.Data, TrackingCodeHash = CodeHash,
            SubmittedAt = Now, DueOn = new DateOnly(2026, 3, 16), LastChangedAt = Now, SubmittedBy = Actor.AnonymousCitizen(), VisitedStates = state.VisitedStates,
            // The stream version after its first event, as Marten sets it on the stored snapshot.
            Version = 1,
        }, state);
        Assert.True(JsonNode.DeepEquals(data, state.Data));
        Assert.Equal(["submitted"], state.VisitedStates);
        Assert.NotSame(submitted.Data, state.Data);
    }

    // ---- Decide: refusals ----------------------------------------------------------------------------------------

    [Fact]
    public void An_unknown_action_is_a_404_listing_the_allowed_actions()
    {
        var problem = Refused(Decide(Submitted(), "teleport", Anna), 404, "unknown-action");

        Assert.Equal(["claim", "assign", "start-review", "extend-deadline"], problem.AllowedActions);
    }

    [Fact]
    public void An_action_of_another_role_is_a_403()
    {
        var state = Submitted();

        Assert.Equal(["withdraw"], Refused(Decide(state, "start-review", Citizen), 403, "role-not-allowed").AllowedActions);
        Assert.Equal(["claim", "assign", "start-review", "extend-deadline"], Refused(Decide(state, "withdraw", Anna), 403, "role-not-allowed").AllowedActions);
        Assert.Empty(Refused(Decide(state, "start-review", Auditor), 403, "role-not-allowed").AllowedActions!);
        Assert.Equal(["assign"], Refused(Decide(state, "start-review", Admin), 403, "role-not-allowed").AllowedActions);
    }

    [Fact]
    public void An_action_in_the_wrong_state_is_a_422_listing_the_allowed_actions()
    {
        var problem = Refused(Decide(Submitted(), "register", Anna), 422, "action-not-allowed-in-state");

        Assert.Equal(["claim", "assign", "start-review", "extend-deadline"], problem.AllowedActions);
        Assert.Contains("'submitted'", problem.Detail);
    }

    [Fact]
    public void A_case_assigned_to_a_colleague_is_a_409()
    {
        var state = Act(Submitted(), "claim", Ben);

        var problem = Refused(Decide(state, "start-review", Anna), 409, "assigned-to-colleague");

        Assert.Contains("Ben Weber", problem.Detail);
    }

    [Fact]
    public void A_team_member_takes_over_a_colleague_s_case_with_a_reason()
    {
        var state = InReview(by: Ben);
        Assert.Equal(["take-over"], Ids(CaseDecider.AllowedActions(Definition, state, Anna)));

        Assert.Equal("reason", Assert.Single(Refused(Decide(state, "take-over", Anna), 400, "invalid-input").Errors!).Field);
        Refused(Decide(state, "take-over", Ben, new() { ["reason"] = "x" }), 422, "already-claimed");
        Refused(Decide(Submitted(), "take-over", Anna, new() { ["reason"] = "x" }), 422, "not-assigned");
        Refused(Decide(state, "take-over", Admin, new() { ["reason"] = "x" }), 403, "role-not-allowed");

        var taken = Assert.Single(Accepted(Decide(state, "take-over", Anna, new() { ["reason"] = "  Ben ist bis Freitag im Urlaub. " }, Later)));
        Assert.Equal(new CaseTakenOver(CaseNumber, "ben", "Ben Weber", "anna", "Anna Schmidt", "Ben ist bis Freitag im Urlaub.", Anna.AsActor(), Later), taken);
        var after = Fold(state, [taken]);
        Assert.Equal(("anna", "Anna Schmidt"), (after.AssigneeId, after.AssigneeName));
        Assert.Contains("register", Ids(CaseDecider.AllowedActions(Definition, after, Anna)));
        Assert.Equal(["take-over"], Ids(CaseDecider.AllowedActions(Definition, after, Ben)));
        Refused(Decide(after, "register", Ben), 409, "assigned-to-colleague");
    }

    [Fact]
    public void Invalid_input_is_a_400_in_english_for_staff()
    {
        var state = InReview();

        var problem = Refused(Decide(state, "reject", Anna, new JsonObject { ["reason"] = " ", ["note"] = "x" }), 400, "invalid-input");

        Assert.Equal(
            [new FieldError("note", "unknown-field", "This form has no such field."), new FieldError("reason", "required", "Please fill in this field.")],
            problem.Errors);
        Assert.Equal("2 input value(s) need to be corrected.", problem.Detail);
    }

    [Fact]
    public void Invalid_input_of_a_citizen_is_in_the_case_s_language()
    {
        var waiting = Act(InReview(), "request-landlord-confirmation", Anna, new JsonObject { ["message"] = "Bitte reichen Sie die Bestätigung nach." });

        var problem = Refused(Decide(waiting, "provide-information", Citizen, new JsonObject()), 400, "invalid-input");

        Assert.Equal("Die Eingaben sind nicht vollständig oder nicht gültig.", problem.Title);
        Assert.Equal([new FieldError("landlordName", "required", "Bitte füllen Sie dieses Feld aus.")], problem.Errors);
    }

    [Fact]
    public void A_guard_that_does_not_hold_is_a_422_with_the_guard_message()
    {
        // With the landlord's confirmation uploaded (v3 holds the registration back without it), the form's guard decides.
        var state = WithConfirmation(InReview(Data(landlordConfirmation: false)));

        var problem = Refused(Decide(state, "register", Anna), 422, "guard-failed");

        Assert.Equal("Registration needs the landlord's confirmation.", problem.Title);
        Assert.Equal(["release", "assign", "request-landlord-confirmation", "register", "reject", "extend-deadline"], problem.AllowedActions);
    }

    [Fact]
    public void A_registration_without_the_landlords_confirmation_waits_for_the_document()
    {
        var problem = Refused(Decide(InReview(Data(landlordConfirmation: false)), "register", Anna), 422, "documents-missing");
        Assert.Equal("landlord-confirmation", Assert.Single(problem.Errors).Message);
        // Who had the confirmation at hand named the landlord in the form: no document is needed.
        Assert.Empty(CaseDocuments.MissingBefore(Definition, InReview(), "register", Today));
    }

    private static Case WithConfirmation(Case state) =>
        state with { Documents = [new CaseDocument(Guid.NewGuid(), "landlord-confirmation", "application/pdf", 100, new string('0', 64), Roles.Citizen, Later)] };

    [Fact]
    public void A_closed_case_takes_no_action()
    {
        var closed = Act(InReview(), "register", Anna);

        foreach (var (action, caller) in new[] { ("withdraw", Citizen), ("reject", Anna), ("claim", Ben), ("release", Anna), ("release", Admin), ("teleport", Anna) })
        {
            var problem = Refused(Decide(closed, action, caller), 422, "case-closed");
            Assert.Empty(problem.AllowedActions!);
            Assert.Contains("'approved'", problem.Detail);
        }
    }

    // ---- Decide: events ------------------------------------------------------------------------------------------

    [Fact]
    public void A_caseworker_s_first_action_on_an_unassigned_case_claims_it()
    {
        var state = Submitted();

        var events = Accepted(Decide(state, "start-review", Anna));

        Assert.Equal(2, events.Count);
        Assert.Equal(new CaseClaimed(CaseNumber, "anna", "Anna Schmidt", Anna.AsActor(), Later), events[0]);
        var taken = Assert.IsType<CaseActionTaken>(events[1]);
        Assert.Equal(new CaseActionTaken(CaseNumber, "start-review", "submitted", "in-review", taken.Input, null, Anna.AsActor(), Later), taken);
        Assert.Empty(taken.Input);
        var after = Fold(state, events);
        Assert.Equal(
            state with { State = "in-review", AssigneeId = "anna", AssigneeName = "Anna Schmidt", LastChangedAt = Later, VisitedStates = after.VisitedStates, Version = state.Version + 2 },
            after);
        Assert.Equal(["submitted", "in-review"], after.VisitedStates);
    }

    [Fact]
    public void The_assignee_s_next_action_claims_nothing()
    {
        var state = InReview();

        var events = Accepted(Decide(state, "request-landlord-confirmation", Anna, new JsonObject { ["message"] = "Bitte Bestätigung nachreichen." }));

        Assert.Equal(2, events.Count);
        var requested = Assert.IsType<InformationRequested>(events[0]);
        Assert.Equal(new InformationRequested(CaseNumber, "request-landlord-confirmation", "in-review", "waiting-for-citizen", requested.Input, "citizen", Anna.AsActor(), Later), requested);
        Assert.Equal("Bitte Bestätigung nachreichen.", requested.Input["message"]!.GetValue<string>());
        // Waiting for the citizen stops the legal clock (see Deadlines/LegalClockTests).
        Assert.Equal(new DeadlineSuspended(CaseNumber, "request-landlord-confirmation", "waiting-for-citizen", state.DueOn!.Value, Today, Later), events[1]);
        var after = Fold(state, events);
        Assert.Equal(state with { State = "waiting-for-citizen", ClockStoppedOn = Today, DeadlineHistory = after.DeadlineHistory, VisitedStates = after.VisitedStates, Version = state.Version + 2 }, after);
        Assert.Equal([.. state.VisitedStates, "waiting-for-citizen"], after.VisitedStates);
    }

    [Fact]
    public void A_decision_decides_and_closes_the_case_with_the_outcome()
    {
        var state = InReview();

        var events = Accepted(Decide(state, "register", Anna));

        Assert.Equal(2, events.Count);
        var decided = Assert.IsType<CaseDecided>(events[0]);
        Assert.Equal(new CaseDecided(CaseNumber, "register", "in-review", "registered", "approved", decided.Input, Anna.AsActor(), Later), decided);
        Assert.Equal(new CaseClosed(CaseNumber, "registered", "approved", Later), events[1]);
        var after = Fold(state, events);
        Assert.Equal(
            state with { State = "registered", Outcome = "approved", IsClosed = true, ClosedAt = Later, LastChangedAt = Later, VisitedStates = after.VisitedStates, Version = state.Version + 2 },
            after);
    }

    [Fact]
    public void A_rejection_keeps_its_reason_and_closes_the_case_as_rejected()
    {
        var state = InReview();

        var events = Accepted(Decide(state, "reject", Anna, new JsonObject { ["reason"] = "Die Wohnung ist nicht bewohnbar." }));

        var decided = Assert.IsType<CaseDecided>(events[0]);
        Assert.Equal(("rejected", "rejected"), (decided.ToState, decided.Outcome));
        Assert.Equal("Die Wohnung ist nicht bewohnbar.", decided.Input["reason"]!.GetValue<string>());
        Assert.Equal(new CaseClosed(CaseNumber, "rejected", "rejected", Later), events[1]);
        var after = Fold(state, events);
        Assert.Equal(("rejected", "rejected", true), (after.State, after.Outcome, after.IsClosed));
    }

    [Fact]
    public void A_citizen_withdraws_without_claiming_the_case()
    {
        var state = Submitted();

        var events = Accepted(Decide(state, "withdraw", Citizen));

        Assert.Equal(2, events.Count);
        var withdrawn = Assert.IsType<CaseWithdrawn>(events[0]);
        Assert.Equal(new CaseWithdrawn(CaseNumber, "withdraw", "submitted", "withdrawn", withdrawn.Input, null, Citizen.AsActor(), Later), withdrawn);
        Assert.Equal(new CaseClosed(CaseNumber, "withdrawn", "withdrawn", Later), events[1]);
        var after = Fold(state, events);
        Assert.Equal(
            state with { State = "withdrawn", Outcome = "withdrawn", IsClosed = true, ClosedAt = Later, LastChangedAt = Later, VisitedStates = after.VisitedStates, Version = state.Version + 2 },
            after);
    }

    [Fact]
    public void Provided_information_updates_the_form_data_and_lets_the_guard_pass()
    {
        var waiting = Act(WithConfirmation(InReview(Data(landlordConfirmation: false))), "request-landlord-confirmation", Anna,
            new JsonObject { ["message"] = "Bitte nennen Sie Ihren Vermieter." });
        var input = new JsonObject { ["landlordName"] = "Wohnungsgenossenschaft Jena eG", ["comment"] = "Die Bestätigung folgt per Post." };

        var events = Accepted(Decide(waiting, "provide-information", Citizen, input));

        Assert.Equal(2, events.Count);
        var provided = Assert.IsType<InformationProvided>(events[0]);
        // The clock runs again; asked and answered on the same day, so the due date stays.
        Assert.Equal(new DeadlineResumed(CaseNumber, "provide-information", "in-review", Today, Today, 0, "working", waiting.DueOn!.Value, waiting.DueOn!.Value, Later), events[1]);
        Assert.Equal(new InformationProvided(CaseNumber, "provide-information", "waiting-for-citizen", "in-review", provided.Input, provided.FormChanges, null, Citizen.AsActor(), Later), provided);
        Assert.True(JsonNode.DeepEquals(input, provided.Input));
        Assert.NotSame(input, provided.Input);
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["landlordName"] = "Wohnungsgenossenschaft Jena eG" }, provided.FormChanges));

        var after = Fold(waiting, events);
        var expectedData = Data(landlordConfirmation: false);
        expectedData["landlordName"] = "Wohnungsgenossenschaft Jena eG";
        Assert.True(JsonNode.DeepEquals(expectedData, after.Data), after.Data.ToJsonString());
        Assert.False(waiting.Data.ContainsKey("landlordName"));
        Assert.Equal(waiting with { State = "in-review", Data = after.Data, ClockStoppedOn = null, DeadlineHistory = after.DeadlineHistory, Version = waiting.Version + 2 }, after);

        var registered = Act(after, "register", Anna);
        Assert.Equal(("registered", "approved"), (registered.State, registered.Outcome));
    }

    // ---- claim, release, assign ----------------------------------------------------------------------------------

    [Fact]
    public void A_caseworker_claims_an_unassigned_case_once()
    {
        var state = Submitted();

        var events = Accepted(Decide(state, "claim", Anna));

        Assert.Equal([new CaseClaimed(CaseNumber, "anna", "Anna Schmidt", Anna.AsActor(), Later)], events);
        var claimed = Fold(state, events);
        Assert.Equal(state with { AssigneeId = "anna", AssigneeName = "Anna Schmidt", LastChangedAt = Later, Version = 2 }, claimed);
        Refused(Decide(claimed, "claim", Anna), 422, "already-claimed");
    }

    [Fact]
    public void A_case_claimed_by_a_colleague_cannot_be_claimed_or_released()
    {
        var state = Act(Submitted(), "claim", Anna);

        Assert.Contains("Anna Schmidt", Refused(Decide(state, "claim", Ben), 409, "assigned-to-colleague").Detail);
        Refused(Decide(state, "release", Ben), 409, "assigned-to-colleague");
        Refused(Decide(state, "assign", Ben, new JsonObject { ["assigneeId"] = "ben", ["assigneeName"] = "Ben Weber" }), 409, "assigned-to-colleague");
    }

    [Fact]
    public void The_assignee_releases_the_case()
    {
        var state = Act(Submitted(), "claim", Anna);

        var events = Accepted(Decide(state, "release", Anna));

        Assert.Equal([new CaseReleased(CaseNumber, "anna", Anna.AsActor(), Later)], events);
        var released = Fold(state, events);
        Assert.Equal((null, null), (released.AssigneeId, released.AssigneeName));
        Refused(Decide(released, "release", Anna), 422, "not-assigned");
    }

    [Fact]
    public void An_admin_may_release_anyone_s_case_but_not_claim()
    {
        var state = Act(Submitted(), "claim", Anna);

        Assert.Equal([new CaseReleased(CaseNumber, "anna", Admin.AsActor(), Later)], Accepted(Decide(state, "release", Admin)));
        Refused(Decide(Submitted(), "claim", Admin), 403, "role-not-allowed");
    }

    [Fact]
    public void Auditors_and_citizens_neither_claim_nor_release_nor_assign()
    {
        var claimed = Act(Submitted(), "claim", Anna);
        var assign = new JsonObject { ["assigneeId"] = "audit", ["assigneeName"] = "Ida Prüfer" };

        foreach (var caller in new[] { Auditor, Citizen })
        {
            Refused(Decide(Submitted(), "claim", caller), 403, "role-not-allowed");
            Refused(Decide(claimed, "release", caller), 403, "role-not-allowed");
            Refused(Decide(claimed, "assign", caller, assign), 403, "role-not-allowed");
        }
    }

    [Fact]
    public void A_caseworker_assigns_an_unassigned_or_own_case_and_an_admin_any_case()
    {
        var toBen = new JsonObject { ["assigneeId"] = "ben", ["assigneeName"] = "Ben Weber" };

        Assert.Equal([new CaseAssigned(CaseNumber, "ben", "Ben Weber", Anna.AsActor(), Later)], Accepted(Decide(Submitted(), "assign", Anna, toBen)));
        var annas = Act(Submitted(), "claim", Anna);
        var assigned = Act(annas, "assign", Anna, toBen);
        Assert.Equal(("ben", "Ben Weber"), (assigned.AssigneeId, assigned.AssigneeName));
        Assert.Equal([new CaseAssigned(CaseNumber, "ben", "Ben Weber", Admin.AsActor(), Later)], Accepted(Decide(annas, "assign", Admin, toBen)));
    }

    [Fact]
    public void Assigning_needs_the_colleague_s_id_and_name()
    {
        var problem = Refused(Decide(Submitted(), "assign", Anna, new JsonObject { ["assigneeId"] = "ben" }), 400, "invalid-input");

        Assert.Equal([new FieldError("assigneeName", "required", "Please fill in this field.")], problem.Errors);
        Refused(Decide(Submitted(), "assign", Anna), 400, "invalid-input");
    }

    // ---- AllowedActions ------------------------------------------------------------------------------------------

    [Fact]
    public void Allowed_actions_depend_on_role_state_and_assignee()
    {
        var submitted = Submitted();
        var claimedByAnna = Act(submitted, "claim", Anna);
        var inReview = InReview();
        var waiting = Act(inReview, "request-landlord-confirmation", Anna, new JsonObject { ["message"] = "Bitte nachreichen." });
        var closed = Act(inReview, "register", Anna);

        // Extending the deadline: for caseworkers, because change-of-address allows it (legalDeadline.extension).
        Assert.Equal(["claim", "assign", "start-review", "extend-deadline"], Ids(CaseDecider.AllowedActions(Definition, submitted, Anna)));
        Assert.Equal(["release", "assign", "start-review", "extend-deadline"], Ids(CaseDecider.AllowedActions(Definition, claimedByAnna, Anna)));
        Assert.Equal(["take-over"], Ids(CaseDecider.AllowedActions(Definition, claimedByAnna, Ben)));
        Assert.Equal(["release", "assign", "request-landlord-confirmation", "register", "reject", "extend-deadline"], Ids(CaseDecider.AllowedActions(Definition, inReview, Anna)));
        Assert.Equal(["release", "assign", "reject", "extend-deadline"], Ids(CaseDecider.AllowedActions(Definition, waiting, Anna)));

        Assert.Equal(["withdraw"], Ids(CaseDecider.AllowedActions(Definition, submitted, Citizen)));
        Assert.Equal(["withdraw"], Ids(CaseDecider.AllowedActions(Definition, inReview, Citizen)));
        Assert.Equal(["provide-information", "withdraw"], Ids(CaseDecider.AllowedActions(Definition, waiting, Citizen)));

        Assert.Equal(["assign"], Ids(CaseDecider.AllowedActions(Definition, submitted, Admin)));
        Assert.Equal(["release", "assign"], Ids(CaseDecider.AllowedActions(Definition, inReview, Admin)));
        Assert.Empty(CaseDecider.AllowedActions(Definition, inReview, Auditor));

        foreach (var caller in new[] { Anna, Ben, Citizen, Admin, Auditor })
            Assert.Empty(CaseDecider.AllowedActions(Definition, closed, caller));
    }

    [Fact]
    public void Allowed_actions_carry_label_kind_and_inputs()
    {
        var reject = Assert.Single(CaseDecider.AllowedActions(Definition, InReview(), Anna), a => a.Id == "reject");

        Assert.Equal(ActionKinds.Decide, reject.Kind);
        Assert.Equal(new LocalizedText("Ablehnen", "Reject"), reject.Label);
        Assert.Equal("reason", Assert.Single(reject.Inputs).Id);
        Assert.Equal(["assigneeId", "assigneeName"], CaseDecider.BuiltIn["assign"].Inputs.Select(i => i.Id));
    }

    [Fact]
    public void Every_action_the_decider_allows_is_accepted_by_it()
    {
        // AllowedActions and Decide agree: what a caller is offered, they can do (given valid input).
        var inputs = new Dictionary<string, JsonObject>
        {
            ["request-landlord-confirmation"] = new() { ["message"] = "Bitte nachreichen." },
            ["provide-information"] = new() { ["landlordName"] = "WG Jena eG" },
            ["reject"] = new() { ["reason"] = "Unvollständig." },
            ["assign"] = new() { ["assigneeId"] = "ben", ["assigneeName"] = "Ben Weber" },
            ["extend-deadline"] = new() { ["workingDays"] = 3, ["reason"] = "Rückfrage beim Vermieter." },
            ["take-over"] = new() { ["reason"] = "Anna ist im Urlaub." },
        };
        var inReview = InReview();
        var states = new[] { Submitted(), Act(Submitted(), "claim", Anna), inReview, Act(inReview, "request-landlord-confirmation", Anna, inputs["request-landlord-confirmation"]) };

        foreach (var state in states)
            foreach (var caller in new[] { Anna, Ben, Citizen, Admin, Auditor })
                foreach (var action in CaseDecider.AllowedActions(Definition, state, caller))
                {
                    var decision = Decide(state, action.Id, caller, inputs.GetValueOrDefault(action.Id)?.DeepClone().AsObject());
                    Assert.True(decision.Problem is null, $"{caller.Id} may '{action.Id}' in '{state.State}' but was refused: {decision.Problem}");
                }
    }
}
