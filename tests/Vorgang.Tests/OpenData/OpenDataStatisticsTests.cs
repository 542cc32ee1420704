using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vorgang.Projections.Statistics;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Tests.OpenData;

public sealed class OpenDataStatisticsTests(AppFixture app) : ApiTest(app)
{
    private const string Service = CaseFacts.Service;
    private const string Team = "registration-office";

    // Monday 2 to Friday 6 November 2026 is ISO week 45; all ten cases close in week 46 (Monday 9 to Friday 13).
    private static readonly DateOnly Week45Monday = new(2026, 11, 2);

    /// <summary>Processing times 1, 2, …, 8, 8, 9 working days: median 5.5, 90th percentile 8 + 0.1 × (9 − 8) = 8.1.</summary>
    private static readonly (int DayOfWeek, int WorkingDays)[] TenCases =
        [(0, 9), (0, 8), (1, 8), (1, 7), (2, 6), (2, 5), (3, 4), (3, 3), (4, 2), (4, 1)];

    private async Task AddTenCompletedCases()
    {
        var i = 0;
        foreach (var (day, workingDays) in TenCases)
        {
            var submittedOn = Week45Monday.AddDays(day);
            // A deadline of five working days: the five cases that took 1–5 days met it, the five that took 6–9 did not.
            await App.AddCompleted($"2026-9{++i:D5}", submittedOn, workingDays, dueOn: CaseFacts.After(submittedOn, 5));
            Assert.InRange(CaseFacts.After(submittedOn, workingDays), new DateOnly(2026, 11, 9), new DateOnly(2026, 11, 13));
        }
    }

    private async Task<JsonNode> Statistics(string query)
    {
        var (status, body, _) = await Host.Send(HttpMethod.Get, $"/api/open-data/statistics{query}");
        Assert.True(status == 200, $"GET statistics{query} answered {status}: {body}");
        return body!;
    }

    private static JsonNode Row(JsonNode table, string period, string service = Service) =>
        table["rows"]!.AsArray().Single(r => (string)r!["period"]! == period && (string)r["serviceId"]! == service)!;

    [Fact]
    public async Task A_month_with_ten_completed_cases_gets_counts_median_p90_and_deadline_share()
    {
        await AddTenCompletedCases();
        await App.CatchUpAsync();

        var table = await Statistics("?period=month");
        Assert.Equal("month", (string)table["period"]!);
        Assert.Equal(5, (int)table["minimumCount"]!);
        var november = Row(table, "2026-11");
        Assert.Equal("2026-11-01", (string)november["from"]!);
        Assert.Equal("2026-11-30", (string)november["to"]!);
        Assert.Equal(10, (int)november["submitted"]!);
        Assert.Equal(10, (int)november["completed"]!);
        Assert.Equal(5.5, (double)november["medianWorkingDays"]!);
        Assert.Equal(8.1, (double)november["p90WorkingDays"]!);
        Assert.Equal(0.5, (double)november["withinDeadlineShare"]!);
        Assert.False((bool)november["suppressed"]!);
        Assert.Single(table["rows"]!.AsArray());
    }

    [Fact]
    public async Task Weeks_are_iso_weeks_and_count_submissions_and_completions_where_they_happened()
    {
        await AddTenCompletedCases();
        await App.CatchUpAsync();

        var table = await Statistics($"?period=week&service={Service}");
        Assert.Equal(["2026-W45", "2026-W46"], table["rows"]!.AsArray().Select(r => (string)r!["period"]!));

        var submittedWeek = Row(table, "2026-W45");
        Assert.Equal("2026-11-02", (string)submittedWeek["from"]!);
        Assert.Equal("2026-11-08", (string)submittedWeek["to"]!);
        Assert.Equal(10, (int)submittedWeek["submitted"]!);
        Assert.Equal(0, (int)submittedWeek["completed"]!);
        // Nothing completed: no processing time, no share, and nothing withheld either — the keys are there, as null.
        Assert.Null(submittedWeek["medianWorkingDays"]);
        Assert.True(((JsonObject)submittedWeek).ContainsKey("medianWorkingDays"));
        Assert.False((bool)submittedWeek["suppressed"]!);

        var completedWeek = Row(table, "2026-W46");
        Assert.Equal(0, (int)completedWeek["submitted"]!);
        Assert.Equal(10, (int)completedWeek["completed"]!);
        Assert.Equal(5.5, (double)completedWeek["medianWorkingDays"]!);
        Assert.Equal(8.1, (double)completedWeek["p90WorkingDays"]!);
        Assert.Equal(0.5, (double)completedWeek["withinDeadlineShare"]!);
    }

