using System.Text.Json.Nodes;
using Vorgang.Tests.Definitions;

namespace Vorgang.Tests.Security;

/// <summary>The Keycloak realm of docker-compose.yml stays in step with the definitions and with what the engine reads.</summary>
public sealed class KeycloakRealmTests
{
    private static readonly string Root = Path.GetDirectoryName(ShippedDefinitions.Folder)!;

    private static JsonNode Realm() => JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "deploy", "keycloak", "vorgang-realm.json")))!;

    private static IEnumerable<string> Names(JsonNode? array, string property = "name") =>
        array!.AsArray().Select(n => (string)n![property]!);

    [Fact]
    public void The_realm_has_a_group_per_team_and_a_role_per_staff_role_and_party()
    {
        var definitions = ShippedDefinitions.ServiceIds.Select(id => ShippedDefinitions.Definition(id, today: ShippedDefinitions.Today)).ToList();
        var teams = definitions.SelectMany(d => d.Routing.Select(r => r.Team).Append(d.Team)).ToHashSet();
        // A party's organisations are groups too: each school is the team of its accounts.
        teams.UnionWith(definitions.SelectMany(d => d.PartyFields.Values.SelectMany(f => d.Form.Single(x => x.Id == f).Options.Select(o => o.Value))));
        var roles = definitions.SelectMany(d => d.Parties).Concat(["caseworker", "auditor", "admin"]).ToHashSet();

        var realm = Realm();
        Assert.Equal("vorgang", (string)realm["realm"]!);
        Assert.Equal(teams.Order(), Names(realm["groups"]).Order());
        Assert.Equal(roles.Order(), Names(realm["roles"]!["realm"]).Order());
    }

    [Fact]
    public void Staff_tokens_carry_the_audience_vorgang_and_the_groups_as_team()
    {
        var clients = Realm()["clients"]!.AsArray();
        Assert.Contains("vorgang", Names(clients, "clientId"));
        var staff = clients.Single(c => (string)c!["clientId"]! == "vorgang-staff")!;
        var mappers = staff["protocolMappers"]!.AsArray();
        var audience = mappers.Single(m => (string)m!["protocolMapper"]! == "oidc-audience-mapper")!;
        Assert.Equal("vorgang", (string)audience["config"]!["included.custom.audience"]!);
        Assert.Equal("true", (string)audience["config"]!["access.token.claim"]!);
        var groups = mappers.Single(m => (string)m!["protocolMapper"]! == "oidc-group-membership-mapper")!;
        Assert.Equal("groups", (string)groups["config"]!["claim.name"]!);
        Assert.Equal("true", (string)groups["config"]!["access.token.claim"]!);

        // Every demo user is in the realm roles and groups defined above.
        var realm = Realm();
        var roles = Names(realm["roles"]!["realm"]).ToHashSet();
        var paths = Names(realm["groups"], "path").ToHashSet();
        foreach (var user in realm["users"]!.AsArray())
        {
            Assert.Single(user!["realmRoles"]!.AsArray(), r => roles.Contains((string)r!));
            Assert.All(user["groups"]!.AsArray(), g => Assert.Contains((string)g!, paths));
        }
    }

    [Fact]
    public void The_engine_in_compose_reads_roles_and_team_where_Keycloak_puts_them()
    {
        var compose = File.ReadAllText(Path.Combine(Root, "docker-compose.yml"));
        Assert.Contains("Vorgang__Auth__Authority: \"http://keycloak:8080/realms/vorgang\"", compose);
        Assert.Contains("Vorgang__Auth__RoleClaim: \"realm_access.roles\"", compose);
        Assert.Contains("Vorgang__Auth__TeamClaim: \"groups\"", compose);
        Assert.Contains("./deploy/keycloak:/opt/keycloak/data/import:ro", compose);
    }

    [Fact]
    public void The_pages_sign_in_with_a_confidential_client_whose_id_token_carries_role_team_and_name()
    {
        var portal = Realm()["clients"]!.AsArray().Single(c => (string)c!["clientId"]! == "vorgang-portal")!;
        Assert.False((bool)portal["publicClient"]!);
        Assert.True((bool)portal["standardFlowEnabled"]!);
        Assert.False((bool)portal["directAccessGrantsEnabled"]!);
        Assert.Equal("S256", (string)portal["attributes"]!["pkce.code.challenge.method"]!);
        Assert.Equal(["http://localhost:8080/staff/sign-in/callback"], portal["redirectUris"]!.AsArray().Select(u => (string)u!));
        Assert.Equal("http://localhost:8080/staff/sign-out/callback", (string)portal["attributes"]!["post.logout.redirect.uris"]!);
        // The engine builds the session from the ID token (decision 36): role and team must be in it, where RoleClaim and TeamClaim look.
        var mappers = portal["protocolMappers"]!.AsArray();
        var roles = mappers.Single(m => (string)m!["protocolMapper"]! == "oidc-usermodel-realm-role-mapper")!["config"]!;
        Assert.Equal(("realm_access.roles", "true", "true"), ((string)roles["claim.name"]!, (string)roles["id.token.claim"]!, (string)roles["multivalued"]!));
        var groups = mappers.Single(m => (string)m!["protocolMapper"]! == "oidc-group-membership-mapper")!["config"]!;
        Assert.Equal(("groups", "true"), ((string)groups["claim.name"]!, (string)groups["id.token.claim"]!));

        var compose = File.ReadAllText(Path.Combine(Root, "docker-compose.yml"));
        Assert.Contains("Vorgang__Auth__ClientId: \"vorgang-portal\"", compose);
        Assert.Contains("Vorgang__Auth__ClientSecret: \"${VORGANG_PORTAL_SECRET:-" + (string)portal["secret"]! + "}\"", compose);
    }
}
