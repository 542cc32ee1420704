using Microsoft.AspNetCore.Mvc;
using Vorgang.Web.Accounts;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Web.Pages.Staff;

/// <summary>A page of the caseworker's workbench: for members of staff signed in to the pages; anyone else is sent to the staff sign-in.</summary>
public abstract class StaffPage : PortalPage
{
    protected IActionResult? RequireStaff()
    {
        if (Account is { IsStaff: true }) return null;
        var here = Request.Path + Request.QueryString;
        return Redirect(P("/staff/sign-in") + "?returnUrl=" + Uri.EscapeDataString(here));
    }

    /// <summary>A second party (a school) rather than the office: its own list, its own words.</summary>
    public bool IsParty => Account is { IsStaff: true, Role: not (Roles.Caseworker or Roles.Admin or Roles.Auditor) };

    public string RiskLabel(string risk) => T("Risk_" + risk);

    /// <summary>A state's name for staff: the status text the citizen reads, which the definition gives in both languages.</summary>
    public string StateLabel(ProcessDefinition? definition, string state) => definition?.State(state)?.Status.For(Lang) ?? state;

    public string DueText(DateOnly? dueOn, int? daysLeft, bool clockStopped)
    {
        if (dueOn is not { } due) return T("QueueNoDeadline");
        var date = Date(due);
        if (clockStopped) return T("QueueDuePaused", date);
        return daysLeft switch
        {
            < 0 => T("QueueDueOverdue", date, -daysLeft.Value),
            0 => T("QueueDueToday", date),
            { } d => T("QueueDueIn", date, d),
            _ => date,
        };
    }
}
