using Microsoft.Playwright;
using Stoa.Dashboard.Tests.Support;
using Stoa.Dashboard.Auth;

namespace Stoa.Dashboard.Tests.Browser;

/// <summary>The dashboard in a real browser on the demo data set: sign in, every page, the 3am investigation, a client's view.</summary>
public sealed class DashboardBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    // The test clock reads Wednesday 2026-03-11 12:00 UTC; "last Tuesday at 3am" is 2026-03-10.
    private const string ThreeAmHour = "from=2026-03-10T03:00:00Z&to=2026-03-10T04:00:00Z";

    private async Task<IPage> OpenAsync(IPage page, string pathAndQuery)
    {
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") errors.Add($"{message.Text} at {message.Location}"); };
        await page.GotoAsync(app.BaseUrl + pathAndQuery);
        await page.WaitForSelectorAsync("#circuit-ready", new() { State = WaitForSelectorState.Attached });
        Assert.False(await page.IsVisibleAsync("#blazor-error-ui"), "Blazor's error bar is showing");
        Assert.Empty(errors);
        return page;
    }

    [Theory]
    [MemberData(nameof(DemoPages.All), MemberType = typeof(DemoPages))]
    public async Task Every_page_opens_on_the_demo_data(string name, string url, string selector)
    {
        var page = await OpenAsync(await app.SignedInPageAsync(), url);
        await page.WaitForSelectorAsync(selector);
        await app.ScreenshotAsync(page, name);
        Assert.False(await page.IsVisibleAsync("#no-access"));
    }

    [Fact]
    public async Task The_3am_delete_is_found_from_triage_in_three_clicks_by_typing_its_id_with_no_date_typed_and_no_scroll()
    {
        var page = await OpenAsync(await app.SignedInPageAsync(), "/?tenant=tenant_abc"); // where sign-in lands
        var clicks = 0;
        await page.GetByRole(AriaRole.Link, new() { Name = "Timeline", Exact = true }).ClickAsync();
        clicks++;
        await page.WaitForSelectorAsync("#timeline-search");
        await page.Locator("#window-presets button", new() { HasText = "7d" }).ClickAsync();
        clicks++;
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/timeline\\?.*days=7"));
        await page.Locator("#timeline-search").FillAsync("12345"); // typed, not a date: the document's id from the client's email

        var row = page.Locator("#event-stream tr[data-method='DELETE'][data-path='/api/documents/12345']");
        await row.WaitForAsync();
        var box = await row.BoundingBoxAsync();
        Assert.True(box!.Y + box.Height <= 900, $"the row is at {box.Y} px: it needs a scroll"); // in the first screen
        Assert.Contains("q=12345", page.Url); // the narrowed view is a link too
        await row.ClickAsync();
        clicks++;
        var detail = page.Locator("#event-detail");
        await detail.Locator(".caused-change[data-resource='document/12345']").WaitForAsync();
        Assert.Contains("Master services agreement", await detail.InnerTextAsync());
        Assert.True(clicks <= 4, $"{clicks} clicks");
        await app.ScreenshotAsync(page, "timeline-search-12345");
    }

    [Fact]
    public async Task Clicking_a_bar_narrows_the_window_to_its_bucket_and_the_chart_reads_in_dark_mode()
    {
        var page = await OpenAsync(await app.SignedInPageAsync(), $"/timeline?tenant=tenant_abc&{ThreeAmHour}");
        await page.Locator("#timeline-histogram[data-drawn='true']").WaitForAsync(); // the skeleton gave way to the chart
        await page.Locator("#dark-mode").ClickAsync();
        await page.Locator("#dark-mode[data-dark='true']").WaitForAsync();
        var tick = page.Locator("#timeline-histogram .ytick text").First;
        // The axis reads light on the dark page (Plotly's own grey, rgb(68, 68, 68), would not).
        await Assertions.Expect(tick).ToHaveCSSAsync("fill", new System.Text.RegularExpressions.Regex(@"rgba?\((1[5-9]\d|2\d\d), "));
        await app.ScreenshotAsync(page, "timeline-dark");
        // Plotly's drag layer lies over the bars and takes the click where a person's would land.
        var bar = await page.Locator("#timeline-histogram .bars path").First.BoundingBoxAsync();
        await page.Mouse.ClickAsync(bar!.X + bar.Width / 2, bar.Y + bar.Height / 2);
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("from=2026-03-10T03(:|%3A)00(:|%3A)00.000Z&to=2026-03-10T03(:|%3A)01(:|%3A)00.000Z"));
        await page.Locator("#dark-mode").ClickAsync(); // back to light for the other tests of this browser
    }

    [Fact]
    public async Task A_row_opens_with_the_keyboard_and_escape_closes_its_detail()
    {
        var page = await OpenAsync(await app.SignedInPageAsync(), $"/timeline?tenant=tenant_abc&{ThreeAmHour}");
        var row = page.Locator("#event-stream tr[data-method='DELETE'][data-path='/api/documents/12345']");
        await row.FocusAsync(); // Tab reaches it: every row takes the focus
        Assert.Equal("0", await row.GetAttributeAsync("tabindex"));
        await page.Keyboard.PressAsync("Enter");
        var detail = page.Locator("#event-detail");
        await detail.WaitForAsync();
        await Assertions.Expect(page.Locator("#event-drawer")).ToBeFocusedAsync(); // the keyboard is in the detail
        var drawer = page.Locator(".mud-drawer:has(#event-drawer)");
        await Assertions.Expect(drawer).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("mud-drawer--open"));
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(drawer).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("mud-drawer--closed"));
    }

    [Fact]
    public async Task The_3am_delete_is_found_on_the_timeline_with_its_business_record()
    {
        var page = await OpenAsync(await app.SignedInPageAsync(), $"/timeline?tenant=tenant_abc&{ThreeAmHour}");

        var row = page.Locator("#event-stream tr[data-method='DELETE'][data-path='/api/documents/12345']");
        Assert.Equal("2026-03-10T03:17:42.123Z", await row.GetAttributeAsync("data-time"));
        await row.ClickAsync();

        var detail = page.Locator("#event-detail");
        await detail.WaitForAsync();
        Assert.Contains("cons_xyz789", await detail.Locator("tr[data-field='consumer_id']").InnerTextAsync());
        Assert.Contains("2026-03-10 03:17:42.123 UTC", await detail.Locator("tr[data-field='timestamp']").InnerTextAsync());
        var change = detail.Locator(".caused-change[data-resource='document/12345']");
        await change.WaitForAsync();
        Assert.Contains("deleted", await change.InnerTextAsync());
        Assert.Contains("Master services agreement", await change.Locator("tr[data-field='title'] .diff-before").InnerTextAsync());
        await app.ScreenshotAsync(page, "timeline-3am-delete");

        // Its permanent link opens the same record on a page of its own, to paste into a ticket.
        var seq = await detail.GetAttributeAsync("data-seq");
        await detail.Locator("#event-link").ClickAsync();
        await page.WaitForURLAsync($"**/events/{seq}?tenant=tenant_abc");
        var own = page.Locator($"#event-detail[data-seq='{seq}']");
        await own.WaitForAsync();
        Assert.Contains("/api/documents/12345", await own.Locator("tr[data-field='path']").InnerTextAsync());
        await own.Locator(".caused-change[data-resource='document/12345']").WaitForAsync();
        await app.ScreenshotAsync(page, "event-page");
    }

    [Fact]
    public async Task The_client_is_answered_from_document_12345_tuesday_around_3am_paris_time()
    {
        var page = await OpenAsync(await app.SignedInPageAsync(), "/answer?tenant=tenant_abc");
        await page.FillAsync("#answer-resource", "document 12345");
        await page.FillAsync("#answer-at", "2026-03-10T03:00");
        await page.FillAsync("#answer-zone", "Europe/Paris");
        await page.FillAsync("#answer-consumer", "cons_xyz789");
        await page.ClickAsync("#answer-ask");

        var sentence = page.Locator("#answer-sentence");
        await sentence.WaitForAsync();
        Assert.Matches(System.Text.RegularExpressions.Regex.Escape("At 03:17:42 UTC (04:17:42 Europe/Paris) on Tuesday 10 March, a DELETE request was made with your API key `") +
            "key_[a-z0-9_]+" + System.Text.RegularExpressions.Regex.Escape("` (consumer my-saas-client) for /api/documents/12345, answered 204. " +
            "The application recorded the deletion of document 12345 (title \"Master services agreement 2026 (signed)\"). Here is the audit record.") + "$",
            (await sentence.InnerTextAsync()).Trim());
        Assert.Contains("q=document", page.Url); // the question is in the link, to come back to
        await app.ScreenshotAsync(page, "answer");

        // A client signed in gets the same answer for its own consumer, and nothing for another's document.
        var client = await OpenAsync(await app.SignedInPageAsync(Roles.Client, ["tenant_abc"], ["cons_xyz789"]),
            "/answer?tenant=tenant_abc&q=document%2012345&at=2026-03-10T03:00&client_tz=Europe/Paris");
        Assert.StartsWith("At 03:17:42 UTC", (await client.Locator("#answer-sentence").InnerTextAsync()).Trim());
        var other = await OpenAsync(await app.SignedInPageAsync(Roles.Client, ["tenant_abc"], ["cons_acme_erp"]),
            "/answer?tenant=tenant_abc&q=document%2012345&at=2026-03-10T03:00&client_tz=Europe/Paris");
        Assert.StartsWith("We found no change to document 12345", (await other.Locator("#answer-sentence").InnerTextAsync()).Trim());
        Assert.DoesNotContain("cons_xyz789", await other.ContentAsync());
    }

    [Fact]
    public async Task Dark_mode_follows_the_system_until_chosen_and_the_choice_is_remembered()
    {
        var page = await app.SignedInPageAsync();
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await OpenAsync(page, "/?tenant=tenant_abc");
        await page.Locator("#dark-mode[data-dark='true']").WaitForAsync(); // the system's dark

        await page.ClickAsync("#dark-mode");
        await page.Locator("#dark-mode[data-dark='false']").WaitForAsync();
        await OpenAsync(page, "/timeline?tenant=tenant_abc"); // a full load: the choice, not the system, decides
        await page.Locator("#dark-mode[data-dark='false']").WaitForAsync();
        Assert.Equal("light", await page.EvaluateAsync<string>("localStorage.getItem('stoa-theme')"));
    }

    [Fact]
    public async Task A_bad_or_unknown_tenant_is_said_as_such_and_never_swapped_for_another()
    {
        var page = await OpenAsync(await app.SignedInPageAsync(), "/timeline?tenant=../etc");
        await page.Locator("#bad-tenant").WaitForAsync();
        Assert.Contains("tenant=..%2Fetc", page.Url.Replace("../", "..%2F")); // still the address asked for
        await OpenAsync(page, "/timeline?tenant=tenant_nope");
        await page.Locator("#no-tenant").WaitForAsync(); // an operator of every tenant may know it does not exist

        var client = await app.SignedInPageAsync(Roles.Client, ["tenant_abc"], ["cons_xyz789"]);
        await OpenAsync(client, "/timeline?tenant=tenant_nope");
        var missing = await client.Locator("#no-access").InnerTextAsync();
        await OpenAsync(client, "/timeline?tenant=tenant_globex");
        Assert.Equal(missing, await client.Locator("#no-access").InnerTextAsync()); // the same answer for missing and not granted
    }

    [Fact]
    public async Task The_security_chart_switches_to_a_log_scale_kept_in_the_url()
    {
        var page = await OpenAsync(await app.SignedInPageAsync(), "/security?tenant=tenant_abc&days=7");
        await page.Locator("#security-chart[data-drawn='true']").WaitForAsync();
        await page.Locator("#security-log-scale").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("scale=log"));
        await page.Locator("#security-chart[data-drawn-scale='log']").WaitForAsync(); // Plotly has redrawn (a polled WaitForFunction would need eval, which the CSP forbids)
        Assert.Equal("log", await page.EvaluateAsync<string>("document.querySelector('#security-chart .js-plotly-plot')._fullLayout.yaxis.type"));
        await app.ScreenshotAsync(page, "security-log-scale");
    }

    [Fact]
    public async Task An_unknown_address_is_a_404_page_with_a_way_back()
    {
        using var http = new HttpClient();
        var response = await http.GetAsync($"{app.BaseUrl}/no/such/page");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        var page = await (await app.Browser.NewContextAsync()).NewPageAsync();
        await page.GotoAsync($"{app.BaseUrl}/no/such/page");
        Assert.Equal("No page here", (await page.Locator("#not-found").InnerTextAsync()).Trim());
        Assert.Equal("/", await page.Locator("#not-found-home").GetAttributeAsync("href"));
    }

    [Fact]
    public async Task The_window_is_shown_with_its_dates_and_zone()
    {
        var page = await OpenAsync(await app.SignedInPageAsync(), "/timeline?tenant=tenant_abc&from=1970-01-01T00:00:00Z&to=2100-01-01T00:00:00Z");
        Assert.Equal("1970-01-01 00:00 → 2100-01-01 00:00 UTC", (await page.Locator("#window-label").InnerTextAsync()).Trim());
    }

    [Fact]
    public async Task Times_show_in_the_chosen_zone_and_the_zone_is_named()
    {
        var page = await OpenAsync(await app.SignedInPageAsync(), $"/timeline?tenant=tenant_abc&{ThreeAmHour}&tz=Europe/Paris");
        var row = page.Locator("#event-stream tr[data-method='DELETE'][data-path='/api/documents/12345']");
        Assert.StartsWith("2026-03-10 04:17:42.123\t", await row.InnerTextAsync()); // on one line, the zone not repeated
        Assert.Contains("Time (Europe/Paris)", await page.Locator("#event-stream thead").InnerTextAsync());
    }

    [Fact]
    public async Task A_clients_session_shows_none_of_another_consumers_data()
    {
        var page = await app.SignedInPageAsync(Roles.Client, ["tenant_abc"], ["cons_xyz789"]);
        foreach (var url in new[] { "/?tenant=tenant_abc&days=14", "/timeline?tenant=tenant_abc&days=1", "/security?tenant=tenant_abc&days=14", "/changes?tenant=tenant_abc&days=14", "/trend?tenant=tenant_abc" })
        {
            await OpenAsync(page, url);
            await page.WaitForSelectorAsync(".mud-main-content .mud-paper");
            var text = await page.InnerTextAsync(".mud-main-content");
            foreach (var other in new[] { "cons_scraper01", "cons_acme_erp", "cons_web_portal", "price-watch-bot" })
                Assert.DoesNotContain(other, text);
        }
        await OpenAsync(page, "/?tenant=tenant_abc&days=14");
        Assert.Equal("my-saas-client cons_xyz789", (await page.Locator("#top-consumers tbody tr").AllInnerTextsAsync()).Single().Split('\t')[0].Trim());
        // Its own words, none of the operator's workflows.
        Assert.Equal("Your API activity", (await page.Locator("#triage-heading").InnerTextAsync()).Trim());
        Assert.Equal("Your API activity", (await page.Locator("#nav-home").InnerTextAsync()).Trim());
        var menu = await page.InnerTextAsync(".mud-navmenu");
        foreach (var operatorOnly in new[] { "Playbooks", "Answer the client", "Incidents", "Client access", "Destinations", "Retention" })
            Assert.DoesNotContain(operatorOnly, menu);
        await OpenAsync(page, "/consumers/cons_scraper01?tenant=tenant_abc&days=14");
        await page.WaitForSelectorAsync("#unknown-consumer");
        // Another tenant is not offered, and asking for it by URL shows nothing of it.
        await OpenAsync(page, "/?tenant=tenant_globex");
        await page.WaitForSelectorAsync("#no-access");
        await app.ScreenshotAsync(page, "client-view");
    }

    [Fact]
    public async Task The_window_picker_writes_the_window_into_the_url()
    {
        var page = await OpenAsync(await app.SignedInPageAsync(), "/timeline?tenant=tenant_abc&hours=24");
        await page.ClickAsync("#window-presets button:has-text('7d')");
        await page.WaitForURLAsync("**days=7**");
        Assert.DoesNotContain("hours=", page.Url);

        await page.ClickAsync("#window-custom");
        await page.FillAsync("#window-from", "2026-03-10T03:00");
        await page.FillAsync("#window-to", "2026-03-10T04:00");
        await page.ClickAsync("#window-apply");
        await page.WaitForURLAsync("**from=2026-03-10T03%3A00%3A00.000Z**");
        Assert.Contains("to=2026-03-10T04%3A00%3A00.000Z", page.Url);
        await page.WaitForSelectorAsync("#event-stream tr[data-path='/api/documents/12345'][data-method='DELETE']");
    }

    [Fact]
    public async Task An_open_tab_of_a_revoked_token_goes_back_to_sign_in_within_seconds()
    {
        var tokens = (TokenService)app.Services.GetService(typeof(TokenService))!;
        var (token, secret) = await tokens.CreateAsync(new TokenRequest(Roles.Operator, ["tenant_abc"], [], "to-be-revoked", null));
        var page = await (await app.Browser.NewContextAsync()).NewPageAsync();
        await page.GotoAsync(app.BaseUrl + "/signin?returnUrl=%2Flive%3Ftenant%3Dtenant_abc");
        await page.FillAsync("#token", secret);
        await page.ClickAsync("#signin-submit");
        await page.WaitForSelectorAsync("#live-list");
        await page.WaitForSelectorAsync("#circuit-ready", new() { State = WaitForSelectorState.Attached }); // the tab is live

        await tokens.RevokeAsync(token.Id);

        // The circuit checks its user every 2 seconds: the live tail stops and the sign-in page shows.
        await page.WaitForURLAsync("**/signin**", new() { Timeout = 10_000 });
        await page.WaitForSelectorAsync("#token");
        Assert.False(await page.IsVisibleAsync("#live-list"));
    }

    [Fact]
    public async Task Sign_in_with_a_token_and_sign_out()
    {
        var tokens = (TokenService)app.Services.GetService(typeof(TokenService))!;
        var (_, secret) = await tokens.CreateAsync(new TokenRequest(Roles.Operator, ["tenant_initech"], [], "typed-in", null));
        var context = await app.Browser.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync(app.BaseUrl + "/trend?tenant=tenant_initech");
        Assert.Contains("/signin", page.Url);
        await page.FillAsync("#token", "stoa_wrong_token");
        await page.ClickAsync("#signin-submit");
        await page.WaitForSelectorAsync("#signin-error");
        await page.FillAsync("#token", secret);
        await page.ClickAsync("#signin-submit");
        await page.WaitForSelectorAsync("#trend-days");
        Assert.Contains("/trend?tenant=tenant_initech", page.Url);
        Assert.Contains("typed-in", await page.InnerTextAsync("#signed-in-as"));

        await page.ClickAsync("#sign-out");
        await page.WaitForURLAsync("**/signin**");
        await page.GotoAsync(app.BaseUrl + "/trend?tenant=tenant_initech");
        Assert.Contains("/signin", page.Url);
    }

    [Fact]
    public async Task A_sign_in_link_works_once()
    {
        var tokens = (TokenService)app.Services.GetService(typeof(TokenService))!;
        var links = (SignInLinks)app.Services.GetService(typeof(SignInLinks))!;
        var (token, _) = await tokens.CreateAsync(new TokenRequest(Roles.Operator, [], [], "link-once", null));
        var (_, code) = await links.IssueAsync(token.Id, TimeSpan.FromMinutes(5));

        var first = await (await app.Browser.NewContextAsync()).NewPageAsync();
        await first.GotoAsync($"{app.BaseUrl}{SignInLinks.Path}?code={code}");
        await first.WaitForSelectorAsync("#stat-total");

        var second = await (await app.Browser.NewContextAsync()).NewPageAsync();
        await second.GotoAsync($"{app.BaseUrl}{SignInLinks.Path}?code={code}");
        await second.WaitForSelectorAsync("#signin-error");
    }
}

