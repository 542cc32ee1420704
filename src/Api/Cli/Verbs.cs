using JasperFx.CodeGeneration.Commands;
using JasperFx.CommandLine;
using JasperFx.CommandLine.Commands;
using JasperFx.CommandLine.Parsing;
using Vorgang.Api.Hosting;

namespace Vorgang.Api.Cli;

/// <summary>
/// The command line. The engine's own verbs — <c>definitions</c>, <c>token</c>, <c>audit</c>, <c>projections</c>,
/// <c>keys</c> — are JasperFx commands of this assembly, run here with their own output and exit codes and before any
/// host is built (decision 30). Every other verb is the Critter Stack's (<c>codegen</c>, <c>db-apply</c>, <c>resources</c>,
/// <c>describe</c>, …): Program builds the engine and hands it to <c>RunJasperFxCommands</c>.
/// </summary>
public static class Verbs
{
    /// <summary>
    /// What the engine is built with for <c>codegen</c> when no database is configured: generating code opens no
    /// connection, so no embedded PostgreSQL is started for it (port 1: anything that did connect would fail at once).
    /// </summary>
    private const string NoDatabase = "Host=127.0.0.1;Port=1;Database=vorgang";

    /// <returns>The exit code of one of the engine's own verbs, or null when the arguments name none of them.</returns>
    public static async Task<int?> TryRunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var output = stdout ?? Console.Out;
        var errors = stderr ?? Console.Error;
        if (args.Length == 0) return null;
        if (args[0] is "help" or "--help" or "-h") return args.Length > 1 ? await HelpForAsync(args[1]) : Help(output);

        var factory = new CommandFactory();
        factory.RegisterCommands(typeof(Verbs).Assembly);
        if (!factory.AllCommandTypes().Any(t => string.Equals(CommandFactory.CommandNameFor(t), args[0], StringComparison.OrdinalIgnoreCase))) return null;

        var command = factory.Build(args[0]);
        var verb = (IVerb)command;
        verb.Output = TextWriter.Synchronized(output);
        verb.Errors = errors;
        verb.Configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args.SkipWhile(a => !a.StartsWith("--")).Where(a => a.Contains('=')).ToArray())
            .Build();
        object input;
        try
        {
            var tokens = ArgPreprocessor.Process(WithoutSettings(args.Skip(1))).ToArray();
            RefuseUnknownTokens(factory.Build(args[0]), tokens);
            input = command.Usages.BuildInput(new Queue<string>(tokens), new ActivatorCommandCreator());
        }
        catch (Exception e) when (e is InvalidUsageException or FormatException or OverflowException)
        {
            if (!string.IsNullOrEmpty(e.Message)) errors.WriteLine(e.Message);
            errors.WriteLine(verb.Synopsis);
            return 2;
        }
        await command.Execute(input);
        return verb.ExitCode;
    }

    /// <summary>
    /// Refuses a token no argument or flag of the verb takes. JasperFx's own parsing skips unknown flags whenever
    /// <see cref="JasperFxEnvironment.AutoStartHost"/> is set — process-wide, by any test host — so an unknown flag would
    /// pass unnoticed depending on what else ran in the process (decision 30). Arguments latch once read, so the walk
    /// runs on a command of its own.
    /// </summary>
    private static void RefuseUnknownTokens(IJasperFxCommand command, IEnumerable<string> tokens)
    {
        var model = new ActivatorCommandCreator().CreateModel(command.InputType);
        var queue = new Queue<string>(tokens);
        while (queue.Count > 0)
            if (!command.Usages.Handlers.Any(h => h.Handle(model, queue)))
                throw new InvalidUsageException("Unknown argument or flag for value " + queue.Peek());
    }

    /// <summary>The connection string for <c>codegen</c>: the configured one (never opened), or else one that points nowhere.</summary>
    public static string CodeGenerationConnectionString(IConfiguration configuration) =>
        configuration[DatabaseBootstrap.ConnectionStringKey] is { } configured && !string.IsNullOrWhiteSpace(configured) ? configured : NoDatabase;

    /// <summary>Whether the verb is <c>codegen</c>, which builds the engine but opens no connection.</summary>
    public static bool IsCodeGeneration(string[] args) =>
        args.Length > 0 && string.Equals(args[0], CommandFactory.CommandNameFor(typeof(GenerateCodeCommand)), StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The arguments without configuration settings (<c>--Section:Key=value</c>): the engine's configuration reads those
    /// (as for every verb), and a JasperFx command would refuse them as unknown flags.
    /// </summary>
    public static string[] WithoutSettings(IEnumerable<string> args) => args.Where(a => !IsSetting(a)).ToArray();

    private static bool IsSetting(string arg)
    {
        var colon = arg.IndexOf(':');
        return arg.StartsWith("--") && colon > 2 && arg.IndexOf('=') > colon;
    }

    private static int Help(TextWriter output)
    {
        output.WriteLine("""
            Usage: dotnet run --project src/Api -- [verb]
              (no verb)                              run the engine
              definitions check [--path DIR]         check every definition file; exit 1 on errors
              definitions diagram SERVICE [--version N] [--lang de|en]
                                                     print the Mermaid state diagram of a service
              definitions schema                     print the JSON Schema for definition files
              token --role ROLE [--team TEAM] --name "NAME" [--sub ID] [--hours N]
                                                     mint a development token (roles: caseworker, auditor, admin, a party such as school
                                                     — its --team names the organisation, e.g. grundschule-lobeda-west —, or citizen)
              audit verify [--case N]                recompute the hash chains of all cases (or one) from the stored events;
                                                     exit 0 when intact, 1 with the first broken link of each broken case
              keys rotate                            re-wrap every case's data key with the current master key
                                                     (old keys in Vorgang:DataProtection:PreviousMasterKeys)
              projections list                       name the read models
              projections rebuild [--name NAME]      rebuild all read models (or one) from the events, with progress and events/s;
                                                     stop the engine first
            Marten's and Wolverine's verbs, on the engine as it is configured:
              codegen write|preview|test|delete      the code Wolverine generates for the handlers and endpoints (write: into
                                                     src/Api/Internal/Generated, which production runs; needs no database)
              db-apply | db-assert | db-patch FILE | db-dump FILE | db-list
                                                     apply, check, script or list the database schema
              resources check|setup|clear|teardown|statistics|list
                                                     the engine's stateful resources (event store, Wolverine's tables)
              describe                               what the engine is made of: Marten, Wolverine, handlers, endpoints
              help VERB                              the usage and flags of a verb (the list of all: help --all)
            """);
        return 0;
    }

    /// <summary>JasperFx's help on one verb (its arguments and flags), or on all of them.</summary>
    private static Task<int> HelpForAsync(string verb) =>
        CommandExecutor.For(factory =>
        {
            factory.RegisterCommands(typeof(RunCommand).Assembly);
            factory.RegisterCommandsFromExtensionAssemblies();
            // Last, so that ours win where a name is taken twice (JasperFx.Events has a `projections` of its own).
            factory.RegisterCommands(typeof(Verbs).Assembly);
        }).ExecuteAsync(verb == "--all" ? ["help"] : ["help", verb]);
}
