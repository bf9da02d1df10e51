using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Components.Pages;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Components;

public sealed class LivePageTests : StoreTestContext
{
    private static readonly DateTimeOffset Now = StoaApp.Epoch;

    private static int Count(IRenderedComponent<LivePage> cut) => int.Parse(cut.Find("#live-list").GetAttribute("data-count")!);

    [Fact]
    public async Task Events_appear_newest_first_as_they_are_stored()
    {
        var cut = RenderAt<LivePage>("/live?tenant=t1");
        cut.WaitForElement("#live-empty");

        await StoreAsync("t1", Make.Request(Now.AddSeconds(1), path: "/first"), Make.Request(Now.AddSeconds(2), path: "/second"));
        await StoreAsync("t1", Make.Security(Now.AddSeconds(3)));
        await StoreAsync("t2", Make.Request(Now.AddSeconds(4), tenant: "t2", path: "/other-tenant"));

        cut.WaitForAssertion(() => Assert.Equal(3, Count(cut)));
        var rows = cut.FindAll(".live-row");
        Assert.Equal(["Security", "Request", "Request"], rows.Select(r => r.GetAttribute("data-kind")));
        Assert.Equal("/second", rows[1].GetAttribute("data-path"));
        Assert.Contains("security-row", rows[0].ClassName);
    }

    [Fact]
    public async Task Filters_from_the_url_narrow_the_tail()
    {
        var cut = RenderAt<LivePage>("/live?tenant=t1&consumer_id=cons_a&status_class=5");
        await StoreAsync("t1", Make.Request(Now, "cons_a", 500), Make.Request(Now, "cons_a", 200), Make.Request(Now, "cons_b", 503),
            Make.Security(Now, actor: "cons_a"));
        cut.WaitForAssertion(() => Assert.Equal(1, Count(cut)));
        Assert.Contains("error-row", cut.Find(".live-row").ClassName);
    }

    [Theory]
    [InlineData("status_class=9", "status_class must be 1 to 5")]
    [InlineData("status_class=five", "status_class must be 1 to 5")]
    [InlineData("kind=bogus", "kind 'bogus' is not one of request, security, business")]
    [InlineData("consumer_id=a%20b", "consumer_id: use")]
    public void A_bad_filter_in_the_url_is_said_and_nothing_is_followed(string query, string problem)
    {
        var cut = RenderAt<LivePage>($"/live?tenant=t1&{query}");
        Assert.Contains(problem, cut.WaitForElement("#live-filter-problem").TextContent);
        // Nothing is followed (a page with a good filter subscribes at once: see the tests above).
        Assert.Equal(0, Services.GetRequiredService<Stoa.Dashboard.Live.LiveFeed>().SubscriberCount);
    }

    [Fact]
    public async Task Refusals_client_errors_and_server_errors_each_have_their_colour()
    {
        var cut = RenderAt<LivePage>("/live?tenant=t1");
        await StoreAsync("t1", Make.Request(Now, status: 404, path: "/404"), Make.Request(Now, status: 503, path: "/503"),
            Make.Request(Now, status: 429, path: "/429"), Make.Request(Now, status: 200, path: "/200"));
        cut.WaitForAssertion(() => Assert.Equal(4, Count(cut)));
        string Class(string path) => cut.Find($".live-row[data-path='{path}']").ClassName!;
        Assert.Contains("client-error-row", Class("/404"));
        Assert.Contains("server-error-row", Class("/503"));
        Assert.Contains("refused-row", Class("/429"));
        Assert.DoesNotContain("error-row", Class("/200"));
    }

    [Fact]
    public async Task Pause_counts_arrivals_and_resume_shows_them_all()
    {
        var cut = RenderAt<LivePage>("/live?tenant=t1");
        await StoreAsync("t1", Make.Request(Now));
        cut.WaitForAssertion(() => Assert.Equal(1, Count(cut)));

        await ClickAsync(cut, "#live-pause");
        await StoreAsync("t1", Make.Request(Now.AddSeconds(1)), Make.Request(Now.AddSeconds(2)));
        await StoreAsync("t1", Make.Business(Now.AddSeconds(3)));
        cut.WaitForAssertion(() => Assert.Equal("3", cut.Find("#live-waiting").TextContent));
        Assert.Equal("Resume (3 new)", cut.Find("#live-resume").TextContent.Trim());
        Assert.Equal(1, Count(cut));

        await ClickAsync(cut, "#live-resume");
        cut.WaitForAssertion(() => Assert.Equal(4, Count(cut)));
        Assert.Equal("live", cut.Find("#live-state").TextContent);
    }

