using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Vorgang.Tests.Api;
using Vorgang.Tests.Infrastructure;
using UglyToad.PdfPig;

namespace Vorgang.Tests.Letters;

/// <summary>The receipt (Eingangsbestätigung) as a PDF: its text, its metadata, the same bytes each time, and who gets which copy.</summary>
public sealed class ReceiptTests(AppFixture app) : ApiTest(app)
{
    private const string Service = "change-of-address";

    private async Task<(int Status, byte[] Bytes, string? MediaType)> Download(string url, string? trackingCode = null, string? token = null)
    {
        var client = Host.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (trackingCode is not null) request.Headers.Add("X-Tracking-Code", trackingCode);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    private static string TextOf(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return string.Join("\n", document.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
    }

    [Fact]
    public async Task The_citizens_copy_names_the_case_what_was_submitted_and_what_happens_next_without_the_tracking_code()
    {
        var accepted = await Host.Submit(Service);

        var (status, pdf, mediaType) = await Download($"/api/track/{accepted.CaseNumber}/receipt", accepted.TrackingCode);

        Assert.Equal(200, status);
        Assert.Equal("application/pdf", mediaType);
        var text = TextOf(pdf);
        Assert.Contains("Eingangsbestätigung", text);
        Assert.Contains(accepted.CaseNumber, text);
        Assert.Contains("Erika", text);
        Assert.Contains("Mustermann", text);
        Assert.Contains("Wie es weitergeht", text);
        Assert.Contains("/track", text);
        Assert.DoesNotContain(accepted.TrackingCode, text);
        Assert.DoesNotContain(accepted.TrackingCode, Encoding.Latin1.GetString(pdf));

        using var document = PdfDocument.Open(pdf);
        Assert.Equal($"Eingangsbestätigung {accepted.CaseNumber}", document.Information.Title);
        var raw = Encoding.Latin1.GetString(pdf);
        Assert.Contains("/Lang", raw);
        Assert.Contains("/StructTreeRoot", raw);
        Assert.Contains("/MarkInfo", raw);
    }

    [Fact]
    public async Task Every_download_is_the_same_file()
    {
        var accepted = await Host.Submit(Service);

        var first = await Download($"/api/track/{accepted.CaseNumber}/receipt", accepted.TrackingCode);
        var second = await Download($"/api/track/{accepted.CaseNumber}/receipt", accepted.TrackingCode);

        Assert.Equal(200, first.Status);
        Assert.Equal(first.Bytes, second.Bytes);
    }

    [Fact]
    public async Task The_receipt_speaks_english_on_request_and_for_an_english_application()
    {
        var english = await Host.Submit(Service, language: "en");
        var german = await Host.Submit(Service);

        var asSubmitted = TextOf((await Download($"/api/track/{english.CaseNumber}/receipt", english.TrackingCode)).Bytes);
        var asked = TextOf((await Download($"/api/track/{german.CaseNumber}/receipt?lang=en", german.TrackingCode)).Bytes);

        foreach (var text in new[] { asSubmitted, asked })
        {
            Assert.Contains("Confirmation of receipt", text);
            Assert.Contains("What happens next", text);
            Assert.Contains("/en/track", text);
        }
    }

    [Theory]
    [InlineData("change-of-address")]
    [InlineData("building-permit-consultation")]
    [InlineData("school-transport")]
    [InlineData("residential-parking-permit")]
    [InlineData("defect-report")]
    public async Task Every_service_has_a_receipt(string serviceId)
    {
        var accepted = await Host.Submit(serviceId);

        var (status, pdf, _) = await Download($"/api/track/{accepted.CaseNumber}/receipt", accepted.TrackingCode);

        Assert.Equal(200, status);
        Assert.Contains(accepted.CaseNumber, TextOf(pdf));
    }

    [Fact]
    public async Task A_wrong_code_gets_no_receipt()
    {
        var accepted = await Host.Submit(Service);

        var wrong = await Host.Get($"/api/track/{accepted.CaseNumber}/receipt", headers: new Dictionary<string, string> { ["X-Tracking-Code"] = "AAAAA-AAAAA-AAAAA-AAAAA" });
        var none = await Host.Get($"/api/track/{accepted.CaseNumber}/receipt");

        Assert.Equal(404, wrong.Status);
        Assert.Equal(ApiAssertions.ProblemJson, wrong.MediaType);
        Assert.Equal(404, none.Status);
    }

    [Fact]
    public async Task The_office_copy_names_the_personal_fields_without_their_values_and_only_for_those_who_may_read_the_case()
    {
        var accepted = await Host.Submit(Service);
        var team = App.Token("caseworker", "registration-office", "Anna Schmidt", subject: "anna");
        var otherTeam = App.Token("caseworker", "road-maintenance", "Bernd Bauer", subject: "bernd");

        var (status, pdf, _) = await Download($"/api/cases/{accepted.CaseNumber}/receipt", token: team);
        var refused = await Host.Get($"/api/cases/{accepted.CaseNumber}/receipt", otherTeam);

        Assert.Equal(200, status);
        var text = TextOf(pdf);
        Assert.Contains(accepted.CaseNumber, text);
        Assert.Contains("Ausfertigung für die Akte", text);
        Assert.DoesNotContain("Erika", text);
        Assert.Contains("nicht abgedruckt", text);
        Assert.Equal(404, refused.Status);
    }

    [Fact]
    public async Task After_erasure_the_receipt_shows_the_personal_values_as_erased()
    {
        var accepted = await Host.Submit(Service);
        var admin = App.Token("admin", name: "Ada Admin", subject: "ada");
        var anna = App.Token("caseworker", "registration-office", "Anna Schmidt", subject: "anna");
        await Host.Act(accepted.CaseNumber, anna, "start-review");
        await Host.Act(accepted.CaseNumber, anna, "register");

        var erasure = await Host.Send(HttpMethod.Post, $"/api/admin/cases/{accepted.CaseNumber}/erasure",
            new JsonObject { ["reason"] = "Antrag auf Löschung nach Art. 17 DSGVO" }.ToJsonString(), admin);
        Assert.True(erasure.Status == 200, erasure.Body?.ToJsonString());

        var (status, pdf, _) = await Download($"/api/track/{accepted.CaseNumber}/receipt", accepted.TrackingCode);
        Assert.Equal(200, status);
        var text = TextOf(pdf);
        Assert.DoesNotContain("Erika", text);
        Assert.Contains("(gelöscht)", text);
    }
}
