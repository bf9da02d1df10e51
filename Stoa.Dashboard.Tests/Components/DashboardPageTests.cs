using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Stoa.Dashboard.Components.Layout;
using Stoa.Dashboard.Components.Pages;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Components;

/// <summary>
/// What every page inherits from <see cref="DashboardPage"/>: a live refresh of the same view keeps
/// what is on screen until the new data is in (a form being typed into must not blink away), while
/// a new view shows the loading bar.
/// </summary>
public sealed class DashboardPageTests : StoreTestContext
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A page whose loads after the first wait for the test twice: for their first query, which fills
    /// in a field (the window it read), and then for the rest.
    /// </summary>
    private sealed class GatedPage : DashboardPage
    {
        public static TaskCompletionSource FirstQuery = Opened(), Rest = Opened();
        public int Started, Finished;
        public readonly SemaphoreSlim Starts = new(0); // released as each load starts: a load held at a gate renders nothing to wait on
        private string? _window;

        protected override bool FollowsLive => true;

        protected override async Task LoadAsync(AuditDbContext db, CancellationToken ct)
        {
            var first = Started++ == 0;
            Starts.Release();
            if (!first) await FirstQuery.Task.WaitAsync(ct);
            _window = Context!.View.Preset;
            if (!first) await Rest.Task.WaitAsync(ct);
            Finished++;
        }

        public Task RenderAgainAsync() => InvokeAsync(StateHasChanged);

        protected override void BuildRenderTree(RenderTreeBuilder builder) => builder.AddMarkupContent(0,
            Loading ? "<p id=\"loading\"></p>" : $"<p id=\"shown\" data-loads=\"{Finished}\" data-window=\"{_window}\"></p>");
    }

    private static TaskCompletionSource Held() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static TaskCompletionSource Opened()
    {
        var gate = Held();
        gate.SetResult();
        return gate;
    }

    [Fact]
    public async Task A_live_refresh_keeps_the_page_on_screen_while_it_loads()
    {
        (GatedPage.FirstQuery, GatedPage.Rest) = (Opened(), Held());
        var cut = RenderAt<GatedPage>("/?tenant=t1&hours=24");
        cut.WaitForElement("#shown", Wait);

        await StoreAsync("t1", Make.Request(StoaApp.Epoch.AddMinutes(-1)));
        cut.WaitForAssertion(() => Assert.Equal(2, cut.Instance.Started), Wait); // the refresh is under way, held at the gate
        cut.Render(); // anything that renders meanwhile, a keystroke in a bound field say
        Assert.Equal("1", cut.Find("#shown").GetAttribute("data-loads"));

        GatedPage.Rest.SetResult();
        cut.WaitForAssertion(() => Assert.Equal("2", cut.Find("#shown").GetAttribute("data-loads")), Wait);
    }

    [Fact]
    public async Task Going_back_to_a_view_after_leaving_another_half_loaded_shows_the_loading_bar_not_the_half_loaded_one()
    {
        (GatedPage.FirstQuery, GatedPage.Rest) = (Opened(), Held());
        var day = ContextFor("/?tenant=t1&hours=24");
        var host = Render<CascadingValue<DashboardContext>>(ps => ps.Add(p => p.Value, day).AddChildContent<GatedPage>());
        Task MoveTo(DashboardContext view) => host.InvokeAsync(() => host.Render(ps => ps.Add(p => p.Value, view).AddChildContent<GatedPage>()));
        var page = host.FindComponent<GatedPage>();
        host.WaitForAssertion(() => Assert.Equal("24h", host.Find("#shown").GetAttribute("data-window")), Wait);
        Assert.True(await page.Instance.Starts.WaitAsync(Wait));

        // To the last hour: its first query fills in the window, then it is held.
        await MoveTo(ContextFor("/?tenant=t1&hours=1"));
        Assert.True(await page.Instance.Starts.WaitAsync(Wait));
        Assert.NotNull(host.Find("#loading"));

        // Back to the day before that load finished: the day's load is held before its first query.
        GatedPage.FirstQuery = Held();
        await MoveTo(day);
        Assert.True(await page.Instance.Starts.WaitAsync(Wait));
        await page.Instance.RenderAgainAsync(); // anything that renders meanwhile

        Assert.Empty(host.FindAll("#shown")); // the hour's half-loaded fields must not show as the day

        GatedPage.FirstQuery.SetResult();
        GatedPage.Rest.SetResult();
        host.WaitForAssertion(() => Assert.Equal("24h", host.Find("#shown").GetAttribute("data-window")), Wait);
    }
}
