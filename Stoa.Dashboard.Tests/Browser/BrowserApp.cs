using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Browser;

/// <summary>
/// The real server on Kestrel (127.0.0.1, a free port) with the demo data set, and Debian's Chromium
/// driven by Playwright. Screenshots go to <c>artifacts/screenshots/</c> at the repository root.
/// </summary>
public sealed class BrowserApp : StoaApp, IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";

    public static string ScreenshotFolder { get; } =
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(AppBuild.DllPath)))!, "..", "..", "artifacts", "screenshots");

    public BrowserApp() => Settings["Stoa:Demo:Enabled"] = "true";

    public async Task InitializeAsync()
    {
        UseKestrel(0);
        StartServer();
        BaseUrl = ClientOptions.BaseAddress.ToString().TrimEnd('/');
        (_playwright, Browser) = await LaunchChromiumAsync();
    }

    /// <summary>Debian's Chromium (never a downloaded one), headless.</summary>
    public static async Task<(IPlaywright, IBrowser)> LaunchChromiumAsync()
    {
        Directory.CreateDirectory(ScreenshotFolder);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return (playwright, browser);
    }

    /// <summary>A fresh browser session signed in through a one-time link, as a person clicking it would be.</summary>
    public async Task<IPage> SignedInPageAsync(string role = Roles.Operator, string[]? tenants = null, string[]? consumers = null, int width = 1440,
        int height = 900, ColorScheme colorScheme = ColorScheme.Light, bool bypassCsp = false)
    {
        var tokens = Services.GetRequiredService<TokenService>();
        var (token, _) = await tokens.CreateAsync(new TokenRequest(role, tenants ?? [], consumers ?? [], $"browser-{role}", null));
        var (_, code) = await Services.GetRequiredService<SignInLinks>().IssueAsync(token.Id, TimeSpan.FromMinutes(5));
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ColorScheme = colorScheme,
            BypassCSP = bypassCsp, // only for scripts the test itself injects, such as axe
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{BaseUrl}{SignInLinks.Path}?code={code}");
        return page;
    }

    public Task ScreenshotAsync(IPage page, string name) => Screenshot(page, name);

    public static Task Screenshot(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png") });

    public new async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        await base.DisposeAsync();
    }
}
