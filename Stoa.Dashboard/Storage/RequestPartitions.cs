using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;

namespace Stoa.Dashboard.Storage;

/// <summary>
/// On PostgreSQL, <c>request_events</c> is partitioned by the UTC month of its timestamp
/// (<c>request_events_2026_12</c> holds December 2026), so a question about an hour reads one month's
/// indexes and a month nobody keeps any more leaves as one table. The current month and the next two
/// exist ahead of time (<see cref="EnsureAhead"/>, at the start and every hour); a month of the past is
/// made when an event of it first arrives (<see cref="EnsureFor"/>, from the writer), and dropped by the
/// retention job once it is empty (<see cref="DropEmptyPast"/>).
/// <para>
/// The writer and the drop cannot cross: the writer reads the table (a shared lock on it) before it
/// looks up a past month's partition, and the drop needs the table to itself; a month from this one on
/// is never dropped, so the writer may trust what it saw of those.
/// </para>
/// </summary>
public sealed class RequestPartitions(StoreSettings settings, TimeProvider clock, ILogger<RequestPartitions> logger)
{
    public const string Table = "request_events";

    /// <summary>The months ahead (this one and the next two) this process has seen exist: they are never dropped.</summary>
    private readonly ConcurrentDictionary<long, bool> _ahead = new();

    /// <summary>Serialises creation across the instances (an advisory lock's key: "stoa" "part").</summary>
    private const long CreationLock = 0x73746f61_70617274;

    public static long MonthOf(long unixMs)
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(unixMs);
        return new DateTimeOffset(at.Year, at.Month, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    }

    public static long NextMonth(long monthMs) => DateTimeOffset.FromUnixTimeMilliseconds(monthMs).AddMonths(1).ToUnixTimeMilliseconds();

    public static string NameOf(long monthMs) =>
        Table + "_" + DateTimeOffset.FromUnixTimeMilliseconds(monthMs).ToString("yyyy_MM", CultureInfo.InvariantCulture);

    /// <summary>The SQL that makes one month's partition: an empty table attached (which takes no lock that stops reads or writes).</summary>
    private static string CreateSql(long monthMs) => $"""
        CREATE TABLE IF NOT EXISTS {NameOf(monthMs)} (LIKE {Table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
        ALTER TABLE {Table} ATTACH PARTITION {NameOf(monthMs)} FOR VALUES FROM ({monthMs}) TO ({NextMonth(monthMs)});
        """;

    /// <summary>This month and the next two.</summary>
    public void EnsureAhead()
    {
        var month = MonthOf(clock.GetUtcNow().ToUnixTimeMilliseconds());
        var months = new[] { month, NextMonth(month), NextMonth(NextMonth(month)) };
        Ensure(months.Where(m => !_ahead.ContainsKey(m)).ToList());
        foreach (var m in months) _ahead[m] = true;
    }

    /// <summary>
    /// Makes sure the months of <paramref name="timestamps"/> have partitions. Called by the writer inside
    /// its transaction on <paramref name="connection"/>, after it has read the table; a missing month is
    /// made on a connection of its own, so it is there whatever becomes of the batch.
    /// </summary>
    public void EnsureFor(NpgsqlConnection connection, NpgsqlTransaction transaction, IEnumerable<long> timestamps)
    {
        var thisMonth = MonthOf(clock.GetUtcNow().ToUnixTimeMilliseconds());
        var months = timestamps.Select(MonthOf).Distinct().Where(m => !(m >= thisMonth && _ahead.ContainsKey(m))).ToList();
        if (months.Count == 0) return;
        var existing = Attached(connection, transaction);
        Ensure(months.Where(m => !existing.Contains(NameOf(m))).ToList());
        foreach (var m in months.Where(m => m >= thisMonth)) _ahead[m] = true;
    }

    /// <summary>Makes the partitions of these months (their first moments) that do not exist yet, in one transaction.</summary>
    public void Ensure(IReadOnlyList<long> months)
    {
        if (months.Count == 0) return;
        using var connection = new NpgsqlConnection(settings.ConnectionString);
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using (var locking = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({CreationLock})", connection, transaction))
            locking.ExecuteNonQuery();
        var existing = Attached(connection, transaction);
        foreach (var month in months.Where(m => !existing.Contains(NameOf(m))))
        {
            using var create = new NpgsqlCommand(CreateSql(month), connection, transaction);
            create.ExecuteNonQuery();
            logger.LogDebug("Made the partition {Partition} of {Table}", NameOf(month), Table);
        }
        transaction.Commit();
    }

    /// <summary>The names of the table's partitions.</summary>
    private static HashSet<string> Attached(NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        using var command = new NpgsqlCommand("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass",
            connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Table });
        var names = new HashSet<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) names.Add(reader.GetString(0));
        return names;
    }

    /// <summary>
    /// Drops the partitions of months before last month that hold no event any more (the retention job
    /// has moved them all to the archive), returning their names. Each goes in a transaction of its own
    /// that waits at most two seconds for the table; a month it could not have waits for the next run.
    /// </summary>
    public async Task<List<string>> DropEmptyPastAsync(CancellationToken ct)
    {
        var before = MonthOf(MonthOf(clock.GetUtcNow().ToUnixTimeMilliseconds()) - 1);
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(ct);
        var past = Attached(connection, null).Where(name => string.CompareOrdinal(name, NameOf(before)) < 0).Order(StringComparer.Ordinal).ToList();
        var dropped = new List<string>();
        foreach (var name in past)
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            try
            {
                await using var command = new NpgsqlCommand($"""
                    SET LOCAL lock_timeout = '2s';
                    LOCK TABLE {Table} IN ACCESS EXCLUSIVE MODE;
                    SELECT EXISTS (SELECT 1 FROM {name});
                    """, connection, transaction);
                if ((bool)(await command.ExecuteScalarAsync(ct))!) continue;
                await using var drop = new NpgsqlCommand($"ALTER TABLE {Table} DETACH PARTITION {name}; DROP TABLE {name};", connection, transaction);
                await drop.ExecuteNonQueryAsync(ct);
                await transaction.CommitAsync(ct);
                dropped.Add(name);
                logger.LogInformation("Dropped the empty partition {Partition} of {Table}", name, Table);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                logger.LogInformation("{Partition} is empty but {Table} was busy: it is dropped on a later run", name, Table);
            }
        }
        return dropped;
    }
}

/// <summary>Keeps this month's partition and the next two's made ahead, checking every hour.</summary>
public sealed class RequestPartitionsService(RequestPartitions partitions, TimeProvider clock, ILogger<RequestPartitionsService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                partitions.EnsureAhead();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "The partitions ahead could not be made; the next try is in an hour, and the writer makes a missing one itself");
            }
        }
    }
}
