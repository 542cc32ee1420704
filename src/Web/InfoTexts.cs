using System.Collections.Concurrent;
using Markdig;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Microsoft.AspNetCore.Html;

namespace Vorgang.Web;

/// <summary>
/// The texts of the four information pages (accessibility, easy-read, imprint, privacy), one Markdown file per page and
/// language (<c>{page}.{de|en}.md</c>): from the city's folder <c>Vorgang:Portal:TextsPath</c> when it has the file, else
/// the default embedded in this assembly (decision 39). Raw HTML is never rendered: a city's text cannot add markup or
/// script. Each file is read and rendered once and then served from memory — the files change only with a deploy, which
/// restarts the engine.
/// </summary>
public sealed class InfoTexts
{
    public static readonly string[] Pages = ["accessibility", "easy-read", "imprint", "privacy"];

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().DisableHtml().Build();

    private readonly string? _folder;
    private readonly ConcurrentDictionary<string, HtmlString> _rendered = new();

    /// <param name="folder">The city's folder, already resolved; null for the defaults alone.</param>
    public InfoTexts(string? folder) => _folder = folder;

    /// <summary>The folder <paramref name="configured"/> names (relative to the content root), which must exist: a typo fails the start, not a page.</summary>
    public static string? Folder(string? configured, string contentRoot)
    {
        if (string.IsNullOrWhiteSpace(configured)) return null;
        var folder = Path.GetFullPath(configured, contentRoot);
        return Directory.Exists(folder)
            ? folder
            : throw new InvalidOperationException($"Vorgang:Portal:TextsPath names the folder '{folder}', which does not exist.");
    }

    /// <summary>The page's text as HTML, below the page's own h1.</summary>
    public HtmlString For(string page, string lang)
    {
        if (!Pages.Contains(page) || lang is not ("de" or "en")) throw new ArgumentException($"No information page {page}.{lang}.");
        return _rendered.GetOrAdd($"{page}.{lang}.md", name => new HtmlString(Render(Read(name))));
    }

    private string Read(string name)
    {
        if (_folder is not null && File.Exists(Path.Combine(_folder, name))) return File.ReadAllText(Path.Combine(_folder, name));
        using var stream = typeof(InfoTexts).Assembly.GetManifestResourceStream("info-texts/" + name)
            ?? throw new InvalidOperationException($"The default text {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Markdown without HTML, shaped for the page: headings from h2 on and never skipping a level, KERN's classes, only safe links.</summary>
    public static string Render(string markdown)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        var previous = 1;
        foreach (var block in document.Descendants<Block>().ToList())
        {
            switch (block)
            {
                case HeadingBlock heading:
                    // The page's title is its only h1; "#" and "##" are its sections, and a deeper heading goes one level down at most.
                    heading.Level = Math.Clamp(heading.Level, 2, previous + 1);
                    previous = heading.Level;
                    heading.GetAttributes().AddClass(heading.Level == 2 ? "kern-heading-medium" : "kern-heading-small");
                    break;
                case ParagraphBlock paragraph:
                    paragraph.GetAttributes().AddClass("kern-body");
                    break;
                case ListBlock list:
                    list.GetAttributes().AddClass(list.IsOrdered ? "kern-list kern-list--number" : "kern-list kern-list--bullet");
                    break;
            }
        }
        foreach (var inline in document.Descendants<Inline>().ToList())
        {
            switch (inline)
            {
                case LinkInline link:
                    // An image would be loaded from wherever it points: it becomes a link to it, with its description as the text.
                    link.IsImage = false;
                    if (SafeUrl(link.Url)) link.GetAttributes().AddClass("kern-link");
                    else Unwrap(link);
                    break;
                case AutolinkInline autolink:
                    if (SafeUrl(autolink.IsEmail ? "mailto:" + autolink.Url : autolink.Url)) autolink.GetAttributes().AddClass("kern-link");
                    else autolink.ReplaceBy(new LiteralInline(autolink.Url));
                    break;
            }
        }
        return Markdown.ToHtml(document, Pipeline);
    }

    /// <summary>Web, mail and phone addresses and addresses on this site; never <c>javascript:</c>, <c>data:</c> or anything else.</summary>
    private static bool SafeUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return false;
        var colon = url.IndexOf(':');
        var pathStart = url.IndexOfAny(['/', '?', '#']);
        if (colon < 0 || (pathStart >= 0 && pathStart < colon)) return true;
        return url[..colon].ToLowerInvariant() is "http" or "https" or "mailto" or "tel";
    }

    /// <summary>A link to an address not allowed keeps its text and loses the link.</summary>
    private static void Unwrap(LinkInline link)
    {
        var child = link.FirstChild;
        while (child is not null)
        {
            var next = child.NextSibling;
            child.Remove();
            link.InsertBefore(child);
            child = next;
        }
        link.Remove();
    }
}
