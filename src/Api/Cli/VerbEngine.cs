using Vorgang.Api.Hosting;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Api.Cli;

/// <summary>
/// The engine's services, built exactly as the engine builds them (same configuration, definitions, database and
/// Marten setup) but not started: no HTTP, no daemon, no Wolverine listeners. For verbs that need the database.
/// </summary>
internal sealed class VerbEngine : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EmbeddedPostgres? _embedded;

    private VerbEngine(WebApplication app, EmbeddedPostgres? embedded)
    {
        _app = app;
        _embedded = embedded;
    }

    public IServiceProvider Services => _app.Services;

    /// <returns>The engine, or null after writing why it cannot be built (invalid definitions, no database).</returns>
    public static async Task<VerbEngine?> BuildAsync(IConfiguration configuration, TextWriter errors, CancellationToken ct)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddConfiguration(configuration);
        // The verb reports for itself; framework chatter would bury it.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        DefinitionCatalog catalog;
        try
        {
            catalog = DefinitionsSetup.Load(builder.Configuration, TimeProvider.System);
        }
        catch (InvalidDefinitionsException e)
        {
            errors.WriteLine(e.Message);
            return null;
        }

        string connectionString;
        EmbeddedPostgres? embedded;
        try
        {
            (connectionString, embedded) = await DatabaseBootstrap.ResolveAsync(builder.Configuration, ct);
        }
        catch (EmbeddedPostgresException e)
        {
            errors.WriteLine(e.Message);
            return null;
        }

        builder.AddVorgang(connectionString, catalog, embedded);
        return new VerbEngine(builder.Build(), embedded);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        // A server that was already running belongs to the engine beside us.
        if (_embedded is { Adopted: false }) await _embedded.StopAsync();
    }
}
