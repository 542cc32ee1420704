using JasperFx.Events.Projections;
using Marten;
using Vorgang.Projections.Queues;

namespace Vorgang.Projections;

public static class ProjectionsSetup
{
    /// <summary>Registers the read models. They are disposable: each can be rebuilt from the event log.</summary>
    public static void AddReadModels(this StoreOptions options)
    {
        options.Projections.Add<QueueItemProjection>(ProjectionLifecycle.Inline);
        options.Schema.For<QueueItem>()
            .Duplicate(x => x.Team)
            .Duplicate(x => x.IsOpen)
            .Duplicate(x => x.DueOn!)
            .Duplicate(x => x.SubmittedAt)
            .Index(x => x.AssigneeId!);
    }
}
