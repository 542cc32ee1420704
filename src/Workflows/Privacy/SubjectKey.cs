namespace Vorgang.Workflows.Privacy;

/// <summary>
/// The key that encrypts the personal data of one case's data subject — the applicant, and whoever the application
/// names — stored wrapped by the master key, in its own table. Deleting it is the erasure (crypto-shredding): every
/// sealed value of the case, in every event, becomes unreadable at once, while the events themselves stay as they are.
/// </summary>
/// <param name="Id">The case number: one key per case, so that one case's retention never touches another case of the same person.</param>
/// <param name="WrappedKey">The data key, AES-256-GCM-encrypted with the master key (nonce ‖ ciphertext ‖ tag, base64).</param>
/// <param name="MasterKeyId">Which master key wrapped it (the first bytes of the master key's SHA-256), so that a wrong key is named, not guessed.</param>
/// <param name="AccountHash">For a citizen who applied signed in: a keyed hash of their account, so that they find their cases; gone with the key.</param>
public sealed record SubjectKey(string Id, string WrappedKey, string MasterKeyId, string? AccountHash, DateTimeOffset CreatedAt)
{
    /// <summary>The account (issuer and subject) sealed under the case's own key: what a master-key rotation needs to compute <see cref="AccountHash"/> anew.</summary>
    public string? SealedAccount { get; init; }
}
