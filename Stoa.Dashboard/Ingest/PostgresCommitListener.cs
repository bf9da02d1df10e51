using Microsoft.EntityFrameworkCore;
using Npgsql;
using Stoa.Dashboard.Evidence;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Ingest;

/// <summary>
/// Brings the commits of the other instances on one PostgreSQL store to this one's watchers (live
/// pages, the hub, forwarding and alerts), as if its own writer had made them. Each commit notifies
/// only (instance, tenant, last seq) on <see cref="Channel"/>; the events are read from the store by
/// seq, so a lost notification, a restart or a reconnect loses nothing: the next notification, or
/// the tenants' last seqs read after each (re)connect, say what is missing.
/// </summary>
/// <remarks>
/// Per tenant, what was announced is tracked as the highest seq up to which everything was
/// (<see cref="TenantSeqs.Through"/>) and the ranges this instance wrote beyond it: each event is
/// announced once here, whichever instance wrote it, and whatever order the notifications come in.
/// </remarks>
public sealed partial class PostgresCommitListener(StoreSettings settings, EventWriter writer, IDbContextFactory<AuditDbContext> factory,
    ILogger<PostgresCommitListener> logger) : BackgroundService
{
    public const string Channel = "stoa_commits";

    // A long catch-up (a reconnect after a while) is announced in parts of this many events.
    private const int AnnounceChunk = 2_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, TenantSeqs> _tenants = new(StringComparer.Ordinal);
    private readonly System.Threading.Channels.Channel<(string Tenant, long LastSeq)> _notified =
        System.Threading.Channels.Channel.CreateUnbounded<(string, long)>(new() { SingleReader = true });

    public static string Payload(string instance, string tenantId, long lastSeq) => $"{instance} {tenantId} {lastSeq}";

    private NpgsqlConnection? _listening;

    /// <summary>Listens before the app serves: every tenant's last seq then is where announcing starts.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        writer.Committed += OnCommitted;
        _listening = await ListenAsync(cancellationToken);
        foreach (var (tenantId, lastSeq) in await LastSeqsAsync(cancellationToken))
            lock (_gate) Seqs(tenantId).Announced(1, lastSeq);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        writer.Committed -= OnCommitted;
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = Task.Run(() => AnnounceAsync(stoppingToken), stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (_listening is null)
                    {
                        // Listening again: what was committed meanwhile is caught up with from the tenants' last seqs.
                        _listening = await ListenAsync(stoppingToken);
                        foreach (var missed in await LastSeqsAsync(stoppingToken)) _notified.Writer.TryWrite(missed);
                    }
                    await _listening.WaitAsync(stoppingToken);
                }
                catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException or IOException)
                {
                    LogListenFailed(e);
                    await DropListeningAsync();
                    await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await DropListeningAsync();
        }
        await reader.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task<NpgsqlConnection> ListenAsync(CancellationToken ct)
    {
        var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(ct);
        connection.Notification += (_, n) =>
        {
            var parts = n.Payload.Split(' ');
            if (parts.Length == 3 && parts[0] != settings.Instance && long.TryParse(parts[2], out var lastSeq))
                _notified.Writer.TryWrite((parts[1], lastSeq));
        };
        await using var listen = new NpgsqlCommand($"LISTEN {Channel}", connection);
        await listen.ExecuteNonQueryAsync(ct);
        return connection;
    }

    private async Task DropListeningAsync()
    {
        if (_listening is not null) await _listening.DisposeAsync();
        _listening = null;
    }

    private async Task<List<(string TenantId, long LastSeq)>> LastSeqsAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return (await db.Tenants.AsNoTracking().Select(t => new { t.TenantId, t.LastSeq }).ToListAsync(ct))
            .Select(t => (t.TenantId, t.LastSeq)).ToList();
    }

    /// <summary>This instance's own commits are announced by its writer; they are only recorded here.</summary>
    private void OnCommitted(CommittedBatch batch)
    {
        if (batch.FromAnotherInstance || batch.Count == 0) return;
        lock (_gate) Seqs(batch.TenantId).Announced(batch.Events[0].Seq, batch.Events[^1].Seq);
    }

    private TenantSeqs Seqs(string tenantId)
    {
        if (!_tenants.TryGetValue(tenantId, out var seqs)) _tenants[tenantId] = seqs = new TenantSeqs();
        return seqs;
    }

    /// <summary>Reads what a notification says is new (and not announced yet) and announces it.</summary>
    private async Task AnnounceAsync(CancellationToken ct)
    {
        await foreach (var (tenantId, lastSeq) in _notified.Reader.ReadAllAsync(ct))
        {
            try
            {
                await AnnounceUpToAsync(tenantId, lastSeq, ct);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                LogReadFailed(e, tenantId);
                _notified.Writer.TryWrite((tenantId, lastSeq)); // again, after the others
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
    }

    private async Task AnnounceUpToAsync(string tenantId, long lastSeq, CancellationToken ct)
    {
        long from;
        lock (_gate)
        {
            var seqs = Seqs(tenantId);
            if (lastSeq <= seqs.Through) return;
            from = seqs.Through + 1;
        }
        var batch = new CommittedBatch(tenantId) { FromAnotherInstance = true };
        await foreach (var chained in ChainReader.ReadAsync(factory, tenantId, from, lastSeq, ct))
        {
            bool mine;
            lock (_gate) mine = Seqs(tenantId).WrittenHere(chained.Event.Seq);
            if (mine) continue;
            batch.Events.Add(chained.Event);
            if (batch.Count == AnnounceChunk) batch = Announce(batch);
        }
        if (batch.Count > 0) Announce(batch);
        lock (_gate) Seqs(tenantId).Announced(from, lastSeq);
    }

    private CommittedBatch Announce(CommittedBatch batch)
    {
        batch.Head = [];
        batch.CommittedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        writer.Announce(batch);
        return new CommittedBatch(batch.TenantId) { FromAnotherInstance = true };
    }

    /// <summary>
    /// What of a tenant's seqs was announced here: everything up to <see cref="Through"/> (at start, the
    /// tenant's last seq then; 0 for a tenant created after), and the ranges beyond it this instance wrote.
    /// </summary>
    private sealed class TenantSeqs
    {
        private readonly List<(long From, long To)> _ahead = [];

        public long Through { get; private set; }

        public bool WrittenHere(long seq) => _ahead.Any(r => r.From <= seq && seq <= r.To);

        public void Announced(long from, long to)
        {
            if (to <= Through) return;
            if (from > Through + 1)
            {
                _ahead.Add((from, to));
                return;
            }
            Through = to;
            _ahead.RemoveAll(r => r.To <= to);
            while (_ahead.FirstOrDefault(r => r.From <= Through + 1) is { To: > 0 } next)
            {
                Through = Math.Max(Through, next.To);
                _ahead.Remove(next);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for the other instances' commits failed; listening again in a second")]
    private partial void LogListenFailed(Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading another instance's commits of {Tenant} failed; trying again")]
    private partial void LogReadFailed(Exception e, string tenant);
}
