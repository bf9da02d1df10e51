using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Stoa.Dashboard.Live;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Storage;

/// <summary>
/// Two app processes on one PostgreSQL store, as behind a load balancer without sticky sessions for
/// the API: what one ingests the other's live subscribers get, each event once; a session begun on
/// one works on the other; export slots count across both; killing one loses nothing it acknowledged.
/// </summary>
public sealed class TwoInstanceTests : IDisposable
{
    private const string Tenant = "t_two";
    private static readonly DateTimeOffset T0 = new(2026, 3, 11, 3, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("stoa-two-").FullName;
    private string DatabasePath => Path.Combine(_folder, "audit.db");

    [PostgresFact]
    public async Task Events_ingested_on_either_instance_reach_the_subscribers_of_both_each_once()
    {
        var token = (await AppProcess.RunAsync(DatabasePath, "tokens", "create", "--role", "operator", "--tenant", Tenant))[^1];
        using var a = await AppProcess.StartAsync(DatabasePath);
        using var b = await AppProcess.StartAsync(DatabasePath);
        var (onB, receivedOnB) = await HubClient.ConnectAsync(b.BaseAddress, token);
        var (onA, receivedOnA) = await HubClient.ConnectAsync(a.BaseAddress, token);
        await onB.InvokeAsync("Subscribe", Tenant, new HubFilter());
        await onA.InvokeAsync("Subscribe", Tenant, new HubFilter());

        // Both instances take batches at once, so their commits of the tenant interleave.
        using var toA = a.Client(token);
        using var toB = b.Client(token);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(n => (n % 2 == 0 ? toA : toB).IngestAsync(Tenant,
            Enumerable.Range(0, 10).Select(i => (System.Text.Json.Nodes.JsonNode)Wire.Request($"b{n}_{i}", T0.AddSeconds(n * 10 + i))).ToArray())));

        foreach (var received in new[] { receivedOnA, receivedOnB })
        {
            var events = new List<JsonElement>();
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (events.Count < 200) events.Add(await received.ReadAsync(patience.Token));
            Assert.Equal(Enumerable.Range(0, 20).SelectMany(n => Enumerable.Range(0, 10).Select(i => $"b{n}_{i}")).Order(),
                events.Select(e => e.GetProperty("request_id").GetString()!).Order()); // every one, none twice
            Assert.Equal(Enumerable.Range(1, 200).Select(s => (long)s), events.Select(e => e.GetProperty("seq").GetInt64()).Order());
            Assert.False(received.TryRead(out _));
        }
        await onA.DisposeAsync();
        await onB.DisposeAsync();
    }

    [RedisFact]
    public async Task With_redis_configured_the_hubs_of_both_instances_join_one_backplane()
    {
        var token = (await AppProcess.RunAsync(DatabasePath, "tokens", "create", "--role", "operator", "--tenant", Tenant))[^1];
        using var a = await AppProcess.StartAsync(DatabasePath);
        using var b = await AppProcess.StartAsync(DatabasePath);
        var (onA, _) = await HubClient.ConnectAsync(a.BaseAddress, token); // a hub joins the backplane with its first connection
        var (onB, _) = await HubClient.ConnectAsync(b.BaseAddress, token);

        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(Environment.GetEnvironmentVariable("STOA_TEST_REDIS")!);
        var everyone = TestStore.RedisChannelPrefix(DatabasePath) + typeof(AuditHub).FullName + ":all"; // the channel RedisHubLifetimeManager sends "all clients" on
        var subscribed = (StackExchange.Redis.RedisResult[])(await redis.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", everyone))!;
        Assert.Equal(2, (long)subscribed[1]); // one subscriber an instance
        await onA.DisposeAsync();
        await onB.DisposeAsync();
    }

    [PostgresFact]
    public async Task A_sign_in_begun_on_one_instance_and_finished_on_the_other_keeps_working_on_both()
    {
        var token = (await AppProcess.RunAsync(DatabasePath, "tokens", "create", "--role", "operator", "--tenant", Tenant))[^1];
        using var a = await AppProcess.StartAsync(DatabasePath);
        using var b = await AppProcess.StartAsync(DatabasePath);
        // One browser: cookies are per host, not per port, so both instances get the same ones, as behind one balancer.
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new System.Net.CookieContainer() });

