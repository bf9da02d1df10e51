using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Alerts;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Live;
using Stoa.Dashboard.Tests.Live;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Alerts;

/// <summary>
/// Alert rules through the real app on Kestrel: the rules API checks every field and is for
/// operators only; a rule that fires reaches the hub live, the alert history, and the webhook it
/// notifies in Slack's format, once per episode; no gateway can forge an alert.
/// </summary>
public sealed class AlertApiTests(LiveApp app) : IClassFixture<LiveApp>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset T0 = StoaApp.Epoch.AddMinutes(-3);

    private static Task<HttpResponseMessage> AddRuleAsync(HttpClient client, string tenant, params (string Name, string Value)[] fields) =>
        client.PostAsync($"/v1/audit/{tenant}/alert-rules", new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))));

    private static JsonNode[] FailedSignIns(string prefix, int count, DateTimeOffset start, string target) =>
        Enumerable.Range(0, count).Select(i => (JsonNode)Wire.Security($"{prefix}{i}", start.AddSeconds(i), target: target)).ToArray();

    [Theory]
    [InlineData("type=bogus", "type")]
    [InlineData("type=brute_force&threshold=0", "threshold")]
    [InlineData("type=brute_force&threshold=2.5", "threshold")]
    [InlineData("type=error_rate&threshold=150", "threshold")]
    [InlineData("type=brute_force&window_minutes=600", "window_minutes")]
    [InlineData("type=brute_force&min_events=10", "min_events")]
    [InlineData("type=event_types", "event_types")]
    [InlineData("type=event_types&event_types=alert_fired", "event_types")]
    [InlineData("type=brute_force&notify=99", "notify")]
    [InlineData("type=brute_force&notify=first", "notify")]
    [InlineData("type=brute_force&colour=red", "colour")]
    public async Task A_rule_with_a_bad_field_is_a_400_naming_it(string form, string field)
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        var fields = form.Split('&').Select(f => f.Split('=')).Select(p => (p[0], p[1])).ToArray();
        var response = await AddRuleAsync(client, tenant, fields);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"{field}\"", body);
        Assert.Empty(JsonNode.Parse(await client.GetStringAsync($"/v1/audit/{tenant}/alert-rules"))!["rules"]!.AsArray());
    }

    [Fact]
    public async Task Operators_add_list_and_delete_rules_each_change_recorded_and_clients_see_no_rule_or_alert()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        var added = await AddRuleAsync(client, tenant, ("type", "error_rate"), ("name", "Partner failing"), ("threshold", "25.5"), ("min_events", "10"));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var rule = JsonNode.Parse(await added.Content.ReadAsStringAsync())!["rule"]!;
        Assert.Equal(25.5, (double)rule["threshold"]!);
        Assert.Equal(10, (int)rule["window_minutes"]!); // the type's default

        var recommended = await client.PostAsync($"/v1/audit/{tenant}/alert-rules/recommended", null);
        Assert.Equal(HttpStatusCode.Created, recommended.StatusCode);
        var listed = JsonNode.Parse(await client.GetStringAsync($"/v1/audit/{tenant}/alert-rules"))!;
        Assert.Equal(6, listed["rules"]!.AsArray().Count);
        Assert.Equal(AlertRuleTypes.Names, listed["types"]!.AsArray().Select(t => (string)t!["type"]!));

        var id = (long)rule["id"]!;
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/audit/{tenant}/alert-rules/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/v1/audit/{tenant}/alert-rules/{id}")).StatusCode);
        var actions = await client.GetStringAsync($"/v1/audit/{tenant}/security?event_type=admin_action&limit=100");
        Assert.Contains("alert_rule_created", actions);
        Assert.Contains("alert_rule_deleted", actions);

        var clientToken = await app.ClientWithTokenAsync(Roles.Client, [tenant], ["cons_a"]);
        Assert.Equal(HttpStatusCode.Forbidden, (await clientToken.GetAsync($"/v1/audit/{tenant}/alert-rules")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await clientToken.GetAsync($"/v1/audit/{tenant}/alerts")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await AddRuleAsync(clientToken, tenant, ("type", "brute_force"))).StatusCode);
    }

    [Fact]
    public async Task A_gateway_cannot_send_an_alert_fired_event()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        var response = await client.PostAsync(tenant, Wire.Security("forged", T0, type: AuditVocabulary.AlertEventType));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("written by Stoa's own alert rules", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_firing_rule_reaches_the_hub_the_history_and_the_slack_webhook_it_notifies_once_per_episode()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        // The destination takes key revocations only: the alert reaches it because the rule names it.
        var destination = await client.AddDestinationAsync(tenant, ("name", "Slack"), ("kind", "webhook"), ("target", receiver.Url),
            ("format", "slack"), ("event_types", "key_revoked"));
        var destinationId = (long)JsonNode.Parse(await destination.Content.ReadAsStringAsync())!["destination"]!["id"]!;
        var added = await AddRuleAsync(client, tenant, ("type", "brute_force"), ("threshold", "20"), ("window_minutes", "5"), ("notify", $"{destinationId}"));
        Assert.True(added.StatusCode == HttpStatusCode.Created, await added.Content.ReadAsStringAsync());

        var (secret, _) = await app.TokenAsync(Roles.Operator, [tenant]);
        var (connection, received) = await app.ConnectAsync(secret);
        await connection.InvokeAsync("Subscribe", tenant, new HubFilter(Kind: "security"));
        await client.IngestAsync(tenant, FailedSignIns("a", 25, T0, "key_hub"));

        JsonElement alert;
        do alert = await HubTests.NextAsync(received);
        while (alert.GetProperty("event_type").GetString() != AuditVocabulary.AlertEventType);
        Assert.Equal(AlertEvaluator.Actor, alert.GetProperty("actor").GetString());
        Assert.Contains("for target key_hub", alert.GetProperty("details").GetProperty("summary").GetString());

        var slack = await receiver.WaitForAsync(w => w.Body.Contains("*Alert*", StringComparison.Ordinal), Wait);
        Assert.Contains("20 failed sign-ins for target key_hub within 5 min", (string)slack.Json["text"]!);

        await client.IngestAsync(tenant, FailedSignIns("b", 25, T0.AddSeconds(30), "key_hub")); // the same attack goes on
        await app.Services.GetRequiredService<AlertEvaluator>().EvaluateAsync();
        var history = JsonNode.Parse(await client.GetStringAsync($"/v1/audit/{tenant}/alerts"))!;
        var episode = Assert.Single(history["alerts"]!.AsArray())!;
        Assert.Equal(50, (long)episode["count"]!);
        Assert.True((bool)episode["ongoing"]!);
        Assert.Equal("key_hub", (string)episode["key"]!);
        Assert.False((bool)history["has_more"]!);
        await connection.DisposeAsync();
    }
}
