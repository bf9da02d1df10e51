using Plotly.Blazor.Traces;
using Stoa.Dashboard.Components.Controls;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Model;

public sealed class DashboardViewTests
{
    private readonly TestClock _clock = new(StoaApp.Epoch);

    private DashboardView Parse(string query, string? browserZone = null) =>
        DashboardView.Parse("http://localhost/timeline" + query, _clock, browserZone);

    [Theory]
    [InlineData("?tenant=tenant_abc&from=2026-03-11T03:00:00.000Z&to=2026-03-11T04:00:00.000Z")]
    [InlineData("?tenant=tenant_abc&hours=6")]
    [InlineData("?tenant=tenant_abc&days=7&tz=Europe/Paris")]
    [InlineData("?tenant=t2&from=2026-03-01T00:00:00.000Z&to=2026-03-02T00:00:00.000Z&tz=browser")]
    public void A_view_written_back_to_the_url_reads_the_same(string query)
    {
        var view = Parse(query, "Asia/Tokyo");
        var again = Parse(view.Query(), "Asia/Tokyo");
        Assert.Equal(view, again with { Problems = view.Problems });
        Assert.Equal(query, view.Query());
    }

    [Theory]
    [InlineData("?from=2026-03-10T03:00:00Z&to=2026-03-11T12:00:00Z", "Mar 10 03:00 → Mar 11 12:00 UTC")]
    [InlineData("?from=1970-01-01T00:00:00Z&to=2100-01-01T00:00:00Z", "1970-01-01 00:00 → 2100-01-01 00:00 UTC")]
    [InlineData("?from=2025-12-31T22:00:00Z&to=2026-01-01T02:00:00Z", "2025-12-31 22:00 → 2026-01-01 02:00 UTC")]
    [InlineData("?from=2026-03-10T03:00:00Z&to=2026-03-10T04:00:00Z&tz=Europe/Paris", "Mar 10 04:00 → Mar 10 05:00 Europe/Paris")]
    public void The_window_reads_with_its_dates_the_year_when_it_is_not_this_one_and_the_zone(string query, string expected) =>
        Assert.Equal(expected, Parse(query).RangeText(_clock.GetUtcNow().ToUnixTimeMilliseconds()));

    [Fact]
    public void Export_links_name_the_tenant_format_parameters_and_the_views_window_unless_given()
    {
        var view = Parse("?tenant=tenant_abc&from=2026-03-10T03:00:00Z&to=2026-03-10T04:00:00Z");
        Assert.Equal("/v1/audit/tenant_abc/export/csv?consumer_id=cons_a&from=2026-03-10T03:00:00.000Z&to=2026-03-10T04:00:00.000Z",
            view.ExportLink("csv", ("consumer_id", "cons_a"), ("method", null)));
        Assert.Equal("/v1/audit/tenant_abc/export/bundle?layer=requests&from=2026-03-10T03:17:42.123Z&to=2026-03-10T03:17:42.124Z&path=/api/a%20b%26c",
            view.ExportLink("bundle", ("layer", "requests"), ("from", "2026-03-10T03:17:42.123Z"), ("to", "2026-03-10T03:17:42.124Z"), ("path", "/api/a b&c")));
    }

    [Theory]
    [InlineData(1, "1 change")]
    [InlineData(0, "0 changes")]
    [InlineData(12_345, "12,345 changes")]
    public void Counts_read_as_words(long n, string expected) => Assert.Equal(expected, Formats.Count(n, "change"));

    [Fact]
    public void Presets_stay_relative_so_a_shared_link_means_the_last_n_hours()
    {
        var view = Parse("?tenant=a&hours=6");
        Assert.Equal("6h", view.Preset);
        Assert.Equal(StoaApp.Epoch.AddHours(-6).ToUnixTimeMilliseconds(), view.FromMs);
        Assert.Equal(StoaApp.Epoch.ToUnixTimeMilliseconds(), view.ToMs);
        _clock.Now = _clock.Now.AddHours(1);
        Assert.Equal(StoaApp.Epoch.AddHours(-5).ToUnixTimeMilliseconds(), Parse(view.Query()).FromMs);
    }

    [Fact]
    public void Without_a_window_the_last_24_hours_are_shown()
    {
        var view = Parse("?tenant=a");
        Assert.Equal(24 * 3_600_000L, view.ToMs - view.FromMs);
        Assert.Empty(view.Problems);
    }

    [Theory]
    [InlineData("?tenant=a&hours=2&from=2026-03-11T00:00:00Z", "hours")]
    [InlineData("?tenant=a&from=2026-03-12T00:00:00Z&to=2026-03-11T00:00:00Z", "from")]
    [InlineData("?tenant=a&tz=Mars/Olympus", "tz")]
    [InlineData("?tenant=bad%20tenant", "tenant")]
    public void Bad_parameters_are_reported_the_way_the_api_reports_them(string query, string parameter)
    {
        var view = Parse(query);
        Assert.Contains(view.Problems, p => p.Parameter == parameter);
    }

