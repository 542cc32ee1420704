using System.Net;
using System.Net.Sockets;

namespace Vorgang.Api.Features.Webhooks;

/// <summary>
/// Where the engine may send a webhook: a public address over HTTPS, or a host the city allow-lists
/// (<c>Vorgang:Webhooks:AllowedHosts</c>, e.g. a system inside the city's network). The check runs when a subscription
/// is made and again on every connection (<see cref="ConnectAsync"/>), so that a name which later resolves to a private
/// address (DNS rebinding) reaches nothing inside (decision 54).
/// </summary>
public sealed class WebhookTargets(IConfiguration configuration)
{
    public const string AllowedHostsKey = "Vorgang:Webhooks:AllowedHosts";

    private IReadOnlySet<string> Allowed =>
        (configuration.GetSection(AllowedHostsKey).Get<string[]>() ?? (configuration[AllowedHostsKey]?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? []))
        .ToHashSet(StringComparer.OrdinalIgnoreCase);

    public bool IsAllowListed(string host) => Allowed.Contains(host);

    /// <summary>Why the address may not be a target (a rule and a sentence), or null when it may.</summary>
    public async Task<(string Rule, string Message)?> RefusalAsync(Uri url, CancellationToken ct)
    {
        if (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp) return ("url-scheme", "Use an https address.");
        if (!string.IsNullOrEmpty(url.UserInfo)) return ("url-credentials", "Put no user name or password into the address; the signature authenticates the engine.");
        if (IsAllowListed(url.Host)) return null;
        if (url.Scheme != Uri.UriSchemeHttps) return ("https-required", "Use an https address; plain http is only for hosts the city allow-lists.");
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(url.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(url.Host, ct);
        }
        catch (SocketException)
        {
            return ("unresolvable-host", $"The host '{url.Host}' cannot be resolved.");
        }
        if (addresses.Length == 0) return ("unresolvable-host", $"The host '{url.Host}' cannot be resolved.");
        return addresses.FirstOrDefault(IsPrivate) is { } inside
            ? ("private-target", $"'{url.Host}' resolves to {inside}, an address on loopback or a private network; such targets must be allow-listed ({AllowedHostsKey}).")
            : null;
    }

    /// <summary>Loopback, private (RFC 1918, RFC 4193), link-local, shared (RFC 6598), unspecified, multicast and IPv4-mapped forms of them.</summary>
    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.None)) return true;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] == 10 || b[0] == 0 || b[0] >= 224
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127);
        }
        return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast;
    }

    /// <summary>The connection of the webhooks' HTTP client: refused when the address it resolved to is private and the host is not allow-listed.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var allowListed = IsAllowListed(host);
        var target = addresses.FirstOrDefault(a => allowListed || !IsPrivate(a))
            ?? throw new HttpRequestException($"'{host}' resolves only to private addresses, and it is not allow-listed.");
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(target, context.DnsEndPoint.Port), ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
