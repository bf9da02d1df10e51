using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Stoa.Dashboard.Tests.Support;

/// <summary>The destinations API as the forwarding tests use it.</summary>
public static class DestinationApi
{
    /// <summary><c>POST …/destinations</c> with its fields as the form body the endpoint takes.</summary>
    public static Task<HttpResponseMessage> AddDestinationAsync(this HttpClient client, string tenant, params (string Name, string Value)[] fields) =>
        client.PostAsync($"/v1/audit/{tenant}/destinations", new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))));

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