    [Theory]
    [InlineData("UTC", "2026-03-10 03:17:42.123 UTC")]
    [InlineData("Europe/Paris", "2026-03-10 04:17:42.123 Europe/Paris")]
    [InlineData("America/New_York", "2026-03-09 23:17:42.123 America/New_York")]
    [InlineData("Asia/Kolkata", "2026-03-10 08:47:42.123 Asia/Kolkata")]
    public void Every_timestamp_names_its_zone(string zone, string expected)
    {
        var view = Parse($"?tenant=a&tz={Uri.EscapeDataString(zone)}");
        var ms = new DateTimeOffset(2026, 3, 10, 3, 17, 42, 123, TimeSpan.Zero).ToUnixTimeMilliseconds();
        Assert.Equal(expected, view.Time(ms));
    }

    [Fact]
    public void The_browsers_zone_is_used_when_asked_for()
    {
        var view = Parse("?tenant=a&tz=browser", browserZone: "Asia/Tokyo");
        Assert.Equal("Asia/Tokyo", view.ZoneName);
        Assert.Equal("browser", view.TimeZoneParameter);
    }

    [Fact]
    public void Chart_traces_stack_each_series_at_local_bucket_times_and_zoom_maps_back_to_utc()
    {
        var view = Parse("?tenant=a&tz=Europe%2FParis");
        var start = new DateTimeOffset(2026, 3, 10, 3, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var traces = ChartTraces.StackedBars([start, start + 60_000], [new ChartSeries("2xx", "#0f0", [5, 7]), new ChartSeries("5xx", "#f00", [0, 1])], view);

        var ok = Assert.IsType<Bar>(traces[0]);
        Assert.Equal("2xx", ok.Name);
        Assert.Equal(["2026-03-10 04:00:00", "2026-03-10 04:01:00"], ok.X);
        Assert.Equal([5L, 7L], ok.Y);
        Assert.Equal(2, traces.Count);
        Assert.Equal(start, ChartTraces.ParseLocal("2026-03-10 04:00:00", view));
        Assert.Equal(start + 90_000, ChartTraces.ParseLocal("2026-03-10 04:01:30", view));
        Assert.Equal("%{fullData.name}: %{y:,} requests · %{x|%Y-%m-%d %H:%M} Europe/Paris<extra></extra>", ok.HoverTemplate);
    }

    [Fact]
    public void A_charts_frame_spans_its_window_even_empty_counts_in_whole_numbers_and_has_no_background_of_its_own()
    {
        var view = Parse("?tenant=a");
        var start = new DateTimeOffset(2026, 3, 10, 3, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var empty = ChartTraces.Frame([start, start + 60_000], [new ChartSeries("2xx", "#0f0", [0, 0])], view, "requests");
        Assert.Equal(["2026-03-10 03:00:00", "2026-03-10 03:02:00"], empty.XAxis[0].Range);
        Assert.Equal([0, 1], empty.YAxis[0].Range);
        Assert.Equal(1m, Convert.ToDecimal(empty.YAxis[0].DTick));
        Assert.Equal("rgba(0,0,0,0)", empty.PaperBgColor);

        var busy = ChartTraces.Frame([start], [new ChartSeries("2xx", "#0f0", [3_200])], view, "events");
        Assert.Null(busy.YAxis[0].Range);
        Assert.Null(busy.YAxis[0].DTick);
        Assert.Equal(",d", busy.YAxis[0].TickFormat);
    }

    [Fact]
    public void On_a_log_scale_the_series_stand_side_by_side_with_a_tick_a_power_of_ten()
    {
        var view = Parse("?tenant=a");
        var start = new DateTimeOffset(2026, 3, 10, 3, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var series = new[] { new ChartSeries("auth_failed", "#f00", [3_200]), new ChartSeries("key_revoked", "#00f", [4]) };
        var log = ChartTraces.Frame([start], series, view, "events", logScale: true);
        Assert.Equal(Plotly.Blazor.LayoutLib.YAxisLib.TypeEnum.Log, log.YAxis[0].Type);
        Assert.Equal(Plotly.Blazor.LayoutLib.BarModeEnum.Group, log.BarMode);
        Assert.Equal("events (log scale)", log.YAxis[0].Title.Text);
        Assert.Equal(Plotly.Blazor.LayoutLib.BarModeEnum.Stack, ChartTraces.Frame([start], series, view, "events").BarMode);
    }

    [Fact]
    public void Buckets_are_round_and_about_sixty_to_a_window()
    {
        Assert.Equal(60_000, Buckets.WidthFor(0, 3_600_000));
        Assert.Equal(30 * 60_000, Buckets.WidthFor(0, 24 * 3_600_000));
        Assert.Equal(3 * 3_600_000, Buckets.WidthFor(0, 7 * 24 * 3_600_000L));
        Assert.Equal(60, Buckets.Starts(0, 3_600_000, 60_000).Count());
    }
}
