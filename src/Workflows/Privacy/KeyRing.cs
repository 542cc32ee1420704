using System.Security.Cryptography;
using System.Text;

namespace Vorgang.Workflows.Privacy;

/// <summary>
/// Creates and opens <see cref="SubjectKey"/>s with the master key from configuration. The master key never reaches the
/// database; a database copy alone therefore reveals no personal data.
/// </summary>
public sealed class KeyRing
{
    private const int KeySize = 32, NonceSize = 12, TagSize = 16;
    private readonly byte[] _masterKey;
    private readonly Dictionary<string, byte[]> _previous;
    private readonly byte[] _accountIndexKey;

    /// <param name="masterKey">Wraps new keys and opens keys it wrapped.</param>
    /// <param name="previousMasterKeys">Only open keys they wrapped: while a rotation re-wraps the stored keys, both work.</param>
    public KeyRing(byte[] masterKey, params byte[][] previousMasterKeys)
    {
        if (masterKey.Length != KeySize || previousMasterKeys.Any(k => k.Length != KeySize))
            throw new ArgumentException("A master key must be 32 bytes (AES-256).", nameof(masterKey));
        _masterKey = masterKey;
        MasterKeyId = IdOf(masterKey);
        _accountIndexKey = HMACSHA256.HashData(masterKey, Encoding.UTF8.GetBytes("vorgang-account-index"));
        _previous = previousMasterKeys.Where(k => IdOf(k) != MasterKeyId).ToDictionary(IdOf);
    }

    public string MasterKeyId { get; }

    public static string IdOf(byte[] masterKey) => Convert.ToHexStringLower(SHA256.HashData(masterKey))[..16];

    /// <summary>The stored key wrapped anew with the current master key (a rotation step); unchanged when it already is.</summary>
    public SubjectKey Rewrap(SubjectKey stored)
    {
        if (stored.MasterKeyId == MasterKeyId) return stored;
        var key = Open(stored);
        // The account index is keyed by the master key too: computed anew, or the citizen would lose the case from their list.
        var accountHash = stored.AccountHash;
        if (stored.SealedAccount is { } sealedAccount)
        {
            var account = Encoding.UTF8.GetString(Decrypt(key.Bytes, Convert.FromBase64String(sealedAccount), AccountAad(stored.Id))).Split('\n', 2);
            accountHash = AccountHash(account[0], account[1]);
        }
        return stored with
        {
            WrappedKey = Convert.ToBase64String(Encrypt(_masterKey, key.Bytes, Aad(stored.Id))), MasterKeyId = MasterKeyId, AccountHash = accountHash,
        };
    }

    /// <summary>
    /// The index of a citizen account (issuer and subject) under a key derived from the master key: it finds the account's
    /// cases, and nobody without the master key can tell whose account it is.
    /// </summary>
    public string AccountHash(string issuer, string subject) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_accountIndexKey, Encoding.UTF8.GetBytes($"{issuer}\n{subject}")));

    /// <summary>
    /// A fresh data key for the case, and its wrapped form to store — with the citizen account that applied, if any: its
    /// index, and the account itself sealed under the case's own key, so that a rotation can compute the index anew.
    /// </summary>
    public (SubjectKey Stored, DataKey Key) Create(string caseNumber, (string Issuer, string Subject)? account, DateTimeOffset now)
    {
        var key = RandomNumberGenerator.GetBytes(KeySize);
        var wrapped = Encrypt(_masterKey, key, Aad(caseNumber));
        var stored = new SubjectKey(caseNumber, Convert.ToBase64String(wrapped), MasterKeyId,
            account is { } a ? AccountHash(a.Issuer, a.Subject) : null, now)
        {
            SealedAccount = account is { } b
                ? Convert.ToBase64String(Encrypt(key, Encoding.UTF8.GetBytes($"{b.Issuer}\n{b.Subject}"), AccountAad(caseNumber)))
                : null,
        };
        return (stored, new DataKey(caseNumber, key));
    }

    public DataKey Open(SubjectKey stored)
    {
        var master = stored.MasterKeyId == MasterKeyId ? _masterKey
            : _previous.TryGetValue(stored.MasterKeyId, out var previous) ? previous
            : throw new CryptographicException(
                $"The key of case {stored.Id} was wrapped by master key {stored.MasterKeyId}; the configured one is {MasterKeyId}. Configure that one as a previous master key.");
        return new DataKey(stored.Id, Decrypt(master, Convert.FromBase64String(stored.WrappedKey), Aad(stored.Id)));
    }

    private static byte[] Aad(string caseNumber) => Encoding.UTF8.GetBytes("vorgang-subject-key\n" + caseNumber);
    private static byte[] AccountAad(string caseNumber) => Encoding.UTF8.GetBytes("vorgang-subject-account\n" + caseNumber);

    internal static byte[] Encrypt(byte[] key, byte[] plaintext, byte[] associatedData)
    {
        var output = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize, plaintext.Length), output.AsSpan(NonceSize + plaintext.Length), associatedData);
        return output;
    }

    internal static byte[] Decrypt(byte[] key, byte[] sealedBytes, byte[] associatedData)
    {
        if (sealedBytes.Length < NonceSize + TagSize) throw new CryptographicException("The sealed value is too short.");
        var length = sealedBytes.Length - NonceSize - TagSize;
        var plaintext = new byte[length];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, length), sealedBytes.AsSpan(NonceSize + length), plaintext, associatedData);
        return plaintext;
    }
}

/// <summary>An opened data key of one case; lives for one request and is never stored or logged.</summary>
public sealed class DataKey(string caseNumber, byte[] key)
{
    public string CaseNumber { get; } = caseNumber;
    internal byte[] Bytes { get; } = key;
    public override string ToString() => $"DataKey({CaseNumber})";
}
