using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Workflows.Privacy;

/// <summary>
/// Personal values in events and in the case snapshot are <i>sealed</i>: the field's value is replaced by the string
/// <c>sealed:v1:&lt;base64url(nonce ‖ AES-256-GCM ciphertext ‖ tag)&gt;</c> under the case's data key, bound to the case
/// number and the field's id. What is sealed is decided by the definition version: form fields and action inputs marked
/// <c>personal</c>, and the applicant's identity. Everything else — states, dates, actors on the staff side, choices of
/// non-personal fields — stays readable, so the history, the hash chain and the statistics outlive an erasure.
/// </summary>
public static class PersonalData
{
    public const string Prefix = "sealed:v1:";

    public static IReadOnlySet<string> PersonalFormFields(ProcessDefinition definition) =>
        definition.Form.Where(f => f.Personal).Select(f => f.Id).ToHashSet();

    /// <summary>An action's personal inputs: those marked so, and those that supplement a personal form field of the same id.</summary>
    public static IReadOnlySet<string> PersonalInputs(ProcessDefinition definition, string actionId)
    {
        var form = PersonalFormFields(definition);
        return (definition.Action(actionId)?.Inputs ?? []).Where(f => f.Personal || form.Contains(f.Id)).Select(f => f.Id).ToHashSet();
    }

    public static bool IsSealed(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var text) && text.StartsWith(Prefix, StringComparison.Ordinal);

    public static string Seal(DataKey key, string field, JsonNode? value)
    {
        var plaintext = Encoding.UTF8.GetBytes(value?.ToJsonString() ?? "null");
        return Prefix + Base64Url(KeyRing.Encrypt(key.Bytes, plaintext, Aad(key.CaseNumber, field)));
    }

    /// <summary>The value sealed in <paramref name="sealedText"/>; null once the key is gone. A string that only looks sealed (typed by someone) is returned as it is.</summary>
    public static JsonNode? Open(DataKey? key, string field, string sealedText)
    {
        if (key is null) return null;
        try
        {
            var plaintext = KeyRing.Decrypt(key.Bytes, FromBase64Url(sealedText[Prefix.Length..]), Aad(key.CaseNumber, field));
            return JsonNode.Parse(plaintext);
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return JsonValue.Create(sealedText);
        }
    }

    /// <summary>A copy of <paramref name="values"/> with the named fields sealed.</summary>
    public static JsonObject SealFields(JsonObject values, IReadOnlySet<string> personal, DataKey key)
    {
        var sealedValues = new JsonObject();
        foreach (var (name, value) in values)
        {
            sealedValues[name] = personal.Contains(name) && value is not null && !IsSealed(value)
                ? JsonValue.Create(Seal(key, name, value))
                : value?.DeepClone();
        }
        return sealedValues;
    }

    /// <summary>A copy of <paramref name="values"/> with every sealed field opened — or null where the key is gone.</summary>
    public static JsonObject OpenFields(JsonObject values, DataKey? key)
    {
        var opened = new JsonObject();
        foreach (var (name, value) in values)
            opened[name] = IsSealed(value) ? Open(key, name, value!.GetValue<string>()) : value?.DeepClone();
        return opened;
    }

    /// <summary>A copy with every sealed field removed to null: what read models keep after an erasure.</summary>
    public static JsonObject StripSealed(JsonObject values) => OpenFields(values, key: null);

    public static bool HasSealed(JsonObject? values) => values is not null && values.Any(p => IsSealed(p.Value));

    /// <summary>The event as it is stored: its personal values sealed with the case's key.</summary>
    public static object SealEvent(object @event, ProcessDefinition definition, DataKey key) => @event switch
    {
        CaseSubmitted e => e with
        {
            Data = SealFields(e.Data, PersonalFormFields(definition), key),
            Applicant = e.Applicant is null ? null : SealFields(e.Applicant, ApplicantIdentity.PersonalParts, key),
        },
        InformationProvided e => e with
        {
            Input = SealFields(e.Input, PersonalInputs(definition, e.ActionId), key),
            FormChanges = SealFields(e.FormChanges, PersonalFormFields(definition), key),
        },
        CaseActionTaken e => e with { Input = SealFields(e.Input, PersonalInputs(definition, e.ActionId), key) },
        InformationRequested e => e with { Input = SealFields(e.Input, PersonalInputs(definition, e.ActionId), key) },
        CaseDecided e => e with { Input = SealFields(e.Input, PersonalInputs(definition, e.ActionId), key) },
        CaseWithdrawn e => e with { Input = SealFields(e.Input, PersonalInputs(definition, e.ActionId), key) },
        DocumentUploaded e when !e.FileName.StartsWith(Prefix, StringComparison.Ordinal) =>
            e with { FileName = Seal(key, FileNameField(e.DocumentId), JsonValue.Create(e.FileName)) },
        // Always sealed, even a text that looks sealed (typed so by someone): the writer seals each new event once.
        CaseMessagePosted { Text: not null } e => e with { Text = Seal(key, MessageField(e.MessageId), JsonValue.Create(e.Text!)) },
        _ => @event,
    };

