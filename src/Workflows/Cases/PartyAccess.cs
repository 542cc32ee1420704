using Vorgang.Workflows.Definitions;

namespace Vorgang.Workflows.Cases;

/// <summary>
/// Which cases a second party (e.g. <c>school</c>) may reach. A case is <b>addressed</b> to a party when it is in, or
/// has been in, a state of its definition version that waits for the party (<c>waitingFor</c>) or in which an action
/// is offered to the party's role (<c>by</c> names it, <c>from</c> names the state). Only a party the service declares
/// (<c>parties</c>) can be addressed at all. Declaring the party on the service is not enough: a party reaches no case
/// the process never turned to it with.
/// </summary>
public static class PartyAccess
{
    /// <summary>The states of a definition in which the process turns to the party.</summary>
    public static IReadOnlySet<string> StatesAddressing(ProcessDefinition definition, string party)
    {
        if (!definition.Parties.Contains(party)) return new HashSet<string>();
        var states = definition.States.Where(s => s.WaitingFor == party).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var action in definition.Actions.Where(a => a.By.Contains(party)))
            states.UnionWith(action.From);
        return states;
    }

    /// <summary>
    /// Whether the case has been addressed to the party (see the type's summary) — and, where the definition names the
    /// party's organisation by a form field (<c>partyFields</c>), to this <paramref name="organisation"/> of it: one school
    /// reaches its own pupils' applications, not another school's. Staff roles are never parties.
    /// </summary>
    public static bool IsAddressedTo(ProcessDefinition definition, Case state, string party, string? organisation = null) =>
        party is not (Roles.Citizen or Roles.Caseworker or Roles.Auditor or Roles.Admin or Roles.System) &&
        StatesAddressing(definition, party).Any(state.HasBeenIn) &&
        (!definition.PartyFields.TryGetValue(party, out var field) ||
         (organisation is not null && state.Data[field] is System.Text.Json.Nodes.JsonValue value &&
          value.TryGetValue<string>(out var named) && named == organisation));
}
