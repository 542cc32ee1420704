using System.Net;
using System.Text.Json.Nodes;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Alba;

namespace Vorgang.Tests.Portal;

/// <summary>
/// A browser without scripts over the test host: keeps cookies, follows redirects, reads pages with AngleSharp and
/// posts forms as a browser would (with their hidden fields, the antiforgery token among them).
/// </summary>
public sealed class PortalClient(IAlbaHost host)
{
    private readonly CookieContainer _cookies = new();
    private readonly HttpClient _http = new(host.Server.CreateHandler()) { BaseAddress = new Uri("https://localhost") };
    private static readonly HtmlParser Parser = new();

    public int Status { get; private set; }
    public string Path { get; private set; } = "/";
    public IHtmlDocument Page { get; private set; } = Parser.ParseDocument("");
    public string Html { get; private set; } = "";

    /// <summary>A bearer token sent with every request (the pages must ignore it: only their sessions count).</summary>
    public string? BearerToken { get; set; }

    public Task<IHtmlDocument> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

    /// <summary>Submits <paramref name="form"/> with its own values, overridden by <paramref name="values"/>; <paramref name="button"/> as the submitter.</summary>
    public Task<IHtmlDocument> SubmitAsync(IHtmlFormElement form, IDictionary<string, string>? values = null, (string Name, string Value)? button = null, string? to = null) =>
        SendAsync(FormRequest(form, values, button, to));

    /// <summary>Submits <paramref name="form"/> as <see cref="SubmitAsync"/> does, and returns the answer itself without following a redirect.</summary>
    public Task<HttpResponseMessage> SubmitRawAsync(IHtmlFormElement form, IDictionary<string, string>? values = null) => SendRawAsync(FormRequest(form, values, null, null));

    private HttpRequestMessage FormRequest(IHtmlFormElement form, IDictionary<string, string>? values, (string Name, string Value)? button, string? to)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var element in form.Elements)
        {
            switch (element)
            {
                case IHtmlInputElement input when input.Type is "radio" or "checkbox":
                    if (values is null || !values.ContainsKey(input.Name!)) { if (input.IsChecked) fields.Add(new(input.Name!, input.Value)); }
                    break;
                case IHtmlInputElement input when input.Type is "submit" or "button":
                    break;
                case IHtmlInputElement input when !string.IsNullOrEmpty(input.Name):
                    if (values is null || !values.ContainsKey(input.Name)) fields.Add(new(input.Name, input.Value));
                    break;
                case IHtmlTextAreaElement area when !string.IsNullOrEmpty(area.Name):
                    if (values is null || !values.ContainsKey(area.Name)) fields.Add(new(area.Name, area.Value));
                    break;
                case IHtmlSelectElement select when !string.IsNullOrEmpty(select.Name):
                    if (values is null || !values.ContainsKey(select.Name)) fields.Add(new(select.Name, select.Value ?? ""));
                    break;
            }
        }
        foreach (var (name, value) in values ?? new Dictionary<string, string>()) fields.Add(new(name, value));
        if (button is { } b) fields.Add(new(b.Name, b.Value));
        var action = to ?? (string.IsNullOrEmpty(form.GetAttribute("action")) ? Path : form.GetAttribute("action")!);
        if (form.Method.Equals("get", StringComparison.OrdinalIgnoreCase))
            return new HttpRequestMessage(HttpMethod.Get, action + "?" + string.Join("&", fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}")));
        return new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(fields) };
    }

    public Task<HttpResponseMessage> PostRawAsync(string path, HttpContent content) =>
        SendRawAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = content });

    private async Task<IHtmlDocument> SendAsync(HttpRequestMessage request)
    {
        for (var hops = 0; ; hops++)
        {
            Path = request.RequestUri!.OriginalString.Split('?')[0];
            using var response = await SendRawAsync(request);
            Status = (int)response.StatusCode;
            if (Status is 301 or 302 or 303 or 307 && hops < 10)
            {
                request = new HttpRequestMessage(HttpMethod.Get, response.Headers.Location!.OriginalString);
                continue;
            }
            Html = await response.Content.ReadAsStringAsync();
            Page = Parser.ParseDocument(Html);
            return Page;
        }
    }

    public async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request)
    {
        var uri = new Uri(_http.BaseAddress!, request.RequestUri!);
        var cookies = _cookies.GetCookieHeader(uri);
        if (cookies.Length > 0) request.Headers.Add("Cookie", cookies);
        if (BearerToken is not null) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", BearerToken);
        var response = await _http.SendAsync(request);
        if (response.Headers.TryGetValues("Set-Cookie", out var set))
            foreach (var cookie in set) _cookies.SetCookies(uri, cookie);
        return response;
    }

    public IHtmlFormElement Form(int index = 0) => Page.Forms.Where(f => f.Method.Equals("post", StringComparison.OrdinalIgnoreCase) || index < 0).ElementAt(Math.Max(0, index));

    public string Title => Page.Title ?? "";

    public string Text(string selector) => Page.QuerySelector(selector)?.TextContent.Trim() ?? "";

    public IEnumerable<IElement> All(string selector) => Page.QuerySelectorAll(selector);

    /// <summary>The values a form page asks for, taken from a service's example: <c>f.id</c>, <c>f.id.part</c>, <c>f.id[i].sub</c>.</summary>
    public static Dictionary<string, string> Flatten(JsonObject example)
    {
        var values = new Dictionary<string, string>();
        void Add(string name, JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o: foreach (var (k, v) in o) Add($"{name}.{k}", v); break;
                case JsonArray a: for (var i = 0; i < a.Count; i++) if (a[i] is JsonObject item) foreach (var (k, v) in item) Add($"{name}[{i}].{k}", v); break;
                case JsonValue v: values[name] = v.GetValueKind() switch
                {
                    System.Text.Json.JsonValueKind.True => "true",
                    System.Text.Json.JsonValueKind.False => "false",
                    System.Text.Json.JsonValueKind.String => v.GetValue<string>(),
                    _ => v.ToJsonString(),
                }; break;
            }
        }
        foreach (var (k, v) in example) Add("f." + k, v);
        return values;
    }
}
