using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FluentValidation;
using JasperFx;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Api.Features.Casework;
using Vorgang.Api.Features.Deadlines;
using Vorgang.Api.Features.Privacy;
using Vorgang.Api.Hosting;
using Vorgang.Api.Problems;
using Vorgang.Api.Security;
using Vorgang.Api.Telemetry;
using Vorgang.Api.Views;
using Vorgang.Workflows.Audit;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Deadlines;
using Vorgang.Workflows.Definitions;
using Vorgang.Workflows.Privacy;
using Wolverine;
using Wolverine.Http;

namespace Vorgang.Api.Features.Submitting;

/// <summary>An application for a service: the form values and the language the citizen reads.</summary>
/// <param name="Data">The form values, keyed by field id; GET /api/services/{serviceId}/form-schema describes them.</param>
/// <param name="Language">The language of the citizen's texts: <c>de</c> (default) or <c>en</c>.</param>
/// <param name="OnBehalfOf">Staff only: the person a caseworker submits for at a counter (assisted submission).</param>
public sealed record SubmitApplication(JsonObject? Data, string? Language, OnBehalfOf? OnBehalfOf = null)
{
    public static readonly IValidator<SubmitApplication> Rules = new Validator();

    private sealed class Validator : AbstractValidator<SubmitApplication>
    {
        public Validator()
        {
            RuleFor(r => r.Language).Must(language => language is null or "de" or "en").WithErrorCode("allowed-values").WithMessage("Use 'de' or 'en'.");
            RuleFor(r => r.OnBehalfOf!.Name).Cascade(CascadeMode.Stop)
                .Must(name => !string.IsNullOrWhiteSpace(name)).WithErrorCode("required").WithMessage("Give the name of the person you submit for.")
                .Must(name => name!.Length <= 200).WithErrorCode("max-length").WithMessage("Use at most 200 characters.")
                .When(r => r.OnBehalfOf is not null);
            RuleFor(r => r.OnBehalfOf!.IdentifiedBy).MaximumLength(200).WithErrorCode("max-length").WithMessage("Use at most 200 characters.")
                .When(r => r.OnBehalfOf is not null);
        }
    }
}

/// <summary>The person an assisted submission is for, and how staff identified them (e.g. "Personalausweis").</summary>
/// <param name="Name">The person's name as staff identified it (1–200 characters).</param>
/// <param name="IdentifiedBy">How staff identified the person, e.g. "Personalausweis" (up to 200 characters).</param>
public sealed record OnBehalfOf(string? Name, string? IdentifiedBy);

public sealed record SubmissionAccepted(
    string CaseNumber, string TrackingCode, string ServiceId, int DefinitionVersion, StatusView Status,
    DateTimeOffset SubmittedAt, DateOnly? DueOn, long Version, string TrackUrl);

