using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Vorgang.Api.Features.Submitting;
using Vorgang.Tests.Infrastructure;
using Vorgang.Tests.Portal;
using Vorgang.Tests.Privacy;
using Vorgang.Tests.Services;
using UglyToad.PdfPig;

namespace Vorgang.Tests.Letters;

/// <summary>
/// Decision letters and outcome documents: issued by the action that decides, from the definition's template, stored
/// sealed with the case's key, listed and downloadable by citizen and office, covered by the hash chain, erased with the case.
/// </summary>
public sealed class DecisionLetterTests(AppFixture app) : ApiTest(app)
{
    private string Paula => App.Token("caseworker", "parking-permits", "Paula Parker", subject: "paula");
    private string Admin => App.Token("admin", name: "Admin Istrator", subject: "admin:root");

    private async Task<(int Status, byte[] Bytes, string? MediaType, string? FileName)> Download(string url, string? trackingCode = null, string? token = null)
    {
        var client = Host.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (trackingCode is not null) request.Headers.Add("X-Tracking-Code", trackingCode);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(), response.Content.Headers.ContentType?.MediaType,
            response.Content.Headers.ContentDisposition?.FileName);
    }

    /// <summary>With <c>VORGANG_LETTERS</c> set to a folder, the letter is also saved there (to draw the pictures in docs/screenshots).</summary>
    private static void Keep(string name, byte[] pdf)
    {
        if (Environment.GetEnvironmentVariable("VORGANG_LETTERS") is { Length: > 0 } folder)
            File.WriteAllBytes(Path.Combine(Directory.CreateDirectory(folder).FullName, name + ".pdf"), pdf);
    }

    private static string TextOf(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return string.Join("\n", document.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
    }

    /// <summary>A parking permit application up to the moment the permit may be issued.</summary>
    private async Task<SubmissionAccepted> PaidParkingPermit(string language = "de")
    {
        var submitted = await Host.Submit("residential-parking-permit", language: language);
        await Host.Act(submitted.CaseNumber, Paula, "check");
        await Host.Act(submitted.CaseNumber, Paula, "request-payment", new JsonObject { ["paymentInstructions"] = "IBAN DE00 8305 3030 0000 0000 00" });
        var view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "confirm-payment", view.Version(),
            new JsonObject { ["paymentReference"] = "ANW-4711", ["paidOn"] = ServiceTestSteps.Day() });
        return submitted;
    }

    private static JsonObject Issue(string validUntil) =>
        new() { ["zoneMatches"] = true, ["permitNumber"] = "J-B-2026-0815", ["validUntil"] = validUntil };

    [Fact]
    public async Task Issuing_the_parking_permit_issues_the_permit_letter_with_zone_plate_and_validity_and_how_to_appeal()
    {
        var submitted = await PaidParkingPermit();
        var staff = await Host.Act(submitted.CaseNumber, Paula, "issue-permit", Issue(ServiceTestSteps.Day(371)));

        var letter = Assert.Single(staff["letters"]!.AsArray())!;
        Assert.Equal("parking-permit", (string)letter["letterId"]!);
        Assert.Equal("decision", (string)letter["kind"]!);
        Assert.Equal("Bewohnerparkausweis", (string)letter["title"]!);

        var citizen = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        var listed = Assert.Single(citizen["letters"]!.AsArray())!;
        Assert.Equal((string)letter["documentId"]!, (string)listed["documentId"]!);
        Assert.Equal("letter-issued", (string)citizen["timeline"]!.AsArray()[^1]!["kind"]!);

        var (status, pdf, mediaType, fileName) = await Download((string)listed["href"]!, submitted.TrackingCode);
        Assert.Equal(200, status);
        Assert.Equal("application/pdf", mediaType);
        Assert.Equal($"parking-permit-{submitted.CaseNumber}.pdf", fileName);
        Keep("letter-parking-permit-de", pdf);
        Assert.Equal((long)letter["length"]!, pdf.Length);
        var text = TextOf(pdf);
        Assert.Contains("Bewohnerparkausweis", text);
        Assert.Contains(submitted.CaseNumber, text);
        Assert.Contains("J-B-2026-0815", text);     // the permit number the caseworker entered
        Assert.Contains("J-AB 123", text);          // the plate from the form
        Assert.Contains("Zone B", text);            // the zone, as the form's option reads
        Assert.Contains("Anna Musterfrau", text);
        Assert.Contains("Rechtsbehelfsbelehrung", text);
        Assert.Contains("Widerspruch", text);
        Assert.DoesNotContain(submitted.TrackingCode, text);
        Assert.DoesNotContain("Paula", text);       // no staff name
        Assert.DoesNotContain("Adresse und Auto passen", text); // the internal check

        using var document = PdfDocument.Open(pdf);
        Assert.Equal($"Bewohnerparkausweis {submitted.CaseNumber}", document.Information.Title);
        var raw = Encoding.Latin1.GetString(pdf);
        Assert.Contains("/Lang", raw);
        Assert.Contains("/StructTreeRoot", raw);

        // The office opens the same bytes; the read is recorded.
        var office = await Download((string)letter["href"]!, token: Paula);
        Assert.Equal(200, office.Status);
        Assert.Equal(pdf, office.Bytes);
        var (_, accesses, _) = await Host.Send(HttpMethod.Get, $"/api/track/{submitted.CaseNumber}/accesses",
            headers: new Dictionary<string, string> { ["X-Tracking-Code"] = submitted.TrackingCode });
        Assert.Contains(accesses!["accesses"]!.AsArray(), a => (string)a!["endpoint"]! == "letter");
    }

    [Fact]
    public async Task The_letter_event_carries_the_hash_of_the_stored_bytes_inside_the_verified_chain()
    {
        var submitted = await PaidParkingPermit();
        var staff = await Host.Act(submitted.CaseNumber, Paula, "issue-permit", Issue(ServiceTestSteps.Day(371)));
        var (_, pdf, _, _) = await Download((string)staff["letters"]![0]!["href"]!, token: Paula);

        var auditor = App.Token("auditor", name: "Anne Auditor", subject: "anne");
        var (status, history, _) = await Host.Send(HttpMethod.Get, $"/api/cases/{submitted.CaseNumber}/history", token: auditor);
        Assert.Equal(200, status);
        var issued = history!["events"]!.AsArray().Single(e => (string)e!["type"]! == "letter_issued")!;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(pdf)), (string)issued["data"]!["sha256"]!);
        // The letter comes right after the decision, before the case closes.
        var types = history["events"]!.AsArray().Select(e => (string)e!["type"]!).ToList();
        Assert.Equal(["case_decided", "letter_issued", "case_closed"], types[^3..]);

        var (verified, verification, _) = await Host.Send(HttpMethod.Get, $"/api/audit/cases/{submitted.CaseNumber}/verify", token: auditor);
        Assert.Equal(200, verified);
        Assert.True((bool)verification!["intact"]!, verification.ToJsonString());
    }

    [Fact]
    public async Task A_rejection_gives_its_reasons_and_how_to_appeal_in_the_applications_language()
    {
        var submitted = await Host.Submit("residential-parking-permit", language: "en");
        await Host.Act(submitted.CaseNumber, Paula, "check");
        var staff = await Host.Act(submitted.CaseNumber, Paula, "reject",
            new JsonObject { ["reason"] = "The car is not registered to anyone living at the address." });

        var letter = Assert.Single(staff["letters"]!.AsArray())!;
        Assert.Equal("rejection", (string)letter["letterId"]!);
        Assert.Equal("Notice of rejection", (string)letter["title"]!);
        var (_, pdf, _, _) = await Download((string)letter["href"]!, token: Paula);
        Keep("letter-rejection-en", pdf);
        var text = TextOf(pdf);
        Assert.Contains("Notice of rejection", text);
        Assert.Contains("Reasons", text);
        Assert.Contains("The car is not registered to anyone living at the address.", text);
        Assert.Contains("How to appeal", text);
        Assert.Contains("within one month", text);
        using var document = PdfDocument.Open(pdf);
        Assert.Contains("/Lang(en)", Encoding.Latin1.GetString(pdf));
    }

    [Theory]
    [InlineData("change-of-address", "registration-office", "register", "registration-certificate", "Meldebestätigung")]
    [InlineData("school-transport", "school-administration", "issue-ticket", "school-ticket", "Bescheid über die Schülerbeförderung")]
    public async Task Other_services_issue_their_outcome_letters(string service, string team, string action, string letterId, string title)
    {
        var token = App.Token("caseworker", team, "Clara Case", subject: "clara");
        var submitted = await Host.Submit(service);
        var (states, input) = service switch
        {
            "change-of-address" => (new[] { "start-review" }, new JsonObject()),
            _ => (Array.Empty<string>(), new JsonObject { ["ticketNumber"] = "ST-2026-77", ["ticketValidUntil"] = ServiceTestSteps.Day(200) }),
        };
        foreach (var step in states) await Host.Act(submitted.CaseNumber, token, step);
        if (service == "school-transport")
        {
            var school = App.Token("school", "grundschule-lobeda-west", name: "Grundschule Lobeda-West", subject: "school-1");
            var example = await Host.Example(service);
            await Host.Act(submitted.CaseNumber, school, "confirm-enrolment", new JsonObject { ["confirmedGrade"] = example["grade"]!.DeepClone() });
        }
        var staff = await Host.Act(submitted.CaseNumber, token, action, input);

        var letter = Assert.Single(staff["letters"]!.AsArray())!;
        Assert.Equal(letterId, (string)letter["letterId"]!);
        var (status, pdf, _, _) = await Download((string)letter["href"]!, token: token);
        Assert.Equal(200, status);
        Keep($"letter-{letterId}-de", pdf);
        Assert.Contains(title, TextOf(pdf));
    }

    [Fact]
    public async Task After_erasure_the_letter_is_gone_and_its_values_are_found_nowhere()
    {
        var submitted = await PaidParkingPermit();
        var staff = await Host.Act(submitted.CaseNumber, Paula, "issue-permit", Issue(ServiceTestSteps.Day(371)));
        var href = (string)staff["letters"]![0]!["href"]!;
        Assert.Equal(200, (await Download(href, token: Paula)).Status);

        var (status, _, _) = await Host.Send(HttpMethod.Post, $"/api/admin/cases/{submitted.CaseNumber}/erasure",
            new JsonObject { ["reason"] = "Antrag nach Art. 17 DSGVO" }.ToJsonString(), Admin);
        Assert.Equal(200, status);

        var gone = await Download(href, token: Paula);
        Assert.Equal(410, gone.Status);
        Assert.Contains("\"rule\":\"erased\"", Encoding.UTF8.GetString(gone.Bytes));
        Assert.Empty(await Host.TablesContaining("Musterfrau"));
        // The record of the letter stays in the history: which letter, when, its hash.
        staff = await Host.StaffCase(submitted.CaseNumber, Paula);
        Assert.Single(staff["letters"]!.AsArray());
    }

    [Fact]
    public async Task A_wrong_code_or_an_unknown_letter_is_not_found()
    {
        var submitted = await PaidParkingPermit();
        var staff = await Host.Act(submitted.CaseNumber, Paula, "issue-permit", Issue(ServiceTestSteps.Day(371)));
        var documentId = (string)staff["letters"]![0]!["documentId"]!;

        Assert.Equal(404, (await Download($"/api/track/{submitted.CaseNumber}/letters/{documentId}", "AAAAA-AAAAA-AAAAA-AAAAA")).Status);
        Assert.Equal(404, (await Download($"/api/track/{submitted.CaseNumber}/letters", "AAAAA-AAAAA-AAAAA-AAAAA")).Status);
        Assert.Equal(404, (await Download($"/api/track/{submitted.CaseNumber}/letters/{Guid.NewGuid()}", submitted.TrackingCode)).Status);
        Assert.Equal(404, (await Download($"/api/track/{submitted.CaseNumber}/letters/not-a-guid", submitted.TrackingCode)).Status);
        var otherTeam = App.Token("caseworker", "registration-office", "Rita Register", subject: "rita");
        Assert.Equal(404, (await Download($"/api/cases/{submitted.CaseNumber}/letters/{documentId}", token: otherTeam)).Status);
    }

    [Fact]
    public async Task The_status_page_lists_the_letter_and_downloads_it_without_the_code_in_the_address()
    {
        var submitted = await PaidParkingPermit();
        var staff = await Host.Act(submitted.CaseNumber, Paula, "issue-permit", Issue(ServiceTestSteps.Day(371)));
        var (_, stored, _, _) = await Download((string)staff["letters"]![0]!["href"]!, token: Paula);

        var browser = new PortalClient(Host);
        await browser.GetAsync("/track");
        await browser.SubmitAsync(browser.Form(), new Dictionary<string, string> { ["caseNumber"] = submitted.CaseNumber, ["trackingCode"] = submitted.TrackingCode });
        Assert.Equal("Ihre Bescheide und Dokumente", browser.Text("#letters"));
        var link = browser.Page.QuerySelector("ul[aria-labelledby=letters] a")!;
        Assert.StartsWith("Bewohnerparkausweis vom ", link.TextContent);
        var href = link.GetAttribute("href")!;
        Assert.DoesNotContain(submitted.TrackingCode, href);
        using var response = await browser.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, href));
        Assert.Equal("application/pdf", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(stored, await response.Content.ReadAsByteArrayAsync());

        // Another browser, without the code, gets no letter.
        var stranger = new PortalClient(Host);
        await stranger.GetAsync(href);
        Assert.Equal("/track", stranger.Path);
    }

    [Fact]
    public async Task The_building_consultation_ends_with_its_minutes_as_a_document_without_a_legal_remedy()
    {
        const string minutes = "Der Carport an der Grenze ist bis 3 Meter mittlere Wandhöhe und 9 Meter Länge verfahrensfrei. Bitte halten Sie die Abstandsflächen ein.";
        var submitted = await Host.Submit("building-permit-consultation");
        var bernd = App.Token("caseworker", "building-control", "Bernd Bauer", subject: "bernd");
        await Host.Act(submitted.CaseNumber, bernd, "propose-slots", new JsonObject
        {
            ["slot1"] = "2030-03-05 10:00", ["slot2"] = "2030-03-06 14:30", ["slot3"] = "2030-03-07 09:00",
            ["meetingPlace"] = "Bauordnungsamt, Am Anger 26", ["message"] = "Drei Termine.",
        });
        var view = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "book-slot", view.Version(), new JsonObject { ["chosenSlot"] = 1 });
        await Host.Act(submitted.CaseNumber, bernd, "record-consultation");
        var staff = await Host.Act(submitted.CaseNumber, bernd, "write-minutes", new JsonObject { ["minutes"] = minutes, ["permitAssessment"] = "not-required" });

        var letter = Assert.Single(staff["letters"]!.AsArray())!;
        Assert.Equal("consultation-minutes", (string)letter["letterId"]!);
        Assert.Equal("document", (string)letter["kind"]!);
        Assert.Equal(401, (await Download((string)letter["href"]!, submitted.TrackingCode)).Status); // the office's address needs a token
        var (_, pdf, _, _) = await Download($"/api/track/{submitted.CaseNumber}/letters/{(string)letter["documentId"]!}", submitted.TrackingCode);
        Keep("letter-consultation-minutes-de", pdf);
        var text = TextOf(pdf);
        Assert.Contains("Protokoll der Bauberatung", text);
        Assert.Contains("Abstandsflächen", text);
        Assert.Contains("Nein, voraussichtlich nicht", text);
        Assert.DoesNotContain("Rechtsbehelfsbelehrung", text);
    }

    [Fact]
    public async Task The_workbench_case_page_lists_the_letter_and_opens_it_recording_the_read()
    {
        var submitted = await PaidParkingPermit();
        var staff = await Host.Act(submitted.CaseNumber, Paula, "issue-permit", Issue(ServiceTestSteps.Day(371)));
        var (_, stored, _, _) = await Download((string)staff["letters"]![0]!["href"]!, token: Paula);

        var browser = new PortalClient(Host);
        await Workbench.WorkbenchPagesTests.SignInStaffAsync(browser, "caseworker", "parking-permits", "Paula Parker");
        await browser.GetAsync($"/staff/cases/{submitted.CaseNumber}");
        Assert.Equal("Briefe an die antragstellende Person", browser.Text("#letters"));
        Assert.Contains("Brief erstellt: Bewohnerparkausweis", browser.Text("#case-timeline"));
        var href = browser.Page.QuerySelector("ul[aria-labelledby=letters] a")!.GetAttribute("href")!;
        using (var response = await browser.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, href)))
        {
            Assert.Equal("application/pdf", response.Content.Headers.ContentType!.MediaType);
            Assert.Equal(stored, await response.Content.ReadAsByteArrayAsync());
        }

        // A letter id the case does not have is the page's not-found, not an error.
        await browser.GetAsync($"/staff/cases/{submitted.CaseNumber}?handler=letter&id={Guid.NewGuid()}");
        Assert.Equal(404, browser.Status);
        // A colleague of another team does not reach it.
        var other = new PortalClient(Host);
        await Workbench.WorkbenchPagesTests.SignInStaffAsync(other, "caseworker", "registration-office", "Rita Register");
        await other.GetAsync(href);
        Assert.Equal(404, other.Status);
    }
}
