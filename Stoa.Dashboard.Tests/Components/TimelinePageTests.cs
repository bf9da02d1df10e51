using Bunit;
using Stoa.Dashboard.Components.Pages;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Components;

public sealed class TimelinePageTests : StoreTestContext
{
    private static readonly DateTimeOffset ThreeAm = new(2026, 3, 10, 3, 0, 0, TimeSpan.Zero);
    private const string Hour = "/timeline?tenant=t1&from=2026-03-10T03:00:00Z&to=2026-03-10T04:00:00Z";

    private async Task SeedAsync()
    {
        var delete = Make.Request(ThreeAm.AddMinutes(17).AddSeconds(42).AddMilliseconds(123), "cons_xyz", 204, "DELETE", "/api/documents/12345");
        delete.RequestId = "req_delete";
        await StoreAsync("t1",
            Make.Request(ThreeAm.AddMinutes(1), "cons_a", 200, path: "/api/a"),
            Make.Request(ThreeAm.AddMinutes(2), "cons_b", 500, path: "/api/a"),
            Make.Request(ThreeAm.AddMinutes(3), "cons_a", 404, path: "/api/b"),
            delete,
            Make.Security(ThreeAm.AddMinutes(20), "auth_failed", "9.9.9.9", "key_cons_xyz"),
            Make.Security(ThreeAm.AddMinutes(21), "key_rotated", "cons_xyz", "key_cons_xyz", "success"),
            Make.Business(ThreeAm.AddMinutes(17).AddSeconds(42).AddMilliseconds(150), "cons_xyz", "deleted", "document", "12345", "req_delete"),
            Make.Request(ThreeAm.AddHours(1), "cons_a", path: "/api/later")); // 04:00 is outside: 'to' is exclusive
    }

    [Theory]
    [InlineData("12345", new[] { "DELETE /api/documents/12345", "deleted document 12345" })] // a path and a resource id
    [InlineData("REQ_DELETE", new[] { "DELETE /api/documents/12345", "deleted document 12345" })] // a request id, any case
    [InlineData("9.9.9", new[] { "auth_failed" })] // a security event's actor
    [InlineData("50%", new string[0])] // % is a character, not a wildcard
    public async Task The_search_in_the_url_narrows_the_stream_the_chart_and_the_paths_to_events_that_hold_it(string text, string[] kept)
    {
        await SeedAsync();
        var cut = RenderAt<TimelinePage>($"{Hour}&q={Uri.EscapeDataString(text)}");
        cut.WaitForAssertion(() => Assert.Contains(text, cut.Find("#text-filter").TextContent), TimeSpan.FromSeconds(10));
        cut.WaitForAssertion(() => Assert.Equal(kept.Length, cut.FindAll("#event-stream tbody tr").Count), TimeSpan.FromSeconds(10));
        var rows = cut.FindAll("#event-stream tbody tr").Select(r => r.TextContent).ToList();
        Assert.All(kept, k => Assert.Contains(rows, r => r.Contains(k, StringComparison.Ordinal)));
        if (kept.Length == 0) Assert.Contains("holds “50%”", cut.Find("#empty-window").TextContent);
        Assert.All(cut.FindAll("#path-breakdown tbody tr"), r => Assert.Equal("/api/documents/12345", r.GetAttribute("data-path")));
    }

    [Theory]
    [InlineData("/timeline?tenant=t1&days=2", "desc")] // a window ending now: what just happened on top
    [InlineData(Hour, "asc")] // a fixed window: the story in order
    [InlineData("/timeline?tenant=t1&days=2&order=asc", "asc")]
    [InlineData(Hour + "&order=desc", "desc")]
    public async Task Newest_first_for_a_window_ending_now_oldest_first_for_a_fixed_one_unless_the_url_says(string url, string order)
    {
        await SeedAsync();
        var cut = RenderAt<TimelinePage>(url);
        cut.WaitForAssertion(() => Assert.Equal(order, cut.Find("#order-toggle").GetAttribute("data-order")), TimeSpan.FromSeconds(10));
        cut.WaitForAssertion(() => Assert.True(cut.FindAll("#event-stream tbody tr").Count >= 2), TimeSpan.FromSeconds(10));
        var times = cut.FindAll("#event-stream tbody tr").Select(r => r.GetAttribute("data-time")!).ToList();
        Assert.Equal(order == "asc" ? times.Order(StringComparer.Ordinal) : times.OrderDescending(StringComparer.Ordinal), times);
    }

