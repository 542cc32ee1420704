using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Vorgang.Tests.Definitions;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Portal;

/// <summary>
/// Signing in through a real OpenID provider (authorization code with PKCE), and the pages of an engine process in
/// Production, where no local sign-in stands in and a plain-HTTP start on the engine's own machine must still work.
/// </summary>
[Collection(Vorgang.Tests.Engine.CommandLineCollection.Name)]
public sealed partial class PortalSignInProviderTests
{
    [Fact]
    public async Task A_citizen_signs_in_at_the_identity_provider_with_a_code_and_its_pkce_verifier()
    {
        await using var provider = await TestIdentityProvider.StartAsync();
        var database = await TestDatabase.CreateDatabaseAsync("portal_oidc");
        await using var host = await EngineHosts.StartAsync(database, TimeProvider.System, new Dictionary<string, string>
        {
            ["Vorgang:CitizenAuth:Authority"] = provider.Authority,
            ["Vorgang:CitizenAuth:ClientId"] = provider.ClientId,
            ["Vorgang:CitizenAuth:ClientSecret"] = provider.ClientSecret,
            ["Vorgang:CitizenAuth:RequireHttpsMetadata"] = "false",
        });
        var browser = new PortalClient(host);

        using var challenge = await browser.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, "/sign-in?returnUrl=%2Fmy-applications"));
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var authorize = challenge.Headers.Location!;
        Assert.StartsWith(provider.Authority + "/authorize?", authorize.AbsoluteUri);
        var query = QueryHelpers.ParseQuery(authorize.Query);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", query["code_challenge"].ToString());
        Assert.Equal("https://localhost/sign-in/callback", query["redirect_uri"]);
        Assert.Contains("openid", query["scope"].ToString().Split(' '));

        // The person signs in at the provider, which sends the browser back with a code.
        using var atProvider = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var back = await atProvider.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        using (var callback = await browser.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, back.Headers.Location!.PathAndQuery)))
        {
            Assert.True(callback.StatusCode == HttpStatusCode.Redirect, $"{(int)callback.StatusCode} {callback.Headers.Location} {await callback.Content.ReadAsStringAsync()}");
            Assert.Equal("/my-applications", callback.Headers.Location!.OriginalString);
            Assert.Contains(callback.Headers.GetValues("Set-Cookie"), c => c.StartsWith("vg-citizen="));
        }
        await browser.GetAsync("/my-applications");

        Assert.Equal("/my-applications", browser.Path);
        Assert.Equal(200, browser.Status);
        Assert.Contains("Olga Idp", browser.Html);
        Assert.Contains("code_verifier", Assert.Single(provider.TokenRequests));

        // A code can be used once: replaying the provider's answer signs nobody in.
        var replay = new PortalClient(host);
        using (var replayed = await replay.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, back.Headers.Location!.PathAndQuery)))
        {
            Assert.Equal(HttpStatusCode.Redirect, replayed.StatusCode);
            Assert.Equal("/sign-in?failed=1", replayed.Headers.Location!.OriginalString);
            Assert.DoesNotContain(replayed.Headers.TryGetValues("Set-Cookie", out var set) ? set : [], c => c.StartsWith("vg-citizen="));
        }
        await replay.GetAsync("/sign-in?failed=1");
        Assert.Equal(200, replay.Status);
        Assert.NotNull(replay.Page.QuerySelector("#sign-in-failed"));
        using var mine = await replay.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, "/my-applications"));
        Assert.Equal(HttpStatusCode.Redirect, mine.StatusCode);
        Assert.StartsWith("/sign-in", mine.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Staff_sign_in_at_the_identity_provider_with_its_role_and_team_claims_and_are_signed_out_when_idle_or_asked()
    {
        await using var provider = await TestIdentityProvider.StartAsync();
        var clock = new TestClock();
        var database = await TestDatabase.CreateDatabaseAsync("portal_staff_oidc");
        await using var host = await EngineHosts.StartAsync(database, clock, new Dictionary<string, string>
        {
            ["Vorgang:Auth:Authority"] = provider.Authority,
            ["Vorgang:Auth:ClientId"] = provider.ClientId,
            ["Vorgang:Auth:ClientSecret"] = provider.ClientSecret,
            ["Vorgang:Auth:RequireHttpsMetadata"] = "false",
            // Where Keycloak puts them: realm roles in a JSON claim, teams as group paths.
            ["Vorgang:Auth:RoleClaim"] = "realm_access.roles",
            ["Vorgang:Auth:TeamClaim"] = "groups",
        });
        provider.NextUser = ("keycloak:anna", "Anna Schmidt");
        provider.NextClaims = new()
        {
            ["realm_access"] = new Dictionary<string, object> { ["roles"] = new[] { "default-roles-vorgang", "offline_access", "caseworker" } },
            ["groups"] = new[] { "/teams/registration-office" },
        };
        var browser = new PortalClient(host);

        async Task SignInAsync()
        {
            using var challenge = await browser.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, "/staff/sign-in?returnUrl=%2Fstaff"));
            Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
            var authorize = challenge.Headers.Location!;
            Assert.StartsWith(provider.Authority + "/authorize?", authorize.AbsoluteUri);
            var query = QueryHelpers.ParseQuery(authorize.Query);
            Assert.Equal("S256", query["code_challenge_method"]);
            Assert.Equal("https://localhost/staff/sign-in/callback", query["redirect_uri"]);
            using var atProvider = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
            using var back = await atProvider.GetAsync(authorize);
            using var callback = await browser.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, back.Headers.Location!.PathAndQuery));
            Assert.True(callback.StatusCode == HttpStatusCode.Redirect, $"{(int)callback.StatusCode} {await callback.Content.ReadAsStringAsync()}");
            Assert.Equal("/staff", callback.Headers.Location!.OriginalString);
            Assert.Contains(callback.Headers.GetValues("Set-Cookie"), c => c.StartsWith("vg-staff="));
        }

        await SignInAsync();
        await browser.GetAsync("/staff");
        Assert.Equal((200, "/staff"), (browser.Status, browser.Path));
        Assert.Contains("Anna Schmidt", browser.Page.QuerySelector("header")!.TextContent);
        // The role and team came from the provider's claims: the caseworker's own team's queue, no team to choose.
        Assert.Contains("registration-office", browser.Page.QuerySelector("main h1, main")!.TextContent);
        Assert.Null(browser.Page.QuerySelector("select[name=team]"));
        Assert.Contains("code_verifier", Assert.Single(provider.TokenRequests));

        // Idle for longer than the staff session's 20 minutes: signed out.
        clock.Advance(TimeSpan.FromMinutes(21));
        using (var idle = await browser.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, "/staff")))
        {
            Assert.Equal(HttpStatusCode.Redirect, idle.StatusCode);
            Assert.StartsWith("/staff/sign-in", idle.Headers.Location!.OriginalString);
        }

        // Signing out ends the engine's session and the provider's.
        await SignInAsync();
        await browser.GetAsync("/staff");
        Assert.Equal(200, browser.Status);
        var signOut = browser.Page.Forms.First(f => f.ClassList.Contains("portal-header__sign-out"));
        using (var signedOut = await browser.SubmitRawAsync(signOut))
        {
            Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
            Assert.StartsWith(provider.Authority + "/logout", signedOut.Headers.Location!.AbsoluteUri);
        }
        using var after = await browser.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, "/staff"));
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/staff/sign-in", after.Headers.Location!.OriginalString);
    }

    [GeneratedRegex("name=\"__antiforgery\" type=\"hidden\" value=\"([^\"]+)\"|type=\"hidden\" name=\"__antiforgery\" value=\"([^\"]+)\"|name=\"__antiforgery\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    [Fact]
    public async Task In_production_the_pages_work_over_plain_http_on_the_engines_machine_and_offer_no_local_sign_in()
    {
        var database = await TestDatabase.CreateDatabaseAsync("portal_production");
        await using var engine = await EngineProcess.StartAsync(new Dictionary<string, string>
        {
            ["Vorgang__DefinitionsPath"] = ShippedDefinitions.Folder,
            ["ConnectionStrings__Marten"] = database,
            ["Vorgang__Auth__DevelopmentKey"] = AppFixture.DevelopmentKey,
        });
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = engine.Url };

        using (var start = await http.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
            Assert.Contains("Online-Dienste", await start.Content.ReadAsStringAsync());
        }
        using var service = await http.GetAsync("/services/defect-report");
        var html = await service.Content.ReadAsStringAsync();
        var match = AntiforgeryField().Match(html);
        Assert.True(match.Success, html);
        var token = match.Groups.Cast<Group>().Skip(1).First(g => g.Success).Value;
        Assert.All(service.Headers.GetValues("Set-Cookie"), c => Assert.DoesNotContain("secure", c.ToLowerInvariant()));

        using var started = await http.PostAsync("/services/defect-report", new FormUrlEncodedContent(new Dictionary<string, string> { ["__antiforgery"] = WebUtility.HtmlDecode(token) }));
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        var step = started.Headers.Location!.OriginalString;
        Assert.Contains("/services/defect-report/form/", step);
        using (var page = await http.GetAsync(step))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("<form", await page.Content.ReadAsStringAsync());
        }

        foreach (var signIn in new[] { "/sign-in", "/staff/sign-in", "/en/sign-in" })
        {
            using var refused = await http.GetAsync(signIn);
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            Assert.Contains("sign-in-unavailable", await refused.Content.ReadAsStringAsync());
        }
        using var posted = await http.PostAsync("/sign-in", new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "x", ["subject"] = "y" }));
        Assert.True((int)posted.StatusCode is 400 or 404, $"{(int)posted.StatusCode}");
        Assert.DoesNotContain(cookies.GetAllCookies(), c => c.Name == "vg-citizen");
    }
}
