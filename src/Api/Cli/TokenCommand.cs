using System.Globalization;
using JasperFx.CommandLine;
using Vorgang.Api.Security;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Api.Cli;

public sealed class TokenInput
{
    [Description("caseworker, auditor, admin, a party such as school, or citizen")]
    public string? RoleFlag { get; set; }

    [Description("A caseworker's team; a party's organisation (e.g. grundschule-lobeda-west)")]
    public string? TeamFlag { get; set; }

    [Description("The name the token carries")]
    public string? NameFlag { get; set; }

    [Description("The subject (default: derived from the name)")]
    public string? SubFlag { get; set; }

    // Text, read with the invariant culture: JasperFx would read a number with the machine's culture (1.5 as 15 in German).
    [Description("Hours until the token expires (default 8)")]
    [FlagAlias("hours", longAliasOnly: true)]
    public string? HoursFlag { get; set; }
}

/// <summary><c>token --role ROLE [--team TEAM] --name NAME [--sub ID] [--hours N]</c>: a development token, signed with the local key. Needs no database.</summary>
[Description("Mint a development token (signed with the local development key)")]
public sealed class TokenCommand : VerbCommand<TokenInput>
{
    public override string Synopsis => "Usage: token --role ROLE [--team TEAM] --name \"NAME\" [--sub ID] [--hours N]";

    protected override Task<int> RunAsync(TokenInput input) => Task.FromResult(Mint(input));

    private int Mint(TokenInput input)
    {
        if (input is not { RoleFlag: { } role, NameFlag: { } name }) return UsageError();
        var team = input.TeamFlag;
        if (role == Roles.Caseworker && string.IsNullOrWhiteSpace(team))
        {
            Errors.WriteLine("A caseworker token needs --team (the team whose queue they work).");
            return 2;
        }
        // A party's team is its organisation (e.g. which school); staff roles other than caseworkers have none.
        if (role is Roles.Auditor or Roles.Admin or Roles.Citizen or Roles.System && team is not null)
        {
            Errors.WriteLine($"Role '{role}' has no team; leave out --team.");
            return 2;
        }
        if (role is Roles.System)
        {
            Errors.WriteLine("The system needs no token; mint caseworker, auditor, admin, party or citizen tokens.");
            return 2;
        }
        var hours = double.TryParse(input.HoursFlag, CultureInfo.InvariantCulture, out var parsed) ? parsed : 8;
        if (role is Roles.Citizen)
        {
            // A citizen account token, as the citizens' identity provider would issue it.
            var subject = input.SubFlag ?? $"citizen:{name.ToLowerInvariant().Replace(' ', '.')}";
            Output.WriteLine(CitizenAuth.MintToken(Configuration, subject, name, TimeSpan.FromHours(hours)));
            return 0;
        }
        Output.WriteLine(StaffAuth.MintToken(Configuration, role, team, name, input.SubFlag, TimeSpan.FromHours(hours)));
        return 0;
    }
}
