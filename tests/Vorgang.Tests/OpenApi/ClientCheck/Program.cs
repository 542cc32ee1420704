// The generated client at work against a running engine: a citizen submits an application and follows it with the
// tracking code, a caseworker takes an action; the problems the document declares arrive as typed exceptions.
// Arguments: the engine's base URL and a caseworker's token (team registration-office). Exit code 0: all held.
using System.Text.Json;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Microsoft.Kiota.Serialization.Json;
using Vorgang.Client;
using Vorgang.Client.Models;

var baseUrl = args[0];
var staffToken = args[1];
const string Service = "change-of-address";

VorgangClient Client(IAuthenticationProvider authentication) => new(new HttpClientRequestAdapter(authentication) { BaseUrl = baseUrl });
void Check(bool condition, string what)
{
    if (!condition) throw new InvalidOperationException("Failed: " + what);
}

// An unexpected problem answer says what it was, not only that there was one.
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    if (e.ExceptionObject is ProblemDetails p)
        Console.Error.WriteLine($"Problem {p.ResponseStatusCode} {p.Rule}: {p.Title} {p.Detail} " +
            string.Join("; ", (p.Violations ?? []).Select(v => $"{v.Field}: {v.Rule} ({v.Message})")));
};

// 1. The service's example, submitted anonymously with an Idempotency-Key. Form data is an open object (its members
// depend on the service): read as untyped JSON it goes back exactly as it came, dates as the date strings they are.
var adapter = new HttpClientRequestAdapter(new AnonymousAuthenticationProvider()) { BaseUrl = baseUrl };
var anonymous = new VorgangClient(adapter);
await using var exampleJson = await adapter.SendPrimitiveAsync<Stream>(anonymous.Api.Services[Service].Example.ToGetRequestInformation())
    ?? throw new InvalidOperationException("no example");
using var example = await JsonDocument.ParseAsync(exampleJson);
var data = new JsonParseNode(example.RootElement.GetProperty("data")).GetObjectValue(UntypedNode.CreateFromDiscriminatorValue) as UntypedObject
    ?? throw new InvalidOperationException("the example's data is no object");
SubmitApplication Application() => new()
{
    Data = new SubmitApplication_data { AdditionalData = data.GetValue().ToDictionary(p => p.Key, p => (object)p.Value) },
    Language = SubmitApplication_language.En,
};
var key = Guid.NewGuid().ToString();
var accepted = await anonymous.Api.Services[Service].Cases.PostAsync(Application(), config => config.Headers.Add("Idempotency-Key", key))
    ?? throw new InvalidOperationException("no answer to the submission");
Check(accepted.CaseNumber is { Length: > 0 } && accepted.TrackingCode is { Length: > 0 } && accepted.Version == 1, "the submission answers case number, tracking code and version 1");
Console.WriteLine($"submitted {accepted.CaseNumber} at version {accepted.Version}");

// The same request again is answered with the same case (the replay shares the schema).
var replayed = await anonymous.Api.Services[Service].Cases.PostAsync(Application(), config => config.Headers.Add("Idempotency-Key", key));
Check(replayed?.CaseNumber == accepted.CaseNumber && replayed.TrackingCode == accepted.TrackingCode, "the replay names the same case and code");

// 2. The citizen follows the case with the tracking code: the trackingCode scheme, an API key in X-Tracking-Code.
var citizen = Client(new TrackingCode(accepted.TrackingCode!));
var tracked = await citizen.Api.Track[accepted.CaseNumber].GetAsync() ?? throw new InvalidOperationException("no citizen view");
Check(tracked.CaseNumber == accepted.CaseNumber && tracked.Version == 1, "the citizen view is the case at version 1");
Console.WriteLine($"tracked {tracked.CaseNumber}: {tracked.Status?.State} — {tracked.Status?.Text}");
try
{
    await anonymous.Api.Track[accepted.CaseNumber].GetAsync(config => config.Headers.Add("X-Tracking-Code", "WRONG-CODE"));
    Check(false, "a wrong tracking code is refused");
}
catch (ProblemDetails problem)
{
    Check(problem.ResponseStatusCode == 404 && problem.Rule == "not-found", $"a wrong code is 404 not-found, not {problem.ResponseStatusCode} {problem.Rule}");
}

// 3. A caseworker of the team reads the case and takes an action at the version read.
var caseworker = Client(new BaseBearerTokenAuthenticationProvider(new StaticToken(staffToken)));
var staffView = await caseworker.Api.Cases[accepted.CaseNumber].GetAsync() ?? throw new InvalidOperationException("no staff view");
Check(staffView.AllowedActions?.Any(a => a.Id == "start-review") == true, "start-review is allowed");
var acted = await caseworker.Api.Cases[accepted.CaseNumber].Actions["start-review"].PostAsync(new ActionRequest { ExpectedVersion = staffView.Version })
    ?? throw new InvalidOperationException("no answer to the action");
Check(acted.State == "in-review" && acted.Version == 3, $"the action moved the case to in-review at version 3 (claim and action), not {acted.State} {acted.Version}");
Console.WriteLine($"acted start-review: {acted.State} at version {acted.Version}");
try
{
    await caseworker.Api.Cases[accepted.CaseNumber].Actions["start-review"].PostAsync(new ActionRequest { ExpectedVersion = 1 });
    Check(false, "a stale version is refused");
}
catch (ProblemDetails problem)
{
    Check(problem.ResponseStatusCode == 409 && problem.Rule == "version-conflict" && problem.CurrentVersion == 3, $"a stale version is 409 version-conflict at 3, not {problem.ResponseStatusCode} {problem.Rule} {problem.CurrentVersion}");
}
Console.WriteLine("all checks held");

/// <summary>
/// The trackingCode security scheme. Kiota's ApiKeyAuthenticationProvider does the same but only over HTTPS, which a
/// test engine on the loopback interface does not speak.
/// </summary>
sealed class TrackingCode(string code) : IAuthenticationProvider
{
    public Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
    {
        request.Headers.Add("X-Tracking-Code", code);
        return Task.CompletedTask;
    }
}

sealed class StaticToken(string token) : IAccessTokenProvider
{
    public AllowedHostsValidator AllowedHostsValidator { get; } = new();
    public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(token);
}
