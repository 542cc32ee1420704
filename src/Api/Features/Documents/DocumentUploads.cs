using Marten;
using Vorgang.Api.Features.Casework;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Wolverine;

namespace Vorgang.Api.Features.Documents;

/// <summary><c>Vorgang:Documents</c>: the largest upload at all (a definition's document may allow less, never more), and clamd.</summary>
public sealed class DocumentOptions
{
    public const string Section = "Vorgang:Documents";
    /// <summary>No upload is larger than this, whatever a definition says (MiB).</summary>
    public int MaxSizeMiB { get; set; } = 50;
    /// <summary>clamd's <c>host:port</c>; empty: the built-in scanner that knows only the EICAR test file.</summary>
    public string? Clamd { get; set; }
    public int ClamdTimeoutSeconds { get; set; } = 60;

    public long MaxBytes => (long)MaxSizeMiB * 1024 * 1024;
}

/// <summary>A file on its way in, spooled to a temporary file that is deleted when this is disposed (on every path).</summary>
public sealed class SpooledFile : IAsyncDisposable
{
    private SpooledFile(FileStream stream) => Stream = stream;

    public FileStream Stream { get; }
    public long Length => Stream.Length;

    public static SpooledFile Create() =>
        new(new FileStream(Path.Combine(Path.GetTempPath(), "vorgang-upload-" + Guid.NewGuid().ToString("N")), FileMode.CreateNew,
            FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous));

    /// <summary>Copies <paramref name="source"/> to a new temporary file; null (and nothing kept) as soon as it passes <paramref name="limit"/> bytes.</summary>
    public static async Task<SpooledFile?> FromAsync(Stream source, long limit, CancellationToken ct)
    {
        var file = Create();
        try
        {
            var buffer = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(buffer, ct)) > 0)
            {
                total += read;
                if (total > limit)
                {
                    await file.DisposeAsync();
                    return null;
                }
                await file.Stream.WriteAsync(buffer.AsMemory(0, read), ct);
            }
            await file.Stream.FlushAsync(ct);
            file.Stream.Position = 0;
            return file;
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}

/// <summary>A stored document as the API shows it, with its file name (null once erased).</summary>
public sealed record StoredDocumentView(
    Guid Id, string? DocumentId, string? Label, string? FileName, string ContentType, long Length, string Sha256, DateTimeOffset UploadedAt,
    string UploadedBy, string Href);


/// <summary>The documents of a case: those uploaded, oldest first, and those still missing.</summary>
public sealed record DocumentList(string CaseNumber, IReadOnlyList<StoredDocumentView> Documents, IReadOnlyList<Views.MissingDocumentView> Missing);

/// <summary>What <see cref="DocumentUploads.StoreAsync"/> did: the stored document, or the problem that refused it (nothing stored).</summary>
public sealed record UploadOutcome(DocumentUploaded? Uploaded, Case? Case, IResult? Problem);

/// <summary>
/// The one way a file becomes a document of a case, for uploads and (later) message attachments and letters: the checks
/// (size, type by content, malware), the re-encoding of images, then the encrypted chunks and the <c>document_uploaded</c>
/// event in one transaction through <see cref="CaseWriter"/>. Refusals name the rule and the field (<c>file</c>, <c>documentId</c>).
/// </summary>
public sealed class DocumentUploads(CaseWriter writer, IMalwareScanner scanner, DocumentOptions options)
{
    public DocumentOptions Options => options;

    /// <summary>The most bytes a file may have before anything is known of which document it is: the largest any document of the definition allows.</summary>
    public long LimitFor(ProcessDefinition definition, string? requirementId)
    {
        var requirement = requirementId is null ? null : definition.Documents.FirstOrDefault(d => d.Id == requirementId);
        var limit = requirement?.MaxBytes
            ?? (requirementId is null ? definition.Documents.Select(d => d.MaxBytes).Append((long)DocumentRequirement.DefaultMaxSizeMiB * 1024 * 1024).Max() : DocumentRequirement.DefaultMaxSizeMiB * 1024L * 1024);
        return Math.Min(limit, options.MaxBytes);
    }

