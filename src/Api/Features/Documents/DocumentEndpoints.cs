using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Npgsql;
using Vorgang.Api.Features.Audit;
using Vorgang.Api.Features.Casework;
using Vorgang.Api.Features.Privacy;
using Vorgang.Api.Features.Tracking;
using Vorgang.Api.Security;
using Vorgang.Workflows.Audit;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Privacy;
using Wolverine;
using Wolverine.Http;

namespace Vorgang.Api.Features.Documents;

/// <summary>Documents of a case over the API: the citizen with the tracking code, staff who may see (and to upload, act on) the case.</summary>
public static class DocumentEndpoints
{
    public const string FilePart = "file", DocumentIdPart = "documentId";
    private const string UploadDescription = "`multipart/form-data` with the file in the part `file` and, optionally, the definition's document it is (`documentId`). The type is decided by the file's content (PDF, JPEG, PNG, WebP as the document allows), photos are re-encoded without their metadata (EXIF, GPS), the file is checked for malware and stored encrypted with the case's key; the event `document_uploaded` records its SHA-256. Refusals name the rule and the field: `413 file-too-large` (counted while reading), `415 file-type`, `400 file-empty`, `400 file-missing`, `415 not-multipart`, `400 malformed-multipart`, `422 unknown-document`, `422 malware`, `503 scanner-unavailable`, `409 version-conflict`; none stores anything.";

    // ---- citizens, with the tracking code ----

