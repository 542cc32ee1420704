using System.Buffers;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Vorgang.Tests.Infrastructure;

/// <summary>
/// A real SMTP server in the test process (the SmtpServer package) that keeps every message it accepted, raw and parsed.
/// It can refuse recipients for good (550) and hold messages before answering the DATA command (a slow or hanging server).
/// </summary>
public sealed class TestSmtpServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly SmtpServer.SmtpServer _server;
    private readonly Task _running;
    private readonly List<MimeMessage> _messages = [];
    private TaskCompletionSource _gate = Open();

    public int Port { get; }

    /// <summary>Recipients refused with 550 (a permanent failure).</summary>
    public HashSet<string> Refused { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How many messages reached the DATA stage while the server held them.</summary>
    public int Held => Volatile.Read(ref _held);
    private int _held;

    public TestSmtpServer()
    {
        Port = FreePort();
        var options = new SmtpServerOptionsBuilder().ServerName("localhost").Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, Port))).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        services.Add(new Filter(this));
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(_stop.Token);
    }

    public IReadOnlyList<MimeMessage> Messages { get { lock (_messages) return [.. _messages]; } }

    /// <summary>Messages are held (not answered) until <see cref="Release"/>.</summary>
    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Held messages are accepted and kept now, as a server that was only slow would.</summary>
    public void Release() => _gate.TrySetResult();

    /// <summary>Waits until <paramref name="done"/> holds for the messages received (or the time is up) and returns them.</summary>
    public async Task<IReadOnlyList<MimeMessage>> WaitFor(Func<IReadOnlyList<MimeMessage>, bool> done, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!done(Messages) && DateTime.UtcNow < until) await Task.Delay(100);
        return Messages;
    }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private sealed class Store(TestSmtpServer server) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken ct)
        {
            var gate = server._gate;
            if (!gate.Task.IsCompleted) Interlocked.Increment(ref server._held);
            await gate.Task;
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, CancellationToken.None);
            lock (server._messages) server._messages.Add(message);
            return SmtpResponse.Ok;
        }
    }

    private sealed class Filter(TestSmtpServer server) : MailboxFilter
    {
        public override Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken ct) =>
            Task.FromResult(!server.Refused.Contains($"{to.User}@{to.Host}"));
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        _stop.Cancel();
        _server.Shutdown();
        try { await _running.WaitAsync(TimeSpan.FromSeconds(5)); } catch (Exception e) when (e is OperationCanceledException or TimeoutException) { }
        _stop.Dispose();
    }
}
