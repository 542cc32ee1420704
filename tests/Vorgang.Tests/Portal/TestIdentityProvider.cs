using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Vorgang.Tests.Portal;

/// <summary>
/// An OpenID provider on a real Kestrel port, as small as the authorization-code flow with PKCE allows: discovery,
/// keys, an authorization endpoint that signs in whoever the test names, and a token endpoint that refuses a code
/// without the verifier that matches its challenge (RFC 7636) — so a client that skipped PKCE could not sign in.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "test-key" };
    private readonly ConcurrentDictionary<string, Grant> _codes = new();

    public sealed record Grant(string ClientId, string RedirectUri, string Challenge, string Nonce, string Subject, string Name, IReadOnlyDictionary<string, object> Claims);

    public string ClientId { get; } = "vorgang-portal";
    public string ClientSecret { get; } = "portal-secret";
    public string Authority { get; private set; } = "";
    /// <summary>The subject and name the next sign-in is for (the person at the provider's login form).</summary>
    public (string Subject, string Name) NextUser { get; set; } = ("bundid:oidc-user", "Olga Idp");
    /// <summary>Further claims of the next sign-in's ID token (a staff member's role and team, as the city's provider puts them).</summary>
    public Dictionary<string, object> NextClaims { get; set; } = [];
    public List<string> TokenRequests { get; } = [];
    public List<string> SignOuts { get; } = [];

    private TestIdentityProvider(WebApplication app) => _app = app;

    public static async Task<TestIdentityProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var provider = new TestIdentityProvider(app);
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = provider.Authority,
            ["authorization_endpoint"] = provider.Authority + "/authorize",
            ["token_endpoint"] = provider.Authority + "/token",
            ["jwks_uri"] = provider.Authority + "/jwks",
            ["end_session_endpoint"] = provider.Authority + "/logout",
            ["response_types_supported"] = new[] { "code" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
        }));
        app.MapGet("/jwks", () =>
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(provider._key);
            return Results.Json(new { keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, use = "sig", alg = "RS256", n = jwk.N, e = jwk.E } } });
        });
        app.MapGet("/authorize", (HttpRequest request) =>
        {
            var q = request.Query;
            if (q["response_type"] != "code" || q["code_challenge_method"] != "S256" || string.IsNullOrEmpty(q["code_challenge"]) || q["client_id"] != provider.ClientId)
                return Results.BadRequest("authorization code with PKCE (S256) only");
            var code = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            provider._codes[code] = new Grant(q["client_id"]!, q["redirect_uri"]!, q["code_challenge"]!, q["nonce"]!, provider.NextUser.Subject, provider.NextUser.Name, new Dictionary<string, object>(provider.NextClaims));
            return Results.Redirect($"{q["redirect_uri"]}?code={code}&state={Uri.EscapeDataString(q["state"]!)}");
        });
        app.MapPost("/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            provider.TokenRequests.Add(string.Join('&', form.Keys.Order()));
            if (form["grant_type"] != "authorization_code" || !provider._codes.TryRemove(form["code"].ToString(), out var grant))
                return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
            var secret = form["client_secret"].ToString();
            if (form["client_id"] != grant.ClientId || secret != provider.ClientSecret || form["redirect_uri"] != grant.RedirectUri)
                return Results.Json(new { error = "invalid_client" }, statusCode: 401);
            var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"].ToString())));
            if (challenge != grant.Challenge) return Results.Json(new { error = "invalid_grant", error_description = "PKCE verifier does not match" }, statusCode: 400);
            var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = provider.Authority,
                Audience = grant.ClientId,
                Claims = new Dictionary<string, object>(grant.Claims) { ["sub"] = grant.Subject, ["name"] = grant.Name, ["nonce"] = grant.Nonce },
                Expires = DateTime.UtcNow.AddMinutes(5),
                IssuedAt = DateTime.UtcNow,
                SigningCredentials = new SigningCredentials(provider._key, SecurityAlgorithms.RsaSha256),
            });
            return Results.Json(new { id_token = idToken, access_token = "not-used", token_type = "Bearer", expires_in = 300 });
        });
        app.MapGet("/logout", (HttpRequest request) =>
        {
            provider.SignOuts.Add(request.QueryString.Value ?? "");
            return request.Query["post_logout_redirect_uri"] is { Count: 1 } back
                ? Results.Redirect($"{back}?state={Uri.EscapeDataString(request.Query["state"].ToString())}")
                : Results.Ok("signed out");
        });
        await app.StartAsync();
        provider.Authority = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return provider;
    }

    /// <summary>An access token for the engine's API as the provider would issue it (RS256, audience <paramref name="audience"/>).</summary>
    public string AccessToken(IReadOnlyDictionary<string, object> claims, string audience = "vorgang") =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = audience,
            Claims = new Dictionary<string, object>(claims),
            Expires = DateTime.UtcNow.AddHours(4),
            IssuedAt = DateTime.UtcNow,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
        });

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
