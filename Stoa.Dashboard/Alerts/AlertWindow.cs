namespace Stoa.Dashboard.Alerts;

/// <summary>
/// The events of one key in the window before its newest event, a count per second: sliding, exact
/// to the second, and as small as the seconds that had events. An event older than the window (it
/// arrived late) is not counted. It knows the lowest seq it holds: a restart re-reads from there.
/// </summary>
public sealed class AlertWindow(long windowMs)
{
    private readonly LinkedList<Second> _seconds = new();
    private readonly long _windowSeconds = windowMs / 1000;
    private long? _oldestSeq;

    public long Events { get; private set; }
    public long Hits { get; private set; }
    public long NewestSecond => _seconds.Last?.Value.At ?? long.MinValue;
    /// <summary>The batch that last counted into it (the evaluator forgets windows that sat out a batch and fell behind).</summary>
    public long LastBatch { get; set; }

    /// <summary>The lowest seq still counted.</summary>
    public long OldestSeq => _oldestSeq ??= _seconds.Min(s => s.MinSeq);

    /// <summary>Counts an event; false when it was too old for the window.</summary>
    public bool Add(long timestampMs, long seq, bool hit)
    {
        var at = Math.DivRem(timestampMs, 1000, out var rest) - (rest < 0 ? 1 : 0);
        if (_seconds.Count > 0 && at <= NewestSecond - _windowSeconds) return false;
        var node = _seconds.Last;
        while (node is not null && node.Value.At > at) node = node.Previous;
        if (node is null || node.Value.At != at)
            node = node is null ? _seconds.AddFirst(new Second(at)) : _seconds.AddAfter(node, new Second(at));
        node.Value.Count(seq, hit);
        Events++;
        if (hit) Hits++;
        if (_oldestSeq is { } oldest && seq < oldest) _oldestSeq = seq;
        while (_seconds.First is { } first && first.Value.At <= NewestSecond - _windowSeconds)
        {
            Events -= first.Value.Events;
            Hits -= first.Value.Hits;
            _seconds.RemoveFirst();
            _oldestSeq = null;
        }
        return true;
    }

    private sealed class Second(long at)
    {
        public long At => at;
        public long Events { get; private set; }
        public long Hits { get; private set; }
        public long MinSeq { get; private set; } = long.MaxValue;

        public void Count(long seq, bool hit)
        {
            Events++;
            if (hit) Hits++;
            MinSeq = Math.Min(MinSeq, seq);
        }
    }
}
