using Vorgang.Workflows.Privacy;

namespace Vorgang.Api.Features.Letters;

/// <summary>
/// The PDF of an issued letter, sealed with the case's key: what the citizen received, byte for byte, whatever the
/// engine's later versions would render. Deleted with the key when the case's personal data is erased.
/// </summary>
public sealed record LetterFile(Guid Id, string CaseNumber, byte[] Sealed)
{
    public static LetterFile Seal(DataKey key, Guid documentId, byte[] pdf) => new(documentId, key.CaseNumber, PersonalData.SealBytes(key, documentId, pdf));

    public byte[]? Open(DataKey? key) => PersonalData.OpenBytes(key, Id, Sealed);
}
