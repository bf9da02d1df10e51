using Bunit;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Components.Pages;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Components;

/// <summary>The export page's proof: the bundle link for what is chosen, and an operator's check of the stored chain.</summary>
public sealed class ExportPageTests : StoreTestContext
{
    private static readonly DateTimeOffset At = StoaApp.Epoch.AddHours(-2);

    [Fact]
    public async Task Download_with_proof_asks_the_bundle_of_what_is_chosen()
    {
        await StoreAsync("t1", Make.Request(At));
        var cut = RenderAt<ExportPage>("/export?tenant=t1&days=1&layer=business&format=xlsx");
        cut.WaitForElement("#export-proof");
        Assert.StartsWith("/v1/audit/t1/export/bundle?layer=business&from=", cut.Instance.DownloadUrl("bundle"));
    }

    [Fact]
    public async Task An_operator_sees_an_intact_chain_then_the_break_with_a_link_to_the_event()
    {
        await StoreAsync("t1", Make.Request(At), Make.Request(At.AddMinutes(1)), Make.Security(At.AddMinutes(2)));
        var cut = RenderAt<ExportPage>("/export?tenant=t1&days=1");
        cut.WaitForElement("#chain-check-run");
        await ClickAsync(cut, "#chain-check-run");
        cut.WaitForAssertion(() => Assert.StartsWith("Intact: 3 events checked", cut.Find("#chain-check-result").TextContent.Trim()), TimeSpan.FromSeconds(10));

        await using (var db = await Services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync())
            await db.Database.ExecuteSqlRawAsync("UPDATE request_events SET status_code = 200, path = '/x' WHERE seq = 2");
        await ClickAsync(cut, "#chain-check-run");
        cut.WaitForAssertion(() => Assert.Contains("Broken at seq 2 (altered)", cut.Find("#chain-check-result").TextContent), TimeSpan.FromSeconds(10));
        Assert.Equal("/events/2?tenant=t1", cut.Find("#chain-check-result a").GetAttribute("href"));
    }

    [Fact]
    public async Task A_client_gets_the_proof_but_not_the_stores_check()
    {
        await StoreAsync("t1", Make.Request(At, consumer: "cons_mine"));
        var cut = RenderAt<ExportPage>("/export?tenant=t1&days=1", role: "client", consumers: ["cons_mine"]);
        cut.WaitForElement("#export-proof");
        Assert.Empty(cut.FindAll("#chain-check"));
    }
}
