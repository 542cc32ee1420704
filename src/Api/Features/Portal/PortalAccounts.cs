using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Vorgang.Api.Security;
using Vorgang.Web;
using Vorgang.Web.Accounts;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Api.Features.Portal;

/// <summary>
/// The pages' sign-in (decision 36): a cookie session per kind of user, started by the configured OIDC authority
/// (authorization code with PKCE) or, in Development without one, by a local form. The session holds the principal the
/// API's bearer schemes would build from a token of the same provider, so every rule of the API applies unchanged.
/// </summary>
public static class PortalAccountsSetup
{
    public const string CitizenSession = "portal-citizen", StaffSession = "portal-staff";
    public const string CitizenProvider = "portal-citizen-oidc", StaffProvider = "portal-staff-oidc";
    public const string CitizenCookie = "vg-citizen", StaffCookie = "vg-staff";

    public static void AddPortalAccounts(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var citizen = configuration.GetSection("Vorgang:CitizenAuth");
        var staff = configuration.GetSection("Vorgang:Auth");
        var citizenIssuer = CitizenAuth.Issuer(configuration);
        var claimNames = StaffClaimNames.From(staff);
        var options = new PortalAccountOptions(
            CitizenProvider: Configured(citizen), StaffProvider: Configured(staff), Development: environment.IsDevelopment(),
            CitizenIdle: TimeSpan.FromMinutes(configuration.GetValue("Vorgang:Portal:CitizenSessionMinutes", 30.0)),
            StaffIdle: TimeSpan.FromMinutes(configuration.GetValue("Vorgang:Portal:StaffSessionMinutes", 20.0)));
        services.AddSingleton(options);
        services.AddSingleton<IPortalAccounts, PortalAccounts>();

        var authentication = services.AddAuthentication()
            .AddCookie(CitizenSession, o => Session(o, CitizenCookie, options.CitizenIdle, "/sign-in"))
            .AddCookie(StaffSession, o => Session(o, StaffCookie, options.StaffIdle, "/staff/sign-in"));
        if (options.CitizenProvider)
        {
            authentication.AddOpenIdConnect(CitizenProvider, o =>
            {
                Provider(o, citizen, CitizenSession, "/sign-in/callback", "/sign-out/callback");
                o.Events.OnTokenValidated = context =>
                {
                    var subject = context.Principal?.FindFirstValue("sub");
                    if (string.IsNullOrWhiteSpace(subject))
                    {
                        context.Fail("The provider named no subject (sub).");
                        return Task.CompletedTask;
                    }
                    context.Principal = CitizenPrincipal(citizenIssuer, subject, context.Principal!.FindFirstValue("name"));
                    return Task.CompletedTask;
                };
            });
        }
        if (options.StaffProvider)
        {
            authentication.AddOpenIdConnect(StaffProvider, o =>
            {
                Provider(o, staff, StaffSession, "/staff/sign-in/callback", "/staff/sign-out/callback");
                o.Events.OnTokenValidated = context =>
                {
                    if (context.Principal?.Identity is ClaimsIdentity identity)
                    {
                        var known = context.HttpContext.RequestServices.GetRequiredService<StaffClaims.Vocabulary>();
                        StaffClaims.Normalize(identity, claimNames, known.Roles, known.Teams);
                        context.Principal = StaffPrincipal(identity.FindFirst("sub")?.Value, identity.FindFirst(StaffClaims.Role)?.Value,
                            identity.FindFirst(StaffClaims.Team)?.Value, identity.FindFirst(StaffClaims.Name)?.Value);
                    }
                    return Task.CompletedTask;
                };
            });
        }
    }

    /// <summary>Whether a section names an authority and the pages' client at it.</summary>
    private static bool Configured(IConfigurationSection section) =>
        !string.IsNullOrWhiteSpace(section["Authority"]) && !string.IsNullOrWhiteSpace(section["ClientId"]);

    private static void Session(CookieAuthenticationOptions o, string name, TimeSpan idle, string signIn)
    {
        // Lax: the provider's redirect back to the engine is a navigation from another site, which must carry it.
        o.Cookie = new PortalCookie { Name = name, HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true };
        o.ExpireTimeSpan = idle;
        o.SlidingExpiration = true;
        o.LoginPath = signIn;
        o.AccessDeniedPath = signIn;
    }

