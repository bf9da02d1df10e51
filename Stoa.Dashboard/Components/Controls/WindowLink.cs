using Microsoft.AspNetCore.Components;

namespace Stoa.Dashboard.Components.Controls;

/// <summary>
/// The URL is the filter state: these turn a change of window or filter into the current page's
/// URL with that change, so every view stays a link that can be shared.
/// </summary>
public static class WindowLink
{
    /// <summary>The current page over a fixed window (a zoom, a custom range).</summary>
    public static string For(NavigationManager navigation, long fromMs, long toMs) =>
        navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
        {
            ["from"] = AuditTime.Print(fromMs),
            ["to"] = AuditTime.Print(toMs),
            ["hours"] = null,
            ["days"] = null,
        });

    /// <summary>The current page over a preset that ends now (<c>24h</c>, <c>7d</c>).</summary>
    public static string ForPreset(NavigationManager navigation, string preset) =>
        navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
        {
            ["hours"] = preset.EndsWith('h') ? preset[..^1] : null,
            ["days"] = preset.EndsWith('d') ? preset[..^1] : null,
            ["from"] = null,
            ["to"] = null,
        });

    /// <summary>The current page with one filter set, or removed when blank.</summary>
    public static string WithFilter(NavigationManager navigation, string name, string? value) =>
        navigation.GetUriWithQueryParameter(name, string.IsNullOrWhiteSpace(value) ? null : value.Trim());
}
