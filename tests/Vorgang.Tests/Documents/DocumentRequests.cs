using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Alba;

namespace Vorgang.Tests.Documents;

/// <summary>Uploads and downloads of documents as a client sends them: raw multipart bodies, the tracking code or a token.</summary>
public static class DocumentRequests
{
    public sealed record Answer(int Status, JsonNode? Json, byte[] Bytes, HttpResponseMessage Response)
    {
        public string? Rule => (string?)Json?["rule"];
        public override string ToString() => $"{Status} {Encoding.UTF8.GetString(Bytes)}";
    }

    public static byte[] Pdf(string text) => Encoding.ASCII.GetBytes($"%PDF-1.4\n% {text}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

    public static MultipartFormDataContent Form(byte[]? file, string fileName = "bestaetigung.pdf", string? documentId = null, string contentType = "application/pdf")
    {
        var form = new MultipartFormDataContent("vorgang-test-boundary");
        if (documentId is not null) form.Add(new StringContent(documentId), "documentId");
        if (file is not null)
        {
            var part = new ByteArrayContent(file);
            part.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            form.Add(part, "file", fileName);
        }
        return form;
    }

    /// <summary>The citizen uploads the landlord's confirmation (change-of-address v3 registers only with it when the form said there was none).</summary>
    public static async Task UploadLandlordConfirmation(IAlbaHost host, string caseNumber, string trackingCode)
    {
        var answer = await host.UploadAsCitizen(caseNumber, trackingCode, Form(Pdf("Wohnungsgeberbestätigung"), documentId: "landlord-confirmation"));
        Assert.True(answer.Status == 201, answer.ToString());
    }

    public static Task<Answer> UploadAsCitizen(this IAlbaHost host, string caseNumber, string trackingCode, HttpContent content) =>
        Send(host, HttpMethod.Post, $"/api/track/{caseNumber}/documents", content, trackingCode: trackingCode);

    public static Task<Answer> UploadAsStaff(this IAlbaHost host, string caseNumber, string token, HttpContent content) =>
        Send(host, HttpMethod.Post, $"/api/cases/{caseNumber}/documents", content, token: token);

    public static async Task<Answer> Send(IAlbaHost host, HttpMethod method, string url, HttpContent? content = null, string? token = null, string? trackingCode = null)
    {
        var client = host.Server.CreateClient();
        using var request = new HttpRequestMessage(method, url) { Content = content };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (trackingCode is not null) request.Headers.TryAddWithoutValidation("X-Tracking-Code", trackingCode);
        var response = await client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        JsonNode? json = null;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (bytes.Length > 0 && mediaType is not null && (mediaType == "application/json" || mediaType.EndsWith("+json", StringComparison.Ordinal)))
            json = JsonNode.Parse(bytes);
        return new Answer((int)response.StatusCode, json, bytes, response);
    }

    /// <summary>A raw body with the given content type, for malformed multipart.</summary>
    public static HttpContent Raw(string body, string contentType)
    {
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }
}
