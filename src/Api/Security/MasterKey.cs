using System.Security.Cryptography;
using System.Text;
using Vorgang.Workflows.Privacy;

namespace Vorgang.Api.Security;

/// <summary>
/// The master key that wraps every data subject's key: <c>Vorgang:DataProtection:MasterKey</c> (base64 of 32 bytes, or any
/// passphrase, which is hashed to 32 bytes). Without it the engine creates one beside its local data folder, as it does
/// for the development signing key — fine on a developer's machine, wrong in production, where it belongs in a secret store.
/// </summary>
public static class MasterKey
{
    public const string ConfigurationKey = "Vorgang:DataProtection:MasterKey";

    /// <summary>Master keys used before the current one (a list, <c>…:PreviousMasterKeys:0</c>, …): they only open keys not yet re-wrapped.</summary>
    public const string PreviousKeysSection = "Vorgang:DataProtection:PreviousMasterKeys";

    public static KeyRing LoadKeyRing(IConfiguration configuration) =>
        new(Load(configuration), [.. configuration.GetSection(PreviousKeysSection).GetChildren()
            .Select(c => c.Value).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => Parse(v!))]);

    /// <summary>Base64 of exactly 32 bytes is the key itself; anything else is a passphrase, hashed to 32 bytes.</summary>
    public static byte[] Parse(string configured)
    {
        var base64 = new byte[configured.Length];
        return Convert.TryFromBase64String(configured.Trim(), base64, out var written) && written == 32
            ? base64[..32]
            : SHA256.HashData(Encoding.UTF8.GetBytes(configured));
    }

    public static byte[] Load(IConfiguration configuration)
    {
        var configured = configuration[ConfigurationKey];
        if (!string.IsNullOrWhiteSpace(configured)) return Parse(configured);
        var file = Path.Combine(Path.GetFullPath(configuration["Vorgang:StateDirectory"] ?? ".vorgang"), "master-key");
        if (!File.Exists(file))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return Convert.FromBase64String(File.ReadAllText(file).Trim());
    }
}
