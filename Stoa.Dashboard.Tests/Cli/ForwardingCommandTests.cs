using System.Text.Json.Nodes;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Cli;

/// <summary>
/// The destinations and alerts commands, run as a user runs them (the real program) on the store a
/// running server uses: what they add, the server's API lists; a bad option is said and adds nothing.
/// </summary>
public sealed class ForwardingCommandTests(StoaApp app) : IClassFixture<StoaApp>
{
    [Fact]
    public async Task Destinations_and_alert_rules_added_from_the_command_line_are_the_servers()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant, Wire.Request("r1", StoaApp.Epoch.AddMinutes(-1)));

        var added = await AppProcess.RunAsync(app.DatabasePath, "destinations", "add", tenant, "Ops channel", "webhook", "https://hooks.example/T1",
            "format=slack", "event_types=alert_fired,key_revoked");
        Assert.StartsWith("Destination ", added[0]);
        Assert.Contains(added, l => l.StartsWith("Its signing secret, shown this once: whsec_", StringComparison.Ordinal));
        var destination = JsonNode.Parse(await client.GetStringAsync($"/v1/audit/{tenant}/destinations"))!["destinations"]![0]!;
        Assert.Equal("Ops channel", (string)destination["name"]!);
        Assert.Equal("slack", (string)destination["format"]!);
        Assert.Contains("Ops channel", Assert.Single(await AppProcess.RunAsync(app.DatabasePath, "destinations", "list", tenant)));

        await AppProcess.RunAsync(app.DatabasePath, "alerts", "recommended", tenant);
        await AppProcess.RunAsync(app.DatabasePath, "alerts", "add", tenant, "brute_force", "name=Ten strikes", "threshold=10", "window_minutes=2",
            $"notify={(long)destination["id"]!}");
        var rules = JsonNode.Parse(await client.GetStringAsync($"/v1/audit/{tenant}/alert-rules"))!["rules"]!.AsArray();
        Assert.Equal(6, rules.Count);
        Assert.Equal([(long)destination["id"]!], rules[^1]!["notify"]!.AsArray().Select(id => (long)id!));
        Assert.Equal(6, (await AppProcess.RunAsync(app.DatabasePath, "alerts", "rules", tenant)).Length);
        Assert.Equal(["No alert fired in the last 7 days."], await AppProcess.RunAsync(app.DatabasePath, "alerts", tenant));

        var bad = await AppProcess.TryRunAsync(app.DatabasePath, "alerts", "add", tenant, "brute_force", "threshold=0");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("threshold: A whole number of events from 1 to 1,000,000.", bad.Error);
        var unknown = await AppProcess.TryRunAsync(app.DatabasePath, "destinations", "add", tenant, "x", "webhook", "https://h.example", "colour=red");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("Usage", unknown.Error);
        Assert.Equal(6, JsonNode.Parse(await client.GetStringAsync($"/v1/audit/{tenant}/alert-rules"))!["rules"]!.AsArray().Count);
        Assert.Single(JsonNode.Parse(await client.GetStringAsync($"/v1/audit/{tenant}/destinations"))!["destinations"]!.AsArray());
    }
}
