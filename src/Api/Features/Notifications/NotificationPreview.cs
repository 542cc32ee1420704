using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Api.Features.Services;
using Vorgang.Api.Problems;
using Vorgang.Api.Security;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Notifications;
using Wolverine.Http;

namespace Vorgang.Api.Features.Notifications;

/// <summary>One e-mail as a case would receive it, filled with sample values.</summary>
/// <param name="Source"><c>definition</c> (the definition's text) or <c>default</c> (the engine's text for a trigger the definition leaves out).</param>
public sealed record NotificationPreview(string Trigger, string? State, string Language, string Source, string Subject, string Body);

/// <summary>A city reads its mails' texts before it publishes a definition version (admins).</summary>
[Authorize(Policy = StaffAuth.StaffPolicy)]
public static class NotificationPreviewEndpoint
{
    public const string Path = "/api/admin/services/{serviceId}/versions/{version}/notifications/preview";

    [WolverineGet(Path, OperationId = "previewServiceNotifications")]
    [EndpointSummary("Every e-mail of a service version, rendered with sample values (admins).")]
    [EndpointDescription("""
        Renders each notification the version sends — per trigger (`submitted`, `action-needed`, `reminder`, `decided`, `message`, `delay`)
        and, where the definition has a text for a state, per state — with a sample name, case number, status page address and date.
        `trigger`, `state` and `lang` narrow the list. Texts the definition leaves out are the engine's (`source: default`).
        """)]
    [Tags("Admin")]
    [ProducesResponseType<IReadOnlyList<NotificationPreview>>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(403, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static IResult Get(string serviceId, int version, [FromQuery] string? trigger, [FromQuery] string? state, [FromQuery] string? lang,
        DefinitionCatalog catalog, MailSettings settings, HttpContext context)
    {
        var caller = context.User.StaffCaller();
        if (caller is null) return Access.NoRole(context);
        if (caller.Role != Roles.Admin)
            return Problems.Problems.Status(context, 403, "role-not-allowed", "Only admins preview a service's e-mails.", $"Role '{caller.Role}' cannot preview.");
        var definition = ServiceCatalogEndpoints.Find(catalog, serviceId, version);
        if (definition is null) return Problems.Problems.NotFound(context, $"There is no service '{serviceId}' in version {version}.");

        var errors = new List<FieldError>();
        if (trigger is not null && !NotificationTriggers.All.Contains(trigger))
            errors.Add(new("trigger", "one-of", $"Choose one of {string.Join(", ", NotificationTriggers.All)}."));
        if (state is not null && definition.State(state) is null)
            errors.Add(new("state", "unknown-state", $"Version {version} of '{serviceId}' has no state '{state}'."));
        if (lang is not null and not ("de" or "en"))
            errors.Add(new("lang", "one-of", "Choose 'de' or 'en'."));
        if (errors.Count > 0) return Problems.Problems.Invalid(context, errors, "The request is invalid.");

        var previews = new List<NotificationPreview>();
        foreach (var t in trigger is null ? NotificationTriggers.All : [trigger])
        {
            // The trigger's general text, and each state's own text; a state asked for gets the text it would get.
            var states = new List<string?> { state };
            if (state is null) states.AddRange(definition.Notifications?.Where(n => n.Trigger == t && n.State is not null).Select(n => n.State) ?? []);
            foreach (var s in states.Distinct())
            foreach (var language in lang is null ? new[] { "de", "en" } : [lang])
            {
                var template = NotificationPlan.Template(definition, t, s);
                var rendered = NotificationPlan.Render(template, language, Sample(definition, language, settings.PublicUrl));
                var fromDefinition = definition.Notifications?.Contains(template) == true;
                previews.Add(new(t, s, language, fromDefinition ? "definition" : "default", rendered.Subject, rendered.Body));
            }
        }
        return Results.Ok(previews);
    }

    private static Dictionary<string, string> Sample(ProcessDefinition definition, string language, string publicUrl) => new()
    {
        ["name"] = "Erika Mustermann",
        ["service"] = definition.Title.For(language),
        ["caseNumber"] = "2026-000123",
        ["statusUrl"] = publicUrl + (language == "en" ? "/en/track/" : "/track/") + "2026-000123",
        ["dueDate"] = language == "en" ? "30 April 2026" : "30. April 2026",
    };
}
