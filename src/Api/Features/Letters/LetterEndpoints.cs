using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Api.Features.Audit;
using Vorgang.Api.Features.Privacy;
using Vorgang.Api.Features.Tracking;
using Vorgang.Api.Security;
using Vorgang.Workflows.Audit;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Wolverine.Http;

namespace Vorgang.Api.Features.Letters;

/// <summary>An issued letter as its case's views list it, with the address of its PDF.</summary>
public sealed record LetterView(Guid DocumentId, string LetterId, string Kind, string Title, string Language, long Length, DateTimeOffset IssuedAt, string Href)
{
    public static LetterView Of(IssuedLetter letter, string caseBase) =>
        new(letter.DocumentId, letter.LetterId, letter.Kind, letter.Title, letter.Language, letter.Length, letter.IssuedAt, $"{caseBase}/letters/{letter.DocumentId:D}");
}

/// <summary>The letters a case's actions issued (decisions and outcome documents), as stored when they were issued.</summary>
public static class LetterEndpoints
{
    [WolverineGet("/api/track/{caseNumber}/letters", OperationId = "trackCaseLetters")]
    [TrackingLockout]
    [EndpointSummary("The letters issued to the citizen, e.g. the permit or the decision (needs X-Tracking-Code).")]
    [EndpointDescription("Every letter the case's actions issued, oldest first: its id, kind (`decision`: a *Bescheid* with the *Rechtsbehelfsbelehrung*; `document`: a certificate, minutes), title, language, size, when, and the address of its PDF. A wrong case number or code is `404` and counts towards the lockout.")]
    [Tags("Citizens")]
    [ProducesResponseType<IReadOnlyList<LetterView>>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(429, "application/problem+json")]
    public static async Task<IResult> ListForCitizen(
        string caseNumber, [FromHeader(Name = TrackCaseEndpoints.TrackingCodeHeader)] string? trackingCode, IQuerySession session, HttpContext context, CancellationToken ct)
    {
        if (await CitizenCaseAsync(caseNumber, trackingCode, session, ct) is not { } state) return TrackCaseEndpoints.NotFound(context);
        return Results.Ok(state.Letters.Select(l => LetterView.Of(l, $"/api/track/{caseNumber}")).ToList());
    }

    [WolverineGet("/api/track/{caseNumber}/letters/{documentId}", OperationId = "trackCaseLetter")]
    [TrackingLockout]
    [EndpointSummary("One issued letter as a PDF, exactly as it was issued (needs X-Tracking-Code).")]
    [EndpointDescription("The PDF stored when the action issued it, decrypted with the case's key; its SHA-256 is in the case's `letter_issued` event. After the case's personal data was erased the letter is gone: `410`. A wrong case number, code or letter id is `404`.")]
    [Tags("Citizens")]
    [ProducesResponseType(typeof(byte[]), 200, "application/pdf")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(410, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(429, "application/problem+json")]
    public static async Task<IResult> GetForCitizen(
        string caseNumber, string documentId, [FromHeader(Name = TrackCaseEndpoints.TrackingCodeHeader)] string? trackingCode,
        IQuerySession session, PersonalDataVault vault, HttpContext context, CancellationToken ct)
    {
        if (await CitizenCaseAsync(caseNumber, trackingCode, session, ct) is not { } state) return TrackCaseEndpoints.NotFound(context);
        return await PdfAsync(state, documentId, session, vault, context, ct);
    }

    [WolverineGet("/api/cases/{caseNumber}/letters/{documentId}", OperationId = "getCaseLetter")]
    [Authorize(Policy = StaffAuth.StaffPolicy)]
    [EndpointSummary("One issued letter as a PDF, exactly as it was issued.")]
    [EndpointDescription("For those who may read the case (as `GET /api/cases/{caseNumber}`; its `letters` list them); the letter holds personal data, so the read is recorded. A case the caller may not reach answers like a missing one (`404`); after erasure `410`.")]
    [Tags("Casework")]
    [ProducesResponseType(typeof(byte[]), 200, "application/pdf")]
    [ProducesResponseType<ProblemDetails>(403, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(410, "application/problem+json")]
    public static async Task<IResult> GetForOffice(
        string caseNumber, string documentId, IDocumentSession session, DefinitionCatalog catalog, PersonalDataVault vault, TimeProvider time,
        HttpContext context, CancellationToken ct)
    {
        var caller = context.User.StaffCaller();
        var readable = await Access.ReadableAsync(caseNumber, caller, session, catalog, context, ct);
        if (readable.Refused is not null) return readable.Refused;
        var state = readable.State!;
        var answer = await PdfAsync(state, documentId, session, vault, context, ct);
        if (answer is FileContentHttpResult)
        {
            await RecordedReads.RecordAsync(session, caller!, state.Id, state.Version, PersonalDataRead.Endpoints.Letter, context, time, ct);
            await session.SaveChangesAsync(ct);
        }
        return answer;
    }

    private static async Task<Case?> CitizenCaseAsync(string caseNumber, string? trackingCode, IQuerySession session, CancellationToken ct)
    {
        if (!CaseNumbers.IsWellFormed(caseNumber) || string.IsNullOrWhiteSpace(trackingCode)) return null;
        var state = await session.LoadAsync<Case>(caseNumber, ct);
        return state is not null && TrackingCodes.Matches(trackingCode, state.TrackingCodeHash) ? state : null;
    }

    private static async Task<IResult> PdfAsync(Case state, string documentId, IQuerySession session, PersonalDataVault vault, HttpContext context, CancellationToken ct)
    {
        if (!Guid.TryParse(documentId, out var id) || state.Letters.FirstOrDefault(l => l.DocumentId == id) is not { } letter)
            return Problems.Problems.NotFound(context, "This case has no such letter.");
        var file = await session.LoadAsync<LetterFile>(id, ct);
        var pdf = file?.Open(await vault.KeyAsync(session, state.Id, ct));
        if (pdf is null)
            return Results.Json(Problems.Problems.Create(410, "erased", "The letter was erased.",
                "The case's personal data was erased, and the letter with it.", context), (System.Text.Json.JsonSerializerOptions?)null, Problems.Problems.ContentType, 410);
        return Results.File(pdf, "application/pdf", $"{letter.LetterId}-{state.Id}.pdf");
    }
}
