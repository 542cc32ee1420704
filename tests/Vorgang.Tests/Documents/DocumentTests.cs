using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vorgang.Tests.Infrastructure;
using Vorgang.Tests.Privacy;
using static Vorgang.Tests.Documents.DocumentRequests;

namespace Vorgang.Tests.Documents;

/// <summary>Documents end to end: upload with the tracking code or a token, list, download, the hash chain, refusals that store nothing, the guard, erasure.</summary>
public sealed class DocumentTests(AppFixture app) : ApiTest(app)
{
    private string Anna => App.Token("caseworker", "registration-office", "Anna Schmidt", "caseworker:anna");
    private string Auditor => App.Token("auditor", name: "Petra Prüfer", subject: "auditor:petra");
    private string Admin => App.Token("admin", name: "Admin Istrator", subject: "admin:root");
    private const string Eicar = @"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

    [Fact]
    public async Task A_citizen_uploads_a_pdf_that_both_sides_list_and_download_and_the_chain_covers_its_hash()
    {
        var submitted = await Host.Submit("change-of-address");
        var pdf = Pdf("Wohnungsgeberbestätigung " + new string('x', 150_000));
        var upload = await Host.UploadAsCitizen(submitted.CaseNumber, submitted.TrackingCode, Form(pdf, "Bestätigung Müller.pdf", "landlord-confirmation"));
        Assert.True(upload.Status == 201, upload.ToString());
        var id = (string)upload.Json!["id"]!;
        Assert.Equal($"/api/track/{submitted.CaseNumber}/documents/{id}", upload.Response.Headers.Location!.ToString());
        Assert.Equal("application/pdf", (string)upload.Json["contentType"]!);
        Assert.Equal(pdf.Length, (long)upload.Json["length"]!);
        var sha = Convert.ToHexStringLower(SHA256.HashData(pdf));
        Assert.Equal(sha, (string)upload.Json["sha256"]!);
        Assert.Equal("Bestätigung Müller.pdf", (string)upload.Json["fileName"]!);

        var list = await Send(Host, HttpMethod.Get, $"/api/track/{submitted.CaseNumber}/documents", trackingCode: submitted.TrackingCode);
        Assert.Equal(200, list.Status);
        Assert.Equal(id, (string)list.Json!["documents"]![0]!["id"]!);
        Assert.Equal("landlord-confirmation", (string)list.Json["documents"]![0]!["documentId"]!);

        var citizenCopy = await Send(Host, HttpMethod.Get, $"/api/track/{submitted.CaseNumber}/documents/{id}", trackingCode: submitted.TrackingCode);
        Assert.Equal(200, citizenCopy.Status);
        Assert.Equal(pdf, citizenCopy.Bytes);
        Assert.Equal("application/pdf", citizenCopy.Response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("nosniff", citizenCopy.Response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("attachment", citizenCopy.Response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("Bestätigung Müller.pdf", citizenCopy.Response.Content.Headers.ContentDisposition.FileNameStar);

        var staffCopy = await Send(Host, HttpMethod.Get, $"/api/cases/{submitted.CaseNumber}/documents/{id}", token: Anna);
        Assert.Equal(pdf, staffCopy.Bytes);
        var accesses = await Send(Host, HttpMethod.Get, $"/api/track/{submitted.CaseNumber}/accesses", trackingCode: submitted.TrackingCode);
        Assert.Contains(accesses.Json!["accesses"]!.AsArray(), a => (string)a!["endpoint"]! == "document-download");

        // The event carries the hash, the name sealed; the chain verifies.
        var history = await Send(Host, HttpMethod.Get, $"/api/cases/{submitted.CaseNumber}/history", token: Auditor);
        var uploaded = history.Json!["events"]!.AsArray().Single(e => (string)e!["type"]! == "document_uploaded")!;
        Assert.Equal(sha, (string)uploaded["data"]!["sha256"]!);
        Assert.Empty(await Host.TablesContaining("Müller.pdf"));
        var verify = await Send(Host, HttpMethod.Get, $"/api/audit/cases/{submitted.CaseNumber}/verify", token: Auditor);
        Assert.True((bool)verify.Json!["intact"]!, verify.ToString());

        // The missing document is no longer missing for the citizen.
        Assert.Empty(list.Json["missing"]!.AsArray());
    }

    [Fact]
    public async Task Staff_upload_and_auditors_are_read_only_and_wrong_codes_are_404()
    {
        var submitted = await Host.Submit("change-of-address");
        var staff = await Host.UploadAsStaff(submitted.CaseNumber, Anna, Form(Pdf("vom Amt"), "vermerk.pdf"));
        Assert.True(staff.Status == 201, staff.ToString());
        Assert.Equal("caseworker", (string)staff.Json!["uploadedBy"]!);
        Assert.Equal(403, (await Host.UploadAsStaff(submitted.CaseNumber, Auditor, Form(Pdf("x")))).Status);
        var other = App.Token("caseworker", "parking-permits", "Paul", "caseworker:paul");
        Assert.Equal(404, (await Host.UploadAsStaff(submitted.CaseNumber, other, Form(Pdf("x")))).Status);
        Assert.Equal(404, (await Host.UploadAsCitizen(submitted.CaseNumber, "AAAAA-AAAAA-AAAAA-AAAAA", Form(Pdf("x")))).Status);
        Assert.Equal(404, (await Send(Host, HttpMethod.Get, $"/api/track/{submitted.CaseNumber}/documents/{staff.Json["id"]}", trackingCode: "AAAAA-AAAAA-AAAAA-AAAAA")).Status);
        Assert.Equal(404, (await Send(Host, HttpMethod.Get, $"/api/cases/{submitted.CaseNumber}/documents/{Guid.NewGuid()}", token: Anna)).Status);
    }

    public static TheoryData<string, int, string> Refusals() => new()
    {
        { "executable", 415, "file-type" },
        { "text", 415, "file-type" },
        { "empty", 400, "file-empty" },
        { "no-file", 400, "file-missing" },
        // Refused by the endpoint's declared media type before it runs.
        { "json", 415, "unsupported-media-type" },
        { "truncated", 400, "malformed-multipart" },
        { "no-boundary", 400, "malformed-multipart" },
        { "unknown-document", 422, "unknown-document" },
        { "bad-document-id", 422, "unknown-document" },
        { "pdf-as-photo", 415, "file-type" },
        { "eicar", 422, "malware" },
        { "too-large", 413, "file-too-large" },
        { "broken-jpeg", 415, "file-type" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Bad_uploads_are_refused_by_rule_and_leave_nothing_behind(string kind, int status, string rule)
    {
        var service = kind is "pdf-as-photo" or "broken-jpeg" ? "defect-report" : "change-of-address";
        var submitted = await Host.Submit(service);
        var tempBefore = TempUploads();
        HttpContent content = kind switch
        {
            "executable" => Form(Encoding.ASCII.GetBytes("MZ\x90\0\x03\0\0\0 This program cannot be run in DOS mode"), "antrag.pdf"),
            "text" => Form(Encoding.UTF8.GetBytes("just some text"), "antrag.pdf"),
            "empty" => Form([], "leer.pdf"),
            "no-file" => Form(null, documentId: "landlord-confirmation"),
            "json" => Raw("{\"file\":\"x\"}", "application/json"),
            "truncated" => Raw("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4 and then the body stops", "multipart/form-data; boundary=b"),
            "no-boundary" => Raw("whatever", "multipart/form-data"),
            "unknown-document" => Form(Pdf("x"), documentId: "passport"),
            "bad-document-id" => Form(Pdf("x"), documentId: "'; drop table x; --"),
            "pdf-as-photo" => Form(Pdf("x"), "foto.jpg", "photo", "image/jpeg"),
            "broken-jpeg" => Form([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 5, 6, 7, 8, 9], "foto.jpg", "photo", "image/jpeg"),
            "eicar" => Form(Pdf(Eicar), "harmlos.pdf"),
            _ => Form(Pdf(new string('x', 10 * 1024 * 1024 + 10)), "gross.pdf", "landlord-confirmation"), // its limit is 10 MiB
        };
        var answer = await Host.UploadAsCitizen(submitted.CaseNumber, submitted.TrackingCode, content);
        Assert.True(answer.Status == status && answer.Rule == rule, answer.ToString());
        Assert.Equal("application/problem+json", answer.Response.Content.Headers.ContentType!.MediaType);
        if (kind != "json")
            Assert.Equal(kind is "unknown-document" or "bad-document-id" ? "documentId" : "file", (string?)answer.Json!["violations"]?[0]?["field"]);

        var track = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.Equal(1, (long)track["version"]!);
        Assert.Equal(0L, await ChunkRows());
        Assert.Equal(tempBefore, TempUploads());
    }

    [Fact]
    public async Task A_registration_waits_for_the_landlords_confirmation_when_the_citizen_had_none()
    {
        var data = await Host.Example("change-of-address");
        data["landlordConfirmationAvailable"] = false;
        data.Remove("landlordName");
        var submitted = await Host.Submit("change-of-address", data);
        var track = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        Assert.Equal("landlord-confirmation", (string)track["documentStatus"]!["missing"]![0]!["documentId"]!);
        await Host.Act(submitted.CaseNumber, Anna, "start-review");

        var version = (long)(await Host.StaffCase(submitted.CaseNumber, Anna))["version"]!;
        var (status, refusal) = await Host.TryAct(submitted.CaseNumber, Anna, "register", version);
        Assert.True(status == 422 && (string)refusal!["rule"]! == "documents-missing", refusal?.ToJsonString());
        Assert.Contains("landlord-confirmation", refusal!.ToJsonString());

        var upload = await Host.UploadAsCitizen(submitted.CaseNumber, submitted.TrackingCode, Form(Pdf("Bestätigung"), documentId: "landlord-confirmation"));
        Assert.Equal(201, upload.Status);
        var staffView = await Host.StaffCase(submitted.CaseNumber, Anna);
        Assert.Single(staffView["documentStatus"]!["uploaded"]!.AsArray());
        Assert.Empty(staffView["documentStatus"]!["missing"]!.AsArray());
        await Host.Act(submitted.CaseNumber, Anna, "request-landlord-confirmation", new JsonObject { ["message"] = "Bitte den Namen nennen." });
        var waiting = await Host.Track(submitted.CaseNumber, submitted.TrackingCode);
        await Host.CitizenAct(submitted.CaseNumber, submitted.TrackingCode, "provide-information", (long)waiting["version"]!, new JsonObject { ["landlordName"] = "Wohnungsgenossenschaft Jena eG" });
        var registered = await Host.Act(submitted.CaseNumber, Anna, "register");
        Assert.Equal("registered", (string)registered["state"]!);
    }

    [Fact]
    public async Task Erasure_shreds_the_files_the_marker_is_nowhere_and_downloads_are_gone()
    {
        var marker = "ZqDoc" + Guid.NewGuid().ToString("N")[..12];
        var submitted = await Host.Submit("change-of-address");
        var upload = await Host.UploadAsCitizen(submitted.CaseNumber, submitted.TrackingCode, Form(Pdf(marker), marker + ".pdf"));
        Assert.Equal(201, upload.Status);
        Assert.Empty(await Host.TablesContaining(marker));
        Assert.Empty(await Host.TablesContaining(Convert.ToHexStringLower(Encoding.ASCII.GetBytes(marker))));
        await Host.Act(submitted.CaseNumber, Anna, "start-review");
        await Host.Act(submitted.CaseNumber, Anna, "reject", new JsonObject { ["reason"] = "Die Wohnung liegt nicht in Jena." });
        var (status, _, _) = await Host.Send(HttpMethod.Post, $"/api/admin/cases/{submitted.CaseNumber}/erasure",
            new JsonObject { ["reason"] = "Art. 17 DSGVO" }.ToJsonString(), Admin);
        Assert.Equal(200, status);

        Assert.Equal(0L, await ChunkRows());
        var download = await Send(Host, HttpMethod.Get, $"/api/cases/{submitted.CaseNumber}/documents/{upload.Json!["id"]}", token: Anna);
        Assert.True(download.Status == 410 && download.Rule == "personal-data-erased", download.ToString());
        var list = await Send(Host, HttpMethod.Get, $"/api/cases/{submitted.CaseNumber}/documents", token: Anna);
        Assert.Null((string?)list.Json!["documents"]![0]!["fileName"]);
        Assert.Empty(await Host.TablesContaining(marker));
        Assert.Empty(await Host.TablesContaining(Convert.ToHexStringLower(Encoding.ASCII.GetBytes(marker))));
    }

    [Fact]
    public async Task The_workbench_lists_the_documents_and_opens_one_as_a_recorded_read()
    {
        var data = await Host.Example("change-of-address");
        data["landlordConfirmationAvailable"] = false;
        data.Remove("landlordName");
        var submitted = await Host.Submit("change-of-address", data);
        var anna = new Portal.PortalClient(Host);
        await Workbench.WorkbenchPagesTests.SignInStaffAsync(anna, "caseworker", "registration-office", "Anna Schmidt");
        await anna.GetAsync($"/staff/cases/{submitted.CaseNumber}");
        Assert.Contains("fehlt noch", anna.Text("#case-documents"));

        var pdf = Pdf("Bestätigung für die Akte");
        Assert.Equal(201, (await Host.UploadAsCitizen(submitted.CaseNumber, submitted.TrackingCode, Form(pdf, documentId: "landlord-confirmation"))).Status);
        await anna.GetAsync($"/staff/cases/{submitted.CaseNumber}");
        var link = Assert.Single(anna.Page.QuerySelectorAll("#case-documents a"));
        Assert.Contains("Wohnungsgeberbestätigung", link.TextContent);
        var readsBefore = await ReadsOf(submitted.CaseNumber);
        var file = await anna.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, link.GetAttribute("href")));
        Assert.Equal(200, (int)file.StatusCode);
        Assert.Equal(pdf, await file.Content.ReadAsByteArrayAsync());
        Assert.Equal(readsBefore + 1, await ReadsOf(submitted.CaseNumber));
    }

    [Fact]
    public async Task The_status_page_lists_missing_and_uploaded_documents_and_opens_one()
    {
        var data = await Host.Example("change-of-address");
        data["landlordConfirmationAvailable"] = false;
        data.Remove("landlordName");
        var submitted = await Host.Submit("change-of-address", data);
        var browser = new Portal.PortalClient(Host);
        await browser.GetAsync("/track");
        await browser.SubmitAsync(browser.Form(), new Dictionary<string, string> { ["caseNumber"] = submitted.CaseNumber, ["trackingCode"] = submitted.TrackingCode });
        Assert.Contains("Wohnungsgeberbestätigung", browser.Text("#documents-missing"));

        var pdf = Pdf("Bestätigung");
        Assert.Equal(201, (await Host.UploadAsCitizen(submitted.CaseNumber, submitted.TrackingCode, Form(pdf, documentId: "landlord-confirmation"))).Status);
        await browser.GetAsync($"/track/{submitted.CaseNumber}");
        Assert.Null(browser.Page.GetElementById("documents-missing"));
        var link = Assert.Single(browser.Page.QuerySelectorAll("#documents-uploaded a"));
        Assert.DoesNotContain(submitted.TrackingCode, link.GetAttribute("href"));
        var file = await browser.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, link.GetAttribute("href")));
        Assert.Equal(pdf, await file.Content.ReadAsByteArrayAsync());
    }

    private async Task<int> ReadsOf(string caseNumber)
    {
        await using var session = Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.Query<Vorgang.Workflows.Audit.PersonalDataRead>().CountAsync(r => r.CaseNumber == caseNumber);
    }

    private async Task<long> ChunkRows()
    {
        await using var command = Host.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("select count(*) from vorgang.document_chunks");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static int TempUploads() => Directory.GetFiles(Path.GetTempPath(), "vorgang-upload-*").Length;
}
