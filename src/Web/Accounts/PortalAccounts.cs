namespace Vorgang.Web.Accounts;

public enum PortalUserKind { Citizen, Staff }

/// <summary>Who is signed in to the pages: a citizen with their account, or a member of staff with one role (decision 21).</summary>
public sealed record PortalUser(PortalUserKind Kind, string Name, string? Role = null, string? Team = null)
{
    public bool IsCitizen => Kind == PortalUserKind.Citizen;
    public bool IsStaff => Kind == PortalUserKind.Staff;
}

/// <summary>
/// Signing in to the pages (decision 36): through the configured OIDC authority (authorization code with PKCE, then a
/// cookie session), or, in the Development environment without an authority, through a local form that asks for the
/// same claims the <c>token</c> verb mints. The principal a session yields is the one the API's bearer schemes yield,
/// so the API's code decides what the pages may do.
/// </summary>
public interface IPortalAccounts
{
    /// <summary>The signed-in user of this request, or null.</summary>
    PortalUser? Current(HttpContext context);

    /// <summary>Whether this kind of user can sign in here at all (an authority is configured, or the local form is offered).</summary>
    bool CanSignIn(PortalUserKind kind);

    /// <summary>Whether the local sign-in form stands in for the identity provider (Development without an authority).</summary>
    bool IsLocal(PortalUserKind kind);

    /// <summary>Sends the browser to the identity provider; it comes back to <paramref name="returnUrl"/> signed in.</summary>
    Task ChallengeAsync(HttpContext context, PortalUserKind kind, string returnUrl);

    /// <summary>The local sign-in: the errors (field, rule, message in the page's language), or none and the session started.</summary>
    Task<IReadOnlyList<Vorgang.Workflows.Definitions.FieldError>> SignInLocallyAsync(HttpContext context, LocalSignIn request, string language);

    /// <summary>Ends the session (and, where the provider offers it, the provider's session too).</summary>
    Task SignOutAsync(HttpContext context, string returnUrl);

    /// <summary>The roles and teams the local staff sign-in offers: those the definitions know.</summary>
    IReadOnlyList<string> StaffRoles { get; }
    IReadOnlyList<string> Teams { get; }
}

/// <summary>What the local sign-in form asks: a citizen's name and account id, or a member of staff's role, team and name.</summary>
public sealed record LocalSignIn(PortalUserKind Kind, string? Name, string? Subject, string? Role, string? Team);
