using Microsoft.Playwright;
using Stoa.Dashboard.Auth.Entra;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Browser;

/// <summary>The real server on Kestrel, configured for Entra against a local authority, with the demo data and Chromium.</summary>
public sealed class EntraBrowserApp : EntraApp
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";

    public EntraBrowserApp() => Settings["Stoa:Demo:Enabled"] = "true";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        UseKestrel(0);
        StartServer();
        BaseUrl = ClientOptions.BaseAddress.ToString().TrimEnd('/');
        (_playwright, Browser) = await BrowserApp.LaunchChromiumAsync();
    }

    public new async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        await base.DisposeAsync();
    }
}

public sealed class EntraBrowserTests(EntraBrowserApp app) : IClassFixture<EntraBrowserApp>
{
    private async Task<IPage> SignInWithMicrosoftAsync(DirectoryUser user)
    {
        app.Authority.NextSignIn = user;
        var page = await (await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 } })).NewPageAsync();
        await page.GotoAsync($"{app.BaseUrl}/signin");
        await page.ClickAsync("#signin-entra");
        // Off to the authority, whose page posts the id token back, then home.
        await page.WaitForURLAsync($"{app.BaseUrl}/**");
        await page.WaitForSelectorAsync("#circuit-ready", new() { State = WaitForSelectorState.Attached });
        return page;
    }

    [Fact]
    public async Task An_operator_signs_in_with_microsoft_and_sees_the_granted_tenant()
    {
        var user = DirectoryUser.New("olivia", EntraUser.OperatorAppRole);
        await app.GrantAsync(user, "tenant_abc");

        var page = await SignInWithMicrosoftAsync(user);

        await page.WaitForURLAsync("**tenant=tenant_abc**");
        Assert.Contains($"{user.Email} (operator)", await page.Locator("#signed-in-as").InnerTextAsync());
        await page.WaitForSelectorAsync("#stat-total");
        await BrowserApp.Screenshot(page, "entra-operator-triage");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Someone_nobody_granted_anything_is_asked_to_ask_their_operator()
    {
        var user = DirectoryUser.New("newcomer", EntraUser.ClientAppRole);

        var page = await SignInWithMicrosoftAsync(user);

        await page.WaitForSelectorAsync("#ask-operator");
        Assert.Equal(user.Email, await page.Locator("#ask-operator-email").InnerTextAsync());
        Assert.Equal(user.ObjectId, await page.Locator("#ask-operator-oid").InnerTextAsync());
        await BrowserApp.Screenshot(page, "entra-ask-your-operator");
        await page.Context.CloseAsync();
    }
}
