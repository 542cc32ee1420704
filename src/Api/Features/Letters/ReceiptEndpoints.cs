using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Api.Features.Privacy;
using Vorgang.Api.Features.Tracking;
using Vorgang.Api.Security;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Privacy;
using Wolverine.Http;

namespace Vorgang.Api.Features.Letters;

/// <summary>The receipt of a submission as a PDF: the citizen's copy with the tracking code, the office's copy for staff.</summary>
public static class ReceiptEndpoints
{
    public const string SenderKey = "Vorgang:Letters:Sender";
    public const string PublicUrlKey = "Vorgang:PublicUrl";

    [WolverineGet("/api/track/{caseNumber}/receipt", OperationId = "trackCaseReceipt")]
    [TrackingLockout]
    [EndpointSummary("The receipt of the application as a PDF, the citizen's copy (needs X-Tracking-Code).")]
    [EndpointDescription("The *Eingangsbestätigung*: service, case number, when it was received, what was submitted (with the citizen's personal values; erased ones as erased), what happens next, the legal deadline, and a QR code to the status page. It is made from the submission alone, so every download is the same file. Language: `lang`, else the submission's. The tracking code is never printed. A wrong case number or code is `404` and counts towards the lockout.")]
    [Tags("Citizens")]
    [ProducesResponseType(typeof(byte[]), 200, "application/pdf")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(429, "application/problem+json")]
    public static async Task<IResult> ForCitizen(
        string caseNumber, [FromHeader(Name = TrackCaseEndpoints.TrackingCodeHeader)] string? trackingCode, [FromQuery] string? lang,
        IQuerySession session, DefinitionCatalog catalog, PersonalDataVault vault, IConfiguration configuration, HttpContext context, CancellationToken ct)
    {
        if (!CaseNumbers.IsWellFormed(caseNumber) || string.IsNullOrWhiteSpace(trackingCode)) return TrackCaseEndpoints.NotFound(context);
        var first = await session.Events.FetchStreamAsync(caseNumber, version: 1, token: ct);
        if (first is not [{ Data: CaseSubmitted submitted }] || !TrackingCodes.Matches(trackingCode, submitted.TrackingCodeHash)
            || catalog.Get(submitted.ServiceId, submitted.DefinitionVersion) is not { } definition)
            return TrackCaseEndpoints.NotFound(context);
        // Once erased, the sealed values stay sealed and print as erased.
        var key = await vault.KeyAsync(session, caseNumber, ct);
        var opened = key is null ? submitted : (CaseSubmitted)PersonalData.OpenEvent(submitted, key);
        return Pdf(Receipts.For(definition, opened, Language(lang, submitted), citizenCopy: true, StatusPage(configuration, context, Language(lang, submitted)), Sender(configuration)),
            $"eingangsbestaetigung-{caseNumber}.pdf");
    }

    [WolverineGet("/api/cases/{caseNumber}/receipt", OperationId = "getCaseReceipt")]
    [Authorize(Policy = StaffAuth.StaffPolicy)]
    [EndpointSummary("The receipt of the application as a PDF, the office's copy.")]
    [EndpointDescription("The same receipt as the citizen's, with the personal fields named but their values left out: so it needs no recorded read. For those who may read the case (as `GET /api/cases/{caseNumber}`); a case the caller may not reach answers like a missing one (`404`). Language: `lang`, else the submission's.")]
    [Tags("Casework")]
    [ProducesResponseType(typeof(byte[]), 200, "application/pdf")]
    [ProducesResponseType<ProblemDetails>(403, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<IResult> ForOffice(
        string caseNumber, [FromQuery] string? lang, IQuerySession session, DefinitionCatalog catalog, IConfiguration configuration,
        HttpContext context, CancellationToken ct)
    {
        var readable = await Access.ReadableAsync(caseNumber, context.User.StaffCaller(), session, catalog, context, ct);
        if (readable.Refused is not null) return readable.Refused;
        var first = await session.Events.FetchStreamAsync(caseNumber, version: 1, token: ct);
        if (first is not [{ Data: CaseSubmitted submitted }] || catalog.Get(submitted.ServiceId, submitted.DefinitionVersion) is not { } definition)
            return Problems.Problems.NotFound(context, "No such case.");
        return Pdf(Receipts.For(definition, submitted, Language(lang, submitted), citizenCopy: false, StatusPage(configuration, context, Language(lang, submitted)), Sender(configuration)),
            $"eingangsbestaetigung-{caseNumber}-akte.pdf");
    }

    private static string Language(string? lang, CaseSubmitted submitted) => lang is "de" or "en" ? lang : submitted.Language;

    private static string Sender(IConfiguration configuration) => configuration[SenderKey] is { Length: > 0 } sender ? sender : "Stadtverwaltung";

    /// <summary>The status page's address: under the configured public address, else under the one the request came to.</summary>
    private static string StatusPage(IConfiguration configuration, HttpContext context, string language)
    {
        var root = configuration[PublicUrlKey] is { Length: > 0 } configured ? configured.TrimEnd('/') : $"{context.Request.Scheme}://{context.Request.Host}";
        return root + (language == "en" ? "/en/track" : "/track");
    }

    private static IResult Pdf(Letter letter, string fileName) =>
        Results.File(LetterPdf.Render(letter), "application/pdf", fileName);
}
