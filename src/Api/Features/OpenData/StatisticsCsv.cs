using System.Globalization;
using System.Text;

namespace Vorgang.Api.Features.OpenData;

/// <summary>The statistics table as CSV (RFC 4180): a header row, comma-separated, CRLF line ends, UTF-8, empty cells for withheld figures.</summary>
public static class StatisticsCsv
{
    public const string ContentType = "text/csv; charset=utf-8; header=present";

    public static readonly IReadOnlyList<string> Header =
        ["service_id", "period", "from", "to", "submitted", "completed", "median_working_days", "p90_working_days", "within_deadline_share", "suppressed"];

    public static string Write(IReadOnlyList<StatisticsRow> rows)
    {
        var csv = new StringBuilder();
        Line(csv, Header);
        foreach (var r in rows)
        {
            Line(csv, [r.ServiceId, r.Period, Date(r.From), Date(r.To), Number(r.Submitted), Number(r.Completed),
                Number(r.MedianWorkingDays), Number(r.P90WorkingDays), Number(r.WithinDeadlineShare), r.Suppressed ? "true" : "false"]);
        }
        return csv.ToString();
    }

    /// <summary>A field is quoted when it holds a comma, a quote or a line break; quotes inside are doubled.</summary>
    public static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"")}\"" : value;

    private static void Line(StringBuilder csv, IEnumerable<string> fields) => csv.AppendJoin(',', fields.Select(Field)).Append("\r\n");

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Number(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    private static string Number(double? value) => value?.ToString("0.###", CultureInfo.InvariantCulture) ?? "";
}