    private static void Provider(OpenIdConnectOptions o, IConfigurationSection section, string session, string callback, string signedOut)
    {
        o.SignInScheme = session;
        o.Authority = section["Authority"];
        if (section["MetadataAddress"] is { Length: > 0 } metadata) o.MetadataAddress = metadata;
        o.RequireHttpsMetadata = section.GetValue("RequireHttpsMetadata", true);
        o.ClientId = section["ClientId"];
        o.ClientSecret = section["ClientSecret"];
        o.ResponseType = OpenIdConnectResponseType.Code;
        o.UsePkce = true;
        // The code comes back in the address (not a cross-site form post), so the Lax correlation cookies travel with it.
        o.ResponseMode = OpenIdConnectResponseMode.Query;
        o.CallbackPath = callback;
        o.SignedOutCallbackPath = signedOut;
        o.MapInboundClaims = false;
        // The session's principal is built in OnTokenValidated; the default actions would delete its "iss" claim.
        o.ClaimActions.Clear();
        o.SaveTokens = false;
        o.GetClaimsFromUserInfoEndpoint = section.GetValue("UserInfo", false);
        o.Scope.Clear();
        foreach (var scope in (section["Scopes"] ?? "openid profile").Split(' ', StringSplitOptions.RemoveEmptyEntries)) o.Scope.Add(scope);
        o.TokenValidationParameters.NameClaimType = "name";
        o.TokenValidationParameters.RoleClaimType = "role";
        // A failed or replayed answer from the provider (an expired correlation cookie, a used code, a refusal) is the
        // person's to retry: a page that says so, never an error page with the handler's exception.
        o.Events.OnRemoteFailure = context =>
        {
            var english = context.Properties?.RedirectUri?.StartsWith("/en/", StringComparison.Ordinal) == true;
            context.Response.Redirect((english ? "/en" : "") + callback.Replace("/callback", "") + "?failed=1");
            context.HandleResponse();
            return Task.CompletedTask;
        };
        o.CorrelationCookie = new PortalCookie { Name = ".vg-oidc-correlation.", HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true };
        o.NonceCookie = new PortalCookie { Name = ".vg-oidc-nonce.", HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true };
    }

    /// <summary>The principal <see cref="CitizenAuth"/> builds from a citizen token: subject, the citizen issuer, the role citizen, the name.</summary>
    public static ClaimsPrincipal CitizenPrincipal(string issuer, string subject, string? name) =>
        new(new ClaimsIdentity([new("sub", subject), new("iss", issuer), new("role", Roles.Citizen), new("name", name ?? "")], CitizenAuth.Scheme, "name", "role"));

    /// <summary>The principal <see cref="StaffAuth"/> builds from a staff token once its claims are normalised: one role, at most one team.</summary>
    public static ClaimsPrincipal StaffPrincipal(string? subject, string? role, string? team, string? name)
    {
        var claims = new List<Claim>();
        if (!string.IsNullOrWhiteSpace(subject)) claims.Add(new("sub", subject));
        if (!string.IsNullOrWhiteSpace(role)) claims.Add(new(StaffClaims.Role, role));
        if (!string.IsNullOrWhiteSpace(team)) claims.Add(new(StaffClaims.Team, team));
        if (!string.IsNullOrWhiteSpace(name)) claims.Add(new(StaffClaims.Name, name));
        return new(new ClaimsIdentity(claims, "portal-staff", StaffClaims.Name, StaffClaims.Role));
    }

    /// <summary>
    /// On the pages' addresses the user is the one of the page session (staff first), never a bearer token's: pages are
    /// reached by browsers, and their forms are protected by antiforgery tokens, not by headers a browser would not send.
    /// </summary>
    public static void UsePortalSessions(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var staff = await context.AuthenticateAsync(StaffSession);
        var citizen = staff.Succeeded ? null : await context.AuthenticateAsync(CitizenSession);
        context.User = staff.Succeeded ? staff.Principal! : citizen?.Succeeded == true ? citizen.Principal! : new ClaimsPrincipal(new ClaimsIdentity());
        await next(context);
    });
}

public sealed record PortalAccountOptions(bool CitizenProvider, bool StaffProvider, bool Development, TimeSpan CitizenIdle, TimeSpan StaffIdle);

