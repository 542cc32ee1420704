using JasperFx.CommandLine;
using Marten;
using Vorgang.Workflows.Privacy;

namespace Vorgang.Api.Cli;

public sealed class KeysInput
{
    [Description("rotate")]
    public string Action { get; set; } = "";
}

/// <summary>
/// <c>keys rotate</c>: re-wraps every case's data key with the current master key. Set the new key as
/// <c>Vorgang:DataProtection:MasterKey</c> and the old one in <c>Vorgang:DataProtection:PreviousMasterKeys</c>; the engine
/// opens keys of both meanwhile, so the rotation runs while it serves. Exit 0 when every key is wrapped with the current
/// master key afterwards, 1 when some were wrapped with a key that is not configured.
/// </summary>
[Description("Re-wrap every case's data key with the current master key")]
public sealed class KeysCommand : VerbCommand<KeysInput>
{
    private const int Batch = 500;

    public override string Synopsis =>
        "Usage: keys rotate   (new key in Vorgang:DataProtection:MasterKey, old ones in Vorgang:DataProtection:PreviousMasterKeys)";

    protected override async Task<int> RunAsync(KeysInput input)
    {
        if (input.Action != "rotate") return UsageError();
        await using var engine = await VerbEngine.BuildAsync(Configuration, Errors, CancellationToken.None);
        if (engine is null) return 1;
        var store = engine.Services.GetRequiredService<IDocumentStore>();
        var ring = engine.Services.GetRequiredService<KeyRing>();

        int rewrapped = 0, current = 0, unknown = 0;
        while (true)
        {
            await using var session = store.LightweightSession();
            // Re-wrapped keys leave this set; the ones that could not be opened stay at its start and are skipped.
            var page = await session.Query<SubjectKey>().Where(k => k.MasterKeyId != ring.MasterKeyId)
                .OrderBy(k => k.Id).Skip(unknown).Take(Batch).ToListAsync();
            if (page.Count == 0) break;
            foreach (var stored in page)
            {
                try
                {
                    session.Update(ring.Rewrap(stored));
                    rewrapped++;
                }
                catch (System.Security.Cryptography.CryptographicException e)
                {
                    unknown++;
                    Errors.WriteLine(e.Message);
                }
            }
            await session.SaveChangesAsync();
            Output.WriteLine($"  re-wrapped {rewrapped:N0} keys");
        }
        await using (var query = store.QuerySession())
            current = await query.Query<SubjectKey>().CountAsync(k => k.MasterKeyId == ring.MasterKeyId);
        Output.WriteLine($"{rewrapped:N0} keys re-wrapped; {current:N0} keys are wrapped with master key {ring.MasterKeyId}; {unknown:N0} could not be opened.");
        return unknown == 0 ? 0 : 1;
    }
}
