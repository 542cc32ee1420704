using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Vorgang.Api.Security;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Security;

/// <summary>Tokens the tests craft by hand: right or wrong in exactly one respect.</summary>
public static class SecurityTokens
{
    public static SymmetricSecurityKey DevelopmentKey => new(Encoding.UTF8.GetBytes(AppFixture.DevelopmentKey)) { KeyId = "vorgang-dev" };

    /// <summary>A caseworker's claims as the engine's own token verb writes them.</summary>
    public static Dictionary<string, object> Claims(string? role = "caseworker", string? team = "registration-office", string subject = "anna", string name = "Anna Schmidt")
    {
        var claims = new Dictionary<string, object> { ["sub"] = subject, ["name"] = name };
        if (role is not null) claims["role"] = role;
        if (team is not null) claims["team"] = team;
        return claims;
    }

    /// <summary>A signed token: by default a registration-office caseworker's, with the development key, valid for an hour.</summary>
    public static string Signed(
        IDictionary<string, object>? claims = null, string issuer = StaffAuth.DefaultIssuer, string audience = StaffAuth.DefaultAudience,
        SecurityKey? key = null, DateTime? notBefore = null, DateTime? expires = null, string? algorithm = null, bool withoutExpiry = false)
    {
        var now = DateTime.UtcNow;
        key ??= DevelopmentKey;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims ?? Claims(),
            IssuedAt = (notBefore ?? now).AddMinutes(-1),
            NotBefore = notBefore ?? now.AddMinutes(-1),
            Expires = withoutExpiry ? null : expires ?? now.AddHours(1),
            SigningCredentials = new SigningCredentials(key, algorithm ?? (key is RsaSecurityKey ? SecurityAlgorithms.RsaSha256 : SecurityAlgorithms.HmacSha256)),
        });
    }

    /// <summary>An unsigned token (<c>alg: none</c>) with otherwise valid claims: header and payload, and an empty signature.</summary>
    public static string Unsigned(IDictionary<string, object>? claims = null, string issuer = StaffAuth.DefaultIssuer, string audience = StaffAuth.DefaultAudience)
    {
        var now = DateTimeOffset.UtcNow;
        var payload = new Dictionary<string, object>(claims ?? Claims())
        {
            ["iss"] = issuer,
            ["aud"] = audience,
            ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
            ["iat"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        };
        return Base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + Base64Url(System.Text.Json.JsonSerializer.Serialize(payload)) + ".";
    }

    /// <summary>
    /// A token signed by hand with any HMAC algorithm and secret (the library refuses keys it deems too short, and a test
    /// may need exactly that): header <c>{alg, typ, kid}</c>, the usual claims, and the HMAC of both.
    /// </summary>
    public static string HandSigned(string algorithm, byte[] secret, string? keyId = null, IDictionary<string, object>? claims = null,
        string issuer = StaffAuth.DefaultIssuer, string audience = StaffAuth.DefaultAudience)
    {
        var now = DateTimeOffset.UtcNow;
        var header = new Dictionary<string, object> { ["alg"] = algorithm, ["typ"] = "JWT" };
        if (keyId is not null) header["kid"] = keyId;
        var payload = new Dictionary<string, object>(claims ?? Claims())
        {
            ["iss"] = issuer,
            ["aud"] = audience,
            ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        };
        var signingInput = Base64Url(System.Text.Json.JsonSerializer.Serialize(header)) + "." + Base64Url(System.Text.Json.JsonSerializer.Serialize(payload));
        var data = Encoding.ASCII.GetBytes(signingInput);
        var signature = algorithm switch
        {
            "HS256" => HMACSHA256.HashData(secret, data),
            "HS384" => HMACSHA384.HashData(secret, data),
            _ => HMACSHA512.HashData(secret, data),
        };
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    public static RsaSecurityKey NewRsaKey(string keyId) => new(RSA.Create(2048)) { KeyId = keyId };

    private static string Base64Url(string text) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(text));
}
