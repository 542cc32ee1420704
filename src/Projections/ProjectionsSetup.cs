using JasperFx.Events.Projections;
using Marten;
using Vorgang.Projections.Forecasts;
using Vorgang.Projections.Queues;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Projections;

public static class ProjectionsSetup
{
    /// <summary>Registers the read models. They are disposable: each can be rebuilt from the event log.</summary>
    public static void AddReadModels(this StoreOptions options, DefinitionCatalog catalog)
    {
        options.Projections.Add(new QueueItemProjection(catalog), ProjectionLifecycle.Inline);
        options.Projections.Add<CaseJourneyProjection>(ProjectionLifecycle.Inline);
        options.Schema.For<CaseJourney>()
            .Duplicate(x => x.ServiceId)
            .Duplicate(x => x.ClosedOn!)
            .Duplicate(x => x.Outcome!);
        options.Schema.For<QueueItem>()
            .Duplicate(x => x.Team)
            .Duplicate(x => x.IsOpen)
            .Duplicate(x => x.DueOn!)
            .Duplicate(x => x.SubmittedAt)
            .Duplicate(x => x.StartBy!)
            .Duplicate(x => x.ClockStopped)
            .Duplicate(x => x.State)
            .Duplicate(x => x.ServiceId)
            .Index(x => x.AssigneeId!);
        options.AddCaseStatistics();
    }
}
