using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Vorgang.Projections.Forecasts;
using Vorgang.Web.Drafts;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Web.Pages;

/// <summary>A service's page (a public address): what it is for, who may apply, what is needed, how long it takes; "Start" opens a draft.</summary>
public sealed class ServiceModel(DefinitionCatalog catalog, CompletionForecasts forecasts, DraftStore drafts, PortalOptions options) : PortalPage
{
    public ProcessDefinition? Definition { get; private set; }
    public int? LiveDays { get; private set; }
    public string DraftHours => options.DraftHours.ToString("0.#", CultureInfo.CurrentCulture);

    public async Task<IActionResult> OnGetAsync(string serviceId, CancellationToken ct)
    {
        Definition = catalog.Latest(serviceId);
        if (Definition is null) return NotFound();
        Title = Text(Definition.Title);
        // Live figures where the engine has enough finished cases; otherwise the page names the legal deadline only.
        var forecast = await forecasts.ForAsync(Definition, Definition.InitialState.Id, ct);
        if (forecast.Basis == Forecast.History && forecast.RemainingWorkingDays is { } days) LiveDays = days;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string serviceId, CancellationToken ct)
    {
        var definition = catalog.Latest(serviceId);
        if (definition is null) return NotFound();
        var draft = await DraftCookie.LoadAsync(HttpContext, drafts, serviceId, ct);
        if (draft is null || draft.CaseNumber is not null)
        {
            draft = await drafts.CreateAsync(definition, ct);
            DraftCookie.Set(HttpContext, draft, options);
        }
        return Redirect(P($"/services/{serviceId}/form/{definition.Pages[0].Id}"));
    }

    public string Amount(FeeDefinition fee) =>
        decimal.TryParse(fee.Amount, NumberStyles.Number, CultureInfo.InvariantCulture, out var euros)
            ? euros.ToString("C", CultureInfo.GetCultureInfo("de-DE"))
            : T("ServiceFeeDepends");

    public string Period(Duration duration) =>
        duration.WorkingDays is { } w ? T("WorkingDays", w) : T("CalendarDays", duration.CalendarDays ?? 0);
}
