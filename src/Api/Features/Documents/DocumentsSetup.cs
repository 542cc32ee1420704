namespace Vorgang.Api.Features.Documents;

public static class DocumentsSetup
{
    /// <summary>The upload core and its scanner: clamd when <c>Vorgang:Documents:Clamd</c> names one, else the EICAR check.</summary>
    public static IServiceCollection AddDocuments(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(DocumentOptions.Section).Get<DocumentOptions>() ?? new DocumentOptions();
        if (options.MaxSizeMiB is < 1 or > 1024) throw new InvalidOperationException($"{DocumentOptions.Section}:MaxSizeMiB must be between 1 and 1024.");
        services.AddSingleton(options);
        services.AddSingleton<IMalwareScanner>(options.Clamd is { Length: > 0 } clamd
            ? ClamdScanner.Parse(clamd, TimeSpan.FromSeconds(Math.Max(1, options.ClamdTimeoutSeconds)))
            : new EicarScanner());
        services.AddSingleton<DocumentUploads>();
        return services;
    }
}
