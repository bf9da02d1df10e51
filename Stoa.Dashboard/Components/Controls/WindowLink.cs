using Microsoft.AspNetCore.Components;

using Stoa.Dashboard.Model;

namespace Stoa.Dashboard.Components.Controls;

/// <summary>The current page's URL with another window: a zoom, a custom range, a "look around this event".</summary>
public static class WindowLink
{
    public static string For(NavigationManager navigation, long fromMs, long toMs) =>
        navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
        {
            ["from"] = AuditTime.Print(fromMs),
            ["to"] = AuditTime.Print(toMs),
            ["hours"] = null,
            ["days"] = null,
        });
}
