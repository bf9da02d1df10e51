using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Evidence;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Evidence;

/// <summary>
/// The hash chain in the store: the receipt ingest gives, the documented formula, and
/// <c>GET /verify</c> finding and locating each kind of tampering.
/// </summary>
public sealed class StoreChainTests(StoaApp app) : IClassFixture<StoaApp>
{
    private static readonly DateTimeOffset T0 = StoaApp.Epoch.AddHours(-3);

    private async Task<(HttpClient Operator, string Tenant)> TenantWithEventsAsync(int requests = 6)
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant, Enumerable.Range(0, requests)
            .Select(i => (JsonNode)Wire.Request($"r{i}", T0.AddMinutes(i), consumer: i % 2 == 0 ? "cons_a" : "cons_b"))
            .Append(Wire.Security("s1", T0.AddSeconds(30)))
            .Append(Wire.Business(T0.AddSeconds(40)))
            .ToArray());
        return (client, tenant);
    }

    [Fact]
    public async Task Ingest_answers_with_a_receipt_whose_head_follows_the_documented_formula()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        var first = await Receipt(client, tenant, Wire.Request("a", T0), Wire.Security("b", T0));
        var second = await Receipt(client, tenant, Wire.Request("a", T0), Wire.Business(T0.AddSeconds(1))); // one duplicate
        var onlyDuplicate = await Receipt(client, tenant, Wire.Request("a", T0));

        Assert.Equal((1L, 2L), ((long)first["first_seq"]!, (long)first["last_seq"]!));
        Assert.Equal((3L, 3L, 1), ((long)second["first_seq"]!, (long)second["last_seq"]!, (int)second["duplicates"]!));
        Assert.Null(onlyDuplicate["first_seq"]);
        Assert.Null(onlyDuplicate["chain_head"]);

        // head(n) = SHA-256(0x01 || head(n-1) || SHA-256(0x00 || canonical(n)) || seq as 8 bytes big-endian), head(0) = 32 zero bytes.
        var head = new byte[32];
        var heads = new List<string>();
        await foreach (var e in ChainReader.ReadAsync(Factory, tenant, 1, long.MaxValue))
        {
            var leaf = SHA256.HashData([0x00, .. CanonicalEvent.Serialize(e.Event)]);
            var seq = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(seq, e.Event.Seq);
            head = SHA256.HashData([0x01, .. head, .. leaf, .. seq]);
            heads.Add(Convert.ToHexStringLower(head));
        }
        Assert.Equal(heads[1], (string?)first["chain_head"]);
        Assert.Equal(heads[2], (string?)second["chain_head"]);
    }

    [Fact]
    public async Task An_untouched_chain_verifies_and_a_client_may_not_ask()
    {
        var (client, tenant) = await TenantWithEventsAsync();
        var report = await client.GetJsonAsync($"/v1/audit/{tenant}/verify");
        Assert.True((bool)report["intact"]!, report.ToJsonString());
        Assert.Equal(8, (long)report["checked"]!);

        var window = await client.GetJsonAsync($"/v1/audit/{tenant}/verify?from={Wire.Time(T0.AddMinutes(2))}&to={Wire.Time(T0.AddMinutes(4))}");
        Assert.Equal((3L, 4L), ((long)window["from_seq"]!, (long)window["to_seq"]!)); // r2 and r3, the 3rd and 4th to arrive
        Assert.True((bool)window["intact"]!);

        var reader = await app.ClientWithTokenAsync("client", [tenant], ["cons_a"]);
        await (await reader.GetAsync($"/v1/audit/{tenant}/verify")).ProblemAsync(403);
        await (await client.GetAsync($"/v1/audit/{tenant}/verify?from_seq=0")).ProblemAsync(400);
    }

    [Fact]
    public async Task An_edited_event_is_found_at_its_seq()
    {
        var (client, tenant) = await TenantWithEventsAsync();
        await ExecuteAsync($"UPDATE request_events SET status_code = 200, path = '/api/nothing-to-see' WHERE tenant_id = '{tenant}' AND seq = 4");
        await AssertBreakAsync(client, tenant, 4, "altered");
    }

    [Fact]
    public async Task A_deleted_event_is_found_at_its_seq()
    {
        var (client, tenant) = await TenantWithEventsAsync();
        await ExecuteAsync($"DELETE FROM request_events WHERE tenant_id = '{tenant}' AND seq = 3");
        await AssertBreakAsync(client, tenant, 3, "missing");
    }

    [Fact]
    public async Task Two_reordered_events_are_found_at_the_first_of_them()
    {
        var (client, tenant) = await TenantWithEventsAsync();
        await ExecuteAsync($"""
            UPDATE request_events SET seq = -2 WHERE tenant_id = '{tenant}' AND seq = 2;
            UPDATE request_events SET seq = 2 WHERE tenant_id = '{tenant}' AND seq = 5;
            UPDATE request_events SET seq = 5 WHERE tenant_id = '{tenant}' AND seq = -2;
            """);
        await AssertBreakAsync(client, tenant, 2, "altered");
    }

    [Fact]
    public async Task A_tail_replaced_and_rehashed_is_caught_by_the_checkpoint_signed_before()
    {
        var (client, tenant) = await TenantWithEventsAsync();
        var checkpoint = await app.Services.GetRequiredService<Checkpoints>().SignAsync(tenant);
        Assert.Equal(8, checkpoint!.Seq);

        // Whoever can write the file rewrites seq 3 onwards and re-hashes every head after it: no link breaks.
        await ExecuteAsync($"UPDATE request_events SET consumer_id = 'cons_nobody' WHERE tenant_id = '{tenant}' AND seq >= 3");
        var head = (await ChainReader.HeadAtAsync(Factory, app.Services.GetRequiredService<Stoa.Dashboard.Retention.ArchiveDirectory>(), tenant, 2, default))!;
        var rehashed = new List<(EventKind Kind, long Id, byte[] Head)>();
        await foreach (var e in ChainReader.ReadAsync(Factory, tenant, 3, long.MaxValue))
        {
            head = HashChain.Next(head, HashChain.Leaf(e.Event), e.Event.Seq);
            rehashed.Add((e.Event.Kind, e.Event.Id, head));
        }
        foreach (var (kind, id, newHead) in rehashed)
            await ExecuteAsync($"UPDATE {EventTables.Of(kind)} SET chain_head = {TestStore.BlobLiteral(newHead)} WHERE id = {id}");
        await ExecuteAsync($"UPDATE tenants SET chain_head = {TestStore.BlobLiteral(head)} WHERE tenant_id = '{tenant}'");

        var report = await AssertBreakAsync(client, tenant, 8, "rewritten");
        Assert.Contains("after seq 0 up to 8", (string)report["first_break"]!["detail"]!);
    }

    [Fact]
    public async Task A_store_from_before_the_chain_is_chained_at_start_exactly_as_the_writer_would()
    {
        var (client, tenant) = await TenantWithEventsAsync();
        var before = await client.GetJsonAsync($"/v1/audit/{tenant}/verify");
        var heads = await HeadsAsync(tenant);
        await ExecuteAsync($"UPDATE request_events SET chain_head = NULL WHERE tenant_id = '{tenant}'; " +
            $"UPDATE security_events SET chain_head = NULL WHERE tenant_id = '{tenant}'; " +
            $"UPDATE business_events SET chain_head = NULL WHERE tenant_id = '{tenant}'; " +
            $"UPDATE tenants SET chain_head = NULL WHERE tenant_id = '{tenant}'");

        await ChainBackfill.RunAsync(Factory, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        Assert.Equal(heads, await HeadsAsync(tenant));
        Assert.True((bool)(await client.GetJsonAsync($"/v1/audit/{tenant}/verify"))["intact"]!);
        Assert.True((bool)before["intact"]!);
        await client.IngestAsync(tenant, Wire.Request("after", T0)); // the writer goes on from the backfilled head
        Assert.True((bool)(await client.GetJsonAsync($"/v1/audit/{tenant}/verify"))["intact"]!);
    }

    private static async Task<JsonNode> Receipt(HttpClient client, string tenant, params JsonNode[] events)
    {
        var response = await client.PostAsync(tenant, events);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!;
    }

    private IDbContextFactory<AuditDbContext> Factory => app.Services.GetRequiredService<IDbContextFactory<AuditDbContext>>();

    private async Task<List<string?>> HeadsAsync(string tenant)
    {
        var heads = new List<string?>();
        await foreach (var e in ChainReader.ReadAsync(Factory, tenant, 1, long.MaxValue))
            heads.Add(e.Head is null ? null : Convert.ToHexStringLower(e.Head));
        return heads;
    }

    private static async Task<JsonNode> AssertBreakAsync(HttpClient client, string tenant, long seq, string problem)
    {
        var report = await client.GetJsonAsync($"/v1/audit/{tenant}/verify");
        Assert.False((bool)report["intact"]!, report.ToJsonString());
        Assert.Equal(seq, (long)report["first_break"]!["seq"]!);
        Assert.Equal(problem, (string?)report["first_break"]!["problem"]);
        return report;
    }

    /// <summary>Tampers with the store behind the app's back, as someone with the database's password could.</summary>
    private async Task ExecuteAsync(string sql)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync();
        await db.Database.ExecuteSqlRawAsync(sql);
    }
}
