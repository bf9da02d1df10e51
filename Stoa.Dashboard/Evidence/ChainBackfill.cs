using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Evidence;

/// <summary>
/// Chains the events a store held before it had a chain (the first wave's stores), at start, before
/// anything is written: each tenant's events in seq order get their heads as if they had been
/// chained when they arrived. A tenant already chained is left alone, so this runs once.
/// </summary>
public static class ChainBackfill
{
    public static async Task RunAsync(IDbContextFactory<AuditDbContext> factory, ILogger logger, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var tenants = await db.Tenants.AsNoTracking().Where(t => t.LastSeq > 0 && t.ChainHead == null)
            .Select(t => t.TenantId).ToListAsync(ct);
        foreach (var tenantId in tenants)
        {
            var connection = db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);
            var updates = Enum.GetValues<EventKind>().ToDictionary(kind => kind, kind =>
            {
                var update = connection.CreateCommand();
                update.Transaction = transaction;
                update.CommandText = $"UPDATE {EventTables.Of(kind)} SET {HashChain.Column} = @h WHERE id = @id";
                update.Parameters.Add(Parameter(update, "h", DbType.Binary));
                update.Parameters.Add(Parameter(update, "id", DbType.Int64));
                return update;
            });
            var head = HashChain.Genesis;
            long lastSeq = 0;
            await foreach (var chained in ChainReader.ReadAsync(factory, tenantId, 1, long.MaxValue, ct))
            {
                head = HashChain.Next(head, HashChain.Leaf(chained.Event), chained.Event.Seq);
                lastSeq = chained.Event.Seq;
                var update = updates[chained.Event.Kind];
                update.Parameters["h"].Value = head;
                update.Parameters["id"].Value = chained.Event.Id;
                await update.ExecuteNonQueryAsync(ct);
            }
            await using (var tenant = connection.CreateCommand())
            {
                tenant.Transaction = transaction;
                tenant.CommandText = "UPDATE tenants SET chain_head = @h WHERE tenant_id = @t";
                tenant.Parameters.Add(Parameter(tenant, "h", DbType.Binary, head));
                tenant.Parameters.Add(Parameter(tenant, "t", DbType.String, tenantId));
                await tenant.ExecuteNonQueryAsync(ct);
            }
            await transaction.CommitAsync(ct);
            foreach (var update in updates.Values) await update.DisposeAsync();
            logger.LogInformation("Chained {Count} events of {Tenant} stored before the hash chain", lastSeq, tenantId);
        }
    }

    private static DbParameter Parameter(DbCommand command, string name, DbType type, object? value = null)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameter.Value = value;
        return parameter;
    }
}
