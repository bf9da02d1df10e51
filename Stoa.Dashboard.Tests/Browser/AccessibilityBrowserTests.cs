using Microsoft.Playwright;

namespace Stoa.Dashboard.Tests.Browser;

/// <summary>
/// axe-core (4.14.1 from npm, vendored in <c>Browser/axe/</c> under its MPL-2.0 licence) run in Chromium on every page of the demo,
/// in the light and the dark theme, on a desktop and on a phone: no serious or critical WCAG 2.1 A/AA violation. Each view is
/// photographed into <c>artifacts/screenshots/pages/</c> (<c>tools/update-screenshots.sh</c> copies them to <c>docs/screenshots/</c>).
/// </summary>
public sealed class AccessibilityBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private static readonly string AxeScript = Path.Combine(AppContext.BaseDirectory, "Browser", "axe", "axe.min.js");

    // Colours are checked once the theme has settled: a transition half-way between two palettes is not what anyone reads.
    private const string NoTransitions = "*, *::before, *::after { transition: none !important; animation: none !important; }";

    private const string RunAxe = """
        async () => {
            const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
            return JSON.stringify(result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary) })), null, 2);
        }
        """;

    [Theory]
    [MemberData(nameof(DemoPages.All), MemberType = typeof(DemoPages))]
    public async Task Every_page_has_no_serious_accessibility_violation_in_either_theme(string name, string url, string selector)
    {
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            var page = await app.SignedInPageAsync(colorScheme: scheme, bypassCsp: true);
            await page.GotoAsync(app.BaseUrl + url);
            await page.WaitForSelectorAsync("#circuit-ready", new() { State = WaitForSelectorState.Attached });
            await page.WaitForSelectorAsync(selector);
            await page.WaitForFunctionAsync("document.title !== ''"); // the interactive head outlet writes it again once connected
            await page.Locator($"#dark-mode[data-dark='{(scheme == ColorScheme.Dark ? "true" : "false")}']").WaitForAsync();
            await page.WaitForFunctionAsync("!document.querySelector(\".time-chart[data-drawn='false']\")"); // charts drawn, not their skeletons
            await page.AddStyleTagAsync(new() { Content = NoTransitions });
            await page.AddScriptTagAsync(new() { Path = AxeScript });

            var theme = scheme == ColorScheme.Dark ? "dark" : "light";
            foreach (var (device, width, height) in new[] { ("desktop", 1440, 900), ("phone", 390, 844) })
            {
                await page.SetViewportSizeAsync(width, height);
                await page.EvaluateAsync("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"); // laid out again
                var violations = await page.EvaluateAsync<string>(RunAxe);
                Assert.True(violations == "[]", $"{name} ({device}, {theme}): {violations}");
                await page.ScreenshotAsync(new PageScreenshotOptions
                {
                    Path = Path.Combine(BrowserApp.ScreenshotFolder, "pages", $"{name}-{device}-{theme}.jpg"),
                    Type = ScreenshotType.Jpeg,
                    Quality = 70,
                });
            }
            await page.Context.CloseAsync();
        }
    }
}