    /// <summary>The event with its sealed values opened (null where the key is gone), for views and decisions.</summary>
    public static object OpenEvent(object @event, DataKey? key) => @event switch
    {
        CaseSubmitted e => e with { Data = OpenFields(e.Data, key), Applicant = e.Applicant is null ? null : OpenFields(e.Applicant, key) },
        InformationProvided e => e with { Input = OpenFields(e.Input, key), FormChanges = OpenFields(e.FormChanges, key) },
        CaseActionTaken e => e with { Input = OpenFields(e.Input, key) },
        InformationRequested e => e with { Input = OpenFields(e.Input, key) },
        CaseDecided e => e with { Input = OpenFields(e.Input, key) },
        CaseWithdrawn e => e with { Input = OpenFields(e.Input, key) },
        DocumentUploaded e => e with { FileName = OpenFileName(e, key) ?? "" },
        CaseMessagePosted { Text: { } text } e when text.StartsWith(Prefix, StringComparison.Ordinal) =>
            e with { Text = Open(key, MessageField(e.MessageId), text) is JsonValue v && v.TryGetValue<string>(out var opened) ? opened : null },
        _ => @event,
    };

    /// <summary>The field a message's text is sealed under: bound to the message, so that one message's ciphertext cannot pass for another's.</summary>
    public static string MessageField(Guid messageId) => $"message:{messageId:N}";

    /// <summary>The case with its form values opened, for decisions and the staff view.</summary>
    public static Case OpenCase(Case state, DataKey? key) =>
        HasSealed(state.Data) || HasSealed(state.Applicant)
            ? state with { Data = OpenFields(state.Data, key), Applicant = state.Applicant is null ? null : OpenFields(state.Applicant, key) }
            : state;

    /// <summary>A file of the case (a letter) sealed with the case's key, bound to the case number and the document's id.</summary>
    public static byte[] SealBytes(DataKey key, Guid documentId, byte[] plaintext) =>
        KeyRing.Encrypt(key.Bytes, plaintext, FileAad(key.CaseNumber, documentId));

    /// <summary>The file sealed by <see cref="SealBytes"/>; null once the key is gone.</summary>
    public static byte[]? OpenBytes(DataKey? key, Guid documentId, byte[] sealedBytes) =>
        key is null ? null : KeyRing.Decrypt(key.Bytes, sealedBytes, FileAad(key.CaseNumber, documentId));

    private static byte[] FileAad(string caseNumber, Guid documentId) => Encoding.UTF8.GetBytes($"vorgang-file\n{caseNumber}\n{documentId:D}");
    /// <summary>The file name of an uploaded document, opened; null once the key is gone.</summary>
    public static string? OpenFileName(DocumentUploaded e, DataKey? key) =>
        !e.FileName.StartsWith(Prefix, StringComparison.Ordinal) ? e.FileName
        : Open(key, FileNameField(e.DocumentId), e.FileName) is JsonValue v && v.TryGetValue<string>(out var name) && !name.StartsWith(Prefix, StringComparison.Ordinal) ? name
        : null;

    private static string FileNameField(Guid documentId) => $"documents/{documentId:N}/fileName";

    private static byte[] Aad(string caseNumber, string field) => Encoding.UTF8.GetBytes($"vorgang-personal\n{caseNumber}\n{field}");

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - padded.Length % 4) % 4));
    }
}

/// <summary>
/// Who applied, as far as the engine knows beyond the form: <c>kind</c> <c>account</c> (signed in with a citizen account)
/// or <c>assisted</c> (a caseworker submitted on their behalf), with the identity parts sealed.
/// </summary>
public static class ApplicantIdentity
{
    public const string Account = "account", Assisted = "assisted";

    /// <summary>The parts that identify the person and are sealed: the account's issuer and subject, the name, a note on how they identified.</summary>
    public static readonly IReadOnlySet<string> PersonalParts = new HashSet<string> { "accountIssuer", "accountSubject", "name", "identifiedBy" };

    public static JsonObject ForAccount(string issuer, string subject, string? name) => new()
    {
        ["kind"] = Account,
        ["accountIssuer"] = issuer,
        ["accountSubject"] = subject,
        ["name"] = name,
    };

    public static JsonObject ForAssisted(string name, string? identifiedBy) => new()
    {
        ["kind"] = Assisted,
        ["name"] = name,
        ["identifiedBy"] = identifiedBy,
    };
}
