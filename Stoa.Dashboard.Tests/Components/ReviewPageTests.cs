using Bunit;
using Stoa.Dashboard.Components.Pages;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Components;

/// <summary>The weekly review: its figures for the last complete week, marking it reviewed, and the triage page's reminder until then.</summary>
public sealed class ReviewPageTests : StoreTestContext
{
    // The test clock reads Wednesday 2026-03-11 12:00: the last complete week is Monday 2026-03-02 to Sunday 2026-03-08.
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private async Task SeedAsync()
    {
        var events = new List<AuditEvent>();
        for (var day = -10; day < 7; day++) events.Add(Make.Request(Monday.AddDays(day).AddHours(9), "cons_old"));
        for (var i = 0; i < 30; i++) events.Add(Make.Security(Monday.AddDays(-3).AddMinutes(i), target: "key_y"));
        for (var i = 0; i < 1_100; i++) events.Add(Make.Security(Monday.AddDays(1).AddSeconds(i), target: "key_x"));
        for (var i = 0; i < 1_440; i++) events.Add(Make.Request(Monday.AddDays(2).AddHours(10).AddSeconds(i * 5), "cons_new", path: "/api/poll"));
        foreach (var chunk in events.Chunk(2_000)) await StoreAsync("t1", chunk);
    }

    [Fact]
    public async Task The_last_complete_week_is_reviewed_with_its_findings()
    {
        await SeedAsync();
        var cut = RenderAt<ReviewPage>("/review?tenant=t1");

        cut.WaitForAssertion(() => Assert.Equal("2026-03-02", cut.Find("#review-heading").GetAttribute("data-week")), Wait);
        Assert.Equal(7, cut.FindAll("#review-days tbody tr").Count);
        Assert.Equal(["1,100", "30"], cut.Find("#review-security tr[data-type='auth_failed']").QuerySelectorAll("td").Skip(1).Take(2).Select(td => td.TextContent));
        Assert.Equal(["cons_new"], cut.FindAll("#review-new-consumers tr[data-consumer]").Select(r => r.GetAttribute("data-consumer")));
        Assert.Equal("key_x", cut.Find("#review-findings tr[data-finding='brute_force']").GetAttribute("data-target"));
        Assert.Equal("cons_new", cut.Find("#review-findings tr[data-finding='runaway']").GetAttribute("data-consumer"));
        Assert.Contains("Not reviewed yet", cut.Find("#review-marks").TextContent);
    }

    [Fact]
    public async Task Triage_reminds_until_an_operator_marks_the_week_reviewed()
    {
        await SeedAsync();
        var triage = RenderAt<TriagePage>("/?tenant=t1");
        triage.WaitForAssertion(() => Assert.Contains("The week of 2026-03-02 is not reviewed yet", triage.Find("#review-reminder").TextContent), Wait);

        var review = RenderAt<ReviewPage>("/review?tenant=t1");
        review.WaitForElement("#review-mark", Wait);
        await ClickAsync(review, "#review-mark");
        review.WaitForAssertion(() => Assert.Contains("Reviewed by tester", review.Find("#review-marks").TextContent), Wait);

        var after = RenderAt<TriagePage>("/?tenant=t1");
        after.WaitForElement("#stat-total", Wait);
        Assert.Empty(after.FindAll("#review-reminder"));
        Assert.Empty(RenderAt<ReviewPage>("/review?tenant=t1", role: "client", consumers: ["cons_old"]).FindAll("#review-mark"));
    }
}
