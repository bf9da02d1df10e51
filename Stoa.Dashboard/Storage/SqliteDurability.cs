using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Stoa.Dashboard.Storage;

/// <summary>
/// Runs on every connection EF opens: WAL for concurrent readers, <c>synchronous=FULL</c> so a
/// committed batch survives a power cut, and a busy timeout so a reader never fails on a writer.
/// </summary>
public sealed class SqliteDurability : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=15000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) =>
        Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    /// <summary>The same settings on a connection opened outside EF (the ingest writer's own).</summary>
    public static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }
}
