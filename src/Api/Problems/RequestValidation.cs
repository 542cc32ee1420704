using FluentValidation;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Api.Problems;

/// <summary>
/// Runs a request record's FluentValidation rules from its endpoint's <c>Validate</c> method (Wolverine stops the
/// request at a non-null <see cref="IResult"/>): each failure becomes a field error with the rule as its code.
/// </summary>
public static class RequestValidation
{
    public static IResult? Check<T>(IValidator<T> validator, T request, HttpContext context)
    {
        var result = validator.Validate(request);
        if (result.IsValid) return null;
        return Problems.Invalid(context,
            result.Errors.Select(e => new FieldError(JsonPath(e.PropertyName), e.ErrorCode, e.ErrorMessage)).ToList(),
            "The request is invalid.");
    }

    // "OnBehalfOf.Name" as the client wrote it: "onBehalfOf.name".
    private static string JsonPath(string propertyName) =>
        string.Join('.', propertyName.Split('.').Select(part => part.Length == 0 ? part : char.ToLowerInvariant(part[0]) + part[1..]));
}
