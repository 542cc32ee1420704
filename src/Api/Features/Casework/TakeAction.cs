using System.Text.Json.Nodes;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Api.Problems;
using Vorgang.Api.Security;
using Vorgang.Api.Views;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Wolverine;
using Wolverine.Http;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Api.Features.Casework;

/// <summary>A change to a case: the version of the case the client last saw, and the action's input values.</summary>
/// <param name="ExpectedVersion">The version of the case the client last read; a newer one answers 409.</param>
/// <param name="Input">The action's input values, as its <c>inputs</c> in the definition declare them.</param>
public sealed record ActionRequest(long? ExpectedVersion, JsonObject? Input)
{
    public static readonly IValidator<ActionRequest> Rules = new Validator();

    private sealed class Validator : AbstractValidator<ActionRequest>
    {
        public Validator()
        {
            RuleFor(r => r.ExpectedVersion).Cascade(CascadeMode.Stop)
                .NotNull().WithErrorCode("required").WithMessage("Send the version of the case you last saw (expectedVersion).")
                .GreaterThanOrEqualTo(0).WithErrorCode("integer").WithMessage("'expectedVersion' must be a whole number ≥ 0: the version of the case you last saw.");
        }
    }
}

/// <summary>Staff take an action on a case: a step of its process, or claim, release, assign.</summary>
[Authorize(Policy = StaffAuth.StaffPolicy)]
public static class TakeActionEndpoint
{
    public static IResult? Validate(ActionRequest request, HttpContext context) => RequestValidation.Check(ActionRequest.Rules, request, context);

    [WolverinePost("/api/cases/{caseNumber}/actions/{actionId}", OperationId = "takeAction")]
    [EndpointSummary("Take an action (including claim, release, assign) at the expected version.")]
    [EndpointDescription("Takes an action at the `expectedVersion` with its `input` and answers the new staff view. Besides the definition's actions every service offers `claim`, `release` and `assign` (`input: { assigneeId, assigneeName }`), `take-over` for a team member when a colleague holds the case (`input: { reason }`, recorded in the event), and `extend-deadline` where the definition allows it. A caseworker's first action on an unassigned case claims it. A stale version is `409 version-conflict` (with `currentVersion`), a case claimed by a colleague `409 assigned-to-colleague`; an action not possible now is `422` (with `allowedActions`).")]
    [Tags("Casework")]
    [ProducesResponseType<StaffCaseView>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(403, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(422, "application/problem+json")]
    [Consumes(typeof(ActionRequest), "application/json")]
    public static async Task<IResult> Post(
        string caseNumber, string actionId, ActionRequest request, CaseWriter writer, IDocumentSession session, IMessageBus bus, TimeProvider time,
        HttpContext context, CancellationToken ct)
    {
        var caller = context.User.StaffCaller();
        if (caller is null) return Access.NoRole(context);
        return await CaseActions.TakeAsync(writer, session, bus, context, caseNumber, actionId, request, caller,
            authorize: (state, definition) => state is null || definition is null ? null : Access.CanAct(caller, state, definition, context),
            respond: (state, definition) => Task.FromResult(Results.Ok(CaseViews.Staff(definition, state, caller, time.Today()))),
            ct);
    }
}
