using JasperFx.Events;
using Vorgang.Workflows.Cases;

namespace Vorgang.Workflows.Audit;

/// <summary>
/// What every event of a case carries besides its data: the definition version it was decided under
/// (<c>serviceId@vN</c>), the correlation id of what caused it (a request's trace, a timer message's correlation) and
/// the causation id (the request, the message). The actor and channel come from the event itself (<see cref="CaseEventTypes.ActorOf"/>).
/// </summary>
public sealed record CaseStamp(string Definition, string CorrelationId, string CausationId)
{
    public const string DefinitionHeader = "definition";
    public const string ChannelHeader = "channel";

    public void Apply(IEvent e)
    {
        e.CorrelationId = CorrelationId;
        e.CausationId = CausationId;
        e.SetHeader(DefinitionHeader, Definition);
        if (CaseEventTypes.ActorOf(e.Data) is { } actor)
        {
            e.UserName = actor.Id;
            e.SetHeader(ChannelHeader, actor.Channel);
        }
    }
}
