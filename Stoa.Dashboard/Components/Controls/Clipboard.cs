using Microsoft.JSInterop;
using MudBlazor;

namespace Stoa.Dashboard.Components.Controls;

/// <summary>Copy to the clipboard from a page, saying whether it worked.</summary>
public static class Clipboard
{
    /// <param name="what">What was copied, as the message names it ("Link", "JSON", "Answer").</param>
    public static async Task CopyAsync(IJSRuntime js, ISnackbar snackbar, string text, string what)
    {
        try
        {
            await js.InvokeVoidAsync("navigator.clipboard.writeText", text);
            snackbar.Add($"{what} copied", Severity.Success);
        }
        catch (JSException)
        {
            // Browsers allow the clipboard on HTTPS and localhost only; the text stays on screen to copy by hand.
            snackbar.Add($"The browser refused the clipboard; copy the {what.ToLowerInvariant()} by hand.", Severity.Warning);
        }
    }
}