public static class SubmitApplicationEndpoint
{
    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>The service first (404), then who submits (403), then the envelope and the key; the form itself is the definition's to judge.</summary>
    public static IResult? Validate(
        string serviceId, SubmitApplication request, [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey, DefinitionCatalog catalog, HttpContext context)
    {
        if (catalog.Latest(serviceId) is null) return Problems.Problems.NotFound(context, $"There is no service '{serviceId}'.");
        // Only staff who work cases submit for a citizen (channel counter); an auditor changes nothing, a party only answers.
        var staff = context.User.StaffCaller();
        if (Access.RefuseSubmissionBy(staff, context) is { } refused) return refused;
        if (RequestValidation.Check(SubmitApplication.Rules, request, context) is { } invalid) return invalid;
        if (idempotencyKey is not null && (idempotencyKey.Length is 0 or > 200 || idempotencyKey.Any(c => c < 0x21 || c > 0x7e)))
            return Problems.Problems.Invalid(context, [new FieldError(IdempotencyHeader, "idempotency-key", "Use 1 to 200 visible ASCII characters, e.g. a UUID.")], "The request is invalid.");
        if (request.OnBehalfOf is not null && staff is null)
            return Problems.Problems.Invalid(context, [new FieldError("onBehalfOf", "staff-only", "Only staff submit on behalf of someone; leave 'onBehalfOf' out.")], "The request is invalid.");
        return null;
    }

    [WolverinePost("/api/services/{serviceId}/cases", OperationId = "submitApplication")]
    [EndpointSummary("Submit an application; answers with the case number and the tracking code (shown once).")]
    [EndpointDescription("Submits the form `data` (its JSON Schema: `GET /api/services/{serviceId}/form-schema`) in the citizen's `language` (de, en). Without a token anyone may submit; a caseworker's or admin's token submits for a citizen at the counter (with `onBehalfOf`), a citizen-account token links the case to the account; auditors and parties are refused (`403`). Invalid data is `400` naming every field and rule at once. With an `Idempotency-Key` a repeated request answers the same case and tracking code again, with `Idempotent-Replayed: true`; the same key with other data is `422 idempotency-key-reused`. The tracking code is shown only in this answer.")]
    [Tags("Citizens")]
    [ProducesResponseType<SubmissionAccepted>(201)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(422, "application/problem+json")]
    [Consumes(typeof(SubmitApplication), "application/json")]
    public static async Task<IResult> Post(
        string serviceId, SubmitApplication body, [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey,
        DefinitionCatalog catalog, IQuerySession session, SubmissionWriter writer, CaseWriter cases, CaseNumbers numbers, EngineSecrets secrets,
        PublishedVersions published, TimeProvider time, HttpContext context, CancellationToken ct)
    {
        var outcome = await SubmitAsync(serviceId, body, idempotencyKey, catalog, session, writer, cases, numbers, secrets, published, time, context, ct);
        if (outcome.Problem is { } problem) return Problems.Problems.From(problem, context);
        return outcome.Failure ?? Accepted(outcome.Case!, outcome.Definition!, outcome.TrackingCode!, context, outcome.Replayed);
    }

    /// <summary>What a submission came to: the case (new or, for a repeated Idempotency-Key, the earlier one), or why not.</summary>
    public sealed record Outcome(Case? Case, ProcessDefinition? Definition, string? TrackingCode, bool Replayed)
    {
        /// <summary>The form's (or the decider's) refusal, naming every field and rule.</summary>
        public CaseProblem? Problem { get; init; }
        /// <summary>Any other refusal, as the API answers it (a reused key, the case not readable yet).</summary>
        public IResult? Failure { get; init; }
    }

    /// <summary>
    /// The submission itself, for the endpoint and for the portal's "submit" (one code path): validates the form through
    /// the decider, starts the case through the <see cref="CaseWriter"/> in a group commit, and answers a repeated
    /// Idempotency-Key with the earlier case.
    /// </summary>
    public static async Task<Outcome> SubmitAsync(
        string serviceId, SubmitApplication body, string? idempotencyKey,
        DefinitionCatalog catalog, IQuerySession session, SubmissionWriter writer, CaseWriter cases, CaseNumbers numbers, EngineSecrets secrets,
        PublishedVersions published, TimeProvider time, HttpContext context, CancellationToken ct)
    {
        var definition = catalog.Latest(serviceId)!;
        var language = body.Language ?? "de";
        var data = body.Data ?? new JsonObject();
        var requestHash = Hash(data.ToJsonString() + "\n" + language);
        var receiptId = idempotencyKey is null ? null : Hash($"{serviceId}\n{idempotencyKey}");
        if (receiptId is not null && await session.LoadAsync<SubmissionReceipt>(receiptId, ct) is { } earlier)
        {
            return await Replay(earlier, requestHash, serviceId, idempotencyKey!, catalog, session, secrets, context, ct);
        }

        // Staff submitting at a counter on behalf of a citizen are recorded as such; a signed-in citizen's account
        // becomes part of the (sealed) applicant, never of the actor, which stays the anonymous citizen.
        var staff = context.User.StaffCaller();
        var account = staff is null ? context.User.Citizen() : null;
        var actor = staff is null ? Actor.AnonymousCitizen() : staff.AsActor() with { Channel = Channels.Counter };
        var applicant = account is not null ? ApplicantIdentity.ForAccount(account.Issuer, account.Subject, account.Name)
            : body.OnBehalfOf is { Name: { } name } person ? ApplicantIdentity.ForAssisted(name.Trim(), string.IsNullOrWhiteSpace(person.IdentifiedBy) ? null : person.IdentifiedBy.Trim())
            : null;
        var now = time.GetUtcNow();
        var today = BerlinClock.DateOf(now);

        var validation = CaseDecider.Submit(definition, data, language, "pending", "", actor, now, today);
        if (validation.Problem is { } problem) return new Outcome(null, definition, null, false) { Problem = problem };

        var trackingCode = idempotencyKey is null ? TrackingCodes.New() : TrackingCodes.Derive(secrets.TrackingCodeKey, serviceId, idempotencyKey);
        var caseNumber = await numbers.NextAsync(today.Year, ct);
        var submitted = (CaseSubmitted)validation.Events[0] with
        {
            CaseNumber = caseNumber, TrackingCodeHash = TrackingCodes.Hash(trackingCode), Applicant = applicant,
        };

        var cause = CaseCause.Of(context);
        var ownerAccount = account is null ? ((string, string)?)null : (account.Issuer, account.Subject);
        // Written together with the submissions that arrive meanwhile (one transaction for all); answered once committed.
        var write = new SubmissionWriter.Write(async (s, bus) =>
        {
            // The case with its own key; the personal values go into the log sealed with it.
            await cases.StartAsync(s, bus, definition, submitted, ownerAccount, cause, now);
            if (receiptId is not null) s.Insert(new SubmissionReceipt(receiptId, caseNumber, requestHash, now));
            published.RecordOnFirstUse(s, definition);
        });
        try
        {
            // The request's token withdraws the submission while it still waits for a writer: its time limit, not the client
            // leaving (ClientDisconnects), so a submission whose client left is written and found again by its Idempotency-Key.
            await writer.WriteAsync(write, ct);
        }
        catch (DocumentAlreadyExistsException) when (receiptId is not null)
        {
            // A concurrent request with the same key won the race; this request's case (and its timers) were never stored.
            var winner = await session.LoadAsync<SubmissionReceipt>(receiptId, ct);
            return await Replay(winner!, requestHash, serviceId, idempotencyKey!, catalog, session, secrets, context, ct);
        }

        published.Confirm(definition);
        VorgangTelemetry.CasesSubmitted.Add(1, new("service", serviceId), new("channel", actor.Channel));
        Activity.Current?.SetTag("vorgang.case_number", caseNumber);
        return new Outcome(Case.Create(submitted), definition, trackingCode, Replayed: false);
    }

    private static async Task<Outcome> Replay(
        SubmissionReceipt receipt, string requestHash, string serviceId, string idempotencyKey, DefinitionCatalog catalog,
        IQuerySession session, EngineSecrets secrets, HttpContext context, CancellationToken ct)
    {
        if (receipt.RequestHash != requestHash)
        {
            return new Outcome(null, null, null, false)
            {
                Failure = Problems.Problems.Status(context, 422, "idempotency-key-reused", "This Idempotency-Key was used for a different application.",
                    $"Case {receipt.CaseNumber} was submitted with this key and other data. Use a new key for a new application."),
            };
        }
        var state = await session.LoadAsync<Case>(receipt.CaseNumber, ct);
        var definition = state is null ? null : catalog.Get(state.ServiceId, state.DefinitionVersion);
        if (state is null || definition is null)
            return new Outcome(null, null, null, false) { Failure = Problems.Problems.Status(context, 503, "unavailable", "The case is not readable right now.", "Please retry.") };
        return new Outcome(state, definition, TrackingCodes.Derive(secrets.TrackingCodeKey, serviceId, idempotencyKey), Replayed: true);
    }

    private static IResult Accepted(Case state, ProcessDefinition definition, string trackingCode, HttpContext context, bool replayed)
    {
        var url = $"/api/track/{state.Id}";
        if (replayed) context.Response.Headers["Idempotent-Replayed"] = "true";
        return Results.Created(url, new SubmissionAccepted(
            state.Id, trackingCode, state.ServiceId, state.DefinitionVersion, CaseViews.Status(definition, state, state.Language),
            state.SubmittedAt, state.DueOn, state.Version, url));
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
