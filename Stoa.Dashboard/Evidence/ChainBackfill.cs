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
            var heads = Enum.GetValues<EventKind>().ToDictionary(kind => kind, kind => new HeadWriter(connection, transaction, EventTables.Of(kind)));
            var head = HashChain.Genesis;
            long lastSeq = 0;
            await foreach (var chained in ChainReader.ReadAsync(factory, tenantId, 1, long.MaxValue, ct))
            {
                head = HashChain.Next(head, HashChain.Leaf(chained.Event), chained.Event.Seq);
                lastSeq = chained.Event.Seq;
                await heads[chained.Event.Kind].AddAsync(chained.Event.Id, head, ct);
            }
            foreach (var writer in heads.Values) await writer.FlushAsync(ct);
            await using (var tenant = connection.CreateCommand())
            {
                tenant.Transaction = transaction;
                tenant.CommandText = "UPDATE tenants SET chain_head = @h WHERE tenant_id = @t";
                tenant.Parameters.Add(Parameter(tenant, "h", DbType.Binary, head));
                tenant.Parameters.Add(Parameter(tenant, "t", DbType.String, tenantId));
                await tenant.ExecuteNonQueryAsync(ct);
            }
            await transaction.CommitAsync(ct);
            logger.LogInformation("Chained {Count} events of {Tenant} stored before the hash chain", lastSeq, tenantId);
        }
    }

    /// <summary>
    /// Writes one table's heads: on PostgreSQL 10,000 rows a statement (from two arrays), since a round
    /// trip a row would take most of an hour at ten million; SQLite is in-process, so a row a statement.
    /// </summary>
    private sealed class HeadWriter(DbConnection connection, DbTransaction transaction, string table)
    {
        private const int Batch = 10_000;
        private readonly List<long> _ids = [];
        private readonly List<byte[]> _heads = [];

        public async Task AddAsync(long id, byte[] head, CancellationToken ct)
        {
            _ids.Add(id);
            _heads.Add(head);
            if (_ids.Count >= Batch) await FlushAsync(ct);
        }

        public async Task FlushAsync(CancellationToken ct)
        {
            if (_ids.Count == 0) return;
            await using var update = connection.CreateCommand();
            update.Transaction = transaction;
            if (connection is Npgsql.NpgsqlConnection)
            {
                update.CommandText = $"UPDATE {table} SET {HashChain.Column} = u.h FROM unnest(@ids, @hs) AS u(id, h) WHERE {table}.id = u.id";
                update.Parameters.Add(new Npgsql.NpgsqlParameter("ids", _ids.ToArray()));
                update.Parameters.Add(new Npgsql.NpgsqlParameter("hs", _heads.ToArray()));
                await update.ExecuteNonQueryAsync(ct);
            }
            else
            {
                update.CommandText = $"UPDATE {table} SET {HashChain.Column} = @h WHERE id = @id";
                var (h, id) = (Parameter(update, "h", DbType.Binary), Parameter(update, "id", DbType.Int64));
                update.Parameters.Add(h);
                update.Parameters.Add(id);
                for (var i = 0; i < _ids.Count; i++)
                {
                    (h.Value, id.Value) = (_heads[i], _ids[i]);
                    await update.ExecuteNonQueryAsync(ct);
                }
            }
            _ids.Clear();
            _heads.Clear();
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