    [Fact]
    public async Task Fewer_than_five_cases_are_withheld_with_every_figure_derived_from_them()
    {
        await AddTenCompletedCases();
        // Another service with three cases, submitted and completed in the same week of December.
        for (var i = 1; i <= 3; i++)
            await App.AddCompleted($"2026-9{100 + i:D5}", new DateOnly(2026, 12, 7), i, dueOn: new DateOnly(2027, 1, 29), service: "defect-report");
        await App.CatchUpAsync();

        var table = await Statistics("?period=month");
        var december = Row(table, "2026-12", "defect-report");
        foreach (var figure in new[] { "submitted", "completed", "medianWorkingDays", "p90WorkingDays", "withinDeadlineShare" })
        {
            Assert.True(((JsonObject)december).ContainsKey(figure), figure);
            Assert.Null(december[figure]);
        }
        Assert.True((bool)december["suppressed"]!);
        // The other service is not affected, and nothing sums services up (a total would give the three away).
        Assert.Equal(10, (int)Row(table, "2026-11")["completed"]!);
        Assert.Equal(2, table["rows"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_small_week_is_not_given_away_by_its_month()
    {
        // Week 45: ten submissions; week 46: two. November publishes twelve — so week 46 needs cover: week 45 is withheld too.
        await AddTenCompletedCases();
        await App.AddCompleted("2026-900201", new DateOnly(2026, 11, 10), 1, null);
        await App.AddCompleted("2026-900202", new DateOnly(2026, 11, 11), 1, null);
        await App.CatchUpAsync();

        var weeks = await Statistics("?period=week");
        Assert.Null(Row(weeks, "2026-W46")["submitted"]);
        Assert.Null(Row(weeks, "2026-W45")["submitted"]);
        Assert.True((bool)Row(weeks, "2026-W45")["suppressed"]!);
        var months = await Statistics("?period=month");
        Assert.Equal(12, (int)Row(months, "2026-11")["submitted"]!);
        Assert.Equal(12, (int)Row(months, "2026-11")["completed"]!);
    }

    [Fact]
    public async Task Cases_submitted_and_closed_through_the_api_are_counted_and_withdrawals_are_not_completions()
    {
        var anna = App.Token("caseworker", Team, "Anna Schmidt");
        for (var i = 0; i < 5; i++)
        {
            var rejected = await Host.Submit(Service);
            await Host.Act(rejected.CaseNumber, anna, "start-review");
            await Host.Act(rejected.CaseNumber, anna, "reject", new JsonObject { ["reason"] = "Die Wohnung ist nicht bewohnbar gemeldet." });
        }
        var withdrawn = await Host.Submit(Service);
        await Host.CitizenAct(withdrawn.CaseNumber, withdrawn.TrackingCode, "withdraw", 1);
        await Host.Submit(Service);

        // The statistics are an async read model: read them once the daemon has caught up.
        await App.CatchUpAsync();

        var today = BerlinClock.DateOf(DateTimeOffset.UtcNow);
        var week = Row(await Statistics("?period=week"), System.Globalization.ISOWeek.GetYear(today.ToDateTime(TimeOnly.MinValue)) + "-W" +
            System.Globalization.ISOWeek.GetWeekOfYear(today.ToDateTime(TimeOnly.MinValue)).ToString("D2"));
        Assert.Equal(7, (int)week["submitted"]!);
        Assert.Equal(5, (int)week["completed"]!);
        Assert.Equal(0, (double)week["medianWorkingDays"]!);
        Assert.Equal(0, (double)week["p90WorkingDays"]!);
        Assert.Equal(1.0, (double)week["withinDeadlineShare"]!);
        Assert.False((bool)week["suppressed"]!);
    }

    [Fact]
    public async Task Csv_has_a_header_row_crlf_lines_and_empty_cells_for_withheld_figures()
    {
        await AddTenCompletedCases();
        for (var i = 1; i <= 3; i++)
            await App.AddCompleted($"2026-9{100 + i:D5}", new DateOnly(2026, 12, 7), i, null, service: "defect-report");
        await App.CatchUpAsync();

        var (status, _, response) = await SendRaw("/api/open-data/statistics?period=month&format=csv", []);
        Assert.Equal(200, status);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType.CharSet);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.NotEqual(0xEF, bytes[0]); // no byte order mark
        var csv = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.Equal(
            "service_id,period,from,to,submitted,completed,median_working_days,p90_working_days,within_deadline_share,suppressed\r\n" +
            "change-of-address,2026-11,2026-11-01,2026-11-30,10,10,5.5,8.1,0.5,false\r\n" +
            "defect-report,2026-12,2026-12-01,2026-12-31,,,,,,true\r\n",
            csv);
    }

    [Fact]
    public async Task Accept_text_csv_gets_csv_and_format_overrides_accept()
    {
        await AddTenCompletedCases();
        await App.CatchUpAsync();

        var csvHeaders = new Dictionary<string, string> { ["Accept"] = "text/csv" };
        var (_, _, csv) = await SendRaw("/api/open-data/statistics?period=week", csvHeaders);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("service_id,period,", await csv.Content.ReadAsStringAsync());

        var (_, _, json) = await SendRaw("/api/open-data/statistics?period=week&format=json", csvHeaders);
        Assert.Equal("application/json", json.Content.Headers.ContentType!.MediaType);

        var (_, _, preferred) = await SendRaw("/api/open-data/statistics", new Dictionary<string, string> { ["Accept"] = "application/json;q=0.5, text/csv" });
        Assert.Equal("text/csv", preferred.Content.Headers.ContentType!.MediaType);
        Assert.Contains("public", preferred.Headers.CacheControl!.ToString());
    }

    private async Task<(int, string, HttpResponseMessage)> SendRaw(string url, Dictionary<string, string> headers)
    {
        var client = Host.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    [Theory]
    [InlineData("?period=year", "period")]
    [InlineData("?period=Week", "period")]
    [InlineData("?format=xml", "format")]
    [InlineData("?service=no-such-service", "service")]
    public async Task Invalid_query_values_are_a_400_naming_the_field(string query, string field)
    {
        var (status, problem, response) = await Host.Send(HttpMethod.Get, $"/api/open-data/statistics{query}");
        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal([field], ((JsonObject)problem!["errors"]!).Select(e => e.Key));
        Assert.Equal(field, (string)problem["violations"]![0]!["field"]!);
    }

    [Fact]
    public async Task The_statistics_hold_no_personal_data_and_survive_its_erasure_and_a_rebuild()
    {
        await AddTenCompletedCases();
        var data = await Host.Example(Service);
        var submitted = await Host.Submit(Service, data);
        var anna = App.Token("caseworker", Team, "Anna Schmidt");
        await Host.Act(submitted.CaseNumber, anna, "start-review");
        await Host.Act(submitted.CaseNumber, anna, "request-landlord-confirmation", new JsonObject { ["message"] = "Bitte Bestätigung nachreichen, Frau Mustermann." });
        await App.CatchUpAsync();
        var before = (await Statistics("?period=week")).ToJsonString();

        var documents = await StatisticDocuments();
        Assert.Equal(11, documents.Count);
        foreach (var json in documents)
        {
            Assert.DoesNotContain("Mustermann", json);
            Assert.DoesNotContain("example.org", json);
            Assert.DoesNotContain("Anna", json);
            Assert.DoesNotContain(TrackingCodes.Hash("AAAAA-AAAAA-AAAAA-AAAAA"), json);
            Assert.DoesNotContain(TrackingCodes.Hash(submitted.TrackingCode), json);
        }
        var waiting = JsonNode.Parse(documents.Single(d => d.Contains($"\"{submitted.CaseNumber}\"")))!;
        Assert.NotNull(waiting["waitingForCitizenSince"]);

        // Erase the personal data the way an erasure would: blank every form value, input and actor name in the log.
        var dataSource = Host.Services.GetRequiredService<NpgsqlDataSource>();
        const string events = Vorgang.Api.Hosting.VorgangSetup.Schema + ".mt_events";
        await using (var erase = dataSource.CreateCommand(
            $$$"""
            update {{{events}}} set data = data
                || case when data ? 'data' then '{"data": {}}'::jsonb else '{}'::jsonb end
                || case when data ? 'input' then '{"input": {}}'::jsonb else '{}'::jsonb end
                || case when data ? 'trackingCodeHash' then '{"trackingCodeHash": ""}'::jsonb else '{}'::jsonb end
            """))
            Assert.True(await erase.ExecuteNonQueryAsync() > 0);

        // Rebuilt from the erased log (after throwing the old facts away), the figures are the same.
        var store = Host.Services.GetRequiredService<IDocumentStore>();
        await using (var wipe = dataSource.CreateCommand($"delete from {store.Options.FindOrResolveDocumentType(typeof(CaseStatistic)).TableName.QualifiedName}"))
            Assert.Equal(11, await wipe.ExecuteNonQueryAsync());
        using (var daemon = await store.BuildProjectionDaemonAsync())
        {
            await daemon.RebuildProjectionAsync(nameof(CaseStatistic), TimeSpan.FromMinutes(1), CancellationToken.None);
            await daemon.StopAllAsync();
        }
        Assert.Equal(11, (await StatisticDocuments()).Count);
        Assert.Equal(before, (await Statistics("?period=week")).ToJsonString());
    }

    private async Task<List<string>> StatisticDocuments()
    {
        var store = Host.Services.GetRequiredService<IDocumentStore>();
        var table = store.Options.FindOrResolveDocumentType(typeof(CaseStatistic)).TableName.QualifiedName;
        await using var command = Host.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand($"select data::text from {table}");
        await using var reader = await command.ExecuteReaderAsync();
        var documents = new List<string>();
        while (await reader.ReadAsync()) documents.Add(reader.GetString(0));
        return documents;
    }
}