        var form = await browser.GetStringAsync(new Uri(a.BaseAddress, "/signin")); // the antiforgery token is A's
        var antiforgery = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var signIn = await browser.PostAsync(new Uri(b.BaseAddress, "/auth/signin"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token, ["returnUrl"] = "/timeline", ["__RequestVerificationToken"] = antiforgery,
        }));
        Assert.Equal(System.Net.HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/timeline", signIn.Headers.Location?.OriginalString); // not back to sign-in: B accepted A's antiforgery token

        foreach (var instance in new[] { a, b })
        {
            var page = await browser.GetAsync(new Uri(instance.BaseAddress, $"/timeline?tenant={Tenant}"));
            Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode); // the cookie B issued opens on A too
        }
        // The shared key ring is in the store, but only encrypted: the secret that opens it is in the instances' settings.
        await using var store = await TestStore.OpenAsync(DatabasePath);
        await using var keys = store.CreateCommand();
        keys.CommandText = "SELECT xml FROM data_protection_keys";
        var ring = new List<string>();
        await using (var reader = await keys.ExecuteReaderAsync())
            while (await reader.ReadAsync()) ring.Add(reader.GetString(0));
        Assert.Single(ring); // one key, made by whichever instance came first, used by both
        Assert.Contains("stoaKeyRing", ring[0]);
        Assert.DoesNotContain("<masterKey", ring[0]);
    }

    [PostgresFact]
    public async Task The_export_slots_are_in_the_store_so_exports_running_anywhere_count_on_every_instance()
    {
        var token = (await AppProcess.RunAsync(DatabasePath, "tokens", "create", "--role", "operator", "--tenant", Tenant))[^1];
        using var a = await AppProcess.StartAsync(DatabasePath);
        using var b = await AppProcess.StartAsync(DatabasePath);
        using var toA = a.Client(token);
        using var toB = b.Client(token);
        await toA.IngestAsync(Tenant, Wire.Request("x1", T0));

        // Two exports running on a third instance (this test's process, alive): both slots are taken.
        await using (var store = await TestStore.OpenAsync(DatabasePath))
        await using (var hold = store.CreateCommand())
        {
            var holder = $"{Environment.MachineName}/{Environment.ProcessId}/test";
            hold.CommandText = $"INSERT INTO leases (name, holder, expires_at_ms) VALUES ('export:{Tenant}:0', '{holder}/1', {long.MaxValue}), ('export:{Tenant}:1', '{holder}/2', {long.MaxValue})";
            await hold.ExecuteNonQueryAsync();
        }
        Assert.Equal((System.Net.HttpStatusCode)429, (await toA.GetAsync($"/v1/audit/{Tenant}/export/csv")).StatusCode);
        Assert.Equal((System.Net.HttpStatusCode)429, (await toB.GetAsync($"/v1/audit/{Tenant}/export/csv")).StatusCode);

        await using (var store = await TestStore.OpenAsync(DatabasePath))
        await using (var free = store.CreateCommand())
        {
            free.CommandText = $"DELETE FROM leases WHERE name = 'export:{Tenant}:0'";
            await free.ExecuteNonQueryAsync();
        }
        Assert.Equal(System.Net.HttpStatusCode.OK, (await toB.GetAsync($"/v1/audit/{Tenant}/export/csv")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await toA.GetAsync($"/v1/audit/{Tenant}/export/csv")).StatusCode); // B gave its slot back
    }

    [PostgresFact]
    public async Task Killing_one_instance_mid_ingest_loses_nothing_it_acknowledged_and_the_other_goes_on()
    {
        var token = (await AppProcess.RunAsync(DatabasePath, "tokens", "create", "--role", "operator", "--tenant", Tenant))[^1];
        using var a = await AppProcess.StartAsync(DatabasePath);
        using var b = await AppProcess.StartAsync(DatabasePath);
        using var toA = a.Client(token);
        using var toB = b.Client(token);
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
        var (enough, afterKill, goOnTo) = (new TaskCompletionSource(), new TaskCompletionSource(), int.MaxValue);
        using var stop = new CancellationTokenSource();
        var senders = new[] { toA, toA, toB }.Select((client, s) => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var batch = $"s{s}_b{n}";
                try
                {
                    var response = await client.PostAsync(Tenant, Enumerable.Range(0, 20)
                        .Select(i => (System.Text.Json.Nodes.JsonNode)Wire.Request($"{batch}_{i}", T0.AddSeconds(i))).ToArray());
                    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{batch}: {(int)response.StatusCode}");
                    acknowledged.Add(batch);
                    if (acknowledged.Count >= 60) enough.TrySetResult();
                    if (acknowledged.Count >= Volatile.Read(ref goOnTo)) afterKill.TrySetResult();
                }
                catch (HttpRequestException)
                {
                    return; // A is gone
                }
            }
        })).ToList();
        await enough.Task.WaitAsync(TimeSpan.FromSeconds(60));
        a.Kill(); // SIGKILL, mid-write
        Volatile.Write(ref goOnTo, acknowledged.Count + 20);
        await afterKill.Task.WaitAsync(TimeSpan.FromSeconds(60)); // B goes on taking batches
        await stop.CancelAsync();
        await Task.WhenAll(senders).WaitAsync(TimeSpan.FromSeconds(30));

        var stored = new List<(string RequestId, long Seq)>();
        for (var cursor = "since_seq=0"; ;)
        {
            var page = await toB.GetJsonAsync($"/v1/audit/{Tenant}?limit=10000&{cursor}");
            stored.AddRange(page["logs"]!.AsArray().Select(e => ((string)e!["request_id"]!, (long)e["seq"]!)));
            if ((string?)page["next_cursor"] is not { } next) break;
            cursor = $"cursor={next}";
        }
        var byBatch = stored.GroupBy(e => e.RequestId[..e.RequestId.LastIndexOf('_')]).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(acknowledged, batch => Assert.Equal(20, byBatch.GetValueOrDefault(batch))); // acknowledged: all there
        Assert.All(byBatch, batch => Assert.Equal(20, batch.Value)); // anything there: whole
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(n => (long)n), stored.Select(e => e.Seq)); // one gapless numbering for both writers
    }

    public void Dispose()
    {
        TestStore.Drop(DatabasePath);
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
