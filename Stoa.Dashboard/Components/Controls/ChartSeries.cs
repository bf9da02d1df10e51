using Plotly.Blazor;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.BarLib;
using Stoa.Dashboard.Model;

namespace Stoa.Dashboard.Components.Controls;

/// <summary>One named, coloured series of a stacked time chart.</summary>
public sealed record ChartSeries(string Name, string Color, IReadOnlyList<long> Values);

/// <summary>Pure functions from numbers to Plotly traces, so tests can check what a chart will draw.</summary>
public static class ChartTraces
{
    /// <summary>
    /// Stacked bars, one trace a series, x in the view's zone: bucket starts are printed as local
    /// times ("yyyy-MM-dd HH:mm:ss") so the axis reads in the zone every other timestamp uses.
    /// </summary>
    public static IList<ITrace> StackedBars(IReadOnlyList<long> bucketStartsMs, IEnumerable<ChartSeries> series, DashboardView view)
    {
        var x = bucketStartsMs.Select(ms => (object)view.Local(ms).ToString("yyyy-MM-dd HH:mm:ss")).ToList();
        return series.Select(s => (ITrace)new Bar
        {
            Name = s.Name,
            X = x,
            Y = s.Values.Select(v => (object)v).ToList(),
            Marker = new Marker { Color = s.Color },
        }).ToList();
    }

    /// <summary>A plotly x-range value (a local time string in the view's zone) back to Unix milliseconds.</summary>
    public static long? ParseLocal(object? value, DashboardView view) => view.FromLocal(value?.ToString());
}
