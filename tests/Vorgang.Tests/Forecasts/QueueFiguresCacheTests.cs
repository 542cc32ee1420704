using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vorgang.Projections.Forecasts;
using Vorgang.Projections.Queues;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Tests.Forecasts;

public sealed class QueueFiguresCacheTests(AppFixture app) : ApiTest(app)
{
    [Fact]
    public async Task Counts_and_positions_are_served_from_the_cache_for_its_lifetime_then_refreshed_in_the_background()
    {
        var figures = new QueueFigures(Host.Services.GetRequiredService<IDocumentStore>(), Host.Services.GetRequiredService<NpgsqlDataSource>(),
            App.Clock, TimeSpan.FromSeconds(5));
        var today = App.Clock.Today();
        var first = await Host.Submit("change-of-address");
        Assert.Equal(1, (await figures.CountsAsync("registration-office", today, CancellationToken.None)).Open);
        Assert.Equal(new(1, 1), await figures.PositionAsync(first.CaseNumber, "registration-office", CancellationToken.None));

        await Host.Submit("change-of-address");
        Assert.Equal(1, (await figures.CountsAsync("registration-office", today, CancellationToken.None)).Open);
        Assert.Equal(new(1, 1), await figures.PositionAsync(first.CaseNumber, "registration-office", CancellationToken.None));

        // Past its lifetime the old figures are still answered while they are read again in the background ...
        App.Clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(1, (await figures.CountsAsync("registration-office", today, CancellationToken.None)).Open);
        Assert.Equal(new(1, 1), await figures.PositionAsync(first.CaseNumber, "registration-office", CancellationToken.None));
        // ... and the new ones follow as soon as that read is done.
        await Eventually(async () => (await figures.CountsAsync("registration-office", today, CancellationToken.None)).Open == 2);
        await Eventually(async () => await figures.PositionAsync(first.CaseNumber, "registration-office", CancellationToken.None) == new QueuePosition(1, 2));

        // Figures twice their lifetime old are not answered at all: the caller waits for the new ones.
        await Host.Submit("change-of-address");
        App.Clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(3, (await figures.CountsAsync("registration-office", today, CancellationToken.None)).Open);
        Assert.Equal(new(1, 3), await figures.PositionAsync(first.CaseNumber, "registration-office", CancellationToken.None));
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The background refresh did not bring the new figures within 10 s.");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_cached_position_is_the_same_as_counting_who_is_ahead()
    {
        var store = Host.Services.GetRequiredService<IDocumentStore>();
        var dataSource = Host.Services.GetRequiredService<NpgsqlDataSource>();
        var start = App.Clock.GetUtcNow();
        var random = new Random(4711);
        var cases = new List<string>();
        // Submitted on scattered days (earlier and later), so that start-by and due dates interleave with submission times.
        for (var i = 0; i < 12; i++)
        {
            App.Clock.SetUtcNow(start.AddDays(random.Next(-20, 20)).AddMinutes(random.Next(0, 600)));
            cases.Add((await Host.Submit("change-of-address")).CaseNumber);
        }
        App.Clock.SetUtcNow(start);
        // Two of them leave the queue.
        var token = App.Token("caseworker", "registration-office");
        foreach (var closing in cases.Take(2))
        {
            await Host.Act(closing, token, "start-review");
            await Host.Act(closing, token, "reject", new System.Text.Json.Nodes.JsonObject { ["reason"] = "x" });
        }

        var exact = new QueueFigures(store, dataSource, App.Clock, TimeSpan.Zero);
        var cached = new QueueFigures(store, dataSource, App.Clock, TimeSpan.FromSeconds(5));
        var positions = new List<int>();
        foreach (var caseNumber in cases)
        {
            var expected = await exact.PositionAsync(caseNumber, "registration-office", CancellationToken.None);
            Assert.Equal(expected, await cached.PositionAsync(caseNumber, "registration-office", CancellationToken.None));
            // The same from the queue row a citizen lookup reads with the case (its submission time to the tick, the database's to the microsecond).
            await using (var session = store.QuerySession())
                Assert.Equal(expected, await cached.PositionAsync((await session.LoadAsync<QueueItem>(caseNumber))!, CancellationToken.None));
            if (expected is not null) positions.Add(expected.Position);
        }
        Assert.Equal(Enumerable.Range(1, 10), positions.Order());
    }
}
