using MudBlazor;

namespace Stoa.Dashboard.Components.Layout;

public static class StoaTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight { Primary = "#37474f", AppbarBackground = "#ffffff", AppbarText = "#263238", Secondary = "#ff7043" },
        PaletteDark = new PaletteDark { Primary = "#90a4ae", Secondary = "#ff8a65", AppbarBackground = "#1e1e2d" },
    };
}
