using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Vorgang.Web.Pages;

/// <summary>The friendly error page for the portal's addresses: what happened and where to go, never what failed inside.</summary>
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PortalPage
{
    public string Message { get; private set; } = "";

    public IActionResult OnGet(int code) => Show(code);
    public IActionResult OnPost(int code) => Show(code);

    private IActionResult Show(int code)
    {
        var original = HttpContext.Features.Get<IStatusCodeReExecuteFeature>();
        var status = original?.OriginalStatusCode ?? (code is >= 400 and < 600 ? code : 404);
        (Title, Message) = status switch
        {
            404 or 405 => (T("NotFoundTitle"), T("NotFoundText")),
            >= 500 => (T("ErrorTitle"), T("ErrorText")),
            _ => (T("BadRequestTitle"), T("BadRequestText")),
        };
        Response.StatusCode = status;
        return Page();
    }

    public override string AlternatePath => Lang == "en" ? "/" : "/en/";
}
