using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Api.Security;

/// <summary>A citizen signed in with a citizen account (an OIDC provider such as BundID): who they are to the engine.</summary>
public sealed record CitizenAccount(string Issuer, string Subject, string? Name);

/// <summary>
/// Citizens' accounts: bearer tokens of a second OIDC provider (<c>Vorgang:CitizenAuth:Authority</c>, e.g. BundID through
/// the city's gateway), told apart from staff tokens by their issuer. A citizen token grants the role <c>citizen</c> and
/// nothing else, whatever roles it carries: a citizen provider can never mint staff. Without an authority the engine
/// accepts citizen tokens signed with the development key (the <c>token --role citizen</c> verb mints them).
/// </summary>
public static class CitizenAuth
{
    public const string Scheme = "citizen";
    public const string Policy = "citizen";
    public const string DefaultIssuer = "vorgang-development-citizens";
    /// <summary>Reads the token's issuer and hands it to the staff or the citizen scheme, which then validate it fully.</summary>
    public const string SelectorScheme = "bearer";

    public static string Issuer(IConfiguration configuration) => configuration["Vorgang:CitizenAuth:Issuer"] ?? DefaultIssuer;

    public static void AddCitizenAuth(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection("Vorgang:CitizenAuth");
        var issuer = Issuer(configuration);
        var audience = section["Audience"] ?? configuration["Vorgang:Auth:Audience"] ?? StaffAuth.DefaultAudience;
        var authority = section["Authority"];

        services.AddAuthentication()
            .AddJwtBearer(Scheme, options =>
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
                    options.RequireHttpsMetadata = section.GetValue("RequireHttpsMetadata", true);
                }
                else
                {
                    options.TokenValidationParameters.IssuerSigningKey = StaffAuth.SigningKey(configuration);
                }
                options.Events = new JwtBearerEvents
                {
                    OnTokenValidated = context =>
                    {
                        var subject = context.Principal?.FindFirstValue("sub");
                        if (string.IsNullOrWhiteSpace(subject))
                        {
                            context.Fail("A citizen token names its subject (sub).");
                            return Task.CompletedTask;
                        }
                        // Only what the engine needs, and the role it grants: citizen.
                        var identity = new ClaimsIdentity(
                            [new("sub", subject), new("iss", issuer), new("role", Roles.Citizen), new("name", context.Principal!.FindFirstValue("name") ?? "")],
                            Scheme, "name", "role");
                        context.Principal = new ClaimsPrincipal(identity);
                        return Task.CompletedTask;
                    },
                };
            })
            .AddPolicyScheme(SelectorScheme, "Staff or citizen bearer token", options =>
                options.ForwardDefaultSelector = context => IssuerOf(context) == issuer ? Scheme : JwtBearerDefaults.AuthenticationScheme);
        services.Configure<AuthenticationOptions>(options =>
        {
            options.DefaultScheme = SelectorScheme;
            options.DefaultAuthenticateScheme = SelectorScheme;
            options.DefaultChallengeScheme = SelectorScheme;
            options.DefaultForbidScheme = SelectorScheme;
        });
        // Signed in with the citizens' provider — a staff provider's token that claims the role citizen is no citizen account.
        services.AddAuthorization(options => options.AddPolicy(Policy, policy => policy
            .AddAuthenticationSchemes(SelectorScheme)
            .RequireAuthenticatedUser()
            .RequireAssertion(context => context.User.Citizen() is not null)));
    }

    /// <summary>The signed-in citizen, or null for staff, anonymous callers and anyone else.</summary>
    public static CitizenAccount? Citizen(this ClaimsPrincipal user)
    {
        if (user.Identity is not { IsAuthenticated: true, AuthenticationType: Scheme }) return null;
        var subject = user.FindFirstValue("sub");
        var issuer = user.FindFirstValue("iss");
        if (string.IsNullOrWhiteSpace(subject) || string.IsNullOrWhiteSpace(issuer)) return null;
        var name = user.FindFirstValue("name");
        return new CitizenAccount(issuer, subject, string.IsNullOrWhiteSpace(name) ? null : name);
    }

    public static string MintToken(IConfiguration configuration, string subject, string? name, TimeSpan lifetime)
    {
        var claims = new Dictionary<string, object> { ["sub"] = subject };
        if (!string.IsNullOrWhiteSpace(name)) claims["name"] = name;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer(configuration),
            Audience = configuration["Vorgang:CitizenAuth:Audience"] ?? configuration["Vorgang:Auth:Audience"] ?? StaffAuth.DefaultAudience,
            Claims = claims,
            Expires = DateTime.UtcNow.Add(lifetime),
            SigningCredentials = new SigningCredentials(StaffAuth.SigningKey(configuration), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    private static string? IssuerOf(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return null;
        var token = header["Bearer ".Length..].Trim();
        var handler = new JsonWebTokenHandler();
        // Unvalidated here on purpose: the chosen scheme validates signature, issuer, audience and lifetime.
        if (!handler.CanReadToken(token)) return null;
        try
        {
            return handler.ReadJsonWebToken(token).Issuer;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