    public async Task<UploadOutcome> StoreAsync(
        IDocumentSession session, IMessageBus bus, CaseCommand command, ProcessDefinition definition, Caller caller,
        Func<Case?, ProcessDefinition?, IResult?> authorize, SpooledFile file, string? fileName, string? requirementId,
        HttpContext context, CancellationToken ct)
    {
        var requirement = requirementId is null ? null : definition.Documents.FirstOrDefault(d => d.Id == requirementId);
        if (requirementId is not null && requirement is null)
            return Refuse(Problems.Problems.From(CaseDocuments.UnknownRequirement(definition, requirementId), context));
        if (file.Length == 0)
            return Refuse(Invalid(context, 400, "file-empty", "The file is empty.", "The file has no content (0 bytes). Choose the file again."));
        var limit = LimitFor(definition, requirementId);
        if (file.Length > limit) return Refuse(TooLarge(context, limit));

        var head = new byte[FileTypes.HeadLength];
        file.Stream.Position = 0;
        var headLength = await file.Stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        var accepted = requirement?.AcceptedTypes ?? DocumentRequirement.DefaultTypes;
        if (FileTypes.IsExecutable(head.AsSpan(0, headLength)))
            return Refuse(WrongType(context, accepted, "The file is a program, not a document. Send a PDF or a photo."));
        var type = FileTypes.Detect(head.AsSpan(0, headLength));
        if (type is null || !accepted.Contains(type.Id))
            return Refuse(WrongType(context, accepted, type is null
                ? "The file's content is none of the accepted types (whatever its name says)."
                : $"The file is {type.Id.ToUpperInvariant()}; this document takes {string.Join(", ", accepted.Select(a => a.ToUpperInvariant()))}."));

        file.Stream.Position = 0;
        var scan = await scanner.ScanAsync(file.Stream, ct);
        if (scan.Verdict == ScanVerdict.Infected)
            return Refuse(Invalid(context, 422, "malware", "The file contains malware.", $"The virus scanner found '{scan.Signature}'. The file was not stored."));
        if (scan.Verdict == ScanVerdict.Unavailable)
            return Refuse(Problems.Problems.Status(context, 503, "scanner-unavailable", "The file cannot be checked right now.",
                "The virus scanner is not available; nothing was stored. Try again in a few minutes."));

        // Photos are stored as their pixels only: EXIF (GPS), XMP and comments do not reach the store.
        SpooledFile? cleaned = null;
        try
        {
            var stored = file;
            if (type.IsImage)
            {
                cleaned = SpooledFile.Create();
                file.Stream.Position = 0;
                if (!ImageCleaner.Reencode(file.Stream, type, cleaned.Stream))
                    return Refuse(WrongType(context, accepted, $"The file starts like {type.Id.ToUpperInvariant()} but is not a readable picture."));
                await cleaned.Stream.FlushAsync(ct);
                if (cleaned.Length > options.MaxBytes) return Refuse(TooLarge(context, options.MaxBytes));
                stored = cleaned;
            }
            stored.Stream.Position = 0;
            var documentId = Guid.CreateVersion7();
            var name = CleanFileName(fileName, type);
            var change = await writer.ChangeAsync(session, bus, command, authorize, async c =>
            {
                // Refused before a byte is written: the chunks go into the same transaction as the event.
                if (CaseDocuments.RefuseUpload(c.Definition, c.State, requirementId) is { } refused) return CaseDecision.From(Decision.Refuse(refused));
                if (c.Key is null)
                    return CaseDecision.From(Decision.Refuse(new CaseProblem(410, "personal-data-erased", "The case's personal data was erased.", "No document can be added to it.")));
                var sha = await DocumentChunks.WriteAsync(c.Session, c.Key, documentId, stored.Stream, stored.Length, ct);
                return CaseDecision.From(CaseDocuments.Upload(c.Definition, c.State, new(documentId, requirementId, type.ContentType, stored.Length, sha, name), caller, c.Now));
            }, ct);
            return change.Result switch
            {
                CaseChangeResult.Changed => new(change.Events.OfType<DocumentUploaded>().Single(), change.Case, null),
                CaseChangeResult.Refused => Refuse(change.Refusal!),
                CaseChangeResult.Rejected => Refuse(Problems.Problems.From(change.Problem!, context)),
                CaseChangeResult.Conflict => Refuse(Conflict(context, change.CurrentVersion)),
                _ => Refuse(CaseActions.NoCase(context, command.CaseNumber)),
            };
        }
        finally
        {
            if (cleaned is not null) await cleaned.DisposeAsync();
        }
    }

    private static IResult Conflict(HttpContext context, long current)
    {
        var conflict = Problems.Problems.Create(409, "version-conflict", "The case was changed at the same moment.",
            $"The case is now at version {current}; nothing was stored. Send the file again.", context);
        conflict.Extensions["currentVersion"] = current;
        return Results.Json(conflict, (System.Text.Json.JsonSerializerOptions?)null, Problems.Problems.ContentType, 409);
    }

    public static IResult TooLarge(HttpContext context, long limit)
    {
        context.Response.Headers.Connection = "close";
        return Invalid(context, 413, "file-too-large", "The file is too large.", $"Send at most {limit / (1024 * 1024)} MiB ({limit} bytes).");
    }

    public static IResult Invalid(HttpContext context, int status, string rule, string title, string message, string field = "file")
    {
        var details = Problems.Problems.Create(status, rule, title, message, context);
        details.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [message] };
        details.Extensions["violations"] = new[] { new { field, rule, message } };
        return Results.Json(details, (System.Text.Json.JsonSerializerOptions?)null, Problems.Problems.ContentType, status);
    }

    private static IResult WrongType(HttpContext context, IReadOnlyList<string> accepted, string message) =>
        Invalid(context, 415, "file-type", "This type of file is not accepted.", message + $" Accepted: {string.Join(", ", accepted.Select(a => a.ToUpperInvariant()))}.");

    private static UploadOutcome Refuse(IResult problem) => new(null, null, problem);

    /// <summary>The name as the citizen gave it, without a path, control characters or excess length; a fitting default without one.</summary>
    public static string CleanFileName(string? given, FileType type)
    {
        var name = Path.GetFileName((given ?? "").Replace('\\', '/'));
        name = new string(name.Where(ch => !char.IsControl(ch) && ch is not ('"' or '/' or '\\')).ToArray()).Trim();
        if (name.Length > 200) name = name[..200];
        return name.Length == 0 || name.Trim('.').Length == 0 ? "dokument" + type.Extension : name;
    }
}