    [WolverinePost("/api/track/{caseNumber}/documents", OperationId = "uploadCitizenDocument")]
    [TrackingLockout]
    [EndpointSummary("The citizen uploads a document to their case (needs X-Tracking-Code).")]
    [EndpointDescription(UploadDescription + " A wrong case number or code is `404` and counts towards the lockout.")]
    [Tags("Citizens")]
    [Consumes("multipart/form-data")]
    [ProducesResponseType<StoredDocumentView>(201)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(413, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(415, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(422, "application/problem+json")]
    public static async Task<IResult> UploadByCitizen(
        string caseNumber, [FromHeader(Name = TrackCaseEndpoints.TrackingCodeHeader)] string? trackingCode,
        IDocumentSession session, IMessageBus bus, DocumentUploads uploads, DefinitionCatalog catalog, HttpContext context, CancellationToken ct)
    {
        var (state, definition) = await CitizenCaseAsync(caseNumber, trackingCode, session, catalog, ct);
        if (state is null || definition is null) return TrackCaseEndpoints.NotFound(context);
        var caller = new Caller($"citizen:{caseNumber}", Roles.Citizen, "", null, Channels.Online);
        return await UploadAsync(session, bus, uploads, definition, caller, caseNumber, $"/api/track/{caseNumber}/documents", context,
            (s, d) => s is not null && d is not null && TrackingCodes.Matches(trackingCode, s.TrackingCodeHash) ? null : TrackCaseEndpoints.NotFound(context), ct);
    }

    [WolverineGet("/api/track/{caseNumber}/documents", OperationId = "listCitizenDocuments")]
    [TrackingLockout]
    [EndpointSummary("The documents of the citizen's case: uploaded and still missing (needs X-Tracking-Code).")]
    [EndpointDescription("The documents uploaded, oldest first, with file name, type, size, SHA-256 and download address, and the documents the service still needs from the citizen (`missing`), with the types and size they may have.")]
    [Tags("Citizens")]
    [ProducesResponseType<DocumentList>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IResult> ListForCitizen(
        string caseNumber, [FromHeader(Name = TrackCaseEndpoints.TrackingCodeHeader)] string? trackingCode, [FromQuery] string? lang,
        IQuerySession session, DefinitionCatalog catalog, PersonalDataVault vault, TimeProvider time, HttpContext context, CancellationToken ct)
    {
        var (state, definition) = await CitizenCaseAsync(caseNumber, trackingCode, session, catalog, ct);
        if (state is null || definition is null) return TrackCaseEndpoints.NotFound(context);
        return Results.Ok(await ListAsync(session, vault, state, definition, $"/api/track/{caseNumber}/documents", CitizenCases.PreferredLanguage(context, lang) ?? state.Language, time, ct));
    }

    [WolverineGet("/api/track/{caseNumber}/documents/{documentId}", OperationId = "downloadCitizenDocument")]
    [TrackingLockout]
    [EndpointSummary("Downloads one document of the citizen's case (needs X-Tracking-Code).")]
    [EndpointDescription("The file as stored (photos without their metadata), decrypted while it is sent, with its type, `Content-Disposition: attachment` and its file name. After an erasure of the case's personal data: `410 personal-data-erased`.")]
    [Tags("Citizens")]
    [ProducesResponseType(typeof(byte[]), 200, "application/octet-stream")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(410, "application/problem+json")]
    public static async Task<IResult> DownloadForCitizen(
        string caseNumber, string documentId, [FromHeader(Name = TrackCaseEndpoints.TrackingCodeHeader)] string? trackingCode,
        IQuerySession session, DefinitionCatalog catalog, PersonalDataVault vault, NpgsqlDataSource dataSource, HttpContext context, CancellationToken ct)
    {
        var (state, definition) = await CitizenCaseAsync(caseNumber, trackingCode, session, catalog, ct);
        if (state is null || definition is null) return TrackCaseEndpoints.NotFound(context);
        return await DownloadAsync(session, vault, dataSource, state, documentId, context, ct);
    }

    // ---- staff ----

    [WolverinePost("/api/cases/{caseNumber}/documents", OperationId = "uploadCaseDocument")]
    [Authorize(Policy = StaffAuth.StaffPolicy)]
    [EndpointSummary("Staff upload a document to a case they may act on.")]
    [EndpointDescription(UploadDescription + " Auditors are `403 read-only`; a case the caller may not reach answers like a missing one (`404`).")]
    [Tags("Casework")]
    [Consumes("multipart/form-data")]
    [ProducesResponseType<StoredDocumentView>(201)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(403, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(413, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(415, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(422, "application/problem+json")]
    public static async Task<IResult> UploadByStaff(
        string caseNumber, IDocumentSession session, IMessageBus bus, DocumentUploads uploads, DefinitionCatalog catalog, HttpContext context, CancellationToken ct)
    {
        var caller = context.User.StaffCaller();
        var readable = await Access.ReadableAsync(caseNumber, caller, session, catalog, context, ct);
        if (readable.Refused is not null) return readable.Refused;
        if (Access.CanAct(caller!, readable.State!, readable.Definition!, context) is { } refused) return refused;
        return await UploadAsync(session, bus, uploads, readable.Definition!, caller! with { Channel = Channels.Office }, caseNumber, $"/api/cases/{caseNumber}/documents", context,
            (s, d) => s is null || d is null ? CaseActions.NoCase(context, caseNumber) : Access.CanAct(caller!, s, d, context), ct);
    }

    [WolverineGet("/api/cases/{caseNumber}/documents", OperationId = "listCaseDocuments")]
    [Authorize(Policy = StaffAuth.StaffPolicy)]
    [EndpointSummary("The documents of a case: uploaded and still missing.")]
    [EndpointDescription("As the citizen's list, for those who may read the case. The file names are personal data: the read is recorded.")]
    [Tags("Casework")]
    [ProducesResponseType<DocumentList>(200)]
    [ProducesResponseType<ProblemDetails>(403, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IResult> ListForStaff(
        string caseNumber, [FromQuery] string? lang, IDocumentSession session, DefinitionCatalog catalog, PersonalDataVault vault, TimeProvider time,
        HttpContext context, CancellationToken ct)
    {
        var caller = context.User.StaffCaller();
        var readable = await Access.ReadableAsync(caseNumber, caller, session, catalog, context, ct);
        if (readable.Refused is not null) return readable.Refused;
        await RecordedReads.RecordAsync(session, caller!, caseNumber, readable.State!.Version, PersonalDataRead.Endpoints.Documents, context, time, ct);
        return Results.Ok(await ListAsync(session, vault, readable.State!, readable.Definition!, $"/api/cases/{caseNumber}/documents", lang is "de" ? "de" : "en", time, ct));
    }

    [WolverineGet("/api/cases/{caseNumber}/documents/{documentId}", OperationId = "downloadCaseDocument")]
    [Authorize(Policy = StaffAuth.StaffPolicy)]
    [EndpointSummary("Downloads one document of a case.")]
    [EndpointDescription("The file decrypted while it is sent, for those who may read the case; the read is recorded before a byte is sent. After an erasure: `410 personal-data-erased`.")]
    [Tags("Casework")]
    [ProducesResponseType(typeof(byte[]), 200, "application/octet-stream")]
    [ProducesResponseType<ProblemDetails>(403, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(410, "application/problem+json")]
    public static async Task<IResult> DownloadForStaff(
        string caseNumber, string documentId, IDocumentSession session, DefinitionCatalog catalog, PersonalDataVault vault, NpgsqlDataSource dataSource,
        TimeProvider time, HttpContext context, CancellationToken ct)
    {
        var caller = context.User.StaffCaller();
        var readable = await Access.ReadableAsync(caseNumber, caller, session, catalog, context, ct);
        if (readable.Refused is not null) return readable.Refused;
        return await DownloadAsync(session, vault, dataSource, readable.State!, documentId, context, ct,
            record: () => RecordedReads.RecordAsync(session, caller!, caseNumber, readable.State!.Version, PersonalDataRead.Endpoints.DocumentDownload, context, time, ct));
    }

    // ---- shared ----

    private static async Task<(Case? State, ProcessDefinition? Definition)> CitizenCaseAsync(
        string caseNumber, string? trackingCode, IQuerySession session, DefinitionCatalog catalog, CancellationToken ct)
    {
        if (!CaseNumbers.IsWellFormed(caseNumber) || string.IsNullOrWhiteSpace(trackingCode)) return (null, null);
        var state = await session.LoadAsync<Case>(caseNumber, ct);
        if (state is null || !TrackingCodes.Matches(trackingCode, state.TrackingCodeHash)) return (null, null);
        return (state, catalog.Get(state.ServiceId, state.DefinitionVersion));
    }

    private static async Task<IResult> UploadAsync(
        IDocumentSession session, IMessageBus bus, DocumentUploads uploads, ProcessDefinition definition, Caller caller, string caseNumber,
        string basePath, HttpContext context, Func<Case?, ProcessDefinition?, IResult?> authorize, CancellationToken ct)
    {
        var read = await ReadMultipartAsync(context, uploads, definition, ct);
        if (read.Problem is not null) return read.Problem;
        await using var file = read.File!;
        var outcome = await uploads.StoreAsync(session, bus, new CaseCommand(caseNumber, null, CaseCause.Of(context)), definition, caller, authorize,
            file, read.FileName, read.DocumentId, context, ct);
        if (outcome.Problem is not null) return outcome.Problem;
        var view = View(outcome.Uploaded!, outcome.Uploaded!.FileName, definition, basePath, "en");
        return Results.Created(view.Href, view);
    }

    /// <summary>
    /// Reads the multipart body section by section: <c>documentId</c> as text, <c>file</c> straight into a temporary file,
    /// stopping as soon as it passes the limit. Nothing of the body is kept in memory beyond one buffer.
    /// </summary>
    private static async Task<(SpooledFile? File, string? FileName, string? DocumentId, IResult? Problem)> ReadMultipartAsync(
        HttpContext context, DocumentUploads uploads, ProcessDefinition definition, CancellationToken ct)
    {
        var request = context.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return (null, null, null, DocumentUploads.Invalid(context, 415, "not-multipart", "Send the file as multipart/form-data.",
                $"Content-Type '{request.ContentType}' is not multipart/form-data; send the file in the part 'file'."));
        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary) || boundary.Length > 70)
            return (null, null, null, Malformed(context, "The multipart body has no valid boundary (1–70 characters)."));
        // The body may be as large as the largest upload (RequestLimits allows it for these paths); no further.
        SpooledFile? file = null;
        string? fileName = null, documentId = null;
        try
        {
            var reader = new MultipartReader(boundary, request.Body) { HeadersCountLimit = 16, HeadersLengthLimit = 16 * 1024 };
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data"))
                    return Fail(Malformed(context, "Each part needs 'Content-Disposition: form-data; name=\"…\"'."));
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                if (name == FilePart)
                {
                    if (file is not null)
                        return Fail(DocumentUploads.Invalid(context, 400, "several-files", "Send one file per request.", "The body has more than one part 'file'."));
                    fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                    var limit = uploads.LimitFor(definition, documentId);
                    file = await SpooledFile.FromAsync(section.Body, limit, ct);
                    if (file is null) return Fail(DocumentUploads.TooLarge(context, limit));
                }
                else if (name == DocumentIdPart)
                {
                    using var text = new StreamReader(section.Body);
                    var buffer = new char[201];
                    var length = await text.ReadBlockAsync(buffer, ct);
                    documentId = new string(buffer, 0, length).Trim();
                    if (length > 200 || documentId.Length == 0 || !IsKebab(documentId))
                        return Fail(DocumentUploads.Invalid(context, 422, "unknown-document", "Unknown document.",
                            "Give the id of one of the service's documents, e.g. 'landlord-confirmation'.", DocumentIdPart));
                }
                else
                {
                    await section.Body.DrainAsync(ct);
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or BadHttpRequestException && !ct.IsCancellationRequested)
        {
            if (file is not null) await file.DisposeAsync();
            if (e is BadHttpRequestException { StatusCode: 413 }) return (null, null, null, DocumentUploads.TooLarge(context, uploads.Options.MaxBytes));
            return (null, null, null, Malformed(context, "The multipart body is malformed or was cut off: " + e.Message));
        }
        if (file is null)
            return (null, null, null, DocumentUploads.Invalid(context, 400, "file-missing", "No file was sent.", "Send the file in the part 'file'."));
        return (file, fileName, documentId, null);

        (SpooledFile?, string?, string?, IResult?) Fail(IResult problem)
        {
            file?.Stream.Dispose();
            return (null, null, null, problem);
        }
    }

    /// <summary>Whether the request is an upload: multipart to an upload address, whose body may be as large as the largest document. Any other body there is held to the usual limits.</summary>
    public static bool IsUpload(HttpRequest request)
    {
        if (!HttpMethods.IsPost(request.Method) || request.Path.Value is not { } path || !path.EndsWith("/documents", StringComparison.Ordinal)) return false;
        if (request.ContentType is not { } type || !type.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase)) return false;
        var segments = path.Split('/');
        return segments is ["", "api", "track" or "cases", _, "documents"];
    }

    /// <summary>Whether an operation's route (as the API description gives it, without the leading slash) is an upload's.</summary>
    public static bool IsUploadPath(string? relativePath) =>
        relativePath is "api/track/{caseNumber}/documents" or "api/cases/{caseNumber}/documents";

    private static bool IsKebab(string id) => id.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-');

    private static IResult Malformed(HttpContext context, string detail) =>
        DocumentUploads.Invalid(context, 400, "malformed-multipart", "The upload is not readable multipart/form-data.", detail);

    private static async Task<DocumentList> ListAsync(
        IQuerySession session, PersonalDataVault vault, Case state, ProcessDefinition definition, string basePath, string lang, TimeProvider time, CancellationToken ct)
    {
        var uploaded = await UploadedAsync(session, state.Id, ct);
        var key = uploaded.Count == 0 ? null : await vault.KeyAsync(session, state.Id, ct);
        return new DocumentList(state.Id,
            uploaded.Select(e => View(e, PersonalData.OpenFileName(e, key), definition, basePath, lang)).ToList(),
            Views.DocumentStatusView.MissingOf(definition, state, lang, BerlinClock.DateOf(time.GetUtcNow())));
    }

    private static async Task<IReadOnlyList<DocumentUploaded>> UploadedAsync(IQuerySession session, string caseNumber, CancellationToken ct) =>
        (await session.Events.FetchStreamAsync(caseNumber, token: ct)).Select(e => e.Data).OfType<DocumentUploaded>().ToList();

    private static StoredDocumentView View(DocumentUploaded e, string? fileName, ProcessDefinition definition, string basePath, string lang) =>
        new(e.DocumentId, e.RequirementId, e.RequirementId is null ? null : definition.Documents.FirstOrDefault(d => d.Id == e.RequirementId)?.Label.For(lang),
            fileName, e.ContentType, e.Length, e.Sha256, e.UploadedAt, e.UploadedBy.Role, $"{basePath}/{e.DocumentId}");

    private static async Task<IResult> DownloadAsync(
        IQuerySession session, PersonalDataVault vault, NpgsqlDataSource dataSource, Case state, string documentId, HttpContext context, CancellationToken ct,
        Func<Task>? record = null)
    {
        if (!Guid.TryParse(documentId, out var id) || state.Documents.FirstOrDefault(d => d.Id == id) is not { } document)
            return Problems.Problems.NotFound(context, "The case has no such document.");
        if (state.PersonalDataErasedAt is not null || await vault.KeyAsync(session, state.Id, ct) is not { } key)
            return Problems.Problems.Status(context, 410, "personal-data-erased", "The document was erased.",
                "The case's personal data, its documents included, was erased; the file cannot be restored.");
        var uploaded = (await UploadedAsync(session, state.Id, ct)).First(e => e.DocumentId == id);
        if (record is not null) await record();
        context.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        context.Response.ContentLength = document.Length;
        return Results.Stream(output => DocumentChunks.CopyToAsync(dataSource, key, document, output, ct), document.ContentType,
            PersonalData.OpenFileName(uploaded, key) ?? "dokument");
    }
}
