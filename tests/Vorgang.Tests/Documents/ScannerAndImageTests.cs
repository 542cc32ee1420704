using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using SkiaSharp;
using Vorgang.Api.Features.Documents;
using Vorgang.Tests.Infrastructure;
using static Vorgang.Tests.Documents.DocumentRequests;

namespace Vorgang.Tests.Documents;

/// <summary>The clamd client against a small server that speaks clamd's INSTREAM protocol (a protocol test), and the built-in EICAR check.</summary>
public sealed class ClamdScannerTests
{
    private const string Eicar = @"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

    [Fact]
    public async Task The_client_streams_in_length_prefixed_chunks_and_reads_clean_and_found()
    {
        await using var clamd = FakeClamd.Start();
        var scanner = new ClamdScanner("127.0.0.1", clamd.Port, TimeSpan.FromSeconds(10));
        var big = new byte[200_000];
        new Random(7).NextBytes(big);
        Assert.Equal(ScanVerdict.Clean, (await scanner.ScanAsync(new MemoryStream(big), CancellationToken.None)).Verdict);
        Assert.Equal(big, clamd.LastStream);
        Assert.True(clamd.LastChunkCount >= 3, $"{clamd.LastChunkCount} chunks");
        Assert.Equal("zINSTREAM", clamd.LastCommand);

        var infected = await scanner.ScanAsync(new MemoryStream(Encoding.ASCII.GetBytes(Eicar)), CancellationToken.None);
        Assert.Equal(ScanVerdict.Infected, infected.Verdict);
        Assert.Equal("Eicar-Test-Signature", infected.Signature);
    }

    [Fact]
    public async Task A_scanner_that_is_not_there_or_answers_an_error_is_unavailable()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var absent = await new ClamdScanner("127.0.0.1", port, TimeSpan.FromSeconds(5)).ScanAsync(new MemoryStream([1, 2, 3]), CancellationToken.None);
        Assert.Equal(ScanVerdict.Unavailable, absent.Verdict);
        Assert.Equal(ScanVerdict.Unavailable, ClamdScanner.Interpret("INSTREAM size limit exceeded. ERROR\0").Verdict);
        Assert.Equal(ScanVerdict.Clean, ClamdScanner.Interpret("stream: OK\0").Verdict);
    }

    [Fact]
    public async Task The_built_in_scanner_finds_eicar_across_chunk_borders()
    {
        var bytes = new byte[64 * 1024 + 100];
        Encoding.ASCII.GetBytes(Eicar).CopyTo(bytes, 64 * 1024 - 20);
        Assert.Equal(ScanVerdict.Infected, (await new EicarScanner().ScanAsync(new MemoryStream(bytes), CancellationToken.None)).Verdict);
        Assert.Equal(ScanVerdict.Clean, (await new EicarScanner().ScanAsync(new MemoryStream(new byte[100_000]), CancellationToken.None)).Verdict);
    }

    /// <summary>Speaks clamd's INSTREAM: reads the command, the chunks up to a zero length, answers OK or FOUND.</summary>
    private sealed class FakeClamd : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private Task _loop = Task.CompletedTask;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public byte[] LastStream { get; private set; } = [];
        public int LastChunkCount { get; private set; }
        public string LastCommand { get; private set; } = "";

        public static FakeClamd Start()
        {
            var fake = new FakeClamd();
            fake._listener.Start();
            fake._loop = fake.RunAsync();
            return fake;
        }

        private async Task RunAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                await using var stream = client.GetStream();
                var command = new List<byte>();
                var one = new byte[1];
                while (await stream.ReadAsync(one) == 1 && one[0] != 0) command.Add(one[0]);
                LastCommand = Encoding.ASCII.GetString(command.ToArray());
                var received = new MemoryStream();
                var chunks = 0;
                var length = new byte[4];
                while (true)
                {
                    await stream.ReadExactlyAsync(length);
                    var size = (int)BinaryPrimitives.ReadUInt32BigEndian(length);
                    if (size == 0) break;
                    var chunk = new byte[size];
                    await stream.ReadExactlyAsync(chunk);
                    received.Write(chunk);
                    chunks++;
                }
                LastStream = received.ToArray();
                LastChunkCount = chunks;
                var infected = Encoding.ASCII.GetString(LastStream).Contains("EICAR-STANDARD-ANTIVIRUS-TEST-FILE");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(infected ? "stream: Eicar-Test-Signature FOUND\0" : "stream: OK\0"));
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try { await _loop; } catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
        }
    }
}

