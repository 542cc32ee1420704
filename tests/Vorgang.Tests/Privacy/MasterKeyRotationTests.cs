using System.Security.Cryptography;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Vorgang.Api.Security;
using Vorgang.Tests.Audit;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Privacy;

namespace Vorgang.Tests.Privacy;

public sealed class KeyRingTests
{
    private static readonly byte[] Old = RandomNumberGenerator.GetBytes(32), New = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void A_rotation_re_wraps_the_data_key_and_the_sealed_values_still_open()
    {
        var before = new KeyRing(Old);
        var (stored, key) = before.Create("2026-000001", account: null, DateTimeOffset.UnixEpoch);
        var sealedName = PersonalData.Seal(key, "lastName", "Mustermann");

        var during = new KeyRing(New, Old);
        Assert.Equal("Mustermann", PersonalData.Open(during.Open(stored), "lastName", sealedName)!.GetValue<string>());
        var rewrapped = during.Rewrap(stored);
        Assert.Equal(KeyRing.IdOf(New), rewrapped.MasterKeyId);
        Assert.NotEqual(stored.WrappedKey, rewrapped.WrappedKey);

        var after = new KeyRing(New);
        Assert.Equal("Mustermann", PersonalData.Open(after.Open(rewrapped), "lastName", sealedName)!.GetValue<string>());
        var refused = Assert.Throws<CryptographicException>(() => after.Open(stored));
        Assert.Contains(KeyRing.IdOf(Old), refused.Message);
    }

    [Fact]
    public void A_rotation_computes_the_account_index_anew_so_the_citizen_keeps_finding_the_case()
    {
        var (stored, _) = new KeyRing(Old).Create("2026-000001", ("https://id.bund.de", "bundid:4711"), DateTimeOffset.UnixEpoch);
        Assert.Equal(new KeyRing(Old).AccountHash("https://id.bund.de", "bundid:4711"), stored.AccountHash);
        Assert.DoesNotContain("bundid", stored.SealedAccount);

        var rewrapped = new KeyRing(New, Old).Rewrap(stored);
        Assert.Equal(new KeyRing(New).AccountHash("https://id.bund.de", "bundid:4711"), rewrapped.AccountHash);
        Assert.NotEqual(stored.AccountHash, rewrapped.AccountHash);
    }

    [Fact]
    public void A_sealed_value_opens_only_for_its_case_and_field_and_reads_null_without_the_key()
    {
        var ring = new KeyRing(Old);
        var (_, key) = ring.Create("2026-000001", null, DateTimeOffset.UnixEpoch);
        var (_, otherCase) = ring.Create("2026-000002", null, DateTimeOffset.UnixEpoch);
        var sealedName = PersonalData.Seal(key, "lastName", "Mustermann");

        Assert.StartsWith(PersonalData.Prefix, sealedName);
        Assert.DoesNotContain("Mustermann", sealedName);
        // A copy in another field or another case stays what it is: unreadable text, not the value.
        Assert.Equal(sealedName, PersonalData.Open(key, "firstName", sealedName)!.GetValue<string>());
        Assert.Equal(sealedName, PersonalData.Open(otherCase, "lastName", sealedName)!.GetValue<string>());
        Assert.Null(PersonalData.Open(null, "lastName", sealedName));
        // Sealing twice gives two different texts (a fresh nonce each time).
        Assert.NotEqual(sealedName, PersonalData.Seal(key, "lastName", "Mustermann"));
    }

    [Fact]
    public void A_configured_master_key_is_base64_of_32_bytes_or_a_passphrase()
    {
        var raw = RandomNumberGenerator.GetBytes(32);
        Assert.Equal(raw, MasterKey.Parse(Convert.ToBase64String(raw)));
        Assert.Equal(SHA256.HashData("correct horse battery staple"u8.ToArray()), MasterKey.Parse("correct horse battery staple"));
    }
}

/// <summary>The <c>keys rotate</c> verb on the test database, while the engine keeps serving.</summary>
public sealed class MasterKeyRotationTests(AppFixture app) : ApiTest(app)
{
    [Fact]
    public async Task Keys_rotate_re_wraps_every_key_and_back_without_losing_a_value()
    {
        var data = await Host.Example("change-of-address");
        data["lastName"] = "Rotationstest";
        var accepted = await Host.Submit("change-of-address", data);
        await Host.Submit("defect-report");
        var newKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        var forward = await VerbProcess.RunAsync("keys", "rotate",
            $"--Vorgang:DataProtection:MasterKey={newKey}", $"--Vorgang:DataProtection:PreviousMasterKeys:0={AppFixture.MasterKey}");
        Assert.True(forward.ExitCode == 0, forward.ToString());
        Assert.Contains("2 keys re-wrapped", forward.Stdout);
        var newId = KeyRing.IdOf(MasterKey.Parse(newKey));
        await using (var session = Host.Services.GetRequiredService<IDocumentStore>().QuerySession())
            Assert.All(await session.Query<SubjectKey>().ToListAsync(), k => Assert.Equal(newId, k.MasterKeyId));

        // The engine still runs on the old key only: back again, and every value opens as before.
        var back = await VerbProcess.RunAsync("keys", "rotate", $"--Vorgang:DataProtection:PreviousMasterKeys:0={newKey}");
        Assert.True(back.ExitCode == 0, back.ToString());
        var token = App.Token("caseworker", "registration-office");
        Assert.Equal("Rotationstest", (string)(await Host.StaffCase(accepted.CaseNumber, token))["data"]!["lastName"]!);

        // A key wrapped with a master key that is not configured is reported, not guessed.
        var unknown = await VerbProcess.RunAsync("keys", "rotate", $"--Vorgang:DataProtection:MasterKey={newKey}");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("could not be opened", unknown.Stdout);
    }
}