public sealed class LiveBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task Events_ingested_through_the_api_appear_on_the_open_live_tail_without_a_reload()
    {
        var page = await app.SignedInPageAsync();
        await page.GotoAsync($"{app.BaseUrl}/live?tenant=tenant_initech");
        await page.WaitForSelectorAsync("#circuit-ready", new() { State = WaitForSelectorState.Attached });
        await page.WaitForSelectorAsync("#live-empty");
        var url = page.Url;

        var ingest = await app.OperatorAsync("tenant_initech");
        await Support.Wire.IngestAsync(ingest, "tenant_initech",
            Support.Wire.Request("live-browser-1", StoaApp.Epoch.AddSeconds(-2), consumer: "cons_tps_reports", path: "/api/tps/1"),
            Support.Wire.Request("live-browser-2", StoaApp.Epoch.AddSeconds(-1), consumer: "cons_tps_reports", status: 500, path: "/api/tps/2"));

        await page.Locator(".live-row[data-path='/api/tps/2']").WaitForAsync();
        Assert.Equal(2, await page.Locator(".live-row").CountAsync());
        Assert.Contains("error-row", await page.Locator(".live-row[data-path='/api/tps/2']").GetAttributeAsync("class"));
        Assert.Equal(url, page.Url);
        await app.ScreenshotAsync(page, "live");
    }

    [Fact]
    public async Task The_live_tail_is_filtered_through_its_bar_and_the_url_keeps_the_filter()
    {
        var page = await app.SignedInPageAsync();
        await page.GotoAsync($"{app.BaseUrl}/live?tenant=tenant_globex");
        await page.WaitForSelectorAsync("#circuit-ready", new() { State = WaitForSelectorState.Attached });
        await page.Locator("#live-status button[data-value='5']").ClickAsync();
        // Blazor navigates within the page (no load event): the URL is polled.
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("status_class=5"));
        await page.Locator("#live-path").FillAsync("/api/bar");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("path_prefix=%2Fapi%2Fbar"));
        await page.WaitForSelectorAsync("#live-empty");

        var ingest = await app.OperatorAsync("tenant_globex");
        await Support.Wire.IngestAsync(ingest, "tenant_globex",
            Support.Wire.Request("bar-1", StoaApp.Epoch.AddSeconds(-3), status: 200, path: "/api/bar/1"),
            Support.Wire.Request("bar-2", StoaApp.Epoch.AddSeconds(-2), status: 503, path: "/api/other/2"),
            Support.Wire.Request("bar-3", StoaApp.Epoch.AddSeconds(-1), status: 503, path: "/api/bar/3"));
        await page.Locator(".live-row[data-path='/api/bar/3']").WaitForAsync();
        Assert.Equal(1, await page.Locator(".live-row").CountAsync());
        Assert.Contains("5xx", await page.Locator("#live-filter-text").InnerTextAsync());
    }
}

