using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Web.Audit;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Web.Pages;

/// <summary>
/// One case for the auditor: every event, the case as it was at <c>?version=N</c> or <c>?at=moment</c>, its hash chain,
/// the recorded reads of its personal data and the path it took through the definition. A case the caller may not
/// reach answers exactly like a missing one (404); a bad version or moment is named in the error summary.
/// </summary>
public sealed class AuditCaseModel(IAuditConsole console, DefinitionCatalog catalog) : AuditPage(console)
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    public string CaseNumber { get; private set; } = "";
    public AuditCase? Case { get; private set; }
    public bool Missing { get; private set; }
    public string? VersionText { get; private set; }
    public string? AtText { get; private set; }
    /// <summary>The definition's state diagram with the case's path marked, as SVG markup; null when the definition is not loaded.</summary>
    public string? DiagramSvg { get; private set; }

    /// <summary>The other language's address keeps the version or moment asked for.</summary>
    public override string AlternatePath => base.AlternatePath + Request.QueryString;

    public async Task<IActionResult> OnGetAsync(string? caseNumber, CancellationToken ct)
    {
        if (Admit() is { } refused) return refused;
        // Model binding gives a number of blanks only (/audit/cases/%0D%0A) as null: a number nobody uses, like any other.
        caseNumber ??= "";
        CaseNumber = caseNumber.Length > 20 ? caseNumber[..20] : caseNumber;
        Title = T("AuditCaseTitle", CaseNumber);
        VersionText = Clean(Request.Query["version"]);
        AtText = Clean(Request.Query["at"]);
        var errors = new List<FieldError>();
        long? version = null;
        DateTimeOffset? at = null;
        if (VersionText is not null)
        {
            if (long.TryParse(VersionText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed >= 1) version = parsed;
            else errors.Add(new FieldError("version", "min", T("AuditVersionInvalid")));
        }
        if (AtText is not null)
        {
            if (Moment(AtText) is { } moment) at = moment;
            else errors.Add(new FieldError("at", "date-time", T("AuditAtInvalid")));
        }
        var asOf = errors.Count == 0 && (version is not null || at is not null) ? new AsOfQuery(version, at) : null;

        Case = await Console.CaseAsync(caseNumber, asOf, Lang, HttpContext, ct);
        if (Case is null)
        {
            // Whatever was asked for: the same page as for a number nobody uses.
            Missing = true;
            Title = T("AuditNotFoundTitle");
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }
        if (Case.AsOfMissing)
            errors.Add(version is not null ? new FieldError("version", "missing", T("AuditNoVersion", version, Case.Version)) : new FieldError("at", "missing", T("AuditNotYet")));
        Errors = errors;
        if (errors.Count > 0) Response.StatusCode = StatusCodes.Status400BadRequest;
        DiagramSvg = Diagram(Case);
        return Page();
    }

    /// <summary>The diagram marks exactly what the list of states says: the states passed and the current one, and the steps taken (decision 44).</summary>
    private string? Diagram(AuditCase c)
    {
        if (catalog.Get(c.ServiceId, c.DefinitionVersion) is not { } definition) return null;
        var current = c.States.FirstOrDefault(s => s.Current)?.Id;
        var path = new StateDiagramPath(
            c.States.Where(s => s.Visited).Select(s => s.Id).ToHashSet(StringComparer.Ordinal), current,
            c.Transitions.Select(t => (t.ActionId, t.From)).ToHashSet());
        var texts = new StateDiagramTexts(
            T("AuditDiagramTitle", c.ServiceTitle, c.DefinitionVersion),
            T("AuditDiagramDesc", string.Join(", ", c.Path), current ?? T("AuditNone")),
            T("AuditDiagramCurrent"), T("AuditStepCurrent"), T("AuditStepVisited"), T("AuditDiagramTaken"));
        return StateDiagram.For(definition, Lang, T("AuditDiagramCurrent")).Svg(path, texts);
    }

    /// <summary>The address of the case as of a version.</summary>
    public string VersionPath(long version) => P($"/audit/cases/{Case!.CaseNumber}") + "?version=" + version.ToString(CultureInfo.InvariantCulture);

    /// <summary>The address of the case as of a moment (in UTC, exact to the stored precision).</summary>
    public string MomentPath(DateTimeOffset at) =>
        P($"/audit/cases/{Case!.CaseNumber}") + "?at=" + at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static readonly string[] WithOffset =
        ["yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mmK", "yyyy-MM-dd HH:mm:ssK"];
    private static readonly string[] BerlinTime =
        ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd",
         "d.M.yyyy HH:mm", "d.M.yyyy HH:mm:ss", "d.M.yyyy"];

    /// <summary>An ISO 8601 moment with its offset as given; without one (or in the German way of writing) Berlin time.</summary>
    public static DateTimeOffset? Moment(string text)
    {
        text = text.Trim();
        try
        {
            if (System.DateTime.TryParseExact(text, BerlinTime, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
                return new DateTimeOffset(local, Berlin.GetUtcOffset(local));
            return DateTimeOffset.TryParseExact(text, WithOffset, CultureInfo.InvariantCulture, DateTimeStyles.None, out var moment) ? moment : null;
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
