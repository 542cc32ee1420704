namespace Vorgang.Api.Features.Documents;

/// <summary>A file's type as its first bytes say it is (never its name or the client's Content-Type).</summary>
public sealed record FileType(string Id, string ContentType, string Extension)
{
    public bool IsImage => Id is "jpeg" or "png" or "webp";
}

public static class FileTypes
{
    public static readonly FileType Pdf = new("pdf", "application/pdf", ".pdf");
    public static readonly FileType Jpeg = new("jpeg", "image/jpeg", ".jpg");
    public static readonly FileType Png = new("png", "image/png", ".png");
    public static readonly FileType WebP = new("webp", "image/webp", ".webp");

    /// <summary>How many leading bytes <see cref="Detect"/> looks at.</summary>
    public const int HeadLength = 16;

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The type of the file whose first bytes are <paramref name="head"/>, or null when it is none the engine accepts.</summary>
    public static FileType? Detect(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("%PDF-"u8)) return Pdf;
        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF) return Jpeg;
        if (head.StartsWith(PngSignature)) return Png;
        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8)) return WebP;
        return null;
    }

    /// <summary>Whether the bytes start like a program (Windows PE "MZ", ELF, Mach-O, a script's "#!"): refused whatever the name says.</summary>
    public static bool IsExecutable(ReadOnlySpan<byte> head) =>
        head.StartsWith("MZ"u8) || head.StartsWith("\u007FELF"u8) || head.StartsWith("#!"u8)
        || head.StartsWith(MachO64) || head.StartsWith(MachO64Reversed) || head.StartsWith(MachOUniversal);

    private static ReadOnlySpan<byte> MachO64 => [0xCF, 0xFA, 0xED, 0xFE];
    private static ReadOnlySpan<byte> MachO64Reversed => [0xFE, 0xED, 0xFA, 0xCF];
    private static ReadOnlySpan<byte> MachOUniversal => [0xCA, 0xFE, 0xBA, 0xBE];
}