    [Fact]
    public async Task The_tail_holds_still_while_the_pointer_is_on_it_or_an_event_is_open_then_goes_on()
    {
        var cut = RenderAt<LivePage>("/live?tenant=t1");
        await StoreAsync("t1", Make.Request(Now));
        cut.WaitForAssertion(() => Assert.Equal(1, Count(cut)));

        cut.Find("#live-list").MouseEnter();
        await StoreAsync("t1", Make.Request(Now.AddSeconds(1)));
        cut.WaitForAssertion(() => Assert.Equal("1", cut.Find("#live-waiting").TextContent));
        Assert.Equal("held while you read", cut.Find("#live-state").TextContent);
        Assert.Equal(1, Count(cut));
        cut.Find("#live-list").MouseLeave(); // the pointer gone: it goes on by itself, nothing lost
        cut.WaitForAssertion(() => Assert.Equal(2, Count(cut)));
        Assert.Equal("live", cut.Find("#live-state").TextContent);

        cut.Find("#live-list").MouseEnter();
        await StoreAsync("t1", Make.Request(Now.AddSeconds(2)));
        cut.WaitForAssertion(() => Assert.Equal("1", cut.Find("#live-waiting").TextContent));
        await ClickAsync(cut, "#live-list tr"); // an event open: still held when the pointer leaves for the drawer
        cut.Find("#live-list").MouseLeave();
        Assert.Equal("true", cut.Find("#live-state").GetAttribute("data-held"));

        await ClickAsync(cut, "#live-resume"); // the person's choice wins over the hold
        cut.WaitForAssertion(() => Assert.Equal(3, Count(cut)));
        Assert.Equal("live", cut.Find("#live-state").TextContent);
    }

    [Fact]
    public async Task The_buffer_keeps_only_the_newest_events()
    {
        var cut = Render<LivePage>(ps => ps.AddCascadingValue(ContextFor("/live?tenant=t1")).Add(p => p.Capacity, 50));
        for (var batch = 0; batch < 4; batch++)
            await StoreAsync("t1", Enumerable.Range(0, 40).Select(i => (AuditEvent)Make.Request(Now.AddSeconds(batch * 40 + i), path: $"/p{batch * 40 + i}")).ToArray());
        cut.WaitForAssertion(() => Assert.Contains("110 older ones", cut.Markup));
        Assert.Equal(50, Count(cut));
        Assert.Equal("/p159", cut.Find(".live-row").GetAttribute("data-path"));
    }

    [Fact]
    public async Task A_client_tails_only_its_consumers()
    {
        var cut = RenderAt<LivePage>("/live?tenant=t1", "client", ["cons_mine"]);
        await StoreAsync("t1", Make.Request(Now, "cons_other"), Make.Request(Now, "cons_mine"), Make.Security(Now, actor: "cons_other", target: "x"));
        cut.WaitForAssertion(() => Assert.Equal(1, Count(cut)));
        Assert.Equal("cons_mine", cut.Find(".live-row").GetAttribute("data-consumer"));
    }
}

public sealed class LiveTailTests
{
    private readonly TestClock _clock = new(StoaApp.Epoch);

    private static AuditEvent Entry(int second, int status = 200)
    {
        var request = Make.Request(StoaApp.Epoch.AddSeconds(second), status: status);
        request.Id = request.Seq = second;
        return request;
    }

    [Fact]
    public void Rate_counts_the_last_five_seconds()
    {
        var tail = new LiveTail(100, new LiveFilter(), _clock);
        tail.Add(Enumerable.Range(0, 10).Select(i => Entry(i)));
        Assert.Equal(2.0, tail.RatePerSecond());
        _clock.Now = _clock.Now.AddSeconds(6);
        Assert.Equal(0.0, tail.RatePerSecond());
    }

    [Fact]
    public void Pause_past_capacity_still_counts_every_arrival()
    {
        var tail = new LiveTail(5, new LiveFilter(), _clock);
        tail.Pause();
        tail.Add(Enumerable.Range(0, 12).Select(i => Entry(i)));
        Assert.Equal(12, tail.ArrivedWhilePaused);
        Assert.Empty(tail.Shown);
        tail.Resume();
        Assert.Equal(5, tail.Shown.Count);
        Assert.Equal(11, tail.Shown.First().Id);
        Assert.Equal(7, tail.Dropped);
    }
}
