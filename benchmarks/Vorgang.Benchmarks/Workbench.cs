using System.Net;
using Npgsql;
using Vorgang.Api.Hosting;
using Vorgang.Tests.Portal;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Benchmarks;

/// <summary>
/// The caseworker's workbench as a caseworker of the biggest team opens it: signed in at an OpenID provider
/// (authorization code with PKCE, as in production), the team's queue page <c>/staff</c> and case pages
/// <c>/staff/cases/{n}</c> of the team's open cases, each read recorded as the API records it.
/// </summary>
public static class WorkbenchPages
{
    /// <summary>Case pages opened by the load: this many random open cases of the biggest team.</summary>
    public const int Cases = 500;

    /// <summary>The engine's settings that make <paramref name="provider"/> its staff's identity provider, for the pages and the API alike.</summary>
    public static Dictionary<string, string> Settings(TestIdentityProvider provider) => new()
    {
        ["Vorgang__Auth__Authority"] = provider.Authority,
        ["Vorgang__Auth__ClientId"] = provider.ClientId,
        ["Vorgang__Auth__ClientSecret"] = provider.ClientSecret,
        // The provider listens on this machine's loopback only.
        ["Vorgang__Auth__RequireHttpsMetadata"] = "false",
    };

    /// <summary>
    /// Signs a caseworker of <paramref name="team"/> in as a browser does: the engine's challenge, the provider's answer
    /// with a code, the engine's callback with its correlation cookies. Returns the <c>Cookie</c> header of the session.
    /// </summary>
    public static async Task<string> SignInAsync(string url, TestIdentityProvider provider, string team)
    {
        provider.NextUser = ("bench:caseworker", "Benchmark Caseworker");
        provider.NextClaims = new() { ["role"] = Roles.Caseworker, ["team"] = team };
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(url) };
        using var challenge = await http.GetAsync("/staff/sign-in?returnUrl=%2Fstaff");
        if (challenge.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"The staff sign-in answered {(int)challenge.StatusCode}, not the provider's address.");
        using var back = await http.GetAsync(challenge.Headers.Location);
        using var callback = new HttpRequestMessage(HttpMethod.Get, back.Headers.Location!.PathAndQuery);
        callback.Headers.TryAddWithoutValidation("Cookie", string.Join("; ", Cookies(challenge)));
        using var signedIn = await http.SendAsync(callback);
        var session = Cookies(signedIn).Where(c => c.StartsWith("vg-staff", StringComparison.Ordinal)).ToList();
        if (signedIn.StatusCode != HttpStatusCode.Redirect || session.Count == 0)
            throw new InvalidOperationException($"The provider's callback answered {(int)signedIn.StatusCode} without a staff session: {await signedIn.Content.ReadAsStringAsync()}");
        return string.Join("; ", session);
    }

    private static IEnumerable<string> Cookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var set) ? set.Select(c => c.Split(';')[0]) : [];

    /// <summary>Random open cases of <paramref name="team"/>, from its queue's read model.</summary>
    public static async Task<IReadOnlyList<string>> OpenCasesAsync(string connectionString, string team, int count)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"select id from {VorgangSetup.Schema}.mt_doc_queueitem where is_open and team = @team order by random() limit @count", connection);
        command.Parameters.AddWithValue("team", team);
        command.Parameters.AddWithValue("count", count);
        var numbers = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) numbers.Add(reader.GetString(0));
        return numbers;
    }

    /// <summary>A random one of <paramref name="numbers"/> under <paramref name="prefix"/>, with the given header.</summary>
    public static string Random(string prefix, IReadOnlyList<string> numbers, string header, string value) => $$"""
        local numbers = { {{string.Join(",", numbers.Select(n => $"\"{n}\""))}} }
        math.randomseed(5)
        request = function()
          return wrk.format("GET", "{{prefix}}" .. numbers[math.random(#numbers)], { ["{{header}}"] = "{{value}}" })
        end
        """;

    public static string Get(string path, string header, string value) => $$"""
        wrk.method = "GET"
        wrk.path = "{{path}}"
        wrk.headers["{{header}}"] = "{{value}}"
        """;
}
