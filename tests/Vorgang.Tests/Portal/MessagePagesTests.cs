using System.Text.Json.Nodes;
using AngleSharp.Html.Dom;
using Microsoft.Playwright;
using Vorgang.Tests.Api;
using Vorgang.Tests.Infrastructure;

namespace Vorgang.Tests.Portal;

/// <summary>The message thread on the portal's status page and on the workbench's case page, written through the engine's one write path.</summary>
public sealed class MessagePagesTests(AppFixture app, BrowserFixture browser) : ApiTest(app), IClassFixture<BrowserFixture>
{
    private const string Service = "change-of-address";
    private const string Team = "registration-office";

    private string Anna => App.Token("caseworker", Team, "Anna Schmidt", "anna");

    private static async Task EnterAsync(PortalClient client, string caseNumber, string code, string prefix = "")
    {
        await client.GetAsync(prefix + "/track");
        await client.SubmitAsync(client.Form(), new Dictionary<string, string> { ["caseNumber"] = caseNumber, ["trackingCode"] = code });
    }

    private static async Task SignInStaffAsync(PortalClient client, string role, string? team, string name)
    {
        await client.GetAsync("/staff/sign-in");
        await client.SubmitAsync(MainForm(client, "name"), new Dictionary<string, string> { ["name"] = name, ["role"] = role, ["team"] = team ?? "" });
    }

    private static IHtmlFormElement MainForm(PortalClient client, string field) =>
        client.Page.Forms.First(f => f.Method.Equals("post", StringComparison.OrdinalIgnoreCase) && f.QuerySelector($"[name={field}]") is not null);

    private static IHtmlFormElement ThreadForm(PortalClient client) => (IHtmlFormElement)client.Page.GetElementById("thread-form")!;

    [Fact]
    public async Task The_citizen_writes_to_the_office_on_the_status_page_and_reads_its_answer()
    {
        var c = await Host.Submit(Service, language: "de");
        var citizen = new PortalClient(Host);
        await EnterAsync(citizen, c.CaseNumber, c.TrackingCode);
        Assert.Equal("Nachrichten", citizen.Text("#thread-title"));
        Assert.Equal("Noch keine Nachrichten.", citizen.Text("#thread-empty"));
        Assert.Equal("Nachricht an das Amt schreiben", citizen.Text("label[for=f-thread-text]"));

        // An empty message: the error summary leads to the text box, which says what is wrong.
        await citizen.SubmitAsync(ThreadForm(citizen), new Dictionary<string, string> { ["threadText"] = "   " });
        Assert.Equal("#f-thread-text", citizen.Page.QuerySelector(".portal-error-summary a")!.GetAttribute("href"));
        Assert.Contains("Bitte schreiben Sie eine Nachricht.", citizen.Text("#f-thread-text-error"));
        Assert.Equal("true", citizen.Page.GetElementById("f-thread-text")!.GetAttribute("aria-invalid"));
        await citizen.SubmitAsync(ThreadForm(citizen), new Dictionary<string, string> { ["threadText"] = "Spalte\tSpalte" });
        Assert.Contains("Steuerzeichen", citizen.Text("#f-thread-text-error"));
        Assert.Equal("Spalte\tSpalte", citizen.Page.GetElementById("f-thread-text")!.TextContent);

        await citizen.SubmitAsync(ThreadForm(citizen), new Dictionary<string, string> { ["threadText"] = "Ich ziehe erst am 15. um.\r\nGeht das?" });
        Assert.Equal($"/track/{c.CaseNumber}", citizen.Path);
        Assert.Equal("Ihre Nachricht wurde gesendet.", citizen.Text("#thread-sent"));
        var mine = citizen.All("#thread-messages li").Single();
        Assert.Contains("Sie", mine.QuerySelector(".portal-message__who")!.TextContent);
        Assert.Equal("Ich ziehe erst am 15. um.\nGeht das?", mine.QuerySelector(".portal-message__text")!.TextContent);
        Assert.Contains("Uhr", mine.TextContent);

        // The office answers; the citizen's page says so once, without the caseworker's name.
        Assert.Equal(201, (await Host.PostJson($"/api/cases/{c.CaseNumber}/messages", new JsonObject { ["text"] = "Ja, das geht." }, Anna)).Status);
        await citizen.GetAsync($"/track/{c.CaseNumber}");
        Assert.Equal("1 neue Nachricht vom Amt", citizen.Text("#thread-unread"));
        var answer = citizen.All("#thread-messages li").Last();
        Assert.Equal("Ihr Amt", answer.QuerySelector(".portal-message__who")!.TextContent.Trim());
        Assert.Equal("Neu", answer.QuerySelector(".portal-message__new")!.TextContent.Trim());
        Assert.DoesNotContain("Anna", citizen.Html);
        await citizen.GetAsync($"/track/{c.CaseNumber}");
        Assert.Empty(citizen.All("#thread-unread"));
        Assert.Empty(citizen.All(".portal-message__new"));

        // In English too.
        await citizen.GetAsync($"/en/track/{c.CaseNumber}");
        Assert.Equal("Write to the office", citizen.Text("label[for=f-thread-text]"));
        Assert.Equal("Your office", citizen.All("#thread-messages li").Last().QuerySelector(".portal-message__who")!.TextContent.Trim());
    }

