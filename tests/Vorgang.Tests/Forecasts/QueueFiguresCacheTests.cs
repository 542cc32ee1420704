using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vorgang.Projections.Queues;
using Vorgang.Tests.Infrastructure;
using Vorgang.Workflows.Cases;

namespace Vorgang.Tests.Forecasts;

public sealed class QueueFiguresCacheTests(AppFixture app) : ApiTest(app)
{
    [Fact]
    public async Task Counts_and_positions_are_served_from_the_cache_for_its_lifetime_then_read_again()
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

        App.Clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(2, (await figures.CountsAsync("registration-office", today, CancellationToken.None)).Open);
        Assert.Equal(new(1, 2), await figures.PositionAsync(first.CaseNumber, "registration-office", CancellationToken.None));
    }
}
