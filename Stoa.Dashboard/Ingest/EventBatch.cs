namespace Stoa.Dashboard.Ingest;

/// <summary>One problem of a rejected batch: which event (0-based), which field, what to change.</summary>
public sealed record IngestProblem(int Index, string Field, string Message);

/// <summary>A parsed batch: its events in the order they were sent, or the problems that reject it whole.</summary>
public sealed class EventBatch
{
    public List<AuditEvent> Events { get; } = [];
    public List<IngestProblem> Problems { get; } = [];

    public int Count => Events.Count;
    public bool IsValid => Problems.Count == 0;

    public static EventBatch Of(IEnumerable<AuditEvent> events)
    {
        var batch = new EventBatch();
        batch.Events.AddRange(events);
        return batch;
    }
}

/// <summary>
/// What an ingest answers: how many events were new, how many keys were already stored, and a
/// receipt: the seq numbers the new events got and the tenant's chain head after the last of them
/// (null when nothing was new).
/// </summary>
public sealed record IngestResult(int Accepted, int Duplicates, long? FirstSeq, long? LastSeq, string? ChainHead)
{
    public static IngestResult Of(CommittedBatch committed, int sent) => committed.Count == 0
        ? new(0, sent, null, null, null)
        : new(committed.Count, sent - committed.Count, committed.Events[0].Seq, committed.Events[^1].Seq, Convert.ToHexStringLower(committed.Head));
}
