using System.Text.Json;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Ingest;

/// <summary>
/// Records what people do to the store (exports, access granted or revoked, sign-ins) as
/// <c>admin_action</c> security events of the tenant, and refused sign-ins as <c>auth_failed</c>.
/// </summary>
public sealed class AdminActions(EventWriter writer, TimeProvider clock)
{
    /// <param name="eventId">A key of the caller's, when a repeat must be stored once; a fresh one by default.</param>
    /// <param name="atMs">When it happened, if not now.</param>
    public async Task RecordAsync(string tenantId, string actor, string target, object details, bool succeeded = true,
        string eventType = "admin_action", string? eventId = null, long? atMs = null)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var batch = new EventBatch();
        batch.Events.Add(new SecurityEvent
        {
            TenantId = tenantId,
            EventId = eventId ?? $"admin_{now}_{Guid.NewGuid():N}",
            Type = eventType,
            TimestampMs = atMs ?? now,
            Actor = actor,
            Target = target,
            Outcome = succeeded ? "success" : "failure",
            Details = JsonSerializer.Serialize(details),
        });
        await writer.WriteAsync(tenantId, batch, CancellationToken.None);
    }
}
