using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Api.Security;

/// <summary>
/// Staff sign in with bearer tokens (JWT) carrying <c>sub</c>, <c>name</c>, <c>role</c> and, for caseworkers, <c>team</c>.
/// Production points <c>Vorgang:Auth:Authority</c> at the city's OIDC provider; without it the engine accepts
/// tokens signed with a development key, which the <c>token</c> verb mints.
/// </summary>
public static class StaffAuth
{
    public const string StaffPolicy = "staff";
    public const string DefaultIssuer = "vorgang-development";
    public const string DefaultAudience = "vorgang";

    public static readonly IReadOnlySet<string> StaffRoles = new HashSet<string> { Roles.Caseworker, Roles.Auditor, Roles.Admin };

    public static void AddStaffAuth(this IServiceCollection services, IConfiguration configuration)
    {
        var auth = configuration.GetSection("Vorgang:Auth");
        var authority = auth["Authority"];
        var production = !string.IsNullOrWhiteSpace(authority);
        // With an OIDC authority the issuer comes from its metadata (a configured one is accepted besides);
        // the development issuer must not be accepted there, or a development token would pass the issuer check.
        var issuer = auth["Issuer"] ?? (production ? null : DefaultIssuer);
        var audience = auth["Audience"] ?? DefaultAudience;
        var claimNames = StaffClaimNames.From(auth);
        // Only the algorithms the key kind is meant for: HMAC for the development key, RSA signatures from an
        // authority (Keycloak signs with RS256); a token naming anything else (or "none") is refused.
        var algorithms = auth["Algorithms"] is { Length: > 0 } configured
            ? configured.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : production ? [SecurityAlgorithms.RsaSha256] : [SecurityAlgorithms.HmacSha256];

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.MapInboundClaims = false;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = issuer,
                ValidateIssuer = true,
                ValidAudience = audience,
                ValidateAudience = true,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                ValidateIssuerSigningKey = true,
                ValidAlgorithms = algorithms,
                NameClaimType = "name",
                RoleClaimType = "role",
                ClockSkew = TimeSpan.FromMinutes(1),
            };
            if (production)
            {
                options.Authority = authority;
                if (auth["MetadataAddress"] is { Length: > 0 } metadata) options.MetadataAddress = metadata;
                // Only for a provider inside a trusted network or a test: metadata and keys over plain HTTP can be forged.
                options.RequireHttpsMetadata = auth.GetValue("RequireHttpsMetadata", true);
            }
            else
            {
                options.TokenValidationParameters.IssuerSigningKey = SigningKey(configuration);
            }
            options.Events = new JwtBearerEvents
            {
                // Providers put roles and teams where they like (Keycloak: realm_access.roles, groups): one role and
                // at most one team claim, named "role" and "team", are what the rest of the engine reads.
                OnTokenValidated = context =>
                {
                    if (context.Principal?.Identity is ClaimsIdentity identity)
                    {
                        var known = context.HttpContext.RequestServices.GetRequiredService<StaffClaims.Vocabulary>();
                        StaffClaims.Normalize(identity, claimNames, known.Roles, known.Teams);
                    }
                    return Task.CompletedTask;
                },
            };
        });
        // Resolved at the first token, after start-up has restored any published definition version missing from disk.
        services.AddSingleton(sp => StaffClaims.Vocabulary.For(sp.GetService<DefinitionCatalog>()));
        services.AddAuthorization(options =>
            options.AddPolicy(StaffPolicy, policy => policy.RequireAuthenticatedUser().RequireClaim("role")));
    }

    public static SymmetricSecurityKey SigningKey(IConfiguration configuration) => new(DevelopmentKey(configuration)) { KeyId = "vorgang-dev" };

    /// <summary>The development signing key: configured, or created once beside the local data folder so the engine and the token verb agree.</summary>
    public static byte[] DevelopmentKey(IConfiguration configuration)
    {
        var configured = configuration["Vorgang:Auth:DevelopmentKey"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var bytes = Encoding.UTF8.GetBytes(configured);
            return bytes.Length >= 32 ? bytes : SHA256.HashData(bytes);
        }
        var file = Path.Combine(Path.GetFullPath(configuration["Vorgang:StateDirectory"] ?? ".vorgang"), "dev-signing-key");
        if (!File.Exists(file))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)));
        }
        return Convert.FromBase64String(File.ReadAllText(file).Trim());
    }

    public static string MintToken(IConfiguration configuration, string role, string? team, string name, string? subject, TimeSpan lifetime)
    {
        var claims = new Dictionary<string, object>
        {
            ["sub"] = subject ?? $"{role}:{name.ToLowerInvariant().Replace(' ', '.')}",
            ["name"] = name,
            ["role"] = role,
        };
        if (team is not null) claims["team"] = team;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = configuration["Vorgang:Auth:Issuer"] ?? DefaultIssuer,
            Audience = configuration["Vorgang:Auth:Audience"] ?? DefaultAudience,
            Claims = claims,
            Expires = DateTime.UtcNow.Add(lifetime),
            SigningCredentials = new SigningCredentials(SigningKey(configuration), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// <summary>The signed-in staff member as the case engine sees them, or null when the token names no role.</summary>
    public static Caller? StaffCaller(this ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true) return null;
        var role = user.FindFirstValue("role");
        var id = user.FindFirstValue("sub");
        if (string.IsNullOrWhiteSpace(role) || string.IsNullOrWhiteSpace(id) || role == Roles.Citizen || role == Roles.System) return null;
        return new Caller(id, role, user.FindFirstValue("name") ?? id, user.FindFirstValue("team"), Channels.Office);
    }
}
