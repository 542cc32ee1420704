using Marten;
using Vorgang.Workflows.Privacy;

namespace Vorgang.Api.Cli;

/// <summary>
/// <c>keys rotate</c>: re-wraps every case's data key with the current master key. Set the new key as
/// <c>Vorgang:DataProtection:MasterKey</c> and the old one in <c>Vorgang:DataProtection:PreviousMasterKeys</c>; the engine
/// opens keys of both meanwhile, so the rotation runs while it serves. Exit 0 when every key is wrapped with the current
/// master key afterwards, 1 when some were wrapped with a key that is not configured.
/// </summary>
internal static class KeyVerbs
{
    private const int Batch = 500;

    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter errors)
    {
        if (args.FirstOrDefault() != "rotate")
        {
            errors.WriteLine("Usage: keys rotate   (new key in Vorgang:DataProtection:MasterKey, old ones in Vorgang:DataProtection:PreviousMasterKeys)");
            return 2;
        }
        await using var engine = await VerbEngine.BuildAsync(configuration, errors, CancellationToken.None);
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
                    errors.WriteLine(e.Message);
                }
            }
            await session.SaveChangesAsync();
            output.WriteLine($"  re-wrapped {rewrapped:N0} keys");
        }
        await using (var query = store.QuerySession())
            current = await query.Query<SubjectKey>().CountAsync(k => k.MasterKeyId == ring.MasterKeyId);
        output.WriteLine($"{rewrapped:N0} keys re-wrapped; {current:N0} keys are wrapped with master key {ring.MasterKeyId}; {unknown:N0} could not be opened.");
        return unknown == 0 ? 0 : 1;
    }
}
