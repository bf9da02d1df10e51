using Bunit;
using Microsoft.AspNetCore.Components.Rendering;
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

    /// <summary>A page whose loads after the first wait for the test to let them finish.</summary>
    private sealed class GatedPage : DashboardPage
    {
        public static TaskCompletionSource? Gate;
        public int Started, Finished;

        protected override bool FollowsLive => true;

        protected override async Task LoadAsync(AuditDbContext db, CancellationToken ct)
        {
            if (Started++ > 0 && Gate is { } gate) await gate.Task.WaitAsync(ct);
            Finished++;
        }

        protected override void BuildRenderTree(RenderTreeBuilder builder) =>
            builder.AddMarkupContent(0, Loading ? "<p id=\"loading\"></p>" : $"<p id=\"shown\" data-loads=\"{Finished}\"></p>");
    }

    [Fact]
    public async Task A_live_refresh_keeps_the_page_on_screen_while_it_loads()
    {
        GatedPage.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cut = RenderAt<GatedPage>("/?tenant=t1&hours=24");
        cut.WaitForElement("#shown", Wait);

        await StoreAsync("t1", Make.Request(StoaApp.Epoch.AddMinutes(-1)));
        cut.WaitForAssertion(() => Assert.Equal(2, cut.Instance.Started), Wait); // the refresh is under way, held at the gate
        cut.Render(); // anything that renders meanwhile, a keystroke in a bound field say
        Assert.Equal("1", cut.Find("#shown").GetAttribute("data-loads"));

        GatedPage.Gate.SetResult();
        cut.WaitForAssertion(() => Assert.Equal("2", cut.Find("#shown").GetAttribute("data-loads")), Wait);
    }
}
