using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stoa.Dashboard.Storage;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Events;

/// <summary>The canonical form of stored events matches the published test vectors (docs/canonical-v1-vectors.json), byte for byte.</summary>
public sealed class CanonicalEventTests(StoaApp app) : IClassFixture<StoaApp>
{
    private static JsonNode Vectors()
    {
        var folder = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(folder, "docs", "canonical-v1-vectors.json"))) folder = Path.GetDirectoryName(folder)!;
        return JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "docs", "canonical-v1-vectors.json")))!;
    }

    [Fact]
    public async Task Stored_events_serialise_to_the_vectors()
    {
        var vectors = Vectors();
        Assert.Equal(CanonicalEvent.Version, (int)vectors["version"]!);
        var tenant = (string)vectors["tenant_id"]!;
        var client = await app.OperatorAsync(tenant);
        var cases = vectors["vectors"]!.AsArray();
        foreach (var vector in cases)
            await client.IngestAsync(tenant, vector!["event"]!); // one at a time: each vector's seq is its position

        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync();
        for (var i = 0; i < cases.Count; i++)
        {
            var stored = await db.EventAsync(new AuditScope(tenant, null), i + 1);
            Assert.NotNull(stored);
            var bytes = CanonicalEvent.Serialize(stored);
            Assert.Equal((string)cases[i]!["canonical"]!, Encoding.UTF8.GetString(bytes));
            Assert.Equal((string)cases[i]!["sha256"]!, Convert.ToHexStringLower(SHA256.HashData(bytes)));
            Assert.Equal((string)cases[i]!["sha256"]!, CanonicalEvent.Sha256Hex(stored));
        }
    }

    [Fact]
    public void The_form_has_no_insignificant_whitespace_and_escapes_only_what_json_requires()
    {
        var e = new SecurityEvent
        {
            TenantId = "t", EventId = "e 1", Type = "admin_action", TimestampMs = 0, Actor = "é\u001f\"\\/<>&'+", Target = "x", Outcome = "success",
            Details = """{ "a" : [ 1 , 2.50 , true , null ] , "b\u00e9" : { } }""", Seq = 7,
        };
        Assert.Equal("""{"seq":7,"event_type":"admin_action","timestamp":"1970-01-01T00:00:00.000Z","event_id":"e 1","tenant_id":"t","actor":"é\u001f\"\\/<>&'+","target":"x","outcome":"success","details":{"a":[1,2.50,true,null],"bé":{}}}""",
            CanonicalEvent.ToText(e));
    }
}
