using SkiaSharp;

namespace Vorgang.Api.Features.Documents;

/// <summary>
/// Uploaded photos are decoded and encoded anew (SkiaSharp), so that nothing of the file survives but its pixels: EXIF with
/// the camera's GPS position, XMP, comments and whatever else a file carries are dropped. The EXIF orientation is applied to
/// the pixels first, so the picture still stands the right way up. JPEG stays JPEG, PNG stays PNG, WebP stays WebP.
/// </summary>
public static class ImageCleaner
{
    private const int JpegQuality = 90;
    /// <summary>Pictures larger than this are refused rather than decoded (a small file can claim a huge canvas).</summary>
    public const long MaxPixels = 50_000_000;

    /// <summary>Writes the re-encoded image to <paramref name="output"/>; false when the bytes do not decode as the image they claim to be.</summary>
    public static bool Reencode(Stream input, FileType type, Stream output)
    {
        using var codec = SKCodec.Create(input);
        if (codec is null) return false;
        var info = codec.Info;
        if ((long)info.Width * info.Height is <= 0 or > MaxPixels) return false;
        using var decoded = new SKBitmap(new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888,
            type == FileTypes.Jpeg ? SKAlphaType.Opaque : SKAlphaType.Premul));
        var result = codec.GetPixels(decoded.Info, decoded.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput)) return false;
        using var upright = Orient(decoded, codec.EncodedOrigin);
        var format = type == FileTypes.Png ? SKEncodedImageFormat.Png : type == FileTypes.WebP ? SKEncodedImageFormat.Webp : SKEncodedImageFormat.Jpeg;
        using var data = upright.Encode(format, JpegQuality);
        if (data is null) return false;
        data.SaveTo(output);
        return true;
    }

    private static SKBitmap Orient(SKBitmap source, SKEncodedOrigin origin)
    {
        if (origin == SKEncodedOrigin.TopLeft) return source.Copy();
        var swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var (w, h) = swap ? (source.Height, source.Width) : (source.Width, source.Height);
        var target = new SKBitmap(new SKImageInfo(w, h, source.ColorType, source.AlphaType));
        using var canvas = new SKCanvas(target);
        // Where each source pixel (x, y) lands: x' = a·x + b·y + c, y' = d·x + e·y + f (EXIF orientations 2–8).
        var m = origin switch
        {
            SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),
            SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightTop => new SKMatrix(0, -1, w, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, w, -1, 0, h, 0, 0, 1),
            _ => new SKMatrix(0, 1, 0, -1, 0, h, 0, 0, 1), // LeftBottom
        };
        canvas.SetMatrix(m);
        using var image = SKImage.FromBitmap(source);
        canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest));
        return target;
    }
}
