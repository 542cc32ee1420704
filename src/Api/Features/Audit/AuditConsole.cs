using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;
using Vorgang.Api.Features.Casework;
using Vorgang.Api.Features.Privacy;
using Vorgang.Api.Security;
using Vorgang.Web.Audit;
using Vorgang.Workflows.Audit;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Privacy;

namespace Vorgang.Api.Features.Audit;

/// <summary>
/// The auditor's console answered by the API's own code: the access checks of <c>/api/cases/{n}/history</c> and
/// <c>/state</c> (<see cref="Access.RefuseReplayBy"/>, <see cref="Access.ReadableAsync"/>), the audit endpoints' role
/// check for the chain and the reads, their replay and history, and one recorded read per page view.
/// </summary>
public sealed class AuditConsole(
    IDocumentStore store, DefinitionCatalog catalog, PersonalDataVault vault, CaseChainVerifier verifier, StoreCheckRunner runner, TimeProvider time)
    : IAuditConsole
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public AuditCaller Caller(HttpContext context) => context.User.StaffCaller() switch
    {
        null when context.User.Citizen() is not null => AuditCaller.NotAllowed,
        null => AuditCaller.NotSignedIn,
        { Role: Roles.Auditor or Roles.Admin } => AuditCaller.Auditor,
        { Role: Roles.Caseworker } => AuditCaller.Caseworker,
        // Parties work with the current view of the cases addressed to them; the history is not theirs.
        _ => AuditCaller.NotAllowed,
    };

    public async Task<AuditCase?> CaseAsync(string caseNumber, AsOfQuery? asOf, string language, HttpContext context, CancellationToken ct)
    {
        var caller = context.User.StaffCaller();
        if (caller is null || Access.RefuseReplayBy(caller, context) is not null) return null;
        await using var session = store.LightweightSession();
        var readable = await Access.ReadableAsync(caseNumber, caller, session, catalog, context, ct);
        if (readable.Refused is not null) return null;
        var (state, definition) = (readable.State!, readable.Definition!);

        var events = await session.Events.FetchStreamAsync(caseNumber, token: ct);
        var history = CaseEndpoints.HistoryOf(state, events, await vault.KeyAsync(session, caseNumber, ct));
        var (then, sealedThen) = asOf is null ? default : await CaseEndpoints.ReplayAsync(caseNumber, asOf.Version, asOf.At, definition, session, catalog, vault, ct);

        // The chain and the reads are the audit endpoints': for auditors and admins only, as there.
        var auditor = AuditEndpoints.AuditorsOnly(context) is null;
        var chain = auditor ? await verifier.VerifyCaseAsync(caseNumber, ct) : null;
        // Recorded before the reads are listed, so that this view is among them.
        await RecordedReads.RecordAsync(session, caller, caseNumber, events.Count > 0 ? events[^1].Version : state.Version,
            PersonalDataRead.Endpoints.AuditConsole, context, time, ct);
        var reads = auditor ? await AuditEndpoints.ReadsOf(caseNumber, session, ct) : null;

        // The path as of the version shown when there is one — the states passed, the steps taken, the state then.
        var shown = then is null ? events : events.Where(e => e.Version <= then.Version).ToList();
        var current = then?.Case.State ?? state.State;
        var transitions = shown.Select(e => e.Data).OfType<ICaseTransition>().Select(t => new AuditTransition(t.ActionId, t.FromState, t.ToState)).ToList();
        var path = shown.Select(e => e.Data switch
        {
            CaseSubmitted s => s.State,
            ICaseTransition t => t.ToState,
            _ => null,
        }).OfType<string>().Aggregate(new List<string>(), (taken, s) =>
        {
            if (taken.Count == 0 || taken[^1] != s) taken.Add(s);
            return taken;
        });

        return new AuditCase(
            caseNumber, state.ServiceId, definition.Title.For(language), state.DefinitionVersion, state.Version, state.State,
            history.Events.Zip(events, (entry, raw) => new AuditEvent(
                entry.Version, entry.Sequence, entry.Type, entry.Timestamp, entry.Actor?.Name, entry.Actor?.Role,
                entry.Channel ?? Header(raw, CaseStamp.ChannelHeader), Header(raw, CaseStamp.DefinitionHeader),
                entry.CorrelationId, entry.CausationId,
                Values(JsonSerializer.SerializeToNode(entry.Data, entry.Data.GetType(), Json), JsonSerializer.SerializeToNode(raw.Data, raw.Data.GetType(), Json)))).ToList(),
            then is null ? null : AsOfView(then, sealedThen!, definition, language),
            asOf is not null && then is null,
            chain is null ? null : new AuditChain(chain.Intact, chain.Events, chain.Head, chain.FirstBreak?.Version, chain.FirstBreak?.Problem),
            reads?.Select(r => new AuditRead(r.ReadAt, r.Reader.Name, r.Reader.Role, r.Reader.Team, r.Endpoint, r.Query, r.CaseVersion)).ToList(),
            definition.States.Select(s => new AuditStep(s.Id, s.Status.For(language), s.Initial, s.Final, path.Contains(s.Id), s.Id == current)).ToList(),
            path,
            transitions,
            MermaidDiagram.Render(definition, language));
    }

    private AuditAsOf AsOfView(CaseAsOf then, Case sealedThen, ProcessDefinition current, string language)
    {
        var view = then.Case;
        var definition = catalog.Get(view.ServiceId, view.DefinitionVersion) ?? current;
        return new AuditAsOf(
            then.Version, then.AsOf, view.State, definition.State(view.State)?.Status.For(language) ?? view.StatusText, then.Definition,
            view.Assignee?.Name, then.DueOn, view.IsClosed, Values(view.Data, sealedThen.Data));
    }

    public Task<StoreCheck?> StoreCheckAsync(CancellationToken ct) => Task.FromResult(runner.Current);

    public Task<StoreCheckStart> StartStoreCheckAsync(HttpContext context, CancellationToken ct)
    {
        if (AuditEndpoints.AuditorsOnly(context) is not null) return Task.FromResult(StoreCheckStart.NotAllowed);
        var caller = context.User.StaffCaller()!;
        return Task.FromResult(runner.TryStart($"{caller.Name} ({caller.Role})") ? StoreCheckStart.Started : StoreCheckStart.AlreadyRunning);
    }

    private static string? Header(JasperFx.Events.IEvent e, string name) => e.GetHeader(name)?.ToString();

    /// <summary>
    /// The values of <paramref name="opened"/> by path, each beside what is stored (<paramref name="stored"/>): a value
    /// sealed there and null here is one whose key was erased.
    /// </summary>
    private static IReadOnlyList<AuditValue> Values(JsonNode? opened, JsonNode? stored)
    {
        var values = new List<AuditValue>();
        void Walk(string path, JsonNode? value, JsonNode? raw)
        {
            switch (value)
            {
                case JsonObject o when o.Count > 0:
                    foreach (var (name, child) in o) Walk(path.Length == 0 ? name : $"{path}.{name}", child, (raw as JsonObject)?[name]);
                    break;
                case JsonArray a when a.Count > 0:
                    for (var i = 0; i < a.Count; i++) Walk($"{path}[{i}]", a[i], raw is JsonArray r && i < r.Count ? r[i] : null);
                    break;
                case JsonObject or JsonArray:
                    values.Add(new AuditValue(path, value.ToJsonString(), false));
                    break;
                case JsonValue v:
                    values.Add(new AuditValue(path, v.TryGetValue<string>(out var text) ? text : v.ToJsonString(), false));
                    break;
                default:
                    values.Add(new AuditValue(path, null, PersonalData.IsSealed(raw)));
                    break;
            }
        }
        Walk("", opened, stored);
        return values;
    }
}
