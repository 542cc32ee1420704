using Microsoft.AspNetCore.Mvc;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Api.Problems;

/// <summary>RFC 9457 problem responses that name the field and the rule.</summary>
public static class Problems
{
    public const string ContentType = "application/problem+json";
    private const string TypeBase = "https://vorgang.example/problems/";

    public static IResult From(CaseProblem problem, HttpContext context)
    {
        var details = Create(problem.Status, problem.Rule, problem.Title, problem.Detail, context);
        if (problem.Errors.Count > 0) AddErrors(details, problem.Errors);
        if (problem.AllowedActions is not null) details.Extensions["allowedActions"] = problem.AllowedActions;
        return Result(details);
    }

    public static IResult NotFound(HttpContext context, string what) =>
        Result(Create(404, "not-found", "Not found.", what, context));

    public static IResult Invalid(HttpContext context, IReadOnlyList<FieldError> errors, string title) =>
        Result(AddErrors(Create(400, errors.Count == 1 ? errors[0].Rule : "invalid-request", title, $"{errors.Count} value(s) need to be corrected.", context), errors));

    public static IResult Status(HttpContext context, int status, string rule, string title, string detail) =>
        Result(Create(status, rule, title, detail, context));

    public static ProblemDetails Create(int status, string rule, string title, string detail, HttpContext context)
    {
        var details = new ProblemDetails
        {
            Status = status,
            Type = TypeBase + rule,
            Title = title,
            Detail = detail,
            Instance = context.Request.Path,
        };
        details.Extensions["rule"] = rule;
        details.Extensions["traceId"] = System.Diagnostics.Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        return details;
    }

    /// <summary>The most violations one answer lists; <c>omittedErrors</c> counts the rest.</summary>
    public const int MaxReportedErrors = 200;

    private static ProblemDetails AddErrors(ProblemDetails details, IReadOnlyList<FieldError> errors)
    {
        // A body of thousands of unknown fields would otherwise be answered with megabytes; the first ones suffice to correct it.
        if (errors.Count > MaxReportedErrors)
        {
            details.Extensions["omittedErrors"] = errors.Count - MaxReportedErrors;
            errors = errors.Take(MaxReportedErrors).ToList();
        }
        // "errors" follows the common field → messages shape; "violations" keeps the rule of each message.
        details.Extensions["errors"] = errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
        details.Extensions["violations"] = errors.Select(e => new { field = e.Field, rule = e.Rule, message = e.Message }).ToArray();
        return details;
    }

    private static IResult Result(ProblemDetails details) =>
        Results.Json(details, (System.Text.Json.JsonSerializerOptions?)null, ContentType, details.Status);
}
