using System.Security.Cryptography;
using System.Text;

namespace Vorgang.Workflows.Cases;

/// <summary>
/// The code a citizen without an account uses to follow their case: 100 random bits in Crockford Base32,
/// shown once and stored only as a SHA-256 hash (100 bits make a slow hash unnecessary).
/// </summary>
public static class TrackingCodes
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string New() => Format(RandomNumberGenerator.GetBytes(13));

    /// <summary>
    /// The code of an idempotent submission, derived with a server secret from the client's Idempotency-Key,
    /// so that a client whose first response was lost gets the same code again without the server storing it.
    /// </summary>
    public static string Derive(byte[] secret, string serviceId, string idempotencyKey) =>
        Format(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes($"tracking-code\n{serviceId}\n{idempotencyKey}")));

    public static string Hash(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(Normalize(code))));

    public static bool Matches(string? code, string hash) =>
        !string.IsNullOrWhiteSpace(code) && code.Length <= 64 &&
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(code)), Encoding.ASCII.GetBytes(hash));

    /// <summary>Accepts the code as typed: any case, with or without dashes and spaces, O for 0 and I/L for 1.</summary>
    public static string Normalize(string code)
    {
        var sb = new StringBuilder(code.Length);
        foreach (var c in code.ToUpperInvariant())
        {
            switch (c)
            {
                case '-' or ' ': continue;
                case 'O': sb.Append('0'); break;
                case 'I' or 'L': sb.Append('1'); break;
                default: sb.Append(c < 128 ? c : '?'); break;
            }
        }
        return sb.ToString();
    }

    private static string Format(byte[] bytes)
    {
        // 20 symbols × 5 bits = 100 bits, grouped by five for reading aloud at a counter.
        var sb = new StringBuilder(23);
        var bits = 0;
        var buffer = 0;
        var index = 0;
        while (sb.Length < 23)
        {
            if (bits < 5)
            {
                buffer = (buffer << 8) | bytes[index++];
                bits += 8;
            }
            bits -= 5;
            if (sb.Length is 5 or 11 or 17) sb.Append('-');
            sb.Append(Alphabet[(buffer >> bits) & 31]);
        }
        return sb.ToString();
    }
}
