using System.Text.Json.Nodes;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Definitions;
using Microsoft.Extensions.DependencyInjection;

namespace Vorgang.Tests.Portal;

/// <summary>
/// The citizen's way through the portal without scripts, for every service in both languages: find it from the start
/// page, answer every page (one refused first, then corrected), check the answers, submit, read the confirmation; then,
/// after a caseworker's step through the API, see the new status on the status page.
/// </summary>
public sealed class PortalFlowTests(AppFixture app) : ApiTest(app)
{
    public static TheoryData<string, string, string> Services => new()
    {
        { "change-of-address", "de", "Umzug" }, { "change-of-address", "en", "moving house" },
        { "defect-report", "de", "Schlagloch" }, { "defect-report", "en", "pothole" },
        { "residential-parking-permit", "de", "Parkausweis" }, { "residential-parking-permit", "en", "parking permit" },
        { "school-transport", "de", "Schülerticket" }, { "school-transport", "en", "school ticket" },
        { "building-permit-consultation", "de", "Bauantrag" }, { "building-permit-consultation", "en", "building permit" },
    };

    [Theory]
    [MemberData(nameof(Services))]
    public async Task A_citizen_finds_the_service_applies_step_by_step_and_follows_the_case(string serviceId, string lang, string search)
    {
        var prefix = lang == "en" ? "/en" : "";
        var definition = Host.Services.GetRequiredService<DefinitionCatalog>().Latest(serviceId)!;
        var browser = new PortalClient(Host);

        await browser.GetAsync(prefix + "/");
        Assert.Equal(200, browser.Status);
        Assert.Equal(lang, browser.Page.DocumentElement.GetAttribute("lang"));
        await browser.SubmitAsync(browser.Page.Forms.First(f => f.GetAttribute("role") == "search"), new Dictionary<string, string> { ["q"] = search });
        var hit = browser.All(".portal-services a").First();
        Assert.Equal($"{prefix}/services/{serviceId}", hit.GetAttribute("href"));

        await browser.GetAsync(hit.GetAttribute("href")!);
        Assert.Contains(definition.Title.For(lang), browser.Text("h1"));
        await browser.SubmitAsync(browser.Form());
        Assert.Contains("/form/", browser.Path);

        var example = PortalClient.Flatten(await Host.Example(serviceId));
        var refusedOnce = false;
        for (var pages = 0; browser.Path.Contains("/form/") && pages < 20; pages++)
        {
            var form = browser.Form();
            var names = form.Elements.Select(e => e.GetAttribute("name")).OfType<string>().Where(n => n.StartsWith("f.")).Distinct().ToList();
            var answers = example.Where(e => names.Contains(e.Key)).ToDictionary();
            if (!refusedOnce && definition.Form.Any(f => f.Required && names.Contains("f." + f.Id)))
            {
                // Nothing filled in: the engine's own messages, in an error summary that links to each field.
                var empty = names.ToDictionary(n => n, _ => "");
                var page = browser.Path;
                await browser.SubmitAsync(form, empty);
                Assert.Equal(page, browser.Path);
                Assert.StartsWith(lang == "en" ? "Error: " : "Fehler: ", browser.Title);
                var summary = browser.Page.QuerySelector(".portal-error-summary")!;
                Assert.NotNull(summary.GetAttribute("autofocus"));
                foreach (var link in summary.QuerySelectorAll("a"))
                {
                    var target = browser.Page.GetElementById(link.GetAttribute("href")!.TrimStart('#'));
                    Assert.NotNull(target);
                }
                Assert.Contains(lang == "en" ? "Please fill in this field." : "Bitte füllen Sie dieses Feld aus.", summary.TextContent);
                var described = browser.All("[aria-invalid=true]").First();
                Assert.Contains("-error", described.GetAttribute("aria-describedby"));
                refusedOnce = true;
                form = browser.Form();
            }
            await browser.SubmitAsync(form, answers);
            Assert.False(browser.Page.QuerySelector(".portal-error-summary") is not null, $"{browser.Path}: {browser.Text(".portal-error-summary")}");
        }
        Assert.True(refusedOnce);

        Assert.EndsWith("/check", browser.Path);
        Assert.NotEmpty(browser.All("a[href*='change=1']"));
        var check = browser.Form();
        var checkPath = browser.Path;
        await browser.SubmitAsync(check);
        Assert.EndsWith("/confirmation", browser.Path);
        var caseNumber = browser.Text("#case-number");
        var trackingCode = browser.Text("#tracking-code");
        Assert.Matches(@"^\d{4}-\d{6}$", caseNumber);
        Assert.NotEmpty(trackingCode);

        // A second submit of the same draft (a double click, the back button) creates no second case.
        await browser.SubmitAsync(check, to: checkPath);
        Assert.Equal(caseNumber, browser.Text("#case-number"));
        var api = await Host.Track(caseNumber, trackingCode);
        Assert.Equal(lang, (string)api["language"]!);

        // The caseworker takes a step; the status page opens again from this browser without the code.
        var newStatus = await CaseworkerStepAsync(App, caseNumber, definition, lang);
        await browser.GetAsync($"{prefix}/track/{caseNumber}");
        Assert.Equal(200, browser.Status);
        Assert.Equal(newStatus, browser.Text("#status-text"));
        Assert.DoesNotContain(trackingCode, browser.Path);
    }

    /// <summary>The first step the responsible caseworker can take without inputs (or with a text), through the API; the new status text.</summary>
    internal static async Task<string> CaseworkerStepAsync(AppFixture app, string caseNumber, ProcessDefinition definition, string lang)
    {
        var (Host, App) = (app.Host, app);
        var staff = await Host.StaffCase(caseNumber, App.Token("admin"));
        var tokens = new List<string> { App.Token("caseworker", (string)staff["team"]!, "Anna Schmidt") };
        // A service that waits for a second party first (the school confirms enrolment): that party's step.
        foreach (var (party, field) in definition.PartyFields) tokens.Add(App.Token(party, (string)staff["data"]![field]!, "Schule"));
        foreach (var token in tokens)
        {
            var view = await Host.StaffCase(caseNumber, token);
            foreach (var id in view["allowedActions"].Ids().Where(a => a is not ("claim" or "release" or "assign" or "extend-deadline")))
            {
                var action = definition.Action(id)!;
                var input = new JsonObject();
                foreach (var i in action.Inputs.Where(i => i.Required)) input[i.Id] = i.Type == FieldTypes.Text ? "Alles in Ordnung." : null;
                var (status, _) = await Host.TryAct(caseNumber, token, id, (long)(await Host.StaffCase(caseNumber, token))["version"]!, input);
                if (status == 200) return definition.State(action.To)!.Status.For(lang);
            }
        }
        throw new Xunit.Sdk.XunitException($"No caseworker step was possible on {caseNumber}.");
    }
}
