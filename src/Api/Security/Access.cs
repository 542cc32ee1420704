using Marten;
using Vorgang.Api.Features.Casework;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Api.Security;

/// <summary>
/// Who may read or change which case (docs/security-roles.md): caseworkers their team's cases, second parties the cases
/// addressed to them (<see cref="PartyAccess"/>), auditors and admins every case; auditors change nothing.
/// A case the caller may not reach is answered exactly like a case that does not exist, so that a refusal never tells
/// whether a case number is in use.
/// </summary>
public static class Access
{
    public static IResult NoRole(HttpContext context) =>
        Problems.Problems.Status(context, 403, "role-not-allowed", "Your token carries no staff role.", "Sign in as caseworker, auditor, admin or a party of the service.");

    /// <summary>A case the caller may read, with the definition version it runs on — or the 403 (no staff role) or 404 that refuses it.</summary>
    public static async Task<(Case? State, ProcessDefinition? Definition, IResult? Refused)> ReadableAsync(
        string caseNumber, Caller? caller, IQuerySession session, DefinitionCatalog catalog, HttpContext context, CancellationToken ct)
    {
        // Decided before the case is looked at: the answer to a caller without a role must not depend on the number.
        if (caller is null) return (null, null, NoRole(context));
        var state = CaseNumbers.IsWellFormed(caseNumber) ? await session.LoadAsync<Case>(caseNumber, ct) : null;
        var definition = state is null ? null : catalog.Get(state.ServiceId, state.DefinitionVersion);
        if (state is null || definition is null) return (null, null, CaseActions.NoCase(context, caseNumber));
        return (state, definition, CanRead(caller, state, definition, context));
    }

    public static IResult? CanRead(Caller? caller, Case state, ProcessDefinition definition, HttpContext context) => caller switch
    {
        null => NoRole(context),
        { Role: Roles.Auditor or Roles.Admin } => null,
        { Role: Roles.Caseworker } when caller.Team is not null && caller.Team == state.Team => null,
        { Role: Roles.Caseworker } => CaseActions.NoCase(context, state.Id),
        _ when PartyAccess.IsAddressedTo(definition, state, caller.Role, caller.Team) => null,
        // Another team's case, a case never addressed to this party, a role the service does not know: the same 404 as
        // for a number nobody uses (same status, rule, title and detail), so that the refusal reveals nothing.
        _ => CaseActions.NoCase(context, state.Id),
    };

    /// <summary>
    /// The full history and past states are the office's and the auditors' — with internal notes and every personal value
    /// ever given. A party works with the current staff view of the cases addressed to it. Refused by role, before the
    /// case is looked at, so the answer says nothing about the case.
    /// </summary>
    public static IResult? RefuseReplayBy(Caller? caller, HttpContext context) => caller switch
    {
        null or { Role: Roles.Caseworker or Roles.Auditor or Roles.Admin } => null,
        _ => Problems.Problems.Status(context, 403, "role-not-allowed", "The history of a case is for the office and auditors.",
            $"Role '{caller.Role}' reads the current view of the cases addressed to it: GET /api/cases/{{caseNumber}}."),
    };

    /// <summary>Who may submit with a token: caseworkers and admins, for a citizen at the counter. Without a token anyone may.</summary>
    public static IResult? RefuseSubmissionBy(Caller? staff, HttpContext context) => staff switch
    {
        null or { Role: Roles.Caseworker or Roles.Admin } => null,
        { Role: Roles.Auditor } => Problems.Problems.Status(context, 403, "read-only", "Auditors read cases but do not change them.",
            "Submit without your token, or use a caseworker account to submit for a citizen."),
        _ => Problems.Problems.Status(context, 403, "role-not-allowed", "Your role may not submit for a citizen.",
            $"Role '{staff.Role}' answers the cases addressed to it; caseworkers submit for citizens at the counter."),
    };

    public static IResult? CanAct(Caller caller, Case state, ProcessDefinition definition, HttpContext context) =>
        caller.Role == Roles.Auditor
            ? Problems.Problems.Status(context, 403, "read-only", "Auditors read cases but do not change them.", "Use a caseworker account to act on a case.")
            : CanRead(caller, state, definition, context);
}
