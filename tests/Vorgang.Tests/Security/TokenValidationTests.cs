using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Alba;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Vorgang.Api.Security;
using Vorgang.Tests.Api;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Security;

/// <summary>
/// The engine accepts a staff token only with the right issuer, audience, signature, algorithm and lifetime; anything else
/// is 401, a valid token without a role 403 — both as problem responses. Here with the development key; the production
/// path (an OIDC authority) is <see cref="OidcTokenValidationTests"/>.
/// </summary>
public sealed class TokenValidationTests(AppFixture app) : ApiTest(app)
{
    private const string Queue = "/api/queues/registration-office";

    public static TheoryData<string> RefusedTokens() =>
    [
        "wrong-issuer", "wrong-audience", "wrong-key", "expired", "not-yet-valid", "alg-none", "no-expiry",
        "algorithm-not-allowed", "tampered-payload", "rsa-key-unknown", "empty", "garbage",
    ];

    private static string Refused(string kind) => kind switch
    {
        "wrong-issuer" => SecurityTokens.Signed(issuer: "https://evil.example/realms/vorgang"),
        "wrong-audience" => SecurityTokens.Signed(audience: "account"),
        "wrong-key" => SecurityTokens.Signed(key: new SymmetricSecurityKey(Encoding.UTF8.GetBytes("another-signing-key-with-at-least-32-bytes!")) { KeyId = "vorgang-dev" }),
        // Beyond the minute of clock skew the engine allows.
        "expired" => SecurityTokens.Signed(notBefore: DateTime.UtcNow.AddHours(-2), expires: DateTime.UtcNow.AddMinutes(-5)),
        "not-yet-valid" => SecurityTokens.Signed(notBefore: DateTime.UtcNow.AddMinutes(10), expires: DateTime.UtcNow.AddHours(1)),
        "alg-none" => SecurityTokens.Unsigned(),
        "no-expiry" => SecurityTokens.Signed(withoutExpiry: true),
        // The right key, but an algorithm the engine does not accept for it (only HS256 for the development key; see the
        // authority's RS512 case in OidcTokenValidationTests for the pinning on its own).
        "algorithm-not-allowed" => SecurityTokens.HandSigned("HS512", Encoding.UTF8.GetBytes(AppFixture.DevelopmentKey), "vorgang-dev"),
        "tampered-payload" => Tampered(),
        "rsa-key-unknown" => SecurityTokens.Signed(key: SecurityTokens.NewRsaKey("vorgang-dev")),
        "empty" => "",
        _ => "not.a.jwt",
    };

    /// <summary>A valid caseworker token whose payload was changed to say admin, signature kept.</summary>
    private static string Tampered()
    {
        var parts = SecurityTokens.Signed().Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("\"caseworker\"", "\"admin\"");
        return $"{parts[0]}.{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";
    }

    [Fact]
    public async Task A_valid_development_token_is_accepted()
    {
        Assert.Equal(200, (await Host.Get(Queue, SecurityTokens.Signed())).Status);
        // Within the minute of clock skew, an expiry just passed is still accepted.
        Assert.Equal(200, (await Host.Get(Queue, SecurityTokens.Signed(expires: DateTime.UtcNow.AddSeconds(-20)))).Status);
    }

    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task An_invalid_token_is_401_on_every_staff_endpoint(string kind)
    {
        var submitted = await Host.Submit("change-of-address");
        var token = Refused(kind);
        foreach (var url in new[] { Queue, $"/api/cases/{submitted.CaseNumber}", $"/api/cases/{submitted.CaseNumber}/history", "/api/audit/verify" })
        {
            var response = await Host.Call(HttpMethod.Get, url, rawAuthorization: "Bearer " + token);
            Assert.True(response.Status == 401, $"{kind} on {url}: {response}");
            response.AssertProblem(401, "unauthenticated");
            Assert.StartsWith("Bearer", response.Header("WWW-Authenticate") ?? "");
            Assert.DoesNotContain("Erika", response.Text);
        }
        var action = await Host.Call(HttpMethod.Post, $"/api/cases/{submitted.CaseNumber}/actions/claim", """{"expectedVersion":1}""",
            rawAuthorization: "Bearer " + token);
        action.AssertProblem(401, "unauthenticated");
        Assert.Equal(1, (long)(await Host.StaffCase(submitted.CaseNumber, App.Token("auditor")))["version"]!);
    }

