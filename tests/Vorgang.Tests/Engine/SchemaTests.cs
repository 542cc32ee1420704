using Marten;
using Microsoft.Extensions.DependencyInjection;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Engine;

/// <summary>
/// After the engine has applied its schema, the database matches the configuration exactly. Otherwise every start
/// would build the differing tables or indexes again (on a city's database: minutes, with writes locked out).
/// </summary>
[Collection(AppCollection.Name)]
public sealed class SchemaTests(AppFixture app) : ApiTest(app)
{
    [Fact]
    public async Task The_database_matches_the_configuration_after_start()
    {
        var store = Host.Services.GetRequiredService<IDocumentStore>();
        await store.Storage.Database.AssertDatabaseMatchesConfigurationAsync();
    }
}
