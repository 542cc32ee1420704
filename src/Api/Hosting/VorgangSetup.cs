using Vorgang.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Timeouts;
using Weasel.Core;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Vorgang.Api.Features.Deadlines;
using Vorgang.Api.Features.Notifications;
using Vorgang.Api.Features.Tracking;
using Vorgang.Api.OpenApi;
using Vorgang.Api.Problems;
using Vorgang.Api.Security;
using Vorgang.Api.Telemetry;
using Vorgang.Projections;
using Vorgang.Workflows.Audit;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

using Vorgang.Api.Features.Portal;

namespace Vorgang.Api.Hosting;

public static class VorgangSetup
{
    public const string Schema = "vorgang";
    public const string RequestTimeoutKey = "Vorgang:RequestTimeoutSeconds";
    /// <summary>Whether spans are recorded; by default exactly when they are exported (OTEL_EXPORTER_OTLP_ENDPOINT).</summary>
    public const string TracesKey = "Vorgang:Telemetry:Traces";

    public static readonly JsonSerializerOptions ApiJson = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    private static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.MaxDepth = 32;
        return options;
    }

    /// <summary>The event store as the engine uses it; tools such as the benchmark build the same store from here.</summary>
    public static void ConfigureStore(StoreOptions options, NpgsqlDataSource dataSource, DefinitionCatalog catalog, bool readModels = true)
    {
        options.Connection(dataSource);
        options.DatabaseSchemaName = Schema;
        options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
        options.OpenTelemetry.TrackConnections = JasperFx.OpenTelemetry.TrackLevel.Normal;
        options.OpenTelemetry.TrackEventCounters();
        // Async read models should trail the log by well under a second: poll for new events often (cheap queries).
        options.Projections.FastPollingTime = TimeSpan.FromMilliseconds(100);
        options.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(250);
        options.AddCases(snapshot: readModels);
        options.AddAudit();
        options.AddTrackingLockout();
        Features.Documents.DocumentChunks.AddSchema(options);
        options.AddPortalDocuments();
        options.Schema.For<Vorgang.Api.Features.Letters.LetterFile>().Duplicate(x => x.CaseNumber);
        // What each notification sent, so that a redelivered message sends nothing (decision 51).
        options.Schema.For<NotificationSent>();
        options.Schema.For<Vorgang.Api.Features.Webhooks.WebhookDeadLetter>().Duplicate(x => x.SubscriptionId);
        if (readModels) options.AddReadModels(catalog);
    }

    public static void AddVorgang(this WebApplicationBuilder builder, string connectionString, DefinitionCatalog catalog, EmbeddedPostgres? embedded)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        // Registered first so that it stops last, after everything that uses the database.
        if (embedded is not null) services.AddHostedService(_ => new EmbeddedPostgresLifetime(embedded));

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(catalog);
        services.AddSingleton<EngineSecrets>();
        services.AddSingleton<PublishedVersions>();
        services.AddSingleton(MasterKey.LoadKeyRing(configuration));
        services.AddSingleton<Vorgang.Api.Features.Privacy.PersonalDataVault>();
        services.AddSingleton<Vorgang.Api.Features.Letters.LetterIssuer>();
        services.AddSingleton<Vorgang.Api.Features.Webhooks.WebhookTargets>();
        services.AddSingleton<Vorgang.Api.Features.Webhooks.WebhookFanOut>();
        services.AddSingleton<Vorgang.Api.Features.Webhooks.WebhookRetries>();
        // No redirects (one could lead inside) and the target checked on every connection (decision 54).
        services.AddHttpClient(Vorgang.Api.Features.Webhooks.WebhookDeliveryHandler.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                ConnectCallback = provider.GetRequiredService<Vorgang.Api.Features.Webhooks.WebhookTargets>().ConnectAsync,
            });
        services.AddSingleton<Vorgang.Api.Features.Casework.CaseWriter>();
        services.AddSingleton<Vorgang.Api.Features.Notifications.MailSettings>();
        services.AddSingleton<Vorgang.Api.Features.Notifications.Mailer>();

        var dataSource = new NpgsqlDataSourceBuilder(DatabaseBootstrap.WithConnectionDefaults(connectionString)) { Name = "vorgang" }.Build();
        services.AddSingleton(dataSource);
        services.AddSingleton(new CaseNumbers(dataSource, Schema));
        services.AddSingleton(new CaseChainVerifier(dataSource, Schema));
        services.AddSingleton(sp => new Vorgang.Projections.Queues.QueueFigures(
            sp.GetRequiredService<IDocumentStore>(), dataSource, sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(configuration.GetValue("Vorgang:Queues:CacheSeconds", 5))));
        services.AddSingleton<Vorgang.Projections.Forecasts.CompletionForecasts>();
        services.AddSingleton<Vorgang.Projections.Forecasts.CitizenOutlooks>();

        services.AddMarten(options => ConfigureStore(options, dataSource, catalog))
            .UseLightweightSessions()
            // Async projections (statistics and other read models that may lag) run in this process;
            // with several engine instances, HotCold lets exactly one of them run each projection.
            .AddAsyncDaemon(DaemonMode.HotCold)
            .IntegrateWithWolverine()
            .ApplyAllDatabaseChangesOnStartup();

        services.AddHostedService<PublishedDefinitionsGuard>();

        builder.Host.UseWolverine(options =>
        {
            options.ApplicationAssembly = typeof(VorgangSetup).Assembly;
            // Production runs the handler and endpoint code that `codegen write` put into Internal/Generated (compiled in);
            // Development and the tests generate it at run time, from the code as it is (decision 31).
            options.Services.CritterStackDefaults(x =>
            {
                x.Production.GeneratedCodeMode = TypeLoadMode.Static;
                x.Production.SourceCodeWritingEnabled = false;
                x.Development.GeneratedCodeMode = TypeLoadMode.Dynamic;
            });
            // Deadline timers: durable scheduled messages in PostgreSQL (see Features/Deadlines).
            options.AddCaseTimers();
            // E-mail notifications: a durable local queue in PostgreSQL, filled by the outbox with the events (decision 51).
            options.AddNotifications();
            options.AddDelayChecks();
            Vorgang.Api.Features.Webhooks.WebhookFanOut.Route(options);
        });
        services.AddWolverineHttp();
        // After Wolverine, so that it stops before it: the queued submissions are written while the outbox still runs.
        services.AddSingleton<Vorgang.Api.Features.Submitting.SubmissionWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<Vorgang.Api.Features.Submitting.SubmissionWriter>());

        services.ConfigureHttpJsonOptions(o => Configure(o.SerializerOptions));
        // Problems the framework writes itself (401, 403, 404 of unknown routes, 405) get the same shape as ours.
        services.AddProblemDetails(options => options.CustomizeProblemDetails = c =>
        {
            var status = c.ProblemDetails.Status ?? c.HttpContext.Response.StatusCode;
            if (c.ProblemDetails.Extensions.ContainsKey("rule")) return;
            var rule = status switch
            {
                401 => "unauthenticated",
                403 => "forbidden",
                404 => "not-found",
                405 => "method-not-allowed",
                413 => "payload-too-large",
                415 => "unsupported-media-type",
                _ => status >= 500 ? "internal-error" : "bad-request",
            };
            c.ProblemDetails.Type = "https://vorgang.example/problems/" + rule;
            c.ProblemDetails.Extensions["rule"] = rule;
            c.ProblemDetails.Extensions["traceId"] = System.Diagnostics.Activity.Current?.TraceId.ToString() ?? c.HttpContext.TraceIdentifier;
            c.ProblemDetails.Instance ??= c.HttpContext.Request.Path;
            c.ProblemDetails.Detail ??= status switch
            {
                403 => "Your role has no access to this.",
                404 => "There is nothing at this address. See /openapi/v1.json for the API.",
                405 => $"This address does not accept {c.HttpContext.Request.Method}.",
                _ => null,
            };
            if (status == 401) c.ProblemDetails.Detail ??= "Send a valid bearer token: Authorization: Bearer <JWT>.";
        });
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddStaffAuth(configuration);
        services.AddCitizenAuth(configuration);
        services.AddTrackingLockout(configuration);
        Features.Documents.DocumentsSetup.AddDocuments(services, configuration);
        services.AddPortal(configuration, builder.Environment);
        services.AddPortalAccounts(configuration, builder.Environment);
        services.AddSingleton<IPortalEngine, Vorgang.Api.Features.Portal.PortalEngine>();
        services.AddSingleton<Vorgang.Web.Workbench.IWorkbench, Vorgang.Api.Features.Casework.Workbench>();
        services.AddSingleton<Vorgang.Api.Features.Audit.StoreCheckRunner>();
        services.AddSingleton<Vorgang.Web.Audit.IAuditConsole, Vorgang.Api.Features.Audit.AuditConsole>();
        services.AddHardening(configuration);
        services.AddOpenApi(ApiDocument.Configure);
        // /health: the process answers (liveness; a database outage is no reason to restart the engine, it recovers by
        // itself). /health/ready: PostgreSQL answers too (readiness; route traffic elsewhere meanwhile).
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [DatabaseHealthCheck.ReadyTag]);
        // A request waiting on a database that does not answer (frozen, or its host gone without closing connections)
        // would otherwise wait for Npgsql's command timeout and Marten's retries, minutes in all: it gets 503 instead.
        var requestTimeout = configuration.GetValue(RequestTimeoutKey, 15.0);
        services.AddRequestTimeouts(options =>
        {
            if (requestTimeout <= 0) return;
            options.DefaultPolicy = new RequestTimeoutPolicy
            {
                Timeout = TimeSpan.FromSeconds(requestTimeout),
                TimeoutStatusCode = 503,
                WriteTimeoutResponse = context => DatabaseOutage.WriteAsync(context),
            };
        });

        var exporting = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("vorgang"))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddMeter(VorgangTelemetry.Name, "Wolverine", "Marten"));
        // Spans cost every request and every database command their recording; without an exporter nobody reads them.
        if (configuration.GetValue(TracesKey, exporting))
        {
            telemetry.WithTracing(t => t
                .AddAspNetCoreInstrumentation()
                .AddSource(VorgangTelemetry.Name, "Wolverine", "Marten")
                .AddNpgsql());
        }
        if (exporting)
        {
            telemetry.UseOtlpExporter();
        }
    }

    public static void UseVorgang(this WebApplication app)
    {
        app.UseServerTiming();
        app.UseHardening();
        // The API answers every error as a problem; the portal's pages answer with a friendly page (decision 33).
        app.UseWhen(c => !PortalSetup.IsPortalPath(c.Request.Path), api =>
        {
            api.UseExceptionHandler();
            api.UseStatusCodePages();
        });
        app.UseWhen(c => PortalSetup.IsPortalPath(c.Request.Path), portal => portal.UsePortalErrors());
        app.UsePortal();
        // After the error pages, which let routing run again for the page that stands in for the one asked for.
        app.UseRouting();
        // Before the time limit, which then cancels the request's work on its own (see ClientDisconnects).
        app.UseMiddleware<ClientDisconnects>();
        app.UseRequestTimeouts();
        app.UseMiddleware<JsonOnly>();
        app.UseAuthentication();
        app.UseWhen(c => PortalSetup.IsPortalPath(c.Request.Path), portal => portal.UsePortalSessions());
        app.UseAuthorization();
        app.UseMiddleware<TrackingLockoutMiddleware>();
        // Bodies are checked only for requests that are allowed to reach their endpoint.
        app.UseMiddleware<JsonBodies>();
        // Last before the endpoint: only reads that are allowed and within their time limit wait for a turn.
        app.UseMiddleware<ReadAdmission>();
        // The one document there is; any other name would get the OpenAPI middleware's plain-text 404.
        app.MapOpenApi(ApiDocument.Path);
        app.MapApiReference();
        app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = check => !check.Tags.Contains(DatabaseHealthCheck.ReadyTag) });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(DatabaseHealthCheck.ReadyTag) });
        // Wolverine's HTTP endpoints read and write JSON with the options of ConfigureHttpJsonOptions above.
        app.MapWolverineEndpoints();
        app.MapPortal();
    }
}

/// <summary>Stops the embedded PostgreSQL when the engine shuts down.</summary>
internal sealed class EmbeddedPostgresLifetime(EmbeddedPostgres embedded) : IHostedService
{
    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StopAsync(CancellationToken ct) => embedded.StopAsync();
}
