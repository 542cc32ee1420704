namespace Vorgang.Web;

/// <summary>The portal's own texts: <c>Texts.resx</c> (German) and <c>Texts.en.resx</c> (English). A city changes them there (docs/pages.md).</summary>
public sealed class Texts;
