using JasperFx.CommandLine;

namespace Vorgang.Api.Cli;

/// <summary>What <see cref="Verbs"/> hands a verb of the engine's own before it runs, and reads from it afterwards.</summary>
public interface IVerb
{
    TextWriter Output { get; set; }
    TextWriter Errors { get; set; }
    IConfiguration Configuration { get; set; }

    /// <summary>0 done, 1 failed (or found something broken), 2 a usage error (decision 30).</summary>
    int ExitCode { get; }

    /// <summary>Printed to the error output when the command line does not fit the verb.</summary>
    string Synopsis { get; }
}

/// <summary>
/// A verb of the engine's own as a JasperFx command: JasperFx reads the command line into <typeparamref name="TInput"/>
/// (arguments, and flags from properties named <c>…Flag</c>); the verb writes to the writers it is given and answers
/// with an exit code of its own (decision 30).
/// </summary>
public abstract class VerbCommand<TInput> : JasperFxAsyncCommand<TInput>, IVerb
{
    public TextWriter Output { get; set; } = Console.Out;
    public TextWriter Errors { get; set; } = Console.Error;
    public IConfiguration Configuration { get; set; } = new ConfigurationBuilder().Build();
    public int ExitCode { get; private set; }
    public abstract string Synopsis { get; }

    public sealed override async Task<bool> Execute(TInput input)
    {
        ExitCode = await RunAsync(input);
        return ExitCode == 0;
    }

    protected abstract Task<int> RunAsync(TInput input);

    /// <summary>A usage error: the synopsis goes to the error output, and the exit code is 2.</summary>
    protected int UsageError(string? message = null)
    {
        if (message is not null) Errors.WriteLine(message);
        Errors.WriteLine(Synopsis);
        return 2;
    }
}
