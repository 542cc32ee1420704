using Vorgang.Api.Hosting;
using Vorgang.Api.Security;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Deadlines;

namespace Vorgang.Api.Cli;

/// <summary>
/// Command-line verbs of the engine:
/// <c>definitions check</c>, <c>definitions diagram &lt;service&gt;</c>, <c>definitions schema</c>, <c>token</c>,
/// and on the database <c>audit verify</c>, <c>projections list</c> and <c>projections rebuild</c>.
/// </summary>
public static class Verbs
{
    public static Task<int?> TryRunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var output = stdout ?? Console.Out;
        var errors = stderr ?? Console.Error;
        if (args.Length == 0) return Task.FromResult<int?>(null);
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args.SkipWhile(a => !a.StartsWith("--")).Where(a => a.Contains('=')).ToArray())
            .Build();
        if (args[0] is "audit" or "projections") return DatabaseVerbAsync(args, configuration, output, errors);
        if (args[0] is "keys") return KeyVerbsAsync(args, configuration, output, errors);
        int? result = args[0] switch
        {
            "definitions" => Definitions(args.Skip(1).ToArray(), configuration, output, errors),
            "token" => Token(args.Skip(1).ToArray(), configuration, output, errors),
            "help" or "--help" or "-h" => Help(output),
            _ => null,
        };
        return Task.FromResult(result);
    }

    /// <summary>Verbs that work on the engine's database (configured, or the embedded one), built as the engine builds it.</summary>
    private static async Task<int?> DatabaseVerbAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter errors)
    {
        var rest = args.Skip(1).ToArray();
        var options = Options(rest);
        output = TextWriter.Synchronized(output);
        return args[0] == "audit"
            ? await AuditVerbs.RunAsync(Positional(rest).ToArray(), options, configuration, output, errors)
            : await ProjectionVerbs.RunAsync(Positional(rest).ToArray(), options, configuration, output, errors);
    }

    private static async Task<int?> KeyVerbsAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter errors) =>
        await KeyVerbs.RunAsync(Positional(args.Skip(1).ToArray()).ToArray(), configuration, output, errors);

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
            """);
        return 0;
    }

    private static int Definitions(string[] args, IConfiguration configuration, TextWriter output, TextWriter errors)
    {
        var sub = args.FirstOrDefault() ?? "check";
        var options = Options(args.Skip(1).ToArray());
        var folder = options.TryGetValue("path", out var path) ? Path.GetFullPath(path) : DefinitionsSetup.LocateFolder(configuration);
        var today = TimeProvider.System.Today();
        switch (sub)
        {
            case "check":
            {
                var (catalog, diagnostics) = DefinitionCatalog.LoadDirectory(folder, today);
                foreach (var d in diagnostics) (d.Severity == Severity.Error ? errors : output).WriteLine(d);
                var errorCount = diagnostics.Count(d => d.Severity == Severity.Error);
                var files = catalog.Published.Count + diagnostics.Where(d => d.Severity == Severity.Error).Select(d => d.File).Distinct().Count();
                output.WriteLine($"{folder}: {files} file(s), {catalog.Published.Count} valid, {errorCount} error(s), {diagnostics.Count - errorCount} warning(s).");
                return errorCount > 0 ? 1 : 0;
            }
            case "diagram":
            {
                var service = Positional(args.Skip(1).ToArray()).FirstOrDefault();
                var (catalog, _) = DefinitionCatalog.LoadDirectory(folder, today);
                var definition = service is null ? null
                    : options.TryGetValue("version", out var v) && int.TryParse(v, out var version) ? catalog.Get(service, version) : catalog.Latest(service);
                if (definition is null)
                {
                    errors.WriteLine($"No valid definition '{service}'. Known services: {string.Join(", ", catalog.LatestVersions.Select(d => d.Id))}.");
                    return 1;
                }
                output.Write(MermaidDiagram.Render(definition, options.GetValueOrDefault("lang", "en")));
                return 0;
            }
            case "schema":
                output.WriteLine(DefinitionLoader.SchemaText);
                return 0;
            default:
                errors.WriteLine($"Unknown verb 'definitions {sub}'. Use check, diagram or schema.");
                return 2;
        }
    }

    private static int Token(string[] args, IConfiguration configuration, TextWriter output, TextWriter errors)
    {
        var options = Options(args);
        if (!options.TryGetValue("role", out var role) || !options.TryGetValue("name", out var name))
        {
            errors.WriteLine("Usage: token --role ROLE [--team TEAM] --name \"NAME\" [--sub ID] [--hours N]");
            return 2;
        }
        options.TryGetValue("team", out var team);
        if (role == Roles.Caseworker && string.IsNullOrWhiteSpace(team))
        {
            errors.WriteLine("A caseworker token needs --team (the team whose queue they work).");
            return 2;
        }
        // A party's team is its organisation (e.g. which school); staff roles other than caseworkers have none.
        if (role is Roles.Auditor or Roles.Admin or Roles.Citizen or Roles.System && team is not null)
        {
            errors.WriteLine($"Role '{role}' has no team; leave out --team.");
            return 2;
        }
        if (role is Roles.System)
        {
            errors.WriteLine("The system needs no token; mint caseworker, auditor, admin, party or citizen tokens.");
            return 2;
        }
        var hours = options.TryGetValue("hours", out var h) && double.TryParse(h, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed : 8;
        if (role is Roles.Citizen)
        {
            // A citizen account token, as the citizens' identity provider would issue it.
            var subject = options.GetValueOrDefault("sub") ?? $"citizen:{name.ToLowerInvariant().Replace(' ', '.')}";
            output.WriteLine(CitizenAuth.MintToken(configuration, subject, name, TimeSpan.FromHours(hours)));
            return 0;
        }
        output.WriteLine(StaffAuth.MintToken(configuration, role, team, name, options.GetValueOrDefault("sub"), TimeSpan.FromHours(hours)));
        return 0;
    }

    /// <summary>The arguments that are neither options nor their values.</summary>
    private static IEnumerable<string> Positional(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--")) { yield return args[i]; continue; }
            if (!args[i].Contains('=') && i + 1 < args.Length && !args[i + 1].StartsWith("--")) i++;
        }
    }

    private static Dictionary<string, string> Options(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--")) continue;
            var key = args[i][2..];
            var eq = key.IndexOf('=');
            if (eq > 0) options[key[..eq]] = key[(eq + 1)..];
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--")) options[key] = args[++i];
            else options[key] = "true";
        }
        return options;
    }
}
