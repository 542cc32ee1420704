using Vorgang.Workflows.Audit;
using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Tests.Forecasts;

/// <summary>Writes cases with chosen dates straight into the event store, for figures that depend on time.</summary>
public static class History
{
    private static readonly Actor Citizen = Actor.AnonymousCitizen();
    private static readonly Actor Anna = new("anna", "caseworker", "Anna Schmidt", Channels.Office);

    public static CaseSubmitted Submitted(string caseNumber, DateTimeOffset at, DateOnly? dueOn, string service = "change-of-address",
        string state = "submitted", string team = "registration-office") =>
        new(caseNumber, service, 1, state, team, "de", new JsonObject(), TrackingCodes.Hash("AAAAA-AAAAA-AAAAA-AAAAA"), dueOn, Citizen, at);

    /// <summary>A change of address that was registered <paramref name="workingDays"/> working days after it arrived.</summary>
    public static async Task AddClosedChangeOfAddress(this AppFixture app, string caseNumber, DateOnly submittedOn, int workingDays)
    {
        var at = new DateTimeOffset(submittedOn.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero);
        var closedAt = new DateTimeOffset(WorkingDays.Add(submittedOn, workingDays).ToDateTime(new TimeOnly(15, 0)), TimeSpan.Zero);
        await using var session = app.Host.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        CaseChain.StartStream(session, caseNumber, Scenarios.SeedStamp("change-of-address"),
            Submitted(caseNumber, at, WorkingDays.Add(submittedOn, 10)),
            new CaseClaimed(caseNumber, Anna.Id, Anna.Name, Anna, at.AddHours(1)),
            new CaseActionTaken(caseNumber, "start-review", "submitted", "in-review", new JsonObject(), null, Anna, at.AddHours(1)),
            new CaseDecided(caseNumber, "register", "in-review", "registered", "approved", new JsonObject(), Anna, closedAt),
            new CaseClosed(caseNumber, "registered", "approved", closedAt));
        await session.SaveChangesAsync();
    }

    public static async Task AddOpenCase(this AppFixture app, CaseSubmitted submitted, params object[] more)
    {
        await using var session = app.Host.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        CaseChain.StartStream(session, submitted.CaseNumber, Scenarios.SeedStamp(submitted), [submitted, .. more]);
        await session.SaveChangesAsync();
    }
}
