using JasperFx;
using Vorgang.Api.Cli;
using Vorgang.Api.Hosting;

// The engine's own verbs need no host, and some of them no database (see Cli/Verbs.cs).
if (await Verbs.TryRunAsync(args) is { } exitCode) return exitCode;

var builder = WebApplication.CreateBuilder(args);

Vorgang.Workflows.Definitions.DefinitionCatalog catalog;
try
{
    catalog = DefinitionsSetup.Load(builder.Configuration, TimeProvider.System);
}
catch (InvalidDefinitionsException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("The engine does not start with invalid definitions. Run `dotnet run --project src/Api -- definitions check`.");
    return 1;
}

string connectionString;
EmbeddedPostgres? embedded;
try
{
    (connectionString, embedded) = Verbs.IsCodeGeneration(args)
        ? (Verbs.CodeGenerationConnectionString(builder.Configuration), null)
        : await DatabaseBootstrap.ResolveAsync(builder.Configuration);
}
catch (EmbeddedPostgresException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

builder.AddVorgang(connectionString, catalog, embedded);
var app = builder.Build();
app.UseVorgang();
if (args.Length > 0 && !args[0].StartsWith('-'))
{
    // A verb of Marten's or Wolverine's (codegen, db-apply, resources, describe, …), on the engine as built above.
    var verbExitCode = await app.RunJasperFxCommands(Verbs.WithoutSettings(args));
    if (embedded is { Adopted: false }) await embedded.StopAsync();
    return verbExitCode;
}
app.Lifetime.ApplicationStarted.Register(() =>
{
    var addresses = app.Urls.Count > 0 ? string.Join(", ", app.Urls) : "(see the log above)";
    Console.WriteLine($"Vorgang is listening on {addresses} — try {app.Urls.FirstOrDefault() ?? "http://localhost:5000"}/api/services");
});
try
{
    await app.RunAsync();
}
catch (InvalidDefinitionsException e)
{
    Console.Error.WriteLine(e.Message);
    if (embedded is not null) await embedded.StopAsync();
    return 1;
}
return 0;

public partial class Program;
