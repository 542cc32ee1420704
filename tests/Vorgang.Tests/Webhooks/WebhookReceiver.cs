using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Vorgang.Tests.Webhooks;

/// <summary>A real HTTP server on loopback that records every request it gets and answers with the status the test chose.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(string Body, IHeaderDictionary Headers, DateTimeOffset At, int Answered);

    private readonly WebApplication _app;
    public ConcurrentQueue<Received> Requests { get; } = new();
    /// <summary>The status of the next answers; 200 unless the test says otherwise.</summary>
    public Func<int, int> Answer { get; set; } = _ => 200;
    public string Url { get; private set; } = "";

    private WebhookReceiver(WebApplication app) => _app = app;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var status = receiver.Answer(receiver.Requests.Count + 1);
            receiver.Requests.Enqueue(new Received(body, new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value)), DateTimeOffset.UtcNow, status));
            context.Response.StatusCode = status;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = address + "/hook";
        return receiver;
    }

    /// <summary>Waits until at least <paramref name="count"/> requests came (or fails after the timeout).</summary>
    public async Task<IReadOnlyList<Received>> WaitForAsync(int count, int seconds = 20)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (Requests.Count < count && DateTime.UtcNow < until) await Task.Delay(50);
        Assert.True(Requests.Count >= count, $"Expected {count} webhook request(s), got {Requests.Count}.");
        return Requests.ToList();
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
