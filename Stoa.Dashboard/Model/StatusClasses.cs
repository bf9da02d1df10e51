namespace Stoa.Dashboard.Model;

/// <summary>How a consumer's errors read: what the mix of its failing statuses suggests.</summary>
public enum TroubleKind
{
    /// <summary>Mostly 400-class answers other than auth and throttling: the integration sends bad requests.</summary>
    Integration,
    /// <summary>Mostly 401/403: wrong or stolen credentials, or someone trying doors.</summary>
    Probing,
    /// <summary>Mostly 429: over its rate limit.</summary>
    Throttled,
    /// <summary>Mostly 5xx: our side failed it.</summary>
    ServerErrors,
}

/// <summary>Error counts of one consumer in a window, split the way triage reads them.</summary>
public sealed record ErrorMix(long Requests, long ClientErrors, long AuthErrors, long Throttled, long ServerErrors)
{
    public long Errors => ClientErrors + AuthErrors + Throttled + ServerErrors;

    /// <summary>The mix of a set of (status, count) pairs.</summary>
    public static ErrorMix From(IEnumerable<(int Status, long Count)> statuses)
    {
        long requests = 0, client = 0, auth = 0, throttled = 0, server = 0;
        foreach (var (status, count) in statuses)
        {
            requests += count;
            switch (status)
            {
                case 401 or 403: auth += count; break;
                case 429: throttled += count; break;
                case >= 500: server += count; break;
                case >= 400: client += count; break;
            }
        }
        return new ErrorMix(requests, client, auth, throttled, server);
    }
    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;

    public TroubleKind Kind =>
        new[] { (TroubleKind.Integration, ClientErrors), (TroubleKind.Probing, AuthErrors), (TroubleKind.Throttled, Throttled), (TroubleKind.ServerErrors, ServerErrors) }
            .MaxBy(k => k.Item2).Item1;

    public static string Describe(TroubleKind kind) => kind switch
    {
        TroubleKind.Integration => "integration trouble (mostly 400)",
        TroubleKind.Probing => "probing (mostly 401/403)",
        TroubleKind.Throttled => "throttled (mostly 429)",
        _ => "server errors (mostly 5xx)",
    };
}
