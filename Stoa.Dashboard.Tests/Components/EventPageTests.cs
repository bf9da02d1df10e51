using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Components.Pages;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Components;

/// <summary>The permanent page of one event (<c>/events/{seq}</c>), and the newest/oldest-first order of the lists.</summary>
public sealed class EventPageTests : StoreTestContext
{
    private static readonly DateTimeOffset At = new(2026, 3, 10, 3, 17, 42, 123, TimeSpan.Zero);

    private async Task SeedAsync()
    {
        var delete = Make.Request(At, "cons_xyz", 204, "DELETE", "/api/documents/12345");
        delete.RequestId = "req_delete";
        await StoreAsync("t1", delete,
            Make.Business(At.AddMilliseconds(20), "cons_xyz", "deleted", "document", "12345", "req_delete"),
            Make.Request(At.AddSeconds(1), "cons_other"));
    }

    private IRenderedComponent<EventPage> Open(long seq, string query = "?tenant=t1", string role = "operator", string[]? consumers = null) =>
        Render<EventPage>(ps => ps.AddCascadingValue(ContextFor($"/events/{seq}{query}", role, consumers)).Add(p => p.Seq, seq));

    [Fact]
    public async Task Shows_the_event_with_what_it_caused_and_its_own_link()
    {
        await SeedAsync();
        var cut = Open(1, "?tenant=t1&tz=Europe/Paris");

        cut.WaitForAssertion(() => Assert.Equal("1", cut.Find("#event-detail").GetAttribute("data-seq")));
        Assert.Contains("2026-03-10 04:17:42.123 Europe/Paris", cut.Find("#event-fields tr[data-field='timestamp']").TextContent);
        Assert.Equal("1", cut.Find("#event-fields tr[data-field='seq'] td:last-child").TextContent);
        Assert.Equal("/events/1?tenant=t1&tz=Europe/Paris", cut.Find("#event-link").GetAttribute("href"));
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".caused-change[data-resource='document/12345']")));
        Assert.Contains("/events/2?tenant=t1", cut.Find(".caused-change a").GetAttribute("href"));
        Assert.Contains("from=2026-03-10T02:47:42.123Z", cut.Find("#event-around").GetAttribute("href"));
    }

    [Fact]
    public async Task Copy_link_puts_the_absolute_link_on_the_clipboard()
    {
        await SeedAsync();
        var cut = Open(2);
        cut.WaitForElement("#copy-link");
        await ClickAsync(cut, "#copy-link");
        var copied = JSInterop.Invocations["navigator.clipboard.writeText"].Single().Arguments.Single();
        Assert.Equal("http://localhost/events/2?tenant=t1", copied);
    }

    [Fact]
    public async Task A_client_sees_the_same_answer_for_another_consumers_event_as_for_a_missing_one()
    {
        await SeedAsync();
        var others = Open(3, role: "client", consumers: ["cons_xyz"]);
        var missing = Open(99, role: "client", consumers: ["cons_xyz"]);
        others.WaitForElement("#no-event");
        missing.WaitForElement("#no-event");
        Assert.Equal(missing.Find("#no-event").TextContent.Replace("99", "N"), others.Find("#no-event").TextContent.Replace("3", "N"));
        Assert.Equal("1", Open(1, role: "client", consumers: ["cons_xyz"]).WaitForElement("#event-detail").GetAttribute("data-seq"));
    }

    [Fact]
    public async Task Changes_are_newest_first_and_the_order_toggle_writes_order_into_the_url()
    {
        await StoreAsync("t1", Make.Business(StoaApp.Epoch.AddHours(-2), resourceId: "old"), Make.Business(StoaApp.Epoch.AddHours(-1), resourceId: "new"));
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("/changes?tenant=t1&hours=24");
        var cut = Render<ChangesPage>(ps => ps.AddCascadingValue(ContextFor("/changes?tenant=t1&hours=24")));
        cut.WaitForAssertion(() => Assert.Equal(["document/new", "document/old"],
            cut.FindAll("#changes tr.business-row").Select(r => r.GetAttribute("data-resource"))));

        await ClickAsync(cut, "#order-toggle");
        cut.WaitForAssertion(() => Assert.Contains("order=asc", navigation.Uri));
        var ascending = RenderAt<ChangesPage>("/changes?tenant=t1&hours=24&order=asc");
        ascending.WaitForAssertion(() => Assert.Equal(["document/old", "document/new"],
            ascending.FindAll("#changes tr.business-row").Select(r => r.GetAttribute("data-resource"))));
    }
}