    [Fact]
    public async Task An_invalid_token_on_a_public_endpoint_counts_as_no_token()
    {
        // Submitting is open to everyone: a broken token neither stops it nor makes the submission a staff one.
        var response = await Host.Call(HttpMethod.Post, "/api/services/change-of-address/cases",
            JsonSerializer.Serialize(new { data = await Host.Example("change-of-address"), language = "de" }), rawAuthorization: "Bearer " + Refused("wrong-key"));
        Assert.Equal(201, response.Status);
        var history = await Host.Get($"/api/cases/{(string)response.Json!["caseNumber"]!}/history", App.Token("auditor"));
        Assert.Equal("online", (string)history.Json!["events"]![0]!["actor"]!["channel"]!);
    }

    [Fact]
    public async Task A_valid_token_without_a_role_is_403()
    {
        var submitted = await Host.Submit("change-of-address");
        var token = SecurityTokens.Signed(SecurityTokens.Claims(role: null));
        foreach (var url in new[] { Queue, $"/api/cases/{submitted.CaseNumber}", "/api/audit/verify" })
        {
            var response = await Host.Get(url, token);
            response.AssertProblem(403, "forbidden");
            Assert.DoesNotContain("Erika", response.Text);
        }
    }

    [Fact]
    public async Task A_token_naming_two_engine_roles_gets_neither()
    {
        var claims = SecurityTokens.Claims(role: null);
        claims["role"] = new[] { "caseworker", "auditor" };
        (await Host.Get(Queue, SecurityTokens.Signed(claims))).AssertProblem(403, "forbidden");
    }
}

