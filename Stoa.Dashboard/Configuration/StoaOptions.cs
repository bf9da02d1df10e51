using Microsoft.Extensions.Options;

namespace Stoa.Dashboard.Configuration;

/// <summary>The <c>Stoa</c> section of appsettings.json.</summary>
public sealed class StoaOptions
{
    public const string Section = "Stoa";

    public IngestOptions Ingest { get; set; } = new();
    public DemoOptions Demo { get; set; } = new();
    public DashboardOptions Dashboard { get; set; } = new();
    public LimitOptions Limits { get; set; } = new();
}

/// <summary>How much one caller may ask (token buckets: a sustained rate, and a burst on top).</summary>
public sealed class LimitOptions
{
    /// <summary>Failed bearer tokens a client IP may send a minute; then its calls with a token are 429 until the minute ends.</summary>
    public int FailedAuthPerMinute { get; set; } = 30;

    /// <summary>Reads and exports a second, per token (or signed-in user).</summary>
    public int ReadsPerSecond { get; set; } = 50;
    public int ReadBurst { get; set; } = 200;

    /// <summary>Ingest batches a second, per tenant.</summary>
    public int IngestBatchesPerSecond { get; set; } = 200;
    public int IngestBurst { get; set; } = 400;
}

public sealed class DashboardOptions
{
    /// <summary>Triage lists consumers whose error rate in the window is above this (0.10 = 10%).</summary>
    public double TroubleThreshold { get; set; } = 0.10;

    /// <summary>Failed authentications on one target within 24 hours that raise the brute-force warning.</summary>
    public long BruteForceThreshold { get; set; } = 1000;

    public RunawayOptions Runaway { get; set; } = new();
}

/// <summary>What makes a consumer's traffic a runaway job (the cost-spike playbook and the weekly review).</summary>
public sealed class RunawayOptions
{
    /// <summary>At least this many requests a minute on average over the stretch.</summary>
    public double MinRequestsPerMinute { get; set; } = 5;

    /// <summary>No pause between two requests longer than this.</summary>
    public double MaxPauseMinutes { get; set; } = 10;

    /// <summary>For at least this long.</summary>
    public double MinHours { get; set; } = 1;
}

public sealed class IngestOptions
{
    /// <summary>Largest accepted ingest body; larger is 413.</summary>
    public long MaxBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Batches read, parsed and written at once.</summary>
    public int MaxConcurrentBatches { get; set; } = 8;

    /// <summary>Batches waiting for their turn (bodies not yet read); more are answered 503 with Retry-After.</summary>
    public int MaxQueuedBatches { get; set; } = 64;
}

public sealed class DemoOptions
{
    /// <summary>Load the demo data set into an empty store and print an operator token at start.</summary>
    public bool Enabled { get; set; }
}

/// <summary>Checks the options once at start and reports every problem.</summary>
public sealed class ValidateStoaOptions : IValidateOptions<StoaOptions>
{
    public ValidateOptionsResult Validate(string? name, StoaOptions options)
    {
        var problems = new List<string>();
        if (options.Ingest.MaxBodyBytes is < 1024 or > 1024L * 1024 * 1024)
            problems.Add("Stoa:Ingest:MaxBodyBytes must be between 1024 and 1073741824.");
        if (options.Ingest.MaxConcurrentBatches is < 1 or > 1024)
            problems.Add("Stoa:Ingest:MaxConcurrentBatches must be between 1 and 1024.");
        if (options.Ingest.MaxQueuedBatches is < 0 or > 100_000)
            problems.Add("Stoa:Ingest:MaxQueuedBatches must be between 0 and 100000.");
        if (options.Limits.FailedAuthPerMinute < 1 || options.Limits.ReadsPerSecond < 1 || options.Limits.ReadBurst < 1
            || options.Limits.IngestBatchesPerSecond < 1 || options.Limits.IngestBurst < 1)
            problems.Add("Stoa:Limits: every limit must be 1 or more.");
        if (options.Dashboard.TroubleThreshold is <= 0 or >= 1)
            problems.Add("Stoa:Dashboard:TroubleThreshold must be between 0 and 1 (0.10 = 10%).");
        if (options.Dashboard.Runaway is { MinRequestsPerMinute: <= 0 } or { MaxPauseMinutes: <= 0 } or { MinHours: <= 0 })
            problems.Add("Stoa:Dashboard:Runaway: MinRequestsPerMinute, MaxPauseMinutes and MinHours must be above 0.");
        if (options.Dashboard.BruteForceThreshold < 1)
            problems.Add("Stoa:Dashboard:BruteForceThreshold must be 1 or more.");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
