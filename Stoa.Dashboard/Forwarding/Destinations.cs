using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Ingest;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Forwarding;

/// <summary>What an operator asks for when adding a destination (the page's form, the API's query).</summary>
public sealed record DestinationRequest(string? Name, string? Kind, string? Target, string? Topic, string? Format, string? CaFile,
    string? SaslUsername, string? SaslPassword, IReadOnlyList<string>? Kinds, IReadOnlyList<string>? EventTypes, bool Backfill);

/// <summary>A destination as the page and the API show it: its row, and its lag behind the tenant's last seq.</summary>
public sealed record DestinationStatus(Destination Destination, long LagEvents, long? LagSeconds)
{
    /// <summary><c>ok</c>, <c>retrying</c> (failed, trying again) or <c>failing</c> (five failures in a row).</summary>
    public string State => Destination.Failures == 0 ? "ok" : Destination.Failures < Forwarder.FailingAfter ? "retrying" : "failing";
}

/// <summary>
/// A tenant's destinations, as operators manage them: add (the secret shown once), list with their
/// state and lag, rotate a webhook's secret, send a test event, delete. Each change is an
/// <c>admin_action</c> security event, without the secret.
/// </summary>
public sealed class Destinations(IDbContextFactory<AuditDbContext> factory, DestinationSecrets secrets, Forwarder forwarder, AdminActions actions,
    IHttpClientFactory http, TimeProvider clock)
{
    public static readonly string[] KindNames = ["webhook", "syslog", "kafka"];
    public static readonly string[] EventKinds = ["request", "security", "business"];

    /// <summary>The problems of a request, each naming its field; none when it can be added.</summary>
    public static List<QueryProblem> Check(DestinationRequest r)
    {
        var problems = new List<QueryProblem>();
        if (string.IsNullOrWhiteSpace(r.Name) || r.Name.Length > 100) problems.Add(new("name", "Give it a name of 1 to 100 characters."));
        if (r.Kind is null || !KindNames.Contains(r.Kind)) problems.Add(new("kind", $"One of {string.Join(", ", KindNames)}."));
        switch (r.Kind)
        {
            case "webhook" when !Uri.TryCreate(r.Target, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"):
                problems.Add(new("target", "The webhook's https:// URL."));
                break;
            case "syslog":
                try { SyslogFormat.HostAndPort(r.Target ?? ""); }
                catch (DeliveryException) { problems.Add(new("target", "The syslog receiver as host:port (TLS, usually 6514).")); }
                break;
            case "kafka" when string.IsNullOrWhiteSpace(r.Target):
                problems.Add(new("target", "The bootstrap servers: host:port[,host:port…]."));
                break;
        }
        if (r.Kind == "kafka" && string.IsNullOrWhiteSpace(r.Topic)) problems.Add(new("topic", "The Kafka topic to write to."));
        var formats = r.Kind switch { "webhook" => new[] { "json", "slack" }, "syslog" => ["json", "cef"], _ => ["json"] };
        if (r.Format is not null && !formats.Contains(r.Format)) problems.Add(new("format", $"For {r.Kind}: {string.Join(" or ", formats)}."));
        if (r.CaFile is not null && !File.Exists(r.CaFile)) problems.Add(new("ca_file", $"No file '{r.CaFile}' on the server."));
        if (r.Kinds?.Except(EventKinds).FirstOrDefault() is { } kind) problems.Add(new("kinds", $"'{kind}' is not one of {string.Join(", ", EventKinds)}."));
        var types = AuditVocabulary.SecurityEventTypes.Append(AuditVocabulary.RequestEventType).Append(AuditVocabulary.BusinessEventType).ToList();
        if (r.EventTypes?.Except(types).FirstOrDefault() is { } type) problems.Add(new("event_types", $"'{type}' is not an event type ({string.Join(", ", types)})."));
        return problems;
    }

    /// <summary>Adds a destination (starting after the tenant's last event, or from its first with <c>Backfill</c>) and returns its secret, shown this once.</summary>
    public async Task<(Destination Destination, string? Secret)> AddAsync(Caller caller, string tenantId, DestinationRequest r, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var lastSeq = await db.Tenants.Where(t => t.TenantId == tenantId).Select(t => t.LastSeq).FirstOrDefaultAsync(ct);
        var destination = new Destination
        {
            TenantId = tenantId, Name = r.Name!.Trim(), Kind = r.Kind!, Target = r.Target!.Trim(), Topic = r.Topic, Format = r.Format ?? "json",
            CaFile = r.CaFile, SaslUsername = r.SaslUsername, Kinds = Join(r.Kinds), EventTypes = Join(r.EventTypes),
            CreatedAtMs = clock.GetUtcNow().ToUnixTimeMilliseconds(), CreatedBy = caller.Name, DeliveredSeq = r.Backfill ? 0 : lastSeq,
        };
        db.Destinations.Add(destination);
        await db.SaveChangesAsync(ct);
        var secret = destination.Kind == "webhook" ? DestinationSecrets.NewWebhookSecret() : r.SaslPassword;
        if (secret is not null) secrets.Write(destination.Id, secret);
        await actions.RecordAsync(tenantId, caller.Name, $"destination:{destination.Id}", new
        {
            action = "destination_created", destination_id = destination.Id, name = destination.Name, kind = destination.Kind,
            target = destination.Target, topic = destination.Topic, kinds = destination.Kinds, event_types = destination.EventTypes, from_seq = destination.DeliveredSeq,
        });
        await forwarder.ForgetAsync(destination.Id);
        return (destination, destination.Kind == "webhook" ? secret : null);
    }

    public async Task<List<DestinationStatus>> ListAsync(string tenantId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var lastSeq = await db.Tenants.Where(t => t.TenantId == tenantId).Select(t => t.LastSeq).FirstOrDefaultAsync(ct);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        return (await db.Destinations.AsNoTracking().Where(d => d.TenantId == tenantId).OrderBy(d => d.Id).ToListAsync(ct))
            .Select(d => new DestinationStatus(d, Math.Max(0, lastSeq - d.DeliveredSeq),
                lastSeq > d.DeliveredSeq ? (now - (d.DeliveredAtMs ?? d.CreatedAtMs)) / 1000 : null))
            .ToList();
    }

    public async Task<bool> DeleteAsync(Caller caller, string tenantId, long id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var destination = await db.Destinations.FirstOrDefaultAsync(d => d.Id == id && d.TenantId == tenantId, ct);
        if (destination is null) return false;
        db.Destinations.Remove(destination);
        await db.SaveChangesAsync(ct);
        secrets.Delete(id);
        await forwarder.ForgetAsync(id);
        await actions.RecordAsync(tenantId, caller.Name, $"destination:{id}", new { action = "destination_deleted", destination_id = id, name = destination.Name });
        return true;
    }

    /// <summary>A new signing secret for a webhook, shown this once; the old one stops signing at once.</summary>
    public async Task<string?> RotateSecretAsync(Caller caller, string tenantId, long id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (!await db.Destinations.AnyAsync(d => d.Id == id && d.TenantId == tenantId && d.Kind == "webhook", ct)) return null;
        var secret = DestinationSecrets.NewWebhookSecret();
        secrets.Write(id, secret);
        await forwarder.ForgetAsync(id);
        await actions.RecordAsync(tenantId, caller.Name, $"destination:{id}", new { action = "destination_secret_rotated", destination_id = id });
        return secret;
    }

    /// <summary>Sends one made-up event (seq 0, not stored) to the destination now; null when it arrived, else why not.</summary>
    public async Task<string?> SendTestAsync(Caller caller, string tenantId, long id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var destination = await db.Destinations.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id && d.TenantId == tenantId, ct);
        if (destination is null) return $"The tenant has no destination {id}.";
        var test = new SecurityEvent
        {
            TenantId = tenantId, EventId = $"test_{Guid.NewGuid():N}", Type = "admin_action", TimestampMs = clock.GetUtcNow().ToUnixTimeMilliseconds(),
            Actor = caller.Name, Target = $"destination:{id}", Outcome = "success", Details = """{"action":"destination_test"}""",
        };
        await using var sender = EventSenders.Create(destination, secrets.Read(id), http, clock);
        try
        {
            await sender.SendAsync([test], ct);
            return null;
        }
        catch (DeliveryException e)
        {
            return e.Message;
        }
    }

    private static string? Join(IReadOnlyList<string>? values) => values is { Count: > 0 } ? string.Join(' ', values.Distinct()) : null;
}