public sealed class PortalAccounts(PortalAccountOptions options, StaffClaims.Vocabulary vocabulary, IConfiguration configuration) : IPortalAccounts
{
    public PortalUser? Current(HttpContext context)
    {
        if (context.User.Citizen() is { } citizen) return new PortalUser(PortalUserKind.Citizen, citizen.Name ?? "");
        return context.User.StaffCaller() is { } staff ? new PortalUser(PortalUserKind.Staff, staff.Name, staff.Role, staff.Team) : null;
    }

    public bool CanSignIn(PortalUserKind kind) => Provider(kind) || IsLocal(kind);

    public bool IsLocal(PortalUserKind kind) => options.Development && !Provider(kind);

    private bool Provider(PortalUserKind kind) => kind == PortalUserKind.Citizen ? options.CitizenProvider : options.StaffProvider;

    public Task ChallengeAsync(HttpContext context, PortalUserKind kind, string returnUrl) =>
        context.ChallengeAsync(kind == PortalUserKind.Citizen ? PortalAccountsSetup.CitizenProvider : PortalAccountsSetup.StaffProvider,
            new AuthenticationProperties { RedirectUri = returnUrl });

    public async Task<IReadOnlyList<FieldError>> SignInLocallyAsync(HttpContext context, LocalSignIn request, string language)
    {
        if (!IsLocal(request.Kind)) return [new FieldError("signIn", "not-offered", Say(language, "Die Anmeldung hier ist nicht eingerichtet.", "Signing in here is not set up."))];
        var errors = new List<FieldError>();
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > 200) errors.Add(new FieldError("name", "required", Say(language, "Geben Sie einen Namen ein.", "Enter a name.")));
        if (request.Kind == PortalUserKind.Citizen)
        {
            var subject = request.Subject?.Trim() ?? "";
            if (subject.Length is 0 or > 200 || subject.Any(char.IsWhiteSpace))
                errors.Add(new FieldError("subject", "required", Say(language, "Geben Sie eine Kennung ohne Leerzeichen ein, zum Beispiel bundid:123.", "Enter an account id without spaces, for example bundid:123.")));
            if (errors.Count > 0) return errors;
            await context.SignOutAsync(PortalAccountsSetup.StaffSession);
            await context.SignInAsync(PortalAccountsSetup.CitizenSession, PortalAccountsSetup.CitizenPrincipal(CitizenAuth.Issuer(configuration), subject, name));
            return [];
        }
        if (request.Role is null || !StaffRoles.Contains(request.Role))
            errors.Add(new FieldError("role", "one-of", Say(language, "Wählen Sie eine Rolle.", "Choose a role.")));
        var team = string.IsNullOrWhiteSpace(request.Team) ? null : request.Team;
        if (team is not null && !Teams.Contains(team))
            errors.Add(new FieldError("team", "one-of", Say(language, "Wählen Sie ein Team aus der Liste.", "Choose a team from the list.")));
        if (request.Role == Roles.Caseworker && team is null)
            errors.Add(new FieldError("team", "required", Say(language, "Sachbearbeitende gehören zu einem Team: Wählen Sie es.", "Caseworkers belong to a team: choose it.")));
        if (errors.Count > 0) return errors;
        await context.SignOutAsync(PortalAccountsSetup.CitizenSession);
        await context.SignInAsync(PortalAccountsSetup.StaffSession,
            PortalAccountsSetup.StaffPrincipal($"{request.Role}:{name.ToLowerInvariant().Replace(' ', '.')}", request.Role, team, name));
        return [];
    }

    public async Task SignOutAsync(HttpContext context, string returnUrl)
    {
        var staff = context.User.StaffCaller() is not null;
        await context.SignOutAsync(PortalAccountsSetup.CitizenSession);
        await context.SignOutAsync(PortalAccountsSetup.StaffSession);
        // Where the user came from a provider, its session ends too (its end-session endpoint, then back here).
        if (Provider(staff ? PortalUserKind.Staff : PortalUserKind.Citizen) && context.User.Identity?.IsAuthenticated == true)
            await context.SignOutAsync(staff ? PortalAccountsSetup.StaffProvider : PortalAccountsSetup.CitizenProvider, new AuthenticationProperties { RedirectUri = returnUrl });
    }

    public IReadOnlyList<string> StaffRoles { get; } = vocabulary.Roles.Where(r => r != Roles.Citizen).Order(StringComparer.Ordinal).ToList();
    public IReadOnlyList<string> Teams { get; } = vocabulary.Teams.Order(StringComparer.Ordinal).ToList();

    private static string Say(string language, string de, string en) => language == "en" ? en : de;
}