/// <summary>
/// The production path: an OIDC provider (here a small in-test one on a free localhost port, shaped like Keycloak) publishes
/// its metadata and RSA keys; the engine, pointed at it with <c>Vorgang:Auth:Authority</c>, accepts its RS256 tokens —
/// roles from <c>realm_access.roles</c>, the team from <c>groups</c> — and refuses everything else, the development key's
/// tokens included.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class OidcTokenValidationTests(OidcTokenValidationTests.Engine engine) : IClassFixture<OidcTokenValidationTests.Engine>
{
    private const string Queue = "/api/queues/registration-office";

    /// <summary>The provider and an engine configured for it, on a database of its own; started once for the class.</summary>
    public sealed class Engine : IAsyncLifetime
    {
        public TestOidcProvider Provider { get; private set; } = null!;
        public IAlbaHost Host { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Provider = await TestOidcProvider.StartAsync();
            Host = await EngineHosts.StartAsync(await TestDatabase.CreateDatabaseAsync("oidc"), new TestClock(), new Dictionary<string, string>
            {
                ["Vorgang:Auth:Authority"] = Provider.Issuer,
                ["Vorgang:Auth:RequireHttpsMetadata"] = "false",
                ["Vorgang:Auth:RoleClaim"] = "realm_access.roles",
                ["Vorgang:Auth:TeamClaim"] = "groups",
            });
        }

        public async Task DisposeAsync()
        {
            await Host.DisposeAsync();
            await Provider.DisposeAsync();
        }
    }

    private IAlbaHost Host => engine.Host;
    private TestOidcProvider Provider => engine.Provider;

    /// <summary>An access token as Keycloak issues it for a user with these realm roles and groups.</summary>
    private string KeycloakToken(string[] roles, string[] groups, SecurityKey? key = null, string? issuer = null, string audience = "vorgang",
        DateTime? expires = null)
    {
        var claims = new Dictionary<string, object>
        {
            ["sub"] = "5f0c8a9e-anna",
            ["name"] = "Anna Schmidt",
            ["preferred_username"] = "anna",
            ["azp"] = "vorgang-staff",
            ["typ"] = "Bearer",
            ["realm_access"] = new Dictionary<string, object> { ["roles"] = roles },
            ["groups"] = groups,
        };
        return SecurityTokens.Signed(claims, issuer ?? Provider.Issuer, audience, key ?? Provider.Key,
            notBefore: DateTime.UtcNow.AddMinutes(-1), expires: expires ?? DateTime.UtcNow.AddMinutes(5));
    }

    private static readonly string[] KeycloakDefaults = ["default-roles-vorgang", "offline_access", "uma_authorization"];

    [Fact]
    public async Task An_RS256_token_from_the_provider_is_accepted_with_role_and_team_from_Keycloak_claims()
    {
        var anna = KeycloakToken([.. KeycloakDefaults, "caseworker"], ["registration-office"]);
        Assert.Equal(200, (await Host.Get(Queue, anna)).Status);
        (await Host.Get("/api/queues/parking-permits", anna)).AssertProblem(403, "other-team");

        var submitted = await Host.Submit("change-of-address");
        var view = await Host.StaffCase(submitted.CaseNumber, anna);
        Assert.Contains("claim", view["allowedActions"].Ids());
        var claimed = await Host.Act(submitted.CaseNumber, anna, "claim");
        Assert.Equal("Anna Schmidt", (string)claimed["assignee"]!["name"]!);
        Assert.True(Provider.MetadataRequests > 0, "the engine read the provider's metadata");
        Assert.True(Provider.KeyRequests > 0, "the engine read the provider's keys");
    }

    [Fact]
    public async Task Group_paths_count_by_their_last_segment_and_other_roles_map_too()
    {
        Assert.Equal(200, (await Host.Get(Queue, KeycloakToken([.. KeycloakDefaults, "caseworker"], ["/teams/registration-office"]))).Status);
        Assert.Equal(200, (await Host.Get("/api/audit/verify", KeycloakToken([.. KeycloakDefaults, "auditor"], []))).Status);
        Assert.Equal(200, (await Host.Get(Queue, KeycloakToken(["admin"], []))).Status);
        // A caseworker in a group that is no team, and in one that is: the team is the one the engine knows.
        Assert.Equal(200, (await Host.Get(Queue, KeycloakToken(["caseworker"], ["staff", "registration-office"]))).Status);
    }

    public static TheoryData<string> RefusedTokens() =>
        ["other-key-same-kid", "other-key-other-kid", "development-token", "wrong-audience", "wrong-issuer", "expired", "alg-none", "hmac-with-the-public-key", "rs512-not-configured"];

    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task Other_tokens_are_401(string kind)
    {
        string[] roles = [.. KeycloakDefaults, "caseworker"];
        string[] team = ["registration-office"];
        var token = kind switch
        {
            "other-key-same-kid" => KeycloakToken(roles, team, key: new RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048)) { KeyId = Provider.Key.KeyId }),
            "other-key-other-kid" => KeycloakToken(roles, team, key: SecurityTokens.NewRsaKey("attacker-key")),
            // The development key is configured on this engine too, and must not count once an authority is set.
            "development-token" => SecurityTokens.Signed(),
            "wrong-audience" => KeycloakToken(roles, team, audience: "account"),
            "wrong-issuer" => KeycloakToken(roles, team, issuer: "http://127.0.0.1:1/realms/vorgang"),
            "expired" => KeycloakToken(roles, team, expires: DateTime.UtcNow.AddMinutes(-5)),
            // The provider's own key, but an algorithm this engine was not configured for (Vorgang:Auth:Algorithms, default RS256).
            "rs512-not-configured" => SecurityTokens.Signed(new Dictionary<string, object>
            {
                ["sub"] = "anna", ["realm_access"] = new Dictionary<string, object> { ["roles"] = roles }, ["groups"] = team,
            }, Provider.Issuer, "vorgang", Provider.Key, algorithm: SecurityAlgorithms.RsaSha512),
            // Algorithm confusion: HS256 "signed" with the provider's public key as the shared secret.
            "hmac-with-the-public-key" => SecurityTokens.HandSigned("HS256", Provider.Key.Rsa.ExportSubjectPublicKeyInfo(), Provider.Key.KeyId,
                new Dictionary<string, object> { ["sub"] = "mallory", ["realm_access"] = new Dictionary<string, object> { ["roles"] = roles }, ["groups"] = team },
                Provider.Issuer, "vorgang"),
            _ => SecurityTokens.Unsigned(issuer: Provider.Issuer),
        };
        var response = await Host.Get(Queue, token);
        response.AssertProblem(401, "unauthenticated");
    }

    [Fact]
    public async Task Without_exactly_one_known_role_in_the_configured_claim_the_token_is_403()
    {
        // Only Keycloak's default roles.
        (await Host.Get(Queue, KeycloakToken(KeycloakDefaults, ["registration-office"]))).AssertProblem(403, "forbidden");
        // Two engine roles at once: the engine does not guess which one is meant.
        (await Host.Get(Queue, KeycloakToken([.. KeycloakDefaults, "caseworker", "auditor"], ["registration-office"]))).AssertProblem(403, "forbidden");
        // A plain "role" claim is not where this engine is told to look.
        var claims = SecurityTokens.Claims();
        (await Host.Get(Queue, SecurityTokens.Signed(claims, Provider.Issuer, "vorgang", Provider.Key))).AssertProblem(403, "forbidden");
    }
}

