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
        var issuer = auth["Issuer"] ?? DefaultIssuer;
        var audience = auth["Audience"] ?? DefaultAudience;
        var authority = auth["Authority"];

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.MapInboundClaims = false;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = issuer,
                ValidAudience = audience,
                NameClaimType = "name",
                RoleClaimType = "role",
                ClockSkew = TimeSpan.FromMinutes(1),
            };
            if (!string.IsNullOrWhiteSpace(authority))
            {
                options.Authority = authority;
            }
            else
            {
                options.TokenValidationParameters.IssuerSigningKey = SigningKey(configuration);
            }
        });
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
