using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Stoa.Dashboard.Tests.Support;

/// <summary>The destinations API as the forwarding tests use it.</summary>
public static class DestinationApi
{
    /// <summary>The tenant's first destination as <c>GET …/destinations</c> shows it, once <paramref name="until"/> holds (polled: delivery runs in the background).</summary>
    public static async Task<JsonNode> StatusAsync(this HttpClient client, string tenant, Func<JsonNode, bool> until)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = JsonNode.Parse(await client.GetStringAsync($"/v1/audit/{tenant}/destinations"))!["destinations"]![0]!;
            if (until(status)) return status;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the destination stayed {status.ToJsonString()}");
            await Task.Delay(20); // polling the API for a state, not timing
        }
    }
}
