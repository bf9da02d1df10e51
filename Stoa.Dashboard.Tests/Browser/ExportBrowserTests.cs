using ClosedXML.Excel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Stoa.Dashboard.Export;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Browser;

/// <summary>An operator issues a client its access; the client signs in with the link and downloads its own records.</summary>
public sealed class ExportBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private async Task<string> IssueClientLinkAsync(string consumer, string? find = null)
    {
        var page = await app.SignedInPageAsync();
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await page.GotoAsync($"{app.BaseUrl}/access?tenant=tenant_abc&days=14");
        await page.WaitForSelectorAsync("#circuit-ready", new() { State = WaitForSelectorState.Attached });
        if (find is not null)
        {
            await page.FillAsync("#access-consumers-find", find); // by name: the gateway's name for it
            await page.Locator("#access-consumers-picker[data-shown='1']").WaitForAsync(); // the search applied (it waits 150 ms for typing to pause)
        }
        await page.ClickAsync("#access-consumers");
        if (find is not null) await Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(1);
        await page.ClickAsync($".mud-popover-open .mud-list-item:has-text('{consumer}')");
        await page.Keyboard.PressAsync("Escape");
        await page.FillAsync("#access-name", "Acme auditors");
        await page.ClickAsync("#access-issue");
        var link = await page.Locator("#access-link").InnerTextAsync();
        Assert.Contains("/signin/link?code=", link);
        await page.ClickAsync("#access-copy-link");
        await page.Locator(".mud-snackbar", new() { HasText = "Link copied" }).WaitForAsync();
        Assert.Equal(link, await page.EvaluateAsync<string>("navigator.clipboard.readText()"));
        await page.ClickAsync("#access-copy-token");
        await page.Locator(".mud-snackbar", new() { HasText = "Token copied" }).WaitForAsync();
        Assert.Equal(await page.Locator("#access-token").InnerTextAsync(), await page.EvaluateAsync<string>("navigator.clipboard.readText()"));

        await page.FillAsync("#access-find", "acme auditors");
        var issued = page.Locator("#access-list tbody tr", new() { HasText = consumer }).First;
        await issued.WaitForAsync();
        if (find is not null) Assert.Contains(find, await issued.InnerTextAsync()); // the consumer's name beside its id
        await page.FillAsync("#access-find", "nobody-by-this-name");
        await page.Locator("#access-none").WaitForAsync();
        await app.ScreenshotAsync(page, "client-access");
        await page.Context.CloseAsync();
        return link;
    }

    /// <summary>The downloaded file's bytes; the file itself is not kept.</summary>
    private static async Task<(IDownload Download, MemoryStream Content)> DownloadAsync(IPage page, string button = "#export-download")
    {
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync(button));
        var path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}-{download.SuggestedFilename}");
        await download.SaveAsAsync(path);
        await page.WaitForSelectorAsync("#export-result");
        var content = new MemoryStream(await File.ReadAllBytesAsync(path));
        File.Delete(path);
        return (download, content);
    }

    [Fact]
    public async Task A_client_signs_in_with_its_link_and_exports_csv_and_xlsx_of_its_own_rows()
    {
        var link = await IssueClientLinkAsync("cons_xyz789");
        var page = await (await app.Browser.NewContextAsync(new() { AcceptDownloads = true })).NewPageAsync();
        await page.GotoAsync(link);
        await page.WaitForURLAsync("**/export?**");
        await page.GotoAsync($"{app.BaseUrl}/export?tenant=tenant_abc&days=14&format=csv");
        await page.WaitForSelectorAsync("#circuit-ready", new() { State = WaitForSelectorState.Attached });
        var expected = long.Parse((await page.GetAttributeAsync("#export-rows", "data-rows"))!);
        Assert.True(expected > 100, $"the client has {expected} rows in the window");

        var (csvDownload, csvContent) = await DownloadAsync(page);
        Assert.Matches(@"^stoa-audit_tenant_abc_requests_\d{8}T\d{6}Z_\d{8}T\d{6}Z\.csv$", csvDownload.SuggestedFilename);
        var csv = Csv.Parse(await new StreamReader(csvContent).ReadToEndAsync());
        var consumerColumn = csv[0].IndexOf("consumer_id");
        Assert.Equal(expected, csv.Count - 1);
        Assert.All(csv.Skip(1), row => Assert.Equal("cons_xyz789", row[consumerColumn]));
        await app.ScreenshotAsync(page, "export");

        await page.GotoAsync($"{app.BaseUrl}/export?tenant=tenant_abc&days=14&format=xlsx");
        await page.WaitForSelectorAsync("#circuit-ready", new() { State = WaitForSelectorState.Attached });
        var (_, xlsxContent) = await DownloadAsync(page);
        using var book = new XLWorkbook(xlsxContent);
        var sheet = book.Worksheet("data");
        var rows = sheet.RangeUsed()!.Rows().Skip(1).ToList();
        Assert.Equal(expected, rows.Count);
        Assert.All(rows, r => Assert.Equal("cons_xyz789", r.Cell(consumerColumn + 1).GetString()));

        // With proof: a bundle of the same rows that verifies against the instance's published keys.
        var (proofDownload, proofContent) = await DownloadAsync(page, "#export-proof");
        Assert.EndsWith(".zip", proofDownload.SuggestedFilename);
        var bundle = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.zip");
        await File.WriteAllBytesAsync(bundle, proofContent.ToArray());
        using var http = new HttpClient();
        var keys = System.Text.Json.JsonSerializer.Deserialize<Stoa.Dashboard.Evidence.KeyList>(
            await http.GetStringAsync($"{app.BaseUrl}/.well-known/stoa/keys.json"));
        var verdict = await Stoa.Dashboard.Evidence.BundleVerifier.VerifyAsync(bundle, keys, []);
        File.Delete(bundle);
        Assert.True(verdict.Verified, verdict.Message);
        Assert.StartsWith($"VERIFIED: {expected} requests records of tenant tenant_abc", verdict.Message);

        // The client sees nothing of another tenant, even by URL, and cannot reach the access page's powers.
        await page.GotoAsync($"{app.BaseUrl}/export?tenant=tenant_globex");
        await page.WaitForSelectorAsync("#no-access");
        await page.GotoAsync($"{app.BaseUrl}/access?tenant=tenant_abc");
        await page.WaitForSelectorAsync("#operators-only");
    }

    [Fact]
    public async Task An_operator_checks_the_stores_chain_from_the_export_page()
    {
        var page = await app.SignedInPageAsync();
        await page.GotoAsync($"{app.BaseUrl}/export?tenant=tenant_abc&days=1");
        await page.WaitForSelectorAsync("#circuit-ready", new() { State = WaitForSelectorState.Attached });
        await page.ClickAsync("#chain-check-run");
        var result = await page.Locator("#chain-check-result").InnerTextAsync();
        Assert.StartsWith("Intact:", result);
        Assert.Contains("events checked", result);
    }

    [Fact]
    public async Task A_busy_tenant_is_retried_by_itself_then_the_browser_saves_the_file_and_the_page_counts_its_rows()
    {
        var page = await app.SignedInPageAsync();
        await page.GotoAsync($"{app.BaseUrl}/export?tenant=tenant_abc&days=14&format=xlsx");
        await page.WaitForSelectorAsync("#circuit-ready", new() { State = WaitForSelectorState.Attached });
        var expected = long.Parse((await page.GetAttributeAsync("#export-rows", "data-rows"))!);

        var gate = app.Services.GetRequiredService<ExportGate>();
        var held = new[] { (await gate.TryEnterAsync("tenant_abc"))!, (await gate.TryEnterAsync("tenant_abc"))! }; // two exports already running
        await page.ClickAsync("#export-download");
        await Assertions.Expect(page.Locator("#export-retry")).ToContainTextAsync("Trying again in");
        var download = page.WaitForDownloadAsync(new() { Timeout = 60_000 });
        foreach (var slot in held) await slot.DisposeAsync();

        Assert.EndsWith(".xlsx", (await download).SuggestedFilename);
        await Assertions.Expect(page.Locator("#export-result")).ToContainTextAsync($"{expected:N0} rows");
    }

    [Fact]
    public async Task A_revoked_access_ends_the_clients_session_and_link()
    {
        var link = await IssueClientLinkAsync("cons_acme_erp", find: "acme-erp-sync");
        var client = await (await app.Browser.NewContextAsync()).NewPageAsync();
        await client.GotoAsync(link);
        await client.WaitForURLAsync("**/export?**");

        var operatorPage = await app.SignedInPageAsync();
        await operatorPage.GotoAsync($"{app.BaseUrl}/access?tenant=tenant_abc");
        await operatorPage.WaitForSelectorAsync("#circuit-ready", new() { State = WaitForSelectorState.Attached });
        var row = operatorPage.Locator("#access-list tr[data-status='active']", new() { HasText = "cons_acme_erp" }).First;
        var token = await row.GetAttributeAsync("data-token");
        await row.Locator(".revoke").ClickAsync();
        await operatorPage.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync(); // asked first: cancelling keeps it
        await Assertions.Expect(operatorPage.Locator($"#access-list tr[data-token='{token}']")).ToHaveAttributeAsync("data-status", "active");
        await row.Locator(".revoke").ClickAsync();
        await operatorPage.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await operatorPage.Locator("#access-list tr[data-status='revoked']", new() { HasText = "cons_acme_erp" }).First.WaitForAsync();

        // The client's open tab checks its user every 2 seconds and goes to sign-in by itself (a navigation of the
        // test's meanwhile would race it); once it has, asking for the page again is sent there too.
        await client.WaitForURLAsync("**/signin**", new() { Timeout = 10_000 });
        await client.GotoAsync($"{app.BaseUrl}/export?tenant=tenant_abc");
        Assert.Contains("/signin", client.Url);
        await client.GotoAsync(link);
        await client.WaitForSelectorAsync("#signin-error");
    }
}
