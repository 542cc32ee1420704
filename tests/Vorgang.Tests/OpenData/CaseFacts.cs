using Vorgang.Workflows.Audit;
using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Vorgang.Projections.Statistics;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Cases;

namespace Vorgang.Tests.OpenData;

/// <summary>Cases with chosen dates written straight into the event store, so that processing times are known.</summary>
internal static class CaseFacts
{
    public const string Service = "change-of-address";
    private static readonly Actor Anna = new("anna", "caseworker", "Anna Schmidt", Channels.Office);

    /// <summary>Nine in the morning in Jena on that day, in winter (in UTC: the store takes no other offset).</summary>
    public static DateTimeOffset Morning(DateOnly day) => new(day.ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero);

    /// <summary>The day <paramref name="workingDays"/> working days after <paramref name="from"/>, by the calendar the statistics count with.</summary>
    public static DateOnly After(DateOnly from, int workingDays)
    {
        var day = from;
        while (StatisticsCalendar.WorkingDaysBetween(from, day) < workingDays) day = day.AddDays(1);
        return day;
    }

    public static CaseSubmitted Submitted(string caseNumber, DateOnly on, DateOnly? dueOn, string service = Service) =>
        new(caseNumber, service, 1, "submitted", "registration-office", "de",
            new JsonObject { ["lastName"] = "Mustermann", ["email"] = "erika.mustermann@example.org" },
            TrackingCodes.Hash("AAAAA-AAAAA-AAAAA-AAAAA"), dueOn, Actor.AnonymousCitizen(), Morning(on));

    /// <summary>A case submitted on <paramref name="submittedOn"/> and rejected <paramref name="workingDays"/> working days later.</summary>
    public static async Task AddCompleted(this AppFixture app, string caseNumber, DateOnly submittedOn, int workingDays, DateOnly? dueOn,
        string outcome = "rejected", string service = Service)
    {
        var closedAt = Morning(After(submittedOn, workingDays)).AddHours(6);
        await app.Append(caseNumber,
            Submitted(caseNumber, submittedOn, dueOn, service),
            new CaseClaimed(caseNumber, Anna.Id, Anna.Name, Anna, Morning(submittedOn).AddHours(1)),
            new CaseActionTaken(caseNumber, "start-review", "submitted", "in-review", new JsonObject(), null, Anna, Morning(submittedOn).AddHours(1)),
            new CaseDecided(caseNumber, "reject", "in-review", "rejected", outcome, new JsonObject { ["reason"] = "Nicht bewohnbar." }, Anna, closedAt),
            new CaseClosed(caseNumber, "rejected", outcome, closedAt));
    }

    public static async Task Append(this AppFixture app, string caseNumber, params object[] events)
    {
        await using var session = app.Host.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        CaseChain.StartStream(session, caseNumber, Scenarios.SeedStamp((CaseSubmitted)events[0]), events);
        await session.SaveChangesAsync();
    }
}
