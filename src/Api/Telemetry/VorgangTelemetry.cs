using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Vorgang.Api.Telemetry;

/// <summary>The engine's own traces and metrics, next to those of ASP.NET Core, Wolverine, Marten and Npgsql.</summary>
public static class VorgangTelemetry
{
    public const string Name = "Vorgang";
    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> CasesSubmitted =
        Meter.CreateCounter<long>("vorgang.cases.submitted", "{case}", "Applications submitted, by service and channel.");

    public static readonly Counter<long> ActionsTaken =
        Meter.CreateCounter<long>("vorgang.actions.taken", "{action}", "Actions taken on cases, by service, action and role.");

    public static readonly Counter<long> CasesClosed =
        Meter.CreateCounter<long>("vorgang.cases.closed", "{case}", "Cases that reached a final state, by service and outcome.");

    public static readonly Counter<long> TimersFired =
        Meter.CreateCounter<long>("vorgang.timers.fired", "{timer}", "Case timers delivered when due, by kind and whether they acted or found the case moved on.");

    public static readonly Counter<long> PersonalDataErased =
        Meter.CreateCounter<long>("vorgang.personal_data.erased", "{case}", "Cases whose personal data was erased, by service and basis (retention or request).");
}
