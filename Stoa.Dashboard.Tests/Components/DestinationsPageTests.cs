using Bunit;
using Stoa.Dashboard.Components.Pages;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Components;

/// <summary>The destinations page: adding one (its secret shown once), a bad one said field by field, a test event to a real receiver, deleting after a confirmation.</summary>
public sealed class DestinationsPageTests : StoreTestContext
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task An_operator_adds_a_webhook_sees_its_secret_once_sends_a_test_event_and_deletes_it()
    {
        await StoreAsync("t1", Make.Request(StoaApp.Epoch.AddMinutes(-5)));
        await using var receiver = await WebhookReceiver.StartAsync();
        var cut = RenderAt<DestinationsPage>("/destinations?tenant=t1");
        cut.WaitForElement("#no-destinations", Wait);

        await ClickAsync(cut, "#destination-save");
        cut.WaitForAssertion(() => Assert.Contains("name:", cut.Find(".destination-problem").TextContent), Wait);

        await ChangeAsync(cut, "#destination-name", "SIEM");
        await ChangeAsync(cut, "#destination-target", receiver.Url);
        await ClickAsync(cut, "#destination-save");
        cut.WaitForAssertion(() => Assert.StartsWith("The webhook's signing secret", cut.Find("#destination-secret").TextContent.Trim()), Wait);
        Assert.Contains("whsec_", cut.Find("#destination-secret").TextContent);
        cut.WaitForAssertion(() => Assert.Equal("ok", cut.Find("#destination-list tbody tr").GetAttribute("data-state")), Wait);

        await ClickAsync(cut, ".send-test");
        cut.WaitForAssertion(() => Assert.Contains("was delivered", cut.Find("#destination-result").TextContent), Wait);
        Assert.Contains(receiver.Received, r => r.Body.Contains("destination_test"));

        await ClickAsync(cut, ".delete");
        cut.WaitForElement(".delete-confirm", Wait);
        await ClickAsync(cut, ".delete-confirm");
        cut.WaitForElement("#no-destinations", Wait);
    }

    [Fact]
    public void Clients_do_not_manage_destinations()
    {
        var cut = RenderAt<DestinationsPage>("/destinations?tenant=t1", "client", ["cons_a"]);
        cut.WaitForElement("#operators-only", Wait);
        Assert.Empty(cut.FindAll("#destination-add"));
    }
}