    [Fact]
    public async Task The_caseworker_sees_the_unread_message_in_the_queue_and_on_the_case_page_and_replies()
    {
        var c = await Host.Submit(Service, language: "de");
        Assert.Equal(201, (await Host.PostJson($"/api/track/{c.CaseNumber}/messages", new JsonObject { ["text"] = "Geht das schneller?" },
            headers: new Dictionary<string, string> { ["X-Tracking-Code"] = c.TrackingCode })).Status);

        var staff = new PortalClient(Host);
        await SignInStaffAsync(staff, "caseworker", Team, "Anna Schmidt");
        await staff.GetAsync("/staff");
        Assert.Equal("1 neu", staff.Text($"#unread-{c.CaseNumber}"));

        await staff.GetAsync($"/staff/cases/{c.CaseNumber}");
        Assert.Equal("1 ungelesene Nachricht der Antragstellerin oder des Antragstellers", staff.Text("#thread-unread"));
        var message = staff.All("#thread-messages li").Single();
        Assert.Equal("Antragsteller/in", message.QuerySelector(".portal-message__who")!.TextContent.Trim());
        Assert.NotNull(message.QuerySelector(".portal-message__new"));

        await staff.SubmitAsync(ThreadForm(staff), new Dictionary<string, string> { ["threadText"] = "" });
        Assert.Equal(422, staff.Status);
        Assert.Equal("#f-thread-text", staff.Page.QuerySelector(".portal-error-summary a")!.GetAttribute("href"));
        await staff.SubmitAsync(ThreadForm(staff), new Dictionary<string, string> { ["threadText"] = "Wir sind dran." });
        Assert.Equal("Die Nachricht wurde gesendet.", staff.Text("#thread-sent"));
        Assert.Equal(["Antragsteller/in", "Anna Schmidt"], staff.All("#thread-messages .portal-message__who").Select(e => e.TextContent.Trim()));
        Assert.Empty(staff.All("#thread-unread"));
        await staff.GetAsync("/staff");
        Assert.Empty(staff.All($"#unread-{c.CaseNumber}"));

        // An auditor reads the thread but has no form to write.
        var auditor = new PortalClient(Host);
        await SignInStaffAsync(auditor, "auditor", null, "Ida Prüfer");
        await auditor.GetAsync($"/staff/cases/{c.CaseNumber}");
        Assert.Equal(2, auditor.All("#thread-messages li").Count());
        Assert.Null(auditor.Page.GetElementById("thread-form"));
    }

    [Fact]
    public async Task The_thread_on_both_pages_has_no_accessibility_violations_at_1280_and_320_pixels()
    {
        var c = await Host.Submit(Service, language: "de");
        Assert.Equal(201, (await Host.PostJson($"/api/cases/{c.CaseNumber}/messages", new JsonObject { ["text"] = "Bitte reichen Sie die Bestätigung nach.\nDanke!" }, Anna)).Status);
        var violations = new List<string>();

        var page = await browser.OpenAsync(Host);
        await page.GotoAsync("/track");
        await page.FillAsync("#f-caseNumber", c.CaseNumber);
        await page.FillAsync("#f-trackingCode", c.TrackingCode);
        await PortalBrowserTests.ClickAndWaitAsync(page, "main form button[type=submit]");
        Assert.EndsWith($"/track/{c.CaseNumber}", new Uri(page.Url).AbsolutePath);
        violations.AddRange(await BrowserFixture.AxeViolationsWideAndNarrowAsync(page));
        // Refused (empty), then sent.
        await PortalBrowserTests.ClickAndWaitAsync(page, "#thread-form button[type=submit]");
        Assert.NotNull(await page.QuerySelectorAsync(".portal-error-summary"));
        violations.AddRange(await BrowserFixture.AxeViolationsWideAndNarrowAsync(page));
        await page.FillAsync("#f-thread-text", "Mache ich.");
        await PortalBrowserTests.ClickAndWaitAsync(page, "#thread-form button[type=submit]");
        Assert.NotNull(await page.QuerySelectorAsync("#thread-sent"));
        violations.AddRange(await BrowserFixture.AxeViolationsWideAndNarrowAsync(page));
        await page.Context.CloseAsync();

        var staff = await browser.OpenAsync(Host);
        await staff.GotoAsync($"/staff/cases/{c.CaseNumber}");
        await staff.FillAsync("#f-name", "Anna Schmidt");
        await staff.SelectOptionAsync("#f-role", "caseworker");
        await staff.SelectOptionAsync("#f-team", Team);
        await PortalBrowserTests.ClickAndWaitAsync(staff, "main form button[type=submit]");
        Assert.EndsWith($"/staff/cases/{c.CaseNumber}", new Uri(staff.Url).AbsolutePath);
        Assert.NotNull(await staff.QuerySelectorAsync("#thread-unread"));
        violations.AddRange(await BrowserFixture.AxeViolationsWideAndNarrowAsync(staff));
        await staff.GotoAsync("/en/staff");
        violations.AddRange(await BrowserFixture.AxeViolationsWideAndNarrowAsync(staff));
        await staff.Context.CloseAsync();

        Assert.Empty(violations);
    }
}