/// <summary>A minimal OIDC provider: discovery document and JWKS with one RSA key, on a free localhost port (plain HTTP).</summary>
public sealed class TestOidcProvider : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _metadataRequests, _keyRequests;

    private TestOidcProvider(WebApplication app, RsaSecurityKey key, string issuer)
    {
        _app = app;
        Key = key;
        Issuer = issuer;
    }

    public RsaSecurityKey Key { get; }
    public string Issuer { get; }
    public int MetadataRequests => Volatile.Read(ref _metadataRequests);
    public int KeyRequests => Volatile.Read(ref _keyRequests);

    public static async Task<TestOidcProvider> StartAsync()
    {
        var key = SecurityTokens.NewRsaKey("provider-key-1");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        TestOidcProvider? provider = null;
        app.MapGet("/realms/vorgang/.well-known/openid-configuration", (HttpContext context) =>
        {
            Interlocked.Increment(ref provider!._metadataRequests);
            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = provider.Issuer,
                ["jwks_uri"] = provider.Issuer + "/protocol/openid-connect/certs",
                ["authorization_endpoint"] = provider.Issuer + "/protocol/openid-connect/auth",
                ["token_endpoint"] = provider.Issuer + "/protocol/openid-connect/token",
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
                ["response_types_supported"] = new[] { "code" },
                ["subject_types_supported"] = new[] { "public" },
            });
        });
        app.MapGet("/realms/vorgang/protocol/openid-connect/certs", () =>
        {
            Interlocked.Increment(ref provider!._keyRequests);
            var parameters = key.Rsa.ExportParameters(includePrivateParameters: false);
            return Results.Json(new
            {
                keys = new[]
                {
                    new Dictionary<string, string>
                    {
                        ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = key.KeyId!,
                        ["n"] = Base64UrlEncoder.Encode(parameters.Modulus!), ["e"] = Base64UrlEncoder.Encode(parameters.Exponent!),
                    },
                },
            });
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        provider = new TestOidcProvider(app, key, address.TrimEnd('/') + "/realms/vorgang");
        return provider;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>The claim mapping on its own: where roles, teams and names are found.</summary>
public sealed class StaffClaimsTests
{
    private static readonly IReadOnlySet<string> KnownRoles = new HashSet<string> { "caseworker", "auditor", "admin", "citizen", "school" };
    private static readonly IReadOnlySet<string> KnownTeams = new HashSet<string> { "registration-office", "parking-permits" };

    private static ClaimsIdentity Identity(params Claim[] claims) => new(claims, "test");

    private static (string? Role, string? Team, string? Name) Normalize(ClaimsIdentity identity, StaffClaimNames? names = null)
    {
        StaffClaims.Normalize(identity, names ?? new StaffClaimNames(), KnownRoles, KnownTeams);
        Assert.True(identity.FindAll("role").Count() <= 1);
        Assert.True(identity.FindAll("team").Count() <= 1);
        return (identity.FindFirst("role")?.Value, identity.FindFirst("team")?.Value, identity.FindFirst("name")?.Value);
    }

    [Fact]
    public void Plain_claims_stay_as_they_are()
    {
        Assert.Equal(("caseworker", "registration-office", "Anna"),
            Normalize(Identity(new("role", "caseworker"), new("team", "registration-office"), new("name", "Anna"))));
        // One value is taken as it is, known or not: the endpoints decide what an unknown role may do (nothing).
        Assert.Equal(("archivist", "new-team", null), Normalize(Identity(new("role", "archivist"), new("team", "new-team"))));
    }

    [Fact]
    public void Keycloak_realm_roles_and_groups_are_read_from_their_json()
    {
        var identity = Identity(
            new("realm_access", """{"roles":["default-roles-vorgang","offline_access","caseworker"]}""", JsonClaimValueTypes.Json),
            new("groups", "/teams/parking-permits"), new("preferred_username", "paul"));
        Assert.Equal(("caseworker", "parking-permits", "paul"), Normalize(identity, new StaffClaimNames("realm_access.roles", "groups")));
    }

    [Fact]
    public void Several_known_values_give_none()
    {
        Assert.Equal((null, null, null), Normalize(Identity(new("role", "caseworker"), new("role", "admin"),
            new("team", "registration-office"), new("team", "parking-permits"))));
        Assert.Equal(("admin", null, null), Normalize(Identity(new("role", "offline_access"), new("role", "admin"))));
    }

    [Fact]
    public void A_claim_name_with_dots_is_first_taken_literally_and_a_missing_path_gives_nothing()
    {
        Assert.Equal(("auditor", null, "Ida"), Normalize(Identity(new Claim("https://city.example/roles", "auditor"), new("display", "Ida")),
            new StaffClaimNames("https://city.example/roles", "team", "display")));
        Assert.Equal((null, null, null), Normalize(Identity(new Claim("realm_access", """{"other":["caseworker"]}""", JsonClaimValueTypes.Json)),
            new StaffClaimNames("realm_access.roles")));
        Assert.Equal((null, null, null), Normalize(Identity(new Claim("realm_access", "not json", JsonClaimValueTypes.Json)),
            new StaffClaimNames("realm_access.roles")));
    }
}
