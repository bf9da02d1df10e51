using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Ingest;

/// <summary>One problem of a rejected batch: which event (0-based), which field, what to change.</summary>
public sealed record IngestProblem(int Index, string Field, string Message);

/// <summary>A parsed batch: the events of each kind, or the problems that reject it whole.</summary>
public sealed class EventBatch
{
    public List<RequestEvent> Requests { get; } = [];
    public List<SecurityEvent> Security { get; } = [];
    public List<BusinessEvent> Business { get; } = [];
    public List<IngestProblem> Problems { get; } = [];

    public int Count => Requests.Count + Security.Count + Business.Count;
    public bool IsValid => Problems.Count == 0;
}

/// <summary>What an ingest answers: how many events were new, how many keys were already stored.</summary>
public sealed record IngestResult(int Accepted, int Duplicates);
