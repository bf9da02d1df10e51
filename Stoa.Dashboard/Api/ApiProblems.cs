using Stoa.Dashboard.Ingest;

namespace Stoa.Dashboard.Api;

/// <summary>The API's error answers, all <c>application/problem+json</c> with a detail that says what to change.</summary>
public static class ApiProblems
{
    public static IResult InvalidQuery(IReadOnlyList<QueryProblem> problems) => Results.Problem(
        statusCode: 400,
        title: "Invalid query parameters",
        detail: string.Join(" ", problems.Select(p => $"{p.Parameter}: {p.Message}")),
        extensions: new Dictionary<string, object?>
        {
            ["errors"] = problems.Select(p => new { parameter = p.Parameter, message = p.Message }).ToList(),
        });

    /// <summary>At most this many problems are listed; the answer says how many there were in all.</summary>
    public const int MaxListedProblems = 100;

    public static IResult InvalidBatch(IReadOnlyList<IngestProblem> problems) => Results.Problem(
        statusCode: 400,
        title: "Invalid batch: nothing was stored",
        detail: $"{problems.Count} problem(s)" + (problems.Count > MaxListedProblems ? $", the first {MaxListedProblems} listed. " : ". ")
            + string.Join(" ", problems.Take(20).Select(p => p.Index < 0 ? $"{p.Field}: {p.Message}" : $"[{p.Index}].{p.Field}: {p.Message}")),
        extensions: new Dictionary<string, object?>
        {
            ["error_count"] = problems.Count,
            ["errors"] = problems.Take(MaxListedProblems)
                .Select(p => new { index = p.Index < 0 ? (int?)null : p.Index, field = p.Field, message = p.Message }).ToList(),
        });

    public static IResult InvalidTenantId() => Results.Problem(
        statusCode: 400, title: "Invalid tenant id",
        detail: $"tenant_id: use {Identifiers.Rule}.");

    /// <summary>The same answer for a tenant that is not granted and one that does not exist, so ids cannot be probed.</summary>
    public static IResult TenantForbidden() => Results.Problem(
        statusCode: 403, title: "Forbidden",
        detail: "This token may not access that tenant.");

    public static IResult OperatorsOnly() => Results.Problem(
        statusCode: 403, title: "Forbidden",
        detail: "Only the tenant's operators may do this.");

    /// <summary>For a client, an event that is not its own and one that does not exist get this same answer.</summary>
    public static IResult EventForbidden() => Results.Problem(
        statusCode: 403, title: "Forbidden",
        detail: "This token may not read an event with that number in that tenant.");

    public static IResult EventNotFound(long seq) => Results.Problem(
        statusCode: 404, title: "No such event",
        detail: $"The tenant has no event with seq {seq} yet.");

    /// <summary>The store cannot take writes now (full, I/O error): nothing of the batch was stored; try again later.</summary>
    public static IResult StoreUnwritable(HttpContext http, string reason) => RetryLater(http, 503, 60, "The store cannot be written",
        $"{reason} Nothing of this request was stored; send it again later (Retry-After).");

    /// <summary>
    /// Not now (429: this caller asks too much; 503: the server cannot take it): the problem, and
    /// <c>Retry-After</c> saying when to come back.
    /// </summary>
    public static IResult RetryLater(HttpContext http, int statusCode, int retryAfterSeconds, string title, string detail)
    {
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString();
        return Results.Problem(statusCode: statusCode, title: title, detail: detail);
    }

    public static IResult TooLarge(long limit) => Results.Problem(
        statusCode: 413, title: "Payload too large",
        detail: $"The body is over {limit:N0} bytes; send the events in smaller batches.");
}
