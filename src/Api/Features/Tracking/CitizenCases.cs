using JasperFx.Events;
using Marten;
using Vorgang.Api.Features.Privacy;
using Vorgang.Projections.Forecasts;
using Vorgang.Projections.Queues;
using Vorgang.Api.Views;
using Vorgang.Workflows.Audit;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Privacy;

namespace Vorgang.Api.Features.Tracking;

/// <summary>One access to a citizen's personal data, as the citizen reads it (the Datenschutzcockpit idea): when, which office role, what it did.</summary>
public sealed record DataAccess(DateTimeOffset At, string Role, string? Team, string Endpoint, string Text);

public sealed record DataAccesses(string CaseNumber, IReadOnlyList<DataAccess> Accesses);

/// <summary>What citizens' endpoints share, whether they came with a tracking code or a citizen account.</summary>
public static class CitizenCases
{
    /// <summary>
    /// What a citizen's view is made of, read in one round trip: the case's events, its key and its queue row — and, for
    /// the status page, the recorded reads of its personal data, which are shown only once the caller has been let in.
    /// </summary>
    public sealed record Loaded(IReadOnlyList<IEvent> Events, SubjectKey? Key, QueueItem? QueueItem, IReadOnlyList<PersonalDataRead>? Reads = null)
    {
        /// <summary>How far the citizen has read the office's messages.</summary>
        public MessageReadMarker? Marker { get; init; }
    }

    public static async Task<Loaded> LoadAsync(IQuerySession session, string caseNumber, CancellationToken ct, bool withReads = false)
    {
        var batch = session.CreateBatchQuery();
        var events = batch.Events.FetchStream(caseNumber);
        var key = batch.Load<SubjectKey>(caseNumber);
        var queueItem = batch.Load<QueueItem>(caseNumber);
        var reads = withReads ? ReadsIn(batch, caseNumber) : null;
        var marker = batch.Load<MessageReadMarker>(MessageReadMarker.IdFor(caseNumber, MessageSides.Citizen));
        await batch.Execute(ct);
        return new Loaded(await events, await key, await queueItem, reads is null ? null : await reads) { Marker = await marker };
    }

    /// <summary>The recorded reads of the case's personal data, oldest first, as part of <paramref name="batch"/>.</summary>
    private static Task<IReadOnlyList<PersonalDataRead>> ReadsIn(Marten.Services.BatchQuerying.IBatchedQuery batch, string caseNumber) =>
        batch.Query<PersonalDataRead>().Where(r => r.CaseNumber == caseNumber).OrderBy(r => r.ReadAt).ThenBy(r => r.Id).ToList();

    /// <summary>The citizen view from the events, with the personal values the citizen gave opened, and the outlook while open.</summary>
    public static async Task<CitizenCaseView?> ViewAsync(
        Loaded loaded, DataKey? key, DefinitionCatalog catalog, CitizenOutlooks outlooks, string? lang, DateOnly today, CancellationToken ct)
    {
        var events = loaded.Events;
        var opened = events.Select(e => (Data: PersonalData.OpenEvent(e.Data, key), At: e.Timestamp)).ToList();
        var state = Case.Replay(opened.Select(e => e.Data));
        var definition = catalog.Get(state.ServiceId, state.DefinitionVersion);
        if (definition is null) return null;
        var view = CaseViews.Citizen(definition, state, opened, lang);
        return view with
        {
            Outlook = await outlooks.ForAsync(definition, state, today, view.Language, ct, loaded.QueueItem, queueItemRead: true),
            UnreadMessages = MessageReadMarker.Unread(state, MessageSides.Citizen, loaded.Marker),
        };
    }

    /// <summary>Who of the office read the case's personal data, and when, in the citizen's language; staff are named by role and team, not person.</summary>
    public static async Task<DataAccesses> AccessesAsync(IQuerySession session, string caseNumber, string lang, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var reads = ReadsIn(batch, caseNumber);
        await batch.Execute(ct);
        return Accesses(caseNumber, await reads, lang);
    }

    public static DataAccesses Accesses(string caseNumber, IEnumerable<PersonalDataRead> reads, string lang) =>
        new(caseNumber, reads.Select(r => new DataAccess(r.ReadAt, r.ReaderRole, r.ReaderTeam, r.Endpoint, Describe(r, lang))).ToList());

    private static string Describe(PersonalDataRead read, string lang)
    {
        string T(string de, string en) => lang == "en" ? en : de;
        var who = read.ReaderRole switch
        {
            Roles.Caseworker => read.ReaderTeam is null ? T("Sachbearbeitung", "A caseworker") : T($"Sachbearbeitung ({read.ReaderTeam})", $"A caseworker ({read.ReaderTeam})"),
            Roles.Auditor => T("Prüfung (Revision)", "An auditor"),
            Roles.Admin => T("Administration", "An administrator"),
            var party => read.ReaderTeam is null
                ? T($"Beteiligte Stelle „{party}“", $"The involved party '{party}'")
                : T($"Beteiligte Stelle „{party}“ ({read.ReaderTeam})", $"The involved party '{party}' ({read.ReaderTeam})"),
        };
        var what = read.Endpoint switch
        {
            PersonalDataRead.Endpoints.StaffView or PersonalDataRead.Endpoints.StaffPage => T("hat Ihren Antrag angesehen", "viewed your application"),
            PersonalDataRead.Endpoints.History or PersonalDataRead.Endpoints.AuditConsole => T("hat den Verlauf Ihres Antrags geprüft", "reviewed the history of your application"),
            PersonalDataRead.Endpoints.StateAsOf => T("hat einen früheren Stand Ihres Antrags angesehen", "viewed an earlier state of your application"),
            PersonalDataRead.Endpoints.Letter => T("hat einen Brief an Sie geöffnet", "opened a letter to you"),
            PersonalDataRead.Endpoints.Documents => T("hat die Liste Ihrer Unterlagen angesehen", "viewed the list of your documents"),
            PersonalDataRead.Endpoints.DocumentDownload => T("hat eine Ihrer Unterlagen geöffnet", "opened one of your documents"),
            PersonalDataRead.Endpoints.Messages => T("hat Ihre Nachrichten gelesen", "read your messages"),
            _ => T("hat Ihre Daten gelesen", "read your data"),
        };
        return $"{who} {what}.";
    }

    public static string? PreferredLanguage(HttpContext context, string? lang = null)
    {
        if (lang is "de" or "en") return lang;
        var accept = context.Request.Headers.AcceptLanguage.ToString();
        if (accept.StartsWith("en", StringComparison.OrdinalIgnoreCase)) return "en";
        if (accept.StartsWith("de", StringComparison.OrdinalIgnoreCase)) return "de";
        return null;
    }
}
