namespace Vorgang.Web.Drafts;

/// <summary>
/// The draft's id travels in a cookie per service (HttpOnly, SameSite=Strict, Secure outside Development): never in
/// the address, and no answer ever leaves the server. The id is random (122 bits); it is the draft's only key.
/// </summary>
public static class DraftCookie
{
    public static string Name(string serviceId) => PortalSetup.DraftCookiePrefix + serviceId;

    public static async Task<Draft?> LoadAsync(HttpContext context, DraftStore drafts, string serviceId, CancellationToken ct) =>
        Guid.TryParse(context.Request.Cookies[Name(serviceId)], out var id) ? await drafts.LoadAsync(id, serviceId, ct) : null;

    public static void Set(HttpContext context, Draft draft, PortalOptions options) =>
        context.Response.Cookies.Append(Name(draft.ServiceId), draft.Id.ToString("N"), PortalSetup.CookieOptions(context, options.DraftLifetime));
}
