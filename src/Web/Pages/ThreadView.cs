namespace Vorgang.Web.Pages;

/// <summary>
/// What the partial <c>_Thread</c> shows: a case's messages, oldest first, for the citizen (<see cref="Staff"/> false: the
/// office without names) or for staff (the writer's name on office messages), the unread count from before the page was
/// shown, and the form to write (posted to <see cref="Action"/>; none without one), with the text kept after a refusal.
/// </summary>
public sealed record ThreadView(PortalPage Page, IReadOnlyList<ThreadMessage> Messages, int Unread, bool Staff, string? Action, string? Text, bool Sent)
{
    /// <summary>The field of the form's text, as the error summary links to it (<c>f-thread-text</c>).</summary>
    public const string Field = "thread-text";

    public string Who(ThreadMessage message) => message.FromOffice
        ? Staff ? message.Author ?? Page.T("ThreadFromOffice") : Page.T("ThreadFromOffice")
        : Staff ? Page.T("StaffThreadFromCitizen") : Page.T("ThreadFromYou");
}