/// <summary>The dashboard on a 390×844 phone: every page's app bar fits, and every control of it can be reached and used.</summary>
public sealed class PhoneBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private const int Width = 390, Height = 844;

    [Theory]
    [MemberData(nameof(DemoPages.All), MemberType = typeof(DemoPages))]
    public async Task Every_page_fits_a_phone_and_every_app_bar_control_is_reachable(string name, string url, string selector)
    {
        var page = await app.SignedInPageAsync(width: Width, height: Height);
        await page.GotoAsync(app.BaseUrl + url);
        await page.WaitForSelectorAsync("#circuit-ready", new() { State = WaitForSelectorState.Attached });
        await page.WaitForSelectorAsync(selector);
        Assert.True(await page.EvaluateAsync<int>("document.querySelector('header.mud-appbar').scrollWidth") <= Width, "the app bar is wider than the phone");
        // Nothing makes the page itself scroll sideways: wide tables scroll inside their own panel, or become cards.
        var wide = await page.EvaluateAsync<string[]>($$"""
            () => {
                // Inside a panel that scrolls or clips on its own, or fixed to the screen (a closed drawer waits off it): not the page's width.
                const clipped = e => {
                    for (let p = e; p; p = p.parentElement) {
                        if (getComputedStyle(p).position === 'fixed') return true;
                        if (p !== e && getComputedStyle(p).overflowX !== 'visible') return p !== document.body && p !== document.documentElement;
                    }
                    return false;
                };
                return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > {{Width}} + 1 && !clipped(e))
                    .slice(0, 5).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + [...e.classList].join('.') + ' ' + Math.round(e.getBoundingClientRect().right));
            }
            """);
        Assert.True(wide.Length == 0, $"{name} is wider than the phone: {string.Join("; ", wide)}");
        foreach (var control in new[] { "#appbar-more", "#dark-mode", "#sign-out", "header button[aria-label='Menu']" })
            await Within(page.Locator(control).First, control);

        await page.Locator("#appbar-more").ClickAsync();
        await page.Locator("#appbar-controls").WaitForAsync();
        foreach (var control in new[] { "#window-presets", "#window-custom", "#appbar-controls .mud-select" })
            await Within(page.Locator(control).First, control);
        await app.ScreenshotAsync(page, $"{name}-phone");
    }

    [Fact]
    public async Task On_a_phone_the_timeline_is_cards_that_show_what_happened_without_a_sideways_scroll()
    {
        var page = await app.SignedInPageAsync(width: Width, height: Height);
        await page.GotoAsync($"{app.BaseUrl}/timeline?tenant=tenant_abc&from=2026-03-10T03:00:00Z&to=2026-03-10T04:00:00Z&tz=Europe/Paris");
        await page.WaitForSelectorAsync("#circuit-ready", new() { State = WaitForSelectorState.Attached }); // the interactive page, not the prerendered one
        var row = page.Locator("#event-stream tr[data-method='DELETE'][data-path='/api/documents/12345']");
        var what = row.Locator("td[data-label='What']");
        await what.WaitForAsync();
        var box = await what.BoundingBoxAsync();
        Assert.True(box!.X >= 0 && box.X + box.Width <= Width, $"'What' is at {box.X}..{box.X + box.Width}");
        Assert.Contains("12345", await what.InnerTextAsync());
        Assert.False(await page.Locator("#event-stream thead").IsVisibleAsync()); // the zone is said once, above the cards
        Assert.Equal("Times in Europe/Paris", await page.Locator("#event-stream").GetAttributeAsync("data-caption"));
        await app.ScreenshotAsync(page, "timeline-phone-cards");
    }

    [Fact]
    public async Task On_a_phone_the_window_is_changed_from_the_panel_and_the_menu_opens()
    {
        var page = await app.SignedInPageAsync(width: Width, height: Height);
        await page.GotoAsync($"{app.BaseUrl}/?tenant=tenant_abc&hours=24");
        await page.WaitForSelectorAsync("#circuit-ready", new() { State = WaitForSelectorState.Attached });
        await page.Locator("#appbar-more").ClickAsync();
        await page.Locator("#window-presets button", new() { HasText = "7d" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("days=7"));
        await page.Locator("header button[aria-label='Menu']").ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Timeline", Exact = true }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/timeline"));
    }

    /// <summary>The element is shown and lies inside the phone's screen.</summary>
    private static async Task Within(ILocator element, string name)
    {
        await element.WaitForAsync();
        var box = await element.BoundingBoxAsync();
        Assert.True(box is not null && box.X >= 0 && box.X + box.Width <= Width + 0.5 && box.Y + box.Height <= Height, $"{name} is at {box?.X},{box?.Y} {box?.Width}×{box?.Height}");
    }
}

public sealed class ApiReferenceBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task The_api_reference_renders_under_the_content_policy_and_lists_the_endpoints()
    {
        var page = await (await app.Browser.NewContextAsync(new() { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } })).NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
        await page.GotoAsync($"{app.BaseUrl}{Stoa.Dashboard.Api.ApiDocument.ReferencePath}");
        await page.GetByText("Stoa audit API").First.WaitForAsync();
        await page.GetByText("/v1/audit/{tenant_id}/security").First.WaitForAsync();
        await app.ScreenshotAsync(page, "api-reference");
        Assert.Empty(errors);
    }
}
