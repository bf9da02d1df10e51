using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Forwarding;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Operations;

/// <summary>
/// <c>/healthz</c> says the process is alive; <c>/readyz</c> says whether it can do its work, check by
/// check with the reason: a disk short of room or a background service that stopped makes it 503.
/// </summary>
public sealed class HealthTests
{
    private static async Task<(HttpStatusCode Status, JsonNode Body)> GetAsync(StoaApp app, string path)
    {
        var response = await app.CreateClient().GetAsync(path);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Fact]
    public async Task A_started_app_is_alive_and_ready_with_every_check_said()
    {
        await using var app = new StoaApp();
        var (live, liveBody) = await GetAsync(app, "/healthz");
        Assert.Equal(HttpStatusCode.OK, live);
        Assert.Equal("ok", (string?)liveBody["status"]);

        var (ready, body) = await GetAsync(app, "/readyz");
        Assert.Equal(HttpStatusCode.OK, ready);
        Assert.Equal(["store", "migrations", "background_services", "disk"], body["checks"]!.AsObject().Select(c => c.Key));
        Assert.All(body["checks"]!.AsObject(), c => Assert.Equal("ok", (string?)c.Value!["status"]));
        Assert.Contains("background services run", (string?)body["checks"]!["background_services"]!["detail"]);
    }

    [Fact]
    public async Task A_disk_short_of_the_room_wanted_makes_it_unready_but_alive()
    {
        await using var app = new StoaApp();
        app.Settings["Stoa:Health:MinFreeDiskMegabytes"] = "1000000000"; // a petabyte
        var (ready, body) = await GetAsync(app, "/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready);
        Assert.Equal("unavailable", (string?)body["checks"]!["disk"]!["status"]);
        Assert.Contains("MB free beside the store", (string?)body["detail"]);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(app, "/healthz")).Status);
    }

    [Fact]
    public async Task A_background_service_that_stopped_makes_it_unready_and_is_named()
    {
        await using var app = new StoaApp();
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(app, "/readyz")).Status);
        await app.Services.GetRequiredService<Forwarder>().StopAsync(CancellationToken.None);
        var (ready, body) = await GetAsync(app, "/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready);
        Assert.Contains("Stopped: Forwarder", (string?)body["checks"]!["background_services"]!["detail"]);
    }
}
