using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Stoa.Dashboard.Storage;

/// <summary>
/// Runs on every connection EF opens: WAL for concurrent readers, <c>synchronous=FULL</c> so a
/// committed batch survives a power cut, a busy timeout so a reader never fails on a writer, and,
/// when <c>Stoa:Store:MaxSizeMegabytes</c> is set, the largest the file may grow (then writes fail
/// as on a full disk, and are answered the same way).
/// </summary>
public sealed class SqliteDurability(long maxSizeMegabytes = 0) : DbConnectionInterceptor
{
    private readonly string _pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=15000;"
        + (maxSizeMegabytes > 0 ? $" PRAGMA max_page_count={maxSizeMegabytes * 1024 * 1024 / 4096};" : "");

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) =>
        Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    /// <summary>The same settings on a connection opened outside EF (the ingest writer's own).</summary>
    public void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = _pragmas;
        command.ExecuteNonQuery();
    }
}
