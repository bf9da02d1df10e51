using Microsoft.Playwright;

namespace Stoa.Dashboard.Tests.Browser;

public sealed class DashboardBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task Triage_opens_after_sign_in_with_exact_numbers()
    {
        var page = await app.SignedInPageAsync();
        await page.WaitForSelectorAsync("#stat-total");
        await app.ScreenshotAsync(page, "triage");
        Assert.Contains("tenant=tenant_abc", page.Url);
    }
}
