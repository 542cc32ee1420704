using System.Security.Cryptography;
using System.Text;

namespace Vorgang.Workflows.Privacy;

/// <summary>
/// The bytes of a case's documents, encrypted with the case's data key in chunks (decision 45): each chunk of at most
/// <see cref="ChunkSize"/> bytes is <c>nonce ‖ AES-256-GCM ciphertext ‖ tag</c>, with the case number, the document id,
/// the chunk's index and whether it is the last one as associated data — so chunks cannot be swapped between documents,
/// reordered or cut off at the end without the decryption failing. Once the key is deleted (erasure), nothing opens them.
/// </summary>
public static class DocumentCipher
{
    public const int ChunkSize = 64 * 1024;
    public const int NonceSize = 12, TagSize = 16, Overhead = NonceSize + TagSize;

    public static byte[] Encrypt(DataKey key, Guid documentId, int index, bool last, ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[Overhead + plaintext.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key.Bytes, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize, plaintext.Length), output.AsSpan(NonceSize + plaintext.Length), Aad(key.CaseNumber, documentId, index, last));
        return output;
    }

    /// <summary>Decrypts one chunk into <paramref name="plaintext"/> (at least the chunk's length less <see cref="Overhead"/>) and returns its length.</summary>
    public static int Decrypt(DataKey key, Guid documentId, int index, bool last, ReadOnlySpan<byte> chunk, Span<byte> plaintext)
    {
        if (chunk.Length < Overhead) throw new CryptographicException("The chunk is too short.");
        var length = chunk.Length - Overhead;
        using var aes = new AesGcm(key.Bytes, TagSize);
        aes.Decrypt(chunk[..NonceSize], chunk.Slice(NonceSize, length), chunk[(NonceSize + length)..], plaintext[..length], Aad(key.CaseNumber, documentId, index, last));
        return length;
    }

    private static byte[] Aad(string caseNumber, Guid documentId, int index, bool last) =>
        Encoding.UTF8.GetBytes($"vorgang-document\n{caseNumber}\n{documentId:N}\n{index}\n{(last ? "last" : "more")}");
}
