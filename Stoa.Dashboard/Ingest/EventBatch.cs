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

/// <summary>What an ingest answers: how many events were new, how many keys were already stored.</summary>
public sealed record IngestResult(int Accepted, int Duplicates);
