using MudBlazor;

namespace Stoa.Dashboard.Components.Layout;

/// <summary>
/// The dashboard's colours. The status colours are chosen for WCAG AA (4.5:1) wherever they are text
/// or carry text: darker than MudBlazor's on the light page (white on them, or them on white), lighter
/// on the dark one; the dark page's secondary text is brighter than MudBlazor's 50% white. axe checks
/// every page in both themes (the browser tests).
/// </summary>
public static class StoaTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#37474f", AppbarBackground = "#ffffff", AppbarText = "#263238", Secondary = "#c43e1c",
            Success = "#2e7d32", Warning = "#8a5300", Error = "#c62828", Info = "#0b5cad",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#b0c4ce", Secondary = "#ffab91", AppbarBackground = "#1e1e2d",
            Success = "#81c784", Warning = "#ffb74d", Error = "#ff8a80", Info = "#90caf9",
            TextSecondary = "rgba(255,255,255,0.72)",
            // Filled buttons and chips in these light colours carry dark text.
            PrimaryContrastText = "#1e1e2d", SecondaryContrastText = "#1e1e2d", SuccessContrastText = "#1e1e2d",
            WarningContrastText = "#1e1e2d", ErrorContrastText = "#1e1e2d", InfoContrastText = "#1e1e2d",
        },
    };
}
