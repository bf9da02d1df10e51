using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Forwarding;

/// <summary>
/// Webhook destinations over the real app and a real HTTP receiver: delivered in seq order, signed as
/// Standard Webhooks say (checked with the recipe the README gives), filtered, held while the receiver
/// refuses and delivered when it comes back; the secret shown once and kept out of the store.
/// </summary>
public sealed class WebhookForwardingTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly StoaApp _app = new();
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _app.Settings["Stoa:Forwarding:MaxRetrySeconds"] = "1";
        _receiver = await WebhookReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _app.DisposeAsync();
    }

    private static async Task<(JsonNode Destination, string? Secret)> AddAsync(HttpClient client, string tenant, params (string, string)[] fields)
    {
        var response = await client.AddDestinationAsync(tenant, fields);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var json = JsonNode.Parse(body)!;
        return (json["destination"]!, (string?)json["secret"]);
    }

    private static JsonNode[] Requests(int count, string prefix = "r") =>
        Enumerable.Range(0, count).Select(i => (JsonNode)Wire.Request($"{prefix}{i}", StoaApp.Epoch.AddMinutes(-60 + i % 60))).ToArray();

    /// <summary>The README's recipe: HMAC-SHA256 with the secret's bytes after <c>whsec_</c> over <c>id.timestamp.body</c>, base64, after <c>v1,</c>.</summary>
    private static bool Verifies(string secret, ReceivedWebhook webhook, string? body = null)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = $"{webhook.Headers["webhook-id"]}.{webhook.Headers["webhook-timestamp"]}.{body ?? webhook.Body}";
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(signed)));
        return webhook.Headers["webhook-signature"].Split(' ').Contains(expected);
    }

    [Fact]
    public async Task New_events_arrive_in_seq_order_signed_and_a_tampered_body_fails_the_signature()
    {
        var tenant = StoaApp.NewTenant();
        var client = await _app.OperatorAsync(tenant);
        await client.IngestAsync(tenant, Requests(3, "before")); // before the destination: not sent
        var (destination, secret) = await AddAsync(client, tenant, ("name", "SIEM"), ("kind", "webhook"), ("target", _receiver.Url));
        Assert.StartsWith("whsec_", secret);

        await client.IngestAsync(tenant, Requests(700));
        await client.IngestAsync(tenant, Wire.Security("s1", StoaApp.Epoch.AddMinutes(-1)));
        await _receiver.WaitForSeqsAsync(702, Wait);

        // In order, once each: the record of the destination's creation (seq 4), the 700, the security event; none of the three before.
        var received = _receiver.Received.ToList();
        var seqs = received.SelectMany(r => r.Seqs).ToList();
        Assert.Equal(Enumerable.Range(4, 702).Select(n => (long)n), seqs);
        Assert.Contains("destination_created", received[0].Body);
        Assert.All(received, r => Assert.True(Verifies(secret!, r)));
        Assert.False(Verifies(secret!, received[0], received[0].Body.Replace(tenant, "t_other")));
        Assert.Matches($"^stoa_{destination["id"]}_4_", received[0].Headers["webhook-id"]);
        Assert.Equal(tenant, (string)received[0].Json["tenant_id"]!);
        Assert.Equal("r0", (string)received.SelectMany(r => r.Json["events"]!.AsArray()).ElementAt(1)!["request_id"]!);

        var list = await client.StatusAsync(tenant, s => (long)s["lag_events"]! == 0);
        Assert.Equal("ok", (string)list["state"]!);
        Assert.DoesNotContain(secret!, list.ToJsonString());
        Assert.DoesNotContain(secret!, Encoding.UTF8.GetString(await TestStore.ContentsAsync(_app.DatabasePath)));
        Assert.DoesNotContain(secret!, await client.GetStringAsync($"/v1/audit/{tenant}/security?event_type=admin_action"));
    }

    [Fact]
    public async Task A_refusing_receiver_is_shown_retrying_with_its_error_and_gets_every_event_when_it_comes_back()
    {
        var tenant = StoaApp.NewTenant();
        var client = await _app.OperatorAsync(tenant);
        _receiver.Refusing = true;
        try
        {
            await AddAsync(client, tenant, ("name", "down"), ("kind", "webhook"), ("target", _receiver.Url));
            await client.IngestAsync(tenant, Requests(50));
            var status = await client.StatusAsync(tenant, s => (int)s["failures"]! > 0);
            Assert.Contains("503", (string)status["last_error"]!);
            Assert.Equal(51L, (long)status["lag_events"]!); // its own creation record and the 50
        }
        finally
        {
            _receiver.Refusing = false;
        }
        await _receiver.WaitForSeqsAsync(51, Wait);
        Assert.Equal(Enumerable.Range(1, 51).Select(n => (long)n), _receiver.Received.SelectMany(r => r.Seqs).Distinct());
    }

    [Fact]
    public async Task A_destination_takes_only_its_kinds_and_event_types_and_its_cursor_passes_the_others()
    {
        var tenant = StoaApp.NewTenant();
        var client = await _app.OperatorAsync(tenant);
        await AddAsync(client, tenant, ("name", "security"), ("kind", "webhook"), ("target", _receiver.Url), ("kinds", "security"),
            ("event_types", "auth_failed,key_revoked"));
        await client.IngestAsync(tenant, [.. Requests(20), Wire.Security("a", StoaApp.Epoch.AddMinutes(-2)),
            Wire.Security("b", StoaApp.Epoch.AddMinutes(-2), type: "key_rotated"), Wire.Security("c", StoaApp.Epoch.AddMinutes(-1), type: "key_revoked")]);
        await _receiver.WaitForSeqsAsync(2, Wait);
        await client.StatusAsync(tenant, s => (long)s["lag_events"]! == 0);
        var types = _receiver.Received.SelectMany(r => r.Json["events"]!.AsArray()).Select(e => (string)e!["event_type"]!).ToList();
        Assert.Equal(["auth_failed", "key_revoked"], types);
    }

    [Fact]
    public async Task Bad_destinations_are_400s_naming_the_field_clients_are_refused_and_a_test_event_arrives()
    {
        var tenant = StoaApp.NewTenant();
        var client = await _app.OperatorAsync(tenant);
        foreach (var (fields, field) in new (string, string)[][]
                 {
                     [("name", "x"), ("kind", "email"), ("target", "a")],
                     [("name", "x"), ("kind", "webhook"), ("target", "ftp://example.com")],
                     [("name", "x"), ("kind", "syslog"), ("target", "no-port")],
                     [("name", "x"), ("kind", "kafka"), ("target", "127.0.0.1:9092")],
                     [("name", "x"), ("kind", "webhook"), ("target", "https://example.com"), ("kinds", "requests")],
                     [("name", "x"), ("kind", "webhook"), ("target", "https://example.com"), ("event_types", "login")],
                     [("name", "x"), ("kind", "webhook"), ("target", "https://example.com"), ("format", "cef")],
                     [("kind", "webhook"), ("target", "https://example.com")],
                 }.Zip(["kind", "target", "target", "topic", "kinds", "event_types", "format", "name"]))
        {
            var response = await client.AddDestinationAsync(tenant, fields);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync());
        }
        var clientToken = await _app.ClientWithTokenAsync("client", [tenant], ["cons_a"]);
        Assert.Equal(HttpStatusCode.Forbidden, (await clientToken.GetAsync($"/v1/audit/{tenant}/destinations")).StatusCode);

        var (destination, secret) = await AddAsync(client, tenant, ("name", "test"), ("kind", "webhook"), ("target", _receiver.Url));
        var test = await client.PostAsync($"/v1/audit/{tenant}/destinations/{destination["id"]}/test", null);
        Assert.Equal(HttpStatusCode.OK, test.StatusCode);
        var received = _receiver.Received.Single(r => r.Body.Contains("destination_test"));
        Assert.True(Verifies(secret!, received));

        var rotated = (string)JsonNode.Parse(await (await client.PostAsync($"/v1/audit/{tenant}/destinations/{destination["id"]}/rotate-secret", null))
            .Content.ReadAsStringAsync())!["secret"]!;
        Assert.NotEqual(secret, rotated);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/v1/audit/{tenant}/destinations/{destination["id"]}/test", null)).StatusCode);
        var second = _receiver.Received.Last(r => r.Body.Contains("destination_test"));
        Assert.True(Verifies(rotated, second));
        Assert.False(Verifies(secret!, second));
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/audit/{tenant}/destinations/{destination["id"]}")).StatusCode);
        Assert.Contains("destination_deleted", await client.GetStringAsync($"/v1/audit/{tenant}/security?event_type=admin_action"));
    }
}
