using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Engine;

public sealed class TelemetryTests(AppFixture app) : ApiTest(app)
{
    [Fact]
    public async Task A_submission_is_one_trace_from_http_down_to_the_database()
    {
        var submitted = await Host.Submit("change-of-address");

        var server = App.Spans.Snapshot().LastOrDefault(s =>
            s.Source.Name == "Microsoft.AspNetCore" && s.DisplayName.Contains("/api/services/{serviceId}/cases"));
        Assert.NotNull(server);
        var sameTrace = App.Spans.Snapshot().Where(s => s.TraceId == server.TraceId).ToList();
        Assert.Contains(sameTrace, s => s.Source.Name == "Npgsql");
        Assert.Contains(sameTrace, s => s.Source.Name == "Marten");
        Assert.Contains(sameTrace, s => s.Tags.Any(t => t.Key == "vorgang.case_number" && t.Value == submitted.CaseNumber));
    }

    [Fact]
    public async Task The_engine_counts_submissions_and_actions_by_service()
    {
        var submitted = await Host.Submit("change-of-address");
        await Host.Act(submitted.CaseNumber, App.Token("caseworker", "registration-office", "Anna Schmidt"), "start-review");

        App.Host.Services.GetRequiredService<MeterProvider>().ForceFlush();
        var metrics = App.Metrics.Snapshot();
        Assert.True(Sum(metrics, "vorgang.cases.submitted", "service", "change-of-address") >= 1);
        Assert.True(Sum(metrics, "vorgang.actions.taken", "action", "start-review") >= 1);
    }

    private static long Sum(IEnumerable<Metric> metrics, string name, string tag, string value)
    {
        long total = 0;
        foreach (var metric in metrics.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                foreach (var t in point.Tags)
                {
                    if (t.Key == tag && (string?)t.Value == value) total = Math.Max(total, point.GetSumLong());
                }
            }
        }
        return total;
    }
}

/// <summary>Spans cost every request and every database command; they are recorded when someone reads them.</summary>
public sealed class TraceRecordingTests
{
    private static OpenTelemetry.Trace.TracerProvider? TracerOf(params (string Key, string Value)[] settings)
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder();
        foreach (var (key, value) in settings) builder.Configuration[key] = value;
        var (catalog, _) = Vorgang.Workflows.Definitions.DefinitionCatalog.LoadDirectory(Vorgang.Tests.Definitions.ShippedDefinitions.Folder, DateOnly.FromDateTime(DateTime.UtcNow));
        Vorgang.Api.Hosting.VorgangSetup.AddVorgang(builder, "Host=localhost;Database=unused", catalog, embedded: null);
        // Built, never started: nothing here connects to the database.
        var services = builder.Services.BuildServiceProvider();
        return services.GetService<OpenTelemetry.Trace.TracerProvider>();
    }

    [Fact]
    public void Without_an_exporter_no_spans_are_recorded() => Assert.Null(TracerOf());

    [Fact]
    public void An_exporter_turns_them_on() => Assert.NotNull(TracerOf(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317")));

    [Fact]
    public void The_setting_turns_them_on_without_an_exporter() => Assert.NotNull(TracerOf((Vorgang.Api.Hosting.VorgangSetup.TracesKey, "true")));
}
