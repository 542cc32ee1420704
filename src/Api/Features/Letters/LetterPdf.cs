using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using PdfSharp.Drawing;
using PdfSharp.Drawing.Layout;
using PdfSharp.Fonts;
using PdfSharp.Pdf;
using PdfSharp.UniversalAccessibility;
using QRCoder;

namespace Vorgang.Api.Features.Letters;

/// <summary>One block of a letter, top to bottom.</summary>
public abstract record LetterBlock;

public sealed record Heading(string Text) : LetterBlock;

public sealed record Paragraph(string Text) : LetterBlock;

/// <summary>Label and value pairs, one row each (the labels in a column of their own).</summary>
public sealed record Facts(IReadOnlyList<(string Label, string Value)> Rows) : LetterBlock;

/// <summary>A QR code of <paramref name="Url"/>, with the address printed beside it and as the code's alternative text.</summary>
public sealed record QrCode(string Url, string Caption) : LetterBlock;

/// <summary>
/// A letter as the engine writes it: what it says, in which language, and when it was issued. Rendering depends on
/// nothing else, so the same letter gives the same bytes (decision 32).
/// </summary>
public sealed record Letter(string Language, string Title, string Sender, DateTimeOffset IssuedAt, IReadOnlyList<LetterBlock> Blocks);

/// <summary>
/// The one seam to PDFsharp (decision 32): a <see cref="Letter"/> becomes an A4 PDF with the shipped DejaVu fonts
/// embedded, the document's language and title set, and a structure tree (headings, paragraphs, a table, the QR code
/// as a figure with alternative text) for screen readers.
/// </summary>
public static partial class LetterPdf
{
    private const double Margin = 70, LabelWidth = 165, Gap = 10;
    private static readonly XFont Title = Font(16, XFontStyleEx.Bold), Head = Font(12, XFontStyleEx.Bold),
        Body = Font(10.5, XFontStyleEx.Regular), Strong = Font(10.5, XFontStyleEx.Bold), Small = Font(8.5, XFontStyleEx.Regular);

    public static byte[] Render(Letter letter)
    {
        var document = new PdfDocument();
        document.Info.Title = letter.Title;
        document.Info.Author = letter.Sender;
        document.Info.Creator = "Vorgang";
        document.Info.CreationDate = letter.IssuedAt.UtcDateTime;
        document.Info.ModificationDate = letter.IssuedAt.UtcDateTime;
        document.ViewerPreferences.DisplayDocTitle = true;
        var ua = UAManager.ForDocument(document);
        ua.SetDocumentLanguage(letter.Language);
        // The file identifier PDFsharp would draw at random: derived from the letter, so that equal letters are equal files.
        var id = Encoding.Latin1.GetString(SHA256.HashData(Encoding.UTF8.GetBytes(Fingerprint(letter)))[..16]);
        document.Internals.FirstDocumentID = id;
        document.Internals.SecondDocumentID = id;

        var writer = new PageWriter(document, ua.StructureBuilder, letter);
        writer.Start();
        writer.Text(letter.Title, Title, PdfBlockLevelElementTag.Heading1, after: 14);
        foreach (var block in letter.Blocks)
        {
            switch (block)
            {
                case Heading h:
                    writer.Text(h.Text, Head, PdfBlockLevelElementTag.Heading2, before: 8, after: 6);
                    break;
                case Paragraph p:
                    writer.Text(p.Text, Body, PdfBlockLevelElementTag.Paragraph, after: 8);
                    break;
                case Facts f:
                    writer.Table(f.Rows);
                    break;
                case QrCode q:
                    writer.Qr(q);
                    break;
            }
        }
        writer.Finish();

        using var stream = new MemoryStream();
        document.Save(stream, closeStream: false);
        return WithFixedSubsetTags(stream.ToArray(), letter);
    }

