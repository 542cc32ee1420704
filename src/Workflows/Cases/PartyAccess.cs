using System.Text.Json.Nodes;
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

    /// <summary>The parties the process turns to in <paramref name="state"/>: a case there waits for them.</summary>
    public static IReadOnlyList<string> PartiesAddressedIn(ProcessDefinition definition, string state) =>
        definition.Parties.Where(p => StatesAddressing(definition, p).Contains(state)).ToList();

    /// <summary>
    /// The organisation of a party that is many (<c>partyFields</c>) a case names: the field's value, read without the
    /// case's key (the field is never personal). Null where the definition names none for the party, or the field is empty.
    /// </summary>
    public static string? OrganisationOf(ProcessDefinition definition, string party, JsonObject data) =>
        definition.PartyFields.TryGetValue(party, out var field) && data[field] is JsonValue value && value.TryGetValue<string>(out var named)
            ? named
            : null;

    /// <summary>
    /// Whom a case is addressed to, as the parties' work lists look it up: the party itself where the definition names
    /// no organisation for it, else <c>party/organisation</c>; null when the case names no organisation although the
    /// definition asks for one (then no organisation of the party reaches it).
    /// </summary>
    public static string? Addressee(ProcessDefinition definition, string party, string? organisation) =>
        !definition.PartyFields.ContainsKey(party) ? party
        : organisation is null ? null
        : $"{party}/{organisation}";

    /// <summary>The addressees a caller of the party reaches: the party's own (services that name no organisation) and its organisation's.</summary>
    public static IReadOnlyList<string> AddresseesOf(string party, string? organisation) =>
        organisation is null ? [party] : [party, $"{party}/{organisation}"];

    /// <summary>
    /// Whether the case has been addressed to the party (see the type's summary) — and, where the definition names the
    /// party's organisation by a form field (<c>partyFields</c>), to this <paramref name="organisation"/> of it: one school
    /// reaches its own pupils' applications, not another school's. Staff roles are never parties.
    /// </summary>
    public static bool IsAddressedTo(ProcessDefinition definition, Case state, string party, string? organisation = null) =>
        party is not (Roles.Citizen or Roles.Caseworker or Roles.Auditor or Roles.Admin or Roles.System) &&
        StatesAddressing(definition, party).Any(state.HasBeenIn) &&
        Addressee(definition, party, OrganisationOf(definition, party, state.Data)) is { } addressee &&
        AddresseesOf(party, organisation).Contains(addressee);
}
