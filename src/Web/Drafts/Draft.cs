using System.Text.Json.Nodes;
using Marten;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Privacy;

namespace Vorgang.Web.Drafts;

/// <summary>
/// A citizen's unfinished application, kept on the server between the form's pages. Its personal values are sealed
/// with a data key of its own, wrapped by the master key like a case's (<see cref="KeyRing"/>); once submitted the
/// answers and the key are erased and only the case number stays, until the draft expires (decision 35).
/// </summary>
public sealed class Draft
{
    public Guid Id { get; set; }
    public string ServiceId { get; set; } = "";
    public int Version { get; set; }
    public SubjectKey? Key { get; set; }
    /// <summary>The answers by field id, personal ones sealed.</summary>
    public JsonObject Answers { get; set; } = new();
    public DateTimeOffset ExpiresAt { get; set; }
    /// <summary>Set once submitted; the answers are gone from then on.</summary>
    public string? CaseNumber { get; set; }

    /// <summary>The submission's Idempotency-Key: one per draft, so a second submit answers the same case.</summary>
    public string IdempotencyKey => "portal-draft-" + Id.ToString("N");
}

/// <summary>Drafts in Marten: created, opened and saved with their answers sealed; expired ones are treated as gone and deleted.</summary>
public sealed class DraftStore(IDocumentStore store, KeyRing ring, TimeProvider time, PortalOptions options)
{
    public async Task<Draft> CreateAsync(ProcessDefinition definition, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var draft = new Draft { Id = Guid.NewGuid(), ServiceId = definition.Id, Version = definition.Version, ExpiresAt = now + options.DraftLifetime };
        draft.Key = ring.Create("draft:" + draft.Id.ToString("N"), null, now).Stored;
        await using var session = store.LightweightSession();
        session.Store(draft);
        // Expired drafts go whenever a new one starts: no timer needed, and none outlives its time by much.
        session.DeleteWhere<Draft>(d => d.ExpiresAt < now);
        await session.SaveChangesAsync(ct);
        return draft;
    }

    public async Task<Draft?> LoadAsync(Guid id, string serviceId, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var draft = await session.LoadAsync<Draft>(id, ct);
        return draft is null || draft.ServiceId != serviceId || draft.ExpiresAt <= time.GetUtcNow() ? null : draft;
    }

    /// <summary>The answers readable, for the pages and the submission.</summary>
    public JsonObject Open(Draft draft) =>
        draft.Key is null ? new JsonObject() : PersonalData.OpenFields(draft.Answers, ring.Open(draft.Key));

    public async Task SaveAsync(Draft draft, ProcessDefinition definition, JsonObject answers, CancellationToken ct)
    {
        if (draft.Key is null) return;
        draft.Answers = PersonalData.SealFields(answers, PersonalData.PersonalFormFields(definition), ring.Open(draft.Key));
        await using var session = store.LightweightSession();
        session.Store(draft);
        await session.SaveChangesAsync(ct);
    }

    /// <summary>After the submission: the answers and their key are erased; the case number stays for the confirmation.</summary>
    public async Task MarkSubmittedAsync(Draft draft, string caseNumber, CancellationToken ct)
    {
        draft.Answers = new JsonObject();
        draft.Key = null;
        draft.CaseNumber = caseNumber;
        await using var session = store.LightweightSession();
        session.Store(draft);
        await session.SaveChangesAsync(ct);
    }
}

/// <summary>The portal's settings (<c>Vorgang:Portal</c>).</summary>
public sealed class PortalOptions
{
    /// <summary>How long an unfinished application is kept (hours); afterwards the citizen starts again.</summary>
    public double DraftHours { get; set; } = 24;

    public TimeSpan DraftLifetime => TimeSpan.FromHours(Math.Max(0.01, DraftHours));

    /// <summary>The city's folder of texts for the information pages (<see cref="InfoTexts"/>), relative to the content root; none: the defaults.</summary>
    public string? TextsPath { get; set; }
}
