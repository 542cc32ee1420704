using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Api.Features.Casework;
using Vorgang.Api.Problems;
using Vorgang.Api.Security;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using FluentValidation;
using Wolverine;
using Wolverine.Http;

namespace Vorgang.Api.Features.Privacy;

/// <summary>An erasure on request: why (e.g. the data subject's request under Art. 17 GDPR, with its reference).</summary>
/// <param name="Reason">Why the data is erased now, e.g. the reference of the data subject's request (1–500 characters).</param>
public sealed record ErasureRequest(string? Reason)
{
    public static readonly IValidator<ErasureRequest> Rules = new Validator();

    private sealed class Validator : AbstractValidator<ErasureRequest>
    {
        public Validator()
        {
            RuleFor(r => r.Reason).Cascade(CascadeMode.Stop)
                .Must(reason => !string.IsNullOrWhiteSpace(reason)).WithErrorCode("required").WithMessage("Say why the data is erased, e.g. the request's reference.")
                .Must(reason => reason!.Trim().Length <= 500).WithErrorCode("max-length").WithMessage("Use at most 500 characters.");
        }
    }
}

public sealed record ErasureReceipt(string CaseNumber, string Basis, string Reason, DateTimeOffset ErasedAt, long Version, bool AlreadyErased);

/// <summary>Admins erase a final case's personal data on request; retention does the same on schedule (see CaseTimerHandler).</summary>
[Authorize(Policy = StaffAuth.StaffPolicy)]
public static class ErasureEndpoints
{
    /// <summary>Only admins erase on request; the role is refused before the body is looked at.</summary>
    public static IResult? Validate(ErasureRequest request, HttpContext context)
    {
        var caller = context.User.StaffCaller();
        if (caller is null) return Access.NoRole(context);
        if (caller.Role != Roles.Admin)
            return Problems.Problems.Status(context, 403, "role-not-allowed", "Only admins erase personal data on request.", $"Role '{caller.Role}' cannot erase.");
        return RequestValidation.Check(ErasureRequest.Rules, request, context);
    }

    [WolverinePost("/api/admin/cases/{caseNumber}/erasure", OperationId = "eraseCasePersonalData")]
    [EndpointSummary("Erase a final case's personal data now, with a reason (admins).")]
    [EndpointDescription("Deletes the case's key, so that its personal values read `null` everywhere from then on, and appends the event `personal_data_erased`. Only for final cases (`409 case-not-final` while open); repeating it answers the earlier erasure with `alreadyErased: true` and appends nothing. Admins only.")]
    [Tags("Admin")]
    [ProducesResponseType<ErasureReceipt>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(403, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [Consumes(typeof(ErasureRequest), "application/json")]
    public static async Task<IResult> Erase(
        string caseNumber, ErasureRequest request, CaseWriter writer, IDocumentSession session, IMessageBus bus, HttpContext context, CancellationToken ct)
    {
        var reason = request.Reason!.Trim();
        var outcome = await PersonalDataErasure.EraseAsync(writer, session, bus, caseNumber, ErasureBases.Request, _ => reason,
            context.User.StaffCaller()!.AsActor(), CaseCause.Of(context), ct);
        return outcome.Result switch
        {
            ErasureResult.NoCase => CaseActions.NoCase(context, caseNumber),
            ErasureResult.Conflict => Problems.Problems.Status(context, 409, "version-conflict", "The case was changed in the meantime.", "Retry the erasure."),
            ErasureResult.NotFinal => Problems.Problems.Status(context, 409, "case-not-final", "The case is still open.",
                $"Case {caseNumber} is in '{outcome.Case!.State}'. Its data is needed until it is decided or withdrawn; erase it afterwards."),
            // Erased before (on request or by retention): the receipt of that erasure; nothing new is appended.
            ErasureResult.AlreadyErased => Results.Ok(new ErasureReceipt(caseNumber, outcome.Case!.PersonalDataErasureBasis ?? ErasureBases.Request,
                outcome.Case.PersonalDataErasureReason ?? "", outcome.ErasedAt!.Value, outcome.Case.Version, AlreadyErased: true)),
            _ => Results.Ok(new ErasureReceipt(caseNumber, ErasureBases.Request, reason!, outcome.ErasedAt!.Value, outcome.Case!.Version, AlreadyErased: false)),
        };
    }
}