    [Fact]
    public async Task Stream_merges_every_layer_in_time_order_and_counts_match()
    {
        await SeedAsync();
        var cut = Render<TimelinePage>(ps => ps.AddCascadingValue(ContextFor(Hour)));

        cut.WaitForAssertion(() => Assert.Equal(7, cut.FindAll("#event-stream tbody tr").Count));
        var kinds = cut.FindAll("#event-stream tbody tr").Select(r => r.GetAttribute("data-kind")).ToList();
        Assert.Equal(["Request", "Request", "Request", "Request", "Business", "Security", "Security"], kinds);
        Assert.Equal("4", cut.Find("#timeline-histogram").GetAttribute("data-total"));

        var pathA = cut.Find("#path-breakdown tr[data-path='/api/a']").TextContent;
        Assert.Contains("2", pathA); // requests
        var cells = cut.Find("#path-breakdown tr[data-path='/api/a']").QuerySelectorAll("td").Select(c => c.TextContent).ToArray();
        Assert.Equal(["/api/a", "2", "1", "2"], cells); // requests, errors, distinct consumers
        Assert.Empty(cut.FindAll("#path-breakdown tr[data-path='/api/later']"));
    }

    [Fact]
    public async Task Clicking_the_delete_opens_its_detail_with_the_business_change()
    {
        await SeedAsync();
        var cut = Render<TimelinePage>(ps => ps.AddCascadingValue(ContextFor(Hour)));
        cut.WaitForElement("#event-stream tr[data-method='DELETE']");
        await ClickAsync(cut, "#event-stream tr[data-method='DELETE']");

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll(".caused-change[data-resource='document/12345']")));
        Assert.Contains("2026-03-10 03:17:42.123 UTC", cut.Find("#event-fields tr[data-field='timestamp']").TextContent);
        Assert.Contains("Old title", cut.Find(".caused-change tr[data-field='title'] .diff-before").TextContent);
        // The consumer's own security event four minutes later is shown beside it; one that names only its key is not its event.
        Assert.Contains("key_rotated", cut.Find("#security-around").TextContent);
        Assert.DoesNotContain("9.9.9.9", cut.Find("#security-around").TextContent);
    }

    [Theory]
    [InlineData("&kind=security", 2, 0)] // the two security events; no request, so the chart is empty
    [InlineData("&status_class=5", 1, 1)] // request-only filters leave security and business events out
    [InlineData("&method=delete", 1, 1)] // the method as the API reads it, any case
    [InlineData("&path_prefix=/api/a", 2, 2)]
    [InlineData("&kind=request&status_class=4", 1, 1)]
    public async Task The_filter_bar_narrows_the_stream_and_the_chart_as_the_live_tail_would(string query, int rows, int charted)
    {
        await SeedAsync();
        var cut = RenderAt<TimelinePage>(Hour + query);
        cut.WaitForAssertion(() => Assert.Equal(rows, cut.FindAll("#event-stream tbody tr").Count), TimeSpan.FromSeconds(10));
        Assert.Equal(charted.ToString(), cut.Find("#timeline-histogram").GetAttribute("data-total"));
    }

    [Fact]
    public async Task A_bad_filter_value_is_said_not_ignored()
    {
        await SeedAsync();
        var cut = RenderAt<TimelinePage>(Hour + "&kind=bogus");
        cut.WaitForAssertion(() => Assert.Contains("kind 'bogus' is not one of request, security, business.", cut.Find("#timeline-filter-problem").TextContent),
            TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Times_are_shown_in_the_chosen_zone()
    {
        await SeedAsync();
        var cut = Render<TimelinePage>(ps => ps.AddCascadingValue(ContextFor(Hour + "&tz=America/New_York")));
        cut.WaitForAssertion(() => Assert.Contains("2026-03-09 23:17:42.123", cut.Find("#event-stream tr[data-method='DELETE']").TextContent));
        Assert.DoesNotContain("America/New_York", cut.Find("#event-stream tbody").TextContent); // named once, in the header
        Assert.Contains("Time (America/New_York)", cut.Find("#event-stream thead").TextContent);
    }

    [Fact]
    public async Task A_consumer_filter_narrows_every_part()
    {
        await SeedAsync();
        var cut = RenderAt<TimelinePage>(Hour + "&consumer_id=cons_a");
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("#event-stream tbody tr").Count));
        Assert.Equal("2", cut.Find("#timeline-histogram").GetAttribute("data-total"));
    }

    [Fact]
    public async Task Long_windows_page_with_load_more_without_losing_events()
    {
        var events = Enumerable.Range(0, 450).Select(i => (AuditEvent)Make.Request(ThreeAm.AddSeconds(i / 3), "cons_a")).ToArray();
        await StoreAsync("t1", events);
        var cut = Render<TimelinePage>(ps => ps.AddCascadingValue(ContextFor(Hour)));
        cut.WaitForAssertion(() => Assert.Equal(200, cut.FindAll("#event-stream tbody tr").Count));
        await ClickAsync(cut, "#load-more");
        cut.WaitForAssertion(() => Assert.Equal(400, cut.FindAll("#event-stream tbody tr").Count));
        await ClickAsync(cut, "#load-more");
        cut.WaitForAssertion(() => Assert.Equal(450, cut.FindAll("#event-stream tbody tr").Count));
        Assert.Empty(cut.FindAll("#load-more"));
        var times = cut.FindAll("#event-stream tbody tr").Select(r => r.GetAttribute("data-time")).ToList();
        Assert.Equal(times.Order(StringComparer.Ordinal), times);
    }
}
