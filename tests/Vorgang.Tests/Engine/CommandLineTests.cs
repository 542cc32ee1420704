using System.Text;
using System.Text.Json.Nodes;
using JasperFx.CommandLine;
using Vorgang.Api.Cli;
using Vorgang.Tests.Audit;

namespace Vorgang.Tests.Engine;

/// <summary>The command line: the engine's own verbs as JasperFx reads them, and the Critter Stack's verbs on the engine.</summary>
[Collection(CommandLineCollection.Name)]
public sealed class CommandLineTests
{
    [Fact]
    public async Task A_token_verb_takes_configuration_settings_beside_its_flags_and_refuses_an_unknown_flag()
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());

        var exit = await Verbs.TryRunAsync(
            ["token", "--role", "auditor", "--name=Rita Prüfer", "--Vorgang:Auth:DevelopmentKey=another-signing-key-with-at-least-32-bytes"], stdout, stderr);

        Assert.True(exit == 0, stderr.ToString());
        var payload = stdout.ToString().Trim().Split('.')[1].Replace('-', '+').Replace('_', '/');
        var claims = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload.PadRight((payload.Length + 3) / 4 * 4, '='))))!;
        Assert.Equal("auditor", (string)claims["role"]!);
        Assert.Equal("Rita Prüfer", (string)claims["name"]!);

        // As any Alba host in the process leaves it: JasperFx's own parsing then skips unknown flags.
        JasperFxEnvironment.AutoStartHost = true;
        stderr = new StringWriter();
        Assert.Equal(2, await Verbs.TryRunAsync(["token", "--role", "auditor", "--name", "Rita", "--colour", "blue"], new StringWriter(), stderr));
        Assert.Contains("--colour", stderr.ToString());
        Assert.Contains("Usage: token --role ROLE", stderr.ToString());
    }

    [Fact]
    public async Task Help_lists_the_engines_verbs_and_the_critter_stacks()
    {
        var stdout = new StringWriter();

        Assert.Equal(0, await Verbs.TryRunAsync(["help"], stdout, new StringWriter()));

        foreach (var verb in new[] { "definitions check", "token --role", "audit verify", "projections rebuild", "keys rotate", "codegen write", "db-apply", "db-assert", "resources check", "describe" })
            Assert.Contains(verb, stdout.ToString());
    }

    [Fact]
    public async Task The_critter_stacks_database_verbs_run_on_the_engines_database()
    {
        var apply = await VerbProcess.RunAsync("db-apply");
        Assert.True(apply.ExitCode == 0, apply.ToString());

        var assert = await VerbProcess.RunAsync("db-assert");
        Assert.True(assert.ExitCode == 0, assert.ToString());
        Assert.Contains("No database differences detected", assert.Stdout);
    }
}

/// <summary>The verbs run one at a time: they write to shared console writers when none is given.</summary>
[CollectionDefinition(Name)]
public sealed class CommandLineCollection
{
    public const string Name = "command line";
}
