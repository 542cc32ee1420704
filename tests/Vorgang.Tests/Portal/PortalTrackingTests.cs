using System.Text.Json.Nodes;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Portal;

/// <summary>The status page: entered by POST (the code never in an address), kept by an HttpOnly cookie, actions through the engine, the lockout.</summary>
public sealed class PortalTrackingTests(AppFixture app) : ApiTest(app)
{
    private static readonly string[] Fields = ["caseNumber", "trackingCode"];

    private static async Task EnterAsync(PortalClient browser, string caseNumber, string code, string prefix = "")
    {
        await browser.GetAsync(prefix + "/track");
        await browser.SubmitAsync(browser.Form(), new Dictionary<string, string> { ["caseNumber"] = caseNumber, ["trackingCode"] = code });
    }

    [Fact]
    public async Task The_status_page_opens_with_number_and_code_and_again_from_the_cookie_alone()
    {
        var submitted = await Host.Submit("change-of-address", language: "en");
        var browser = new PortalClient(Host);
        await EnterAsync(browser, submitted.CaseNumber, submitted.TrackingCode.ToLowerInvariant(), "/en");
        Assert.Equal($"/en/track/{submitted.CaseNumber}", browser.Path);
        Assert.Equal("We have received your registration.", browser.Text("#status-text"));
        Assert.DoesNotContain(submitted.TrackingCode, browser.Path);
        Assert.Contains("History", browser.Html);
        Assert.Contains("Who read your data", browser.Html);
        Assert.Contains("Nobody at the city has read your personal data yet.", browser.Html);

        // A caseworker reads the case: the citizen sees it under "who read my data".
        await Host.StaffCase(submitted.CaseNumber, App.Token("caseworker", "registration-office"));
        await browser.GetAsync($"/en/track/{submitted.CaseNumber}");
        Assert.Contains("A caseworker (registration-office) viewed your application.", browser.Html);

        // The receipt (the API's PDF) from the same browser, the code never in the address.
        var receiptLink = browser.Page.GetElementById("receipt")!.GetAttribute("href")!;
        Assert.DoesNotContain(submitted.TrackingCode, receiptLink);
        using (var receipt = await browser.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, receiptLink)))
        {
            Assert.Equal("application/pdf", receipt.Content.Headers.ContentType!.MediaType);
            Assert.StartsWith("%PDF", System.Text.Encoding.ASCII.GetString(await receipt.Content.ReadAsByteArrayAsync())[..4]);
        }

        // A browser without the cookie is sent to the entry form.
        var other = new PortalClient(Host);
        await other.GetAsync($"/track/{submitted.CaseNumber}");
        Assert.Equal("/track", other.Path);
    }

    [Fact]
    public async Task The_cookies_are_http_only_same_site_strict_and_the_code_never_in_a_query()
    {
        var submitted = await Host.Submit("defect-report");
        var browser = new PortalClient(Host);
        await browser.GetAsync("/track");
        var form = browser.Form();
        Assert.Equal("post", form.Method.ToLowerInvariant());
        var response = await browser.SendRawAsync(new HttpRequestMessage(HttpMethod.Post, "/track")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["caseNumber"] = submitted.CaseNumber, ["trackingCode"] = submitted.TrackingCode,
                ["__antiforgery"] = form.QuerySelector("input[name=__antiforgery]")!.GetAttribute("value")!,
            }),
        });
        Assert.Equal(302, (int)response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("vg-track="));
        Assert.Contains("httponly", cookie.ToLowerInvariant());
        Assert.Contains("samesite=strict", cookie.ToLowerInvariant());
        Assert.DoesNotContain(submitted.TrackingCode, cookie);
        Assert.DoesNotContain(submitted.TrackingCode, response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_citizen_answers_a_request_for_information_on_the_status_page()
    {
        var submitted = await Host.Submit("change-of-address");
        var token = App.Token("caseworker", "registration-office", "Anna Schmidt");
        await Host.Act(submitted.CaseNumber, token, "start-review");
        await Host.Act(submitted.CaseNumber, token, "request-landlord-confirmation", new JsonObject { ["message"] = "Bitte senden Sie die Bestätigung." });

        var browser = new PortalClient(Host);
        await EnterAsync(browser, submitted.CaseNumber, submitted.TrackingCode);
        Assert.Contains("Was wir von Ihnen brauchen", browser.Html);
        Assert.Contains("Bitte senden Sie die Bestätigung.", browser.Html);
        var provide = browser.Page.Forms.Single(f => f.QuerySelector("input[name=actionId][value=provide-information]") is not null);

        // Sent without the required name: the engine's message on the form, linked from the summary.
        await browser.SubmitAsync(provide, new Dictionary<string, string> { ["f.landlordName"] = "" });
        Assert.StartsWith("Fehler: ", browser.Title);
        Assert.NotNull(browser.Page.QuerySelector(".portal-error-summary a[href='#f-landlordName']"));

        provide = browser.Page.Forms.Single(f => f.QuerySelector("input[name=actionId][value=provide-information]") is not null);
        await browser.SubmitAsync(provide, new Dictionary<string, string> { ["f.landlordName"] = "Wohnungsgenossenschaft Jena eG" });
        Assert.Equal($"/track/{submitted.CaseNumber}", browser.Path);
        Assert.Contains("Erledigt.", browser.Html);
        Assert.Equal("Wir prüfen Ihre Angaben.", browser.Text("#status-text"));
        var api = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.Equal("in-review", (string)api["status"]!["state"]!);

        // A form of an older version (another tab) is refused as changed meanwhile, nothing written twice.
        await browser.SubmitAsync(provide, new Dictionary<string, string> { ["f.landlordName"] = "Noch einmal" });
        Assert.Contains("inzwischen geändert", browser.Html);
        Assert.Equal(api["version"]!.ToJsonString(), (await Host.Track(submitted.CaseNumber, submitted.TrackingCode))["version"]!.ToJsonString());
    }

    [Fact]
    public async Task A_citizen_withdraws_on_the_status_page()
    {
        var submitted = await Host.Submit("residential-parking-permit", language: "en");
        var browser = new PortalClient(Host);
        await EnterAsync(browser, submitted.CaseNumber, submitted.TrackingCode, "/en");
        var withdraw = browser.Page.Forms.Single(f => f.QuerySelector("input[name=actionId][value=withdraw]") is not null);
        await browser.SubmitAsync(withdraw);
        Assert.Contains("Your application is complete.", browser.Html);
        Assert.DoesNotContain(browser.Page.Forms, f => f.QuerySelector("input[name=actionId]") is not null);
    }

    [Fact]
    public async Task Wrong_codes_lock_the_number_as_in_the_api_and_a_page_says_what_to_do()
    {
        var submitted = await Host.Submit("defect-report");
        var browser = new PortalClient(Host);
        for (var i = 0; i < 5; i++)
        {
            await EnterAsync(browser, submitted.CaseNumber, "WRONG-CODE");
            Assert.Equal(200, browser.Status);
            Assert.Contains("passen nicht zusammen", browser.Html);
            Assert.StartsWith("Fehler: ", browser.Title);
        }
        // Now even the right code is refused, in the portal and in the API alike.
        await EnterAsync(browser, submitted.CaseNumber, submitted.TrackingCode);
        Assert.Equal(429, browser.Status);
        Assert.Contains("Zu viele falsche Versuche", browser.Html);
        Assert.Contains("gesperrt", browser.Html);
        var (status, _, _) = await Host.Send(HttpMethod.Get, $"/api/track/{submitted.CaseNumber}",
            headers: new Dictionary<string, string> { ["X-Tracking-Code"] = submitted.TrackingCode });
        Assert.Equal(429, status);
    }

    [Fact]
    public async Task Empty_fields_are_named_in_the_error_summary()
    {
        var browser = new PortalClient(Host);
        await browser.GetAsync("/en/track");
        await browser.SubmitAsync(browser.Form(), Fields.ToDictionary(f => f, _ => ""));
        Assert.StartsWith("Error: ", browser.Title);
        foreach (var field in Fields)
        {
            Assert.NotNull(browser.Page.QuerySelector($".portal-error-summary a[href='#f-{field}']"));
            Assert.Contains($"f-{field}-error", browser.Page.GetElementById($"f-{field}")!.GetAttribute("aria-describedby"));
        }
    }
}
