using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Stoa.Dashboard.Tests.Support;
using Xunit.Abstractions;

namespace Stoa.Dashboard.Tests.Forwarding;

/// <summary>
/// The app, a real process, is killed with SIGKILL in the middle of forwarding 100,000 events to a
/// webhook receiver and to rsyslog over TLS, and restarted: every event arrives at each at least
/// once, in seq order, and the duplicates the crash caused are counted (at most the batch in flight).
/// </summary>
public sealed partial class ForwardingKillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Tenant = "t_forward_kill";
    private const int Events = 100_000, Batch = 1000;
    private readonly string _folder = Directory.CreateTempSubdirectory("stoa-forward-kill-").FullName;
    private string DatabasePath => Path.Combine(_folder, "audit.db");

    [Fact]
    public async Task Forwarding_killed_mid_way_resumes_where_it_stopped_and_loses_nothing()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var rsyslog = await RsyslogReceiver.StartAsync();
        var token = (await AppProcess.RunAsync(DatabasePath, "tokens", "create", "--role", "operator", "--tenant", Tenant))[^1];
        using (var server = await AppProcess.StartAsync(DatabasePath))
        {
            using var http = server.Client(token);
            for (var b = 0; b < Events / Batch; b++)
            {
                var events = Enumerable.Range(b * Batch, Batch).Select(i => (JsonNode)Wire.Request($"f{i}", StoaApp.Epoch.AddMilliseconds(i)));
                var response = await http.PostAsync($"/v1/audit/{Tenant}/events",
                    new StringContent(new JsonArray(events.ToArray()).ToJsonString(), Encoding.UTF8, "application/json"));
                Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            }
            var added = await http.AddDestinationAsync(Tenant, ("name", "receiver"), ("kind", "webhook"), ("target", receiver.Url), ("kinds", "request"),
                ("backfill", "true"));
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
            var syslog = await http.AddDestinationAsync(Tenant, ("name", "rsyslog"), ("kind", "syslog"), ("target", rsyslog.Target), ("ca_file", rsyslog.CaFile),
                ("kinds", "request"), ("backfill", "true"));
            Assert.Equal(HttpStatusCode.Created, syslog.StatusCode);
            await receiver.WaitForSeqsAsync(Events / 4, TimeSpan.FromSeconds(120));
            server.Kill(); // SIGKILL, mid-forwarding
        }
        var beforeRestart = receiver.DistinctSeqs;
        Assert.True(beforeRestart < Events, "forwarding ended before the kill");

        string[] lines;
        using (await AppProcess.StartAsync(DatabasePath))
        {
            await receiver.WaitForSeqsAsync(Events, TimeSpan.FromSeconds(180));
            // Every event, counted once: the batch in flight at the kill may have been written twice.
            lines = await rsyslog.WaitForLinesAsync(Events, TimeSpan.FromSeconds(180), line => SyslogSeq().Match(line).Groups[1].Value);
        }

        Check("webhook", receiver.Received.SelectMany(r => r.Seqs).ToList());
        Check("rsyslog", lines.Select(l => long.Parse(SyslogSeq().Match(l).Groups[1].Value)).ToList());
        output.WriteLine($"{beforeRestart:N0} events had reached the webhook before the kill");
    }

    /// <summary>Every event once at least, first seen in seq order; duplicates at most the batch that was in flight.</summary>
    private void Check(string receiver, List<long> arrivals)
    {
        var firstSeen = new List<long>();
        var seen = new HashSet<long>();
        foreach (var seq in arrivals)
            if (seen.Add(seq)) firstSeen.Add(seq);
        Assert.Equal(Enumerable.Range(1, Events).Select(n => (long)n), firstSeen);
        var duplicates = arrivals.Count - firstSeen.Count;
        output.WriteLine($"{receiver}: {Events:N0} events, {duplicates:N0} delivered twice");
        Assert.True(duplicates <= 500, $"{receiver}: {duplicates} duplicates, more than the batch in flight");
    }

    [System.Text.RegularExpressions.GeneratedRegex("seq=\"(\\d+)\"")]
    private static partial System.Text.RegularExpressions.Regex SyslogSeq();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
