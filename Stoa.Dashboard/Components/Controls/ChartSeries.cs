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
    public static IList<ITrace> StackedBars(IReadOnlyList<long> bucketStartsMs, IEnumerable<ChartSeries> series, DashboardView view, string unit = "requests")
    {
        var x = bucketStartsMs.Select(ms => (object)Local(ms, view)).ToList();
        return series.Select(s => (ITrace)new Bar
        {
            Name = s.Name,
            X = x,
            Y = s.Values.Select(v => (object)v).ToList(),
            Marker = new Marker { Color = s.Color },
            // "5xx: 12 requests · 2026-03-10 03:17" rather than Plotly's "(Mar 10, 2026, 03:17, 12) 5xx".
            HoverTemplate = $"%{{fullData.name}}: %{{y:,}} {unit} · %{{x|%Y-%m-%d %H:%M}} {view.ZoneName}<extra></extra>",
        }).ToList();
    }

    /// <summary>
    /// The chart's frame: x over the buckets' span (so an empty chart still reads as this window,
    /// not Plotly's "Jan 2000"), y from zero in whole numbers (a step of one under ten), and no
    /// background of its own, so it takes the page's, light or dark. On a log scale the series stand
    /// side by side (stacked heights mean nothing there), so 3,200 of one type do not flatten 4 of another.
    /// </summary>
    public static Plotly.Blazor.Layout Frame(IReadOnlyList<long> bucketStartsMs, IEnumerable<ChartSeries> series, DashboardView view, string yTitle,
        bool logScale = false)
    {
        var tallest = bucketStartsMs.Select((_, i) => series.Sum(s => s.Values[i])).DefaultIfEmpty(0).Max();
        var width = bucketStartsMs.Count > 1 ? bucketStartsMs[1] - bucketStartsMs[0] : 60_000;
        return new Plotly.Blazor.Layout
        {
            BarMode = logScale ? Plotly.Blazor.LayoutLib.BarModeEnum.Group : Plotly.Blazor.LayoutLib.BarModeEnum.Stack,
            Height = 260,
            Margin = new Plotly.Blazor.LayoutLib.Margin { T = 10, B = 40, L = 50, R = 10 },
            PaperBgColor = "rgba(0,0,0,0)",
            PlotBgColor = "rgba(0,0,0,0)",
            XAxis =
            [
                new Plotly.Blazor.LayoutLib.XAxis
                {
                    Type = Plotly.Blazor.LayoutLib.XAxisLib.TypeEnum.Date,
                    Title = new Plotly.Blazor.LayoutLib.XAxisLib.Title { Text = $"time ({view.ZoneName})" },
                    Range = bucketStartsMs.Count == 0 ? null : [Local(bucketStartsMs[0], view), Local(bucketStartsMs[^1] + width, view)],
                },
            ],
            YAxis =
            [
                logScale
                    ? new Plotly.Blazor.LayoutLib.YAxis
                    {
                        Title = new Plotly.Blazor.LayoutLib.YAxisLib.Title { Text = $"{yTitle} (log scale)" },
                        Type = Plotly.Blazor.LayoutLib.YAxisLib.TypeEnum.Log,
                        DTick = 1, // one tick a power of ten: 1, 10, 100, 1,000
                        TickFormat = ",d",
                    }
                    : new Plotly.Blazor.LayoutLib.YAxis
                    {
                        Title = new Plotly.Blazor.LayoutLib.YAxisLib.Title { Text = yTitle },
                        RangeMode = Plotly.Blazor.LayoutLib.YAxisLib.RangeModeEnum.ToZero,
                        Range = tallest == 0 ? [0, 1] : null,
                        DTick = tallest < 10 ? 1 : null,
                        TickFormat = ",d",
                    },
            ],
        };
    }

    private static string Local(long ms, DashboardView view) => view.Local(ms).ToString("yyyy-MM-dd HH:mm:ss");

    /// <summary>A plotly x-range value (a local time string in the view's zone) back to Unix milliseconds.</summary>
    public static long? ParseLocal(object? value, DashboardView view) => view.FromLocal(value?.ToString());
}
