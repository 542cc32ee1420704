using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using NCalc;
using NCalc.Handlers;

namespace Vorgang.Workflows.Definitions;

/// <summary>
/// The sandboxed expression language of definitions (NCalc): no code, only operators, parameters and
/// a closed set of functions. Parameters are form field ids, <c>[address.part]</c>, computed ids and action inputs.
/// </summary>
public static class Rules
{
    // Function names are case-sensitive when evaluated, so the check must be too.
    public static readonly IReadOnlySet<string> OwnFunctions = new HashSet<string>(StringComparer.Ordinal)
    {
        "today", "daysSince", "daysUntil", "count", "isSet",
    };

    private static readonly HashSet<string> BuiltInFunctions = new(StringComparer.Ordinal)
    {
        "Abs", "Ceiling", "Floor", "Max", "Min", "Round", "Sign", "Truncate", "Pow", "Sqrt", "if", "in", "ifs",
    };

    private const ExpressionOptions Options =
        ExpressionOptions.AllowNullParameter | ExpressionOptions.DecimalAsDefault | ExpressionOptions.OrdinalStringComparer;

    private static readonly ConcurrentDictionary<string, ExpressionCheck> Checks = new();

    public sealed record ExpressionCheck(string? Error, IReadOnlyList<string> Parameters, IReadOnlyList<string> Functions);

    /// <summary>Parses once (cached) and reports a syntax error, the names the expression reads and the functions it calls.</summary>
    public static ExpressionCheck Check(string text) => Checks.GetOrAdd(text, static t =>
    {
        var expression = new Expression(t, Options);
        if (expression.HasErrors())
        {
            return new ExpressionCheck(expression.Error?.Message ?? "syntax error", [], []);
        }
        var functions = expression.GetFunctionNames();
        var unknown = functions.FirstOrDefault(f => !OwnFunctions.Contains(f) && !BuiltInFunctions.Contains(f));
        return new ExpressionCheck(
            unknown is null ? null : $"unknown function '{unknown}' (allowed: {string.Join(", ", OwnFunctions.Concat(BuiltInFunctions))})",
            expression.GetParameterNames().Distinct().ToList(), functions);
    });

    public static object? Evaluate(string text, IReadOnlyDictionary<string, object?> values, DateOnly today)
    {
        var expression = new Expression(text, Options) { CultureInfo = CultureInfo.InvariantCulture };
        foreach (var name in Check(text).Parameters)
        {
            expression.Parameters[name] = values.TryGetValue(name, out var value) ? value : null;
        }
        var todayValue = today.ToDateTime(TimeOnly.MinValue);
        expression.Functions["today"] = _ => todayValue;
        expression.Functions["daysSince"] = args => AsDate(args.Evaluate(0)) is { } d ? (decimal)(todayValue - d).TotalDays : null!;
        expression.Functions["daysUntil"] = args => AsDate(args.Evaluate(0)) is { } d ? (decimal)(d - todayValue).TotalDays : null!;
        expression.Functions["count"] = args => args.Evaluate(0) is ICollection c ? (decimal)c.Count : 0m;
        expression.Functions["isSet"] = args => args.Evaluate(0) switch
        {
            null => false,
            string s => !string.IsNullOrWhiteSpace(s),
            ICollection c => c.Count > 0,
            _ => true,
        };
        return expression.Evaluate();
    }

    /// <summary>A condition is true only if it evaluates to <c>true</c>; an evaluation error or null counts as false.</summary>
    public static bool IsTrue(string text, IReadOnlyDictionary<string, object?> values, DateOnly today)
    {
        try
        {
            return Evaluate(text, values, today) is true;
        }
        catch (Exception)
        {
            // NCalc throws several unrelated exception types for type mismatches on user data;
            // a condition that cannot be evaluated on these values simply does not hold.
            return false;
        }
    }

    private static DateTime? AsDate(object? value) => value switch
    {
        DateTime d => d,
        string s when DateTime.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) => d,
        _ => null,
    };
}
