using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Forwarding;

/// <summary>Syslog destinations against a real rsyslog receiving over TLS: RFC 5424 messages with octet-counted framing, JSON or CEF, in seq order.</summary>
public sealed partial class SyslogForwardingTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly StoaApp _app = new();
    private RsyslogReceiver _rsyslog = null!;

    public async Task InitializeAsync()
    {
        _app.Settings["Stoa:Forwarding:MaxRetrySeconds"] = "1";
        _rsyslog = await RsyslogReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _rsyslog.DisposeAsync();
        await _app.DisposeAsync();
    }

    [GeneratedRegex("""^<(\d+)>1 (\S+) \S+ stoa - (\S+) \[stoa@32473 tenant="([^"]+)" seq="(\d+)" kind="(\w+)"\] (.*)$""")]
    private static partial Regex Rfc5424();

    [Fact]
    public async Task Events_reach_rsyslog_over_TLS_as_RFC_5424_messages_in_seq_order_as_JSON_or_CEF()
    {
        var tenant = StoaApp.NewTenant("sys");
        var client = await _app.OperatorAsync(tenant);
        Assert.Equal(HttpStatusCode.Created, (await client.AddDestinationAsync(tenant, ("name", "siem-json"), ("kind", "syslog"), ("target", _rsyslog.Target),
            ("ca_file", _rsyslog.CaFile), ("kinds", "request,security"))).StatusCode);
        await client.IngestAsync(tenant, [.. Enumerable.Range(0, 600).Select(i => (JsonNode)Wire.Request($"r{i}", StoaApp.Epoch.AddSeconds(-600 + i), status: i == 7 ? 503 : 200)),
            Wire.Security("s1", StoaApp.Epoch.AddSeconds(-1))]);

        var lines = await _rsyslog.WaitForLinesAsync(602, Wait); // the destination's own creation record, the 600, the security event
        var messages = lines.Select(l => Rfc5424().Match(l)).ToList();
        Assert.All(messages, m => Assert.True(m.Success, m.Value));
        Assert.All(messages, m => Assert.Equal(tenant, m.Groups[4].Value));
        var seqs = messages.Select(m => long.Parse(m.Groups[5].Value)).ToList();
        Assert.Equal(seqs.Order(), seqs);
        Assert.Equal(602, seqs.Distinct().Count());
        var failing = messages.Single(m => JsonNode.Parse(m.Groups[7].Value)!["request_id"]?.GetValue<string>() == "r7");
        Assert.Equal(13 * 8 + 3, int.Parse(failing.Groups[1].Value)); // log audit, error
        Assert.Equal(13 * 8 + 4, int.Parse(messages.Single(m => m.Groups[3].Value == "auth_failed").Groups[1].Value)); // a failure: warning
        Assert.Equal(13 * 8 + 5, int.Parse(messages.Single(m => m.Groups[3].Value == "admin_action").Groups[1].Value)); // other security: notice
        Assert.Equal("2026-03-11T11:50:00.000Z", messages.First(m => m.Groups[6].Value == "request").Groups[2].Value); // the event's own time
    }

    [Fact]
    public async Task CEF_bodies_escape_what_CEF_says_and_a_receiver_with_an_untrusted_certificate_is_refused()
    {
        var tenant = StoaApp.NewTenant("cef");
        var client = await _app.OperatorAsync(tenant);
        Assert.Equal(HttpStatusCode.Created, (await client.AddDestinationAsync(tenant, ("name", "siem-cef"), ("kind", "syslog"), ("format", "cef"),
            ("target", _rsyslog.Target), ("ca_file", _rsyslog.CaFile), ("kinds", "request"))).StatusCode);
        await client.IngestAsync(tenant, Wire.Request("cef-1", StoaApp.Epoch.AddSeconds(-5), path: "/api/a=b|c"));
        var line = (await _rsyslog.WaitForLinesAsync(1, Wait)).Single(l => l.Contains("cef-1"));
        Assert.Contains("CEF:0|Stoa|Stoa.Dashboard|1|api_request|GET /api/a=b\\|c → 200|1|", line);
        Assert.Contains("request=/api/a\\=b|c", line);
        Assert.Contains("suser=cons_a", line);

        // Without the CA the receiver's certificate is not trusted: nothing is sent, the page says why.
        var untrusted = StoaApp.NewTenant("tls");
        var other = await _app.OperatorAsync(untrusted);
        Assert.Equal(HttpStatusCode.Created, (await other.AddDestinationAsync(untrusted, ("name", "no-ca"), ("kind", "syslog"), ("target", _rsyslog.Target))).StatusCode);
        await other.IngestAsync(untrusted, Wire.Request("secret-1", StoaApp.Epoch.AddSeconds(-5)));
        var status = await other.StatusAsync(untrusted, s => (int)s["failures"]! > 0);
        Assert.Contains("syslog", (string)status["last_error"]!);
        Assert.DoesNotContain(await _rsyslog.LinesAsync(), l => l.Contains("secret-1"));
    }
}
