using System.Text;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using Npgsql;
using Vorgang.Projections.Statistics;
using Vorgang.Workflows.Definitions;
using Wolverine.Http;

namespace Vorgang.Api.Features.OpenData;

/// <summary>
/// Open data: how many cases each service received and completed per week or month, how long they took and how
/// often the legal deadline was met. Public, no token: it publishes aggregates only, and withholds small counts.
/// </summary>
public static class GetStatisticsEndpoint
{
    [WolverineGet("/api/open-data/statistics", OperationId = "getOpenDataStatistics")]
    [EndpointSummary("Open data: submitted and completed cases, processing time (median, 90th percentile, working days) and deadline compliance per service and week or month; counts below 5 withheld.")]
    [EndpointDescription("Per service and ISO week or month: submitted and completed cases, median and 90th-percentile processing time in working days, and the share completed within the legal deadline. Counts below 5, and figures that would reveal them, are withheld (`null`, `suppressed: true`). JSON, or CSV with `format=csv` or an Accept header that ranks text/csv first. Public; may be cached for five minutes.")]
    [Tags("Open data")]
    [ProducesResponseType<StatisticsTable>(200, "application/json", "text/csv")]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    public static async Task<IResult> Get(
        [FromQuery] string? period, [FromQuery] string? service, [FromQuery] string? format,
        DefinitionCatalog catalog, IDocumentStore store, NpgsqlDataSource dataSource, HttpContext context, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        PeriodKind? kind = (period ?? "month") switch
        {
            "month" => PeriodKind.Month,
            "week" => PeriodKind.Week,
            _ => null,
        };
        if (kind is null) errors.Add(new("period", "one-of", "Choose 'week' (ISO weeks) or 'month'."));
        if (service is not null && catalog.Latest(service) is null) errors.Add(new("service", "unknown-service", $"There is no service '{service}'; see /api/services."));
        var csv = format switch
        {
            "csv" => true,
            "json" => false,
            null => PrefersCsv(context.Request),
            _ => (bool?)null,
        };
        if (csv is null) errors.Add(new("format", "one-of", "Choose 'json' or 'csv'."));
        if (errors.Count > 0) return Problems.Problems.Invalid(context, errors, "The request is invalid.");

        var (submitted, completed) = await StatisticsQueries.LoadAsync(store, dataSource, service, ct);
        var rows = OpenDataStatistics.Publish(kind!.Value, submitted, completed);
        var headers = context.Response.Headers;
        // The figures move slowly and come from a read model that may lag anyway: let caches share them for a while.
        headers.CacheControl = "public, max-age=300";
        headers.Vary = "Accept";
        if (csv == true)
        {
            headers.ContentDisposition = $"inline; filename=\"vorgang-statistics-{(period ?? "month")}{(service is null ? "" : "-" + service)}.csv\"";
            return Results.Text(StatisticsCsv.Write(rows), StatisticsCsv.ContentType, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }
        return Results.Ok(new StatisticsTable(period ?? "month", Disclosure.MinimumCount, rows));
    }

    private static readonly MediaTypeHeaderValue Json = new("application/json"), Csv = new("text/csv");

    /// <summary>Without <c>format</c>, CSV is sent when the client ranks <c>text/csv</c> above JSON in its Accept header.</summary>
    private static bool PrefersCsv(HttpRequest request)
    {
        foreach (var accepted in request.GetTypedHeaders().Accept.OrderByDescending(a => a.Quality ?? 1.0))
        {
            if (accepted.Quality == 0) continue;
            if (Json.IsSubsetOf(accepted)) return false;
            if (Csv.IsSubsetOf(accepted)) return true;
        }
        return false;
    }
}
