using System.Security.Claims;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Api.Security;

/// <summary>
/// Where a token carries the staff member's role, team and display name. A name is a claim (<c>role</c>,
/// <c>https://city.example/roles</c>) or a dotted path into a JSON claim (<c>realm_access.roles</c>, as Keycloak puts
/// realm roles). Configured as <c>Vorgang:Auth:RoleClaim</c>, <c>Vorgang:Auth:TeamClaim</c> and <c>Vorgang:Auth:NameClaim</c>.
/// </summary>
public sealed record StaffClaimNames(string Role = "role", string Team = "team", string Name = "name")
{
    public static StaffClaimNames From(IConfiguration auth) => new(
        auth["RoleClaim"] is { Length: > 0 } role ? role : "role",
        auth["TeamClaim"] is { Length: > 0 } team ? team : "team",
        auth["NameClaim"] is { Length: > 0 } name ? name : "name");
}

/// <summary>Turns a validated token's claims into the one <c>role</c>, the one <c>team</c> and the <c>name</c> the engine reads.</summary>
public static class StaffClaims
{
    public const string Role = "role", Team = "team", Name = "name";

    /// <summary>
    /// Replaces the identity's <c>role</c>, <c>team</c> and <c>name</c> claims with the values found under the configured names.
    /// A single value is taken as it is. Of several (Keycloak lists <c>default-roles-…</c>, <c>offline_access</c> and every group),
    /// only those the engine knows count, and exactly one must remain: a token that would make its holder caseworker and auditor
    /// at once gets no role (403), because the engine acts on one role per request and must not guess which.
    /// Group paths (<c>/teams/registration-office</c>) count by their last segment.
    /// </summary>
    public static void Normalize(ClaimsIdentity identity, StaffClaimNames names, IReadOnlySet<string> knownRoles, IReadOnlySet<string> knownTeams)
    {
        var role = One(Values(identity, names.Role).Distinct(StringComparer.Ordinal).ToList(), knownRoles);
        var team = One(Values(identity, names.Team).Select(LastSegment).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToList(), knownTeams);
        var name = Values(identity, names.Name).FirstOrDefault()
            ?? identity.FindFirst(Name)?.Value
            ?? identity.FindFirst("preferred_username")?.Value;
        Replace(identity, Role, role);
        Replace(identity, Team, team);
        Replace(identity, Name, name);
    }

    /// <summary>The roles and teams a token may name, read from the definitions once: they do not change while the engine runs.</summary>
    public sealed record Vocabulary(IReadOnlySet<string> Roles, IReadOnlySet<string> Teams)
    {
        public static Vocabulary For(DefinitionCatalog? catalog) => new(KnownRoles(catalog), KnownTeams(catalog));
    }

    /// <summary>The roles the engine acts on: staff roles, citizens, and every party a service declares.</summary>
    public static IReadOnlySet<string> KnownRoles(DefinitionCatalog? catalog)
    {
        var roles = new HashSet<string>(StaffAuth.StaffRoles, StringComparer.Ordinal) { Roles.Citizen };
        foreach (var published in catalog?.Published ?? []) roles.UnionWith(published.Definition.Parties);
        return roles;
    }

    /// <summary>The teams the definitions route cases to, and the organisations of parties (the options of their <c>partyFields</c>).</summary>
    public static IReadOnlySet<string> KnownTeams(DefinitionCatalog? catalog)
    {
        var teams = new HashSet<string>(StringComparer.Ordinal);
        foreach (var published in catalog?.Published ?? [])
        {
            var definition = published.Definition;
            teams.Add(definition.Team);
            teams.UnionWith(definition.Routing.Select(r => r.Team));
            foreach (var field in definition.PartyFields.Values)
                teams.UnionWith(definition.Form.FirstOrDefault(f => f.Id == field)?.Options.Select(o => o.Value) ?? []);
        }
        return teams;
    }

    private static string? One(List<string> values, IReadOnlySet<string> known) => values switch
    {
        [] => null,
        [var only] => only,
        _ => values.Where(known.Contains).ToList() is [var single] ? single : null,
    };

    private static string LastSegment(string value) => value.TrimEnd('/') is var trimmed && trimmed.LastIndexOf('/') is var slash and >= 0
        ? trimmed[(slash + 1)..]
        : value;

    /// <summary>The string values under a claim name or a dotted path into a JSON claim; arrays give each of their strings.</summary>
    public static IEnumerable<string> Values(ClaimsIdentity identity, string path)
    {
        var direct = identity.FindAll(path).ToList();
        if (direct.Count > 0) return direct.SelectMany(c => Strings(c, []));
        // realm_access.roles: the claim "realm_access" holds a JSON object; walk the rest of the path inside it.
        for (var dot = path.IndexOf('.'); dot > 0; dot = path.IndexOf('.', dot + 1))
        {
            var claims = identity.FindAll(path[..dot]).ToList();
            if (claims.Count > 0) return claims.SelectMany(c => Strings(c, path[(dot + 1)..].Split('.'))).ToList();
        }
        return [];
    }

    private static IEnumerable<string> Strings(Claim claim, string[] path)
    {
        var isJson = claim.ValueType is JsonClaimValueTypes.Json or JsonClaimValueTypes.JsonArray;
        if (!isJson) return path.Length == 0 ? [claim.Value] : [];
        try
        {
            using var document = JsonDocument.Parse(claim.Value);
            var element = document.RootElement;
            foreach (var segment in path)
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(segment, out element)) return [];
            }
            return element.ValueKind switch
            {
                JsonValueKind.String => [element.GetString()!],
                JsonValueKind.Array => element.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList(),
                _ => [],
            };
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static void Replace(ClaimsIdentity identity, string type, string? value)
    {
        foreach (var claim in identity.FindAll(type).ToList()) identity.RemoveClaim(claim);
        if (!string.IsNullOrWhiteSpace(value)) identity.AddClaim(new Claim(type, value));
    }
}
