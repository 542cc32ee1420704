using System.Security.Cryptography;
using Marten;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Api.Hosting;

/// <summary>The text of a definition version as first published; later files must match it byte for byte.</summary>
public sealed record PublishedVersion(string Id, string File, string Sha256, string Text, DateTimeOffset PublishedAt);

/// <summary>Secrets the engine creates for itself on first start (unless configured).</summary>
public sealed record EngineSecret(string Id, string Value);

public sealed class EngineSecrets
{
    public byte[] TrackingCodeKey { get; internal set; } = [];
}

/// <summary>
/// A definition version becomes published when the first case is submitted under it; from then on its file
/// must never change. Editing a version nobody has used yet is allowed.
/// </summary>
public sealed class PublishedVersions(DefinitionCatalog catalog, TimeProvider time)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _recorded = new();

    internal void MarkRecorded(string key) => _recorded[key] = true;

    /// <summary>Adds the version's text to the session the first time a case uses it (idempotent upsert).</summary>
    public void RecordOnFirstUse(IDocumentSession session, ProcessDefinition definition)
    {
        if (_recorded.ContainsKey(definition.Key)) return;
        var published = catalog.Published.First(p => p.Definition.Key == definition.Key);
        session.Store(new PublishedVersion(definition.Key, published.File, published.Sha256, published.Text, time.GetUtcNow()));
    }

    public void Confirm(ProcessDefinition definition) => _recorded[definition.Key] = true;
}

/// <summary>
/// At start-up: refuses to start when the file of a published version (one that cases run on) was changed,
/// restores published versions whose file was removed, and loads the engine's secrets.
/// </summary>
public sealed class PublishedDefinitionsGuard(
    IDocumentStore store, DefinitionCatalog catalog, PublishedVersions publishedVersions, EngineSecrets secrets, IConfiguration configuration, TimeProvider time,
    ILogger<PublishedDefinitionsGuard> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var stored = (await session.Query<PublishedVersion>().ToListAsync(ct)).ToDictionary(p => p.Id);
        var changed = new List<Diagnostic>();
        foreach (var published in catalog.Published)
        {
            if (stored.TryGetValue(published.Definition.Key, out var earlier) && earlier.Sha256 != published.Sha256)
            {
                changed.Add(new(published.File, 1, "", "published-version-changed",
                    $"{published.Definition.Key} has cases since {earlier.PublishedAt:yyyy-MM-dd} and must not change; restore the file and publish the change as version {published.Definition.Version + 1}."));
            }
        }
        foreach (var key in stored.Keys) publishedVersions.MarkRecorded(key);
        if (changed.Count > 0) throw new InvalidDefinitionsException(changed);

        foreach (var missing in stored.Values.Where(p => catalog.Get(p.Id.Split("@v")[0], int.Parse(p.Id.Split("@v")[1])) is null))
        {
            var result = DefinitionLoader.Load(missing.Text, missing.File, time.Today());
            if (result.Definition is null) continue;
            catalog.Restore(new PublishedDefinition(result.Definition, missing.File, missing.Text, missing.Sha256));
            logger.LogWarning("Definition file {File} is missing; {Key} is restored from its published text so its cases keep running", missing.File, missing.Id);
        }

        var configured = configuration["Vorgang:TrackingCodeSecret"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            secrets.TrackingCodeKey = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(configured));
        }
        else
        {
            var secret = await session.LoadAsync<EngineSecret>("tracking-code", ct);
            if (secret is null)
            {
                secret = new EngineSecret("tracking-code", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
                session.Insert(secret);
            }
            secrets.TrackingCodeKey = Convert.FromBase64String(secret.Value);
        }
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (JasperFx.DocumentAlreadyExistsException)
        {
            // Another instance published the same versions at the same moment; its records are the same.
            await StartAsync(ct);
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