    /// <summary>
    /// PDFsharp names each embedded font subset with six random capitals (<c>/QWERTY+DejaVu#20Sans</c>); each is replaced,
    /// at the same length so that every offset in the file holds, by capitals derived from the letter and the face; so are
    /// the random UUIDs of the XMP metadata.
    /// </summary>
    private static byte[] WithFixedSubsetTags(byte[] pdf, Letter letter)
    {
        var text = Encoding.Latin1.GetString(pdf);
        var tags = SubsetTag().Matches(text).Select(m => (Tag: m.Groups[1].Value, Face: m.Groups[2].Value)).Distinct().ToList();
        foreach (var (tag, face) in tags)
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(Fingerprint(letter) + "\n" + face));
            var fixedTag = new string(hash[..6].Select(b => (char)('A' + b % 26)).ToArray());
            text = text.Replace($"/{tag}+{face}", $"/{fixedTag}+{face}", StringComparison.Ordinal);
        }
        // The XMP metadata that the structure tree brings names the document and its instance by random UUIDs.
        var uuids = XmpUuid().Matches(text).Select(m => m.Value).Distinct().ToList();
        for (var i = 0; i < uuids.Count; i++)
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(Fingerprint(letter) + "\nuuid" + i));
            text = text.Replace(uuids[i], "uuid:" + new Guid(hash[..16]).ToString("D"), StringComparison.Ordinal);
        }
        return Encoding.Latin1.GetBytes(text);
    }

    [GeneratedRegex(@"uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex XmpUuid();

    [GeneratedRegex(@"/([A-Z]{6})\+(DejaVu[^/\s<>\[\]()]*)")]
    private static partial Regex SubsetTag();

    private static string Fingerprint(Letter letter) =>
        string.Join("\n", new[] { letter.Language, letter.Title, letter.Sender, letter.IssuedAt.ToString("O") }
            .Concat(letter.Blocks.Select(b => b.ToString())));

    private static XFont Font(double size, XFontStyleEx style)
    {
        LetterFonts.Install();
        return new XFont(LetterFonts.Family, size, style, new XPdfFontOptions(PdfFontEmbedding.TryComputeSubset));
    }

    /// <summary>Writes blocks down the page, starting a new page (with the sender and page number as artifacts) when one is full.</summary>
    private sealed class PageWriter(PdfDocument document, StructureBuilder structure, Letter letter)
    {
        private PdfPage _page = null!;
        private XGraphics _graphics = null!;
        private double _y;
        private int _pages;

        private double Width => _page.Width.Point - 2 * Margin;
        private double Bottom => _page.Height.Point - Margin;

        public void Start() => NewPage();

        public void Finish() => _graphics.Dispose();

        public void Text(string text, XFont font, PdfBlockLevelElementTag tag, double before = 0, double after = 0)
        {
            _y += before;
            var height = HeightOf(text, font, Width);
            Need(height);
            structure.BeginElement(tag);
            new XTextFormatter(_graphics).DrawString(text, font, XBrushes.Black, new XRect(Margin, _y, Width, height), XStringFormats.TopLeft);
            structure.End();
            _y += height + after;
        }

        public void Table(IReadOnlyList<(string Label, string Value)> rows)
        {
            var valueWidth = Width - LabelWidth - Gap;
            structure.BeginElement(PdfBlockLevelElementTag.Table);
            foreach (var (label, value) in rows)
            {
                var height = Math.Max(HeightOf(label, Strong, LabelWidth), HeightOf(value, Body, valueWidth));
                Need(height);
                structure.BeginElement(PdfBlockLevelElementTag.TableRow);
                structure.BeginElement(PdfBlockLevelElementTag.TableHeaderCell);
                new XTextFormatter(_graphics).DrawString(label, Strong, XBrushes.Black, new XRect(Margin, _y, LabelWidth, height), XStringFormats.TopLeft);
                structure.End();
                structure.BeginElement(PdfBlockLevelElementTag.TableDataCell);
                new XTextFormatter(_graphics).DrawString(value, Body, XBrushes.Black, new XRect(Margin + LabelWidth + Gap, _y, valueWidth, height), XStringFormats.TopLeft);
                structure.End();
                structure.End();
                _y += height + 4;
            }
            structure.End();
            _y += 6;
        }

        public void Qr(QrCode qr)
        {
            using var generator = new QRCodeGenerator();
            var modules = generator.CreateQrCode(qr.Url, QRCodeGenerator.ECCLevel.M).ModuleMatrix;
            const double side = 90;
            var cell = side / modules.Count;
            Need(side);
            structure.BeginElement(PdfIllustrationElementTag.Figure, qr.Url, new XRect(Margin, _y, side, side));
            for (var row = 0; row < modules.Count; row++)
                for (var column = 0; column < modules[row].Count; column++)
                    if (modules[row][column])
                        _graphics.DrawRectangle(XBrushes.Black, Margin + column * cell, _y + row * cell, cell, cell);
            structure.End();
            var captionWidth = Width - side - Gap;
            var caption = $"{qr.Caption}\n{qr.Url}";
            structure.BeginElement(PdfBlockLevelElementTag.Paragraph);
            new XTextFormatter(_graphics).DrawString(caption, Body, XBrushes.Black,
                new XRect(Margin + side + Gap, _y, captionWidth, HeightOf(caption, Body, captionWidth)), XStringFormats.TopLeft);
            structure.End();
            _y += side + 8;
        }

        private void Need(double height)
        {
            if (_y + height > Bottom && _y > Margin + 40) NewPage();
        }

        private void NewPage()
        {
            _graphics?.Dispose();
            _page = document.AddPage();
            _page.Size = PdfSharp.PageSize.A4;
            _graphics = XGraphics.FromPdfPage(_page);
            _pages++;
            structure.BeginArtifact();
            _graphics.DrawString(letter.Sender, Small, XBrushes.Black, new XRect(Margin, Margin - 30, Width, 12), XStringFormats.TopLeft);
            _graphics.DrawString(_pages.ToString(System.Globalization.CultureInfo.InvariantCulture), Small, XBrushes.Black,
                new XRect(Margin, Bottom + 20, Width, 12), XStringFormats.TopRight);
            structure.End();
            _y = Margin;
        }

        private double HeightOf(string text, XFont font, double width)
        {
            // XTextFormatter wraps at spaces; count the lines it will need from the words' measured widths.
            var lineHeight = font.GetHeight();
            var lines = 0;
            foreach (var paragraph in text.Split('\n'))
            {
                lines++;
                var line = 0.0;
                foreach (var word in paragraph.Split(' '))
                {
                    var w = _graphics.MeasureString(word + " ", font).Width;
                    if (line > 0 && line + w > width) { lines++; line = 0; }
                    line += w;
                }
            }
            return lines * lineHeight;
        }
    }
}

/// <summary>DejaVu Sans (shipped in Fonts/, free licence), the only font letters use: PDFsharp finds no system fonts on Linux.</summary>
internal sealed class LetterFonts : IFontResolver
{
    public const string Family = "DejaVu Sans";
    private static readonly Lock Gate = new();
    private static bool _installed;

    public static void Install()
    {
        lock (Gate)
        {
            if (_installed) return;
            if (GlobalFontSettings.FontResolver is null) GlobalFontSettings.FontResolver = new LetterFonts();
            _installed = true;
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(bold ? "DejaVuSans-Bold" : "DejaVuSans");

    public byte[]? GetFont(string faceName)
    {
        using var stream = typeof(LetterFonts).Assembly.GetManifestResourceStream($"letter-fonts/{faceName}.ttf")
            ?? throw new InvalidOperationException($"The font {faceName} is not embedded.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