/// <summary>Photos lose their metadata: a JPEG with a GPS position in its EXIF comes back as pixels only.</summary>
public sealed class ImageReencodingTests(AppFixture app) : ApiTest(app)
{
    [Fact]
    public async Task A_photo_with_gps_exif_is_stored_and_downloaded_without_exif_or_its_marker()
    {
        var marker = "ZqGps" + Guid.NewGuid().ToString("N")[..10];
        var jpeg = WithExif(Jpeg(40, 30), marker);
        Assert.Contains(marker, Encoding.ASCII.GetString(jpeg));
        var data = await Host.Example("defect-report");
        var submitted = await Host.Submit("defect-report", data);
        var upload = await Host.UploadAsCitizen(submitted.CaseNumber, submitted.TrackingCode, Form(jpeg, "IMG_0001.jpg", "photo", "image/jpeg"));
        Assert.True(upload.Status == 201, upload.ToString());
        Assert.Equal("image/jpeg", (string)upload.Json!["contentType"]!);

        var download = await Send(Host, HttpMethod.Get, $"/api/track/{submitted.CaseNumber}/documents/{upload.Json["id"]}", trackingCode: submitted.TrackingCode);
        Assert.Equal(200, download.Status);
        var text = Encoding.ASCII.GetString(download.Bytes);
        Assert.DoesNotContain(marker, text);
        Assert.DoesNotContain("Exif", text);
        Assert.Equal(new byte[] { 0xFF, 0xD8, 0xFF }, download.Bytes[..3]);
        Assert.Equal((long)upload.Json["length"]!, download.Bytes.Length);
        Assert.Equal((string)upload.Json["sha256"]!, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(download.Bytes)));
        using var decoded = SKBitmap.Decode(download.Bytes);
        // Orientation 6 (rotate 90° clockwise) was applied before the EXIF was dropped.
        Assert.Equal((30, 40), (decoded.Width, decoded.Height));
    }

    [Fact]
    public async Task A_png_stays_a_png()
    {
        using var bitmap = new SKBitmap(8, 8);
        bitmap.Erase(SKColors.Red);
        var png = bitmap.Encode(SKEncodedImageFormat.Png, 100).ToArray();
        var submitted = await Host.Submit("defect-report");
        var upload = await Host.UploadAsCitizen(submitted.CaseNumber, submitted.TrackingCode, Form(png, "foto.png", "photo", "image/png"));
        Assert.True(upload.Status == 201, upload.ToString());
        Assert.Equal("image/png", (string)upload.Json!["contentType"]!);
    }

    private static byte[] Jpeg(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(SKColors.CornflowerBlue);
        return bitmap.Encode(SKEncodedImageFormat.Jpeg, 90).ToArray();
    }

    /// <summary>The JPEG with an APP1 Exif segment after SOI: IFD0 with Orientation 6, ImageDescription (the marker) and a GPS IFD (latitude, longitude).</summary>
    private static byte[] WithExif(byte[] jpeg, string marker)
    {
        var tiff = new List<byte>();
        void U16(int v) { tiff.Add((byte)(v >> 8)); tiff.Add((byte)v); }
        void U32(long v) { U16((int)(v >> 16) & 0xFFFF); U16((int)v & 0xFFFF); }
        var description = Encoding.ASCII.GetBytes(marker + "\0");
        // Layout: header (8) | IFD0 (2 + 3·12 + 4 = 42) | GPS IFD (2 + 4·12 + 4 = 54) | description | rationals
        const int ifd0 = 8, gps = ifd0 + 42, descriptionAt = gps + 54;
        var rationalsAt = descriptionAt + description.Length;
        tiff.AddRange("MM"u8.ToArray()); U16(42); U32(ifd0);
        U16(3);
        U16(0x010E); U16(2); U32(description.Length); U32(descriptionAt); // ImageDescription
        U16(0x0112); U16(3); U32(1); U16(6); U16(0);                       // Orientation = 6
        U16(0x8825); U16(4); U32(1); U32(gps);                             // GPS IFD
        U32(0);
        U16(4);
        U16(0x0001); U16(2); U32(2); tiff.AddRange("N\0\0\0"u8.ToArray()); // GPSLatitudeRef
        U16(0x0002); U16(5); U32(3); U32(rationalsAt);                     // GPSLatitude
        U16(0x0003); U16(2); U32(2); tiff.AddRange("E\0\0\0"u8.ToArray()); // GPSLongitudeRef
        U16(0x0004); U16(5); U32(3); U32(rationalsAt + 24);                // GPSLongitude
        U32(0);
        tiff.AddRange(description);
        foreach (var (num, den) in new[] { (50, 1), (55, 1), (3000, 100), (11, 1), (35, 1), (1200, 100) }) { U32(num); U32(den); }

        var app1 = new List<byte> { 0xFF, 0xE1 };
        var length = 2 + 6 + tiff.Count;
        app1.Add((byte)(length >> 8)); app1.Add((byte)length);
        app1.AddRange("Exif\0\0"u8.ToArray());
        app1.AddRange(tiff);
        return [.. jpeg[..2], .. app1, .. jpeg[2..]];
    }
}
