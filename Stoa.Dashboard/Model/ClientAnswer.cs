using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Model;

/// <summary>The thing a client names: <c>/api/documents/12345</c>, <c>document 12345</c>, or a bare id.</summary>
public sealed partial record ResourceRef(string? Type, string Id)
{
    public static ResourceRef? Parse(string? text)
    {
        text = text?.Trim();
        if (string.IsNullOrEmpty(text)) return null;
        if (PathLike().Match(text) is { Success: true } path) return new(Singular(path.Groups[1].Value), path.Groups[2].Value);
        if (Words().Match(text) is { Success: true } words) return new(Singular(words.Groups[1].Value), words.Groups[2].Value);
        return BareId().IsMatch(text) ? new(null, text) : null;
    }

    /// <summary>"document 12345", or the id alone.</summary>
    public override string ToString() => Type is null ? Id : $"{Type} {Id}";

    private static string Singular(string word) => (word.EndsWith('s') && word.Length > 3 ? word[..^1] : word).ToLowerInvariant();

    [GeneratedRegex(@"(?:^|/)([A-Za-z][\w-]*)/([\w.:@-]+)/?$")]
    private static partial Regex PathLike();

    [GeneratedRegex(@"^([A-Za-z][\w-]*)\s*[#:]?\s*([\w.:@-]*\d[\w.:@-]*)$")]
    private static partial Regex Words();

    [GeneratedRegex(@"^[\w.:@-]{1,128}$")]
    private static partial Regex BareId();
}

/// <summary>
/// What the freelancer was told: a resource and/or a request id, a time and how sure the client is
/// of it, the client's consumer if known, and the zone the client lives in.
/// </summary>
public sealed record AnswerQuestion(ResourceRef? Resource, string? RequestId, long? AroundMs, TimeSpan Tolerance, string? ConsumerId,
    TimeZoneInfo ClientZone)
{
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromHours(2);

    public bool IsAnswerable => Resource is not null || RequestId is not null;

    /// <summary>The window searched: the time ± the tolerance, else the page's window.</summary>
    public TimeWindow Window(TimeWindow fallback) => AroundMs is { } at
        ? new TimeWindow(at - (long)Tolerance.TotalMilliseconds, at + (long)Tolerance.TotalMilliseconds)
        : fallback;
}

/// <summary>One change that may be what the client means: the request, what the application recorded for it, and the consumer's security events around it.</summary>
public sealed record AnswerCandidate(RequestEvent Request, IReadOnlyList<BusinessEvent> Changes, IReadOnlyList<SecurityEvent> Security,
    bool ByTheClientsConsumer);

/// <summary>
/// The answer to "our data looks wrong, something happened around then": the mutations of that
/// resource (or that request) in the window, each with its business before/after (joined by
/// request id) and the consumer's security events around it, and a sentence to paste, in the
/// client's zone. Everything is read through the caller's scope, so a client finds only its own.
/// </summary>
public sealed record ClientAnswer(AnswerQuestion Question, TimeWindow Window, IReadOnlyList<AnswerCandidate> Candidates, long CandidateCount)
{
    public const int MaxCandidates = 20;
    public static readonly string[] MutatingMethods = ["DELETE", "PUT", "PATCH", "POST"];
    private static readonly TimeSpan SecurityAround = TimeSpan.FromHours(24);

    public static async Task<ClientAnswer> FindAsync(AuditDbContext db, AuditScope scope, AnswerQuestion question, TimeWindow fallback,
        CancellationToken ct = default)
    {
        var window = question.Window(fallback);
        var requests = db.Requests(scope).AsNoTracking();
        IQueryable<RequestEvent> matching;
        if (question.RequestId is { } requestId)
            matching = requests.Where(r => r.RequestId == requestId); // one key: any time
        else
        {
            var resource = question.Resource!;
            var id = resource.Id;
            var asLast = "/" + id;
            var asSegment = "/" + id + "/";
            matching = requests.InWindow(window).Where(r => MutatingMethods.Contains(r.Method)
                && (r.Path.EndsWith(asLast) || r.Path.Contains(asSegment)));
            if (resource.Type is { } type) matching = matching.Where(r => r.Path.Contains(type));
            // What the application recorded of that resource names its request even when the path does not name the id.
            var recorded = db.Business(scope).InWindow(window).Where(b => b.ResourceId == id && b.RequestId != null);
            if (resource.Type is { } t) recorded = recorded.Where(b => b.ResourceType == t || b.ResourceType == t + "s");
            var recordedRequests = recorded.Select(b => b.RequestId!);
            matching = matching.Union(requests.InWindow(window).Where(r => recordedRequests.Contains(r.RequestId)));
        }
        var count = await matching.LongCountAsync(ct);
        var found = await matching.OrderBy(r => r.TimestampMs).ThenBy(r => r.Id).Take(MaxCandidates).ToListAsync(ct);

        var candidates = new List<AnswerCandidate>();
        foreach (var request in found)
        {
            var changes = await db.Business(scope).AsNoTracking().Where(b => b.RequestId == request.RequestId)
                .OrderBy(b => b.TimestampMs).Take(50).ToListAsync(ct);
            var around = new TimeWindow(request.TimestampMs - (long)SecurityAround.TotalMilliseconds, request.TimestampMs + (long)SecurityAround.TotalMilliseconds);
            var consumer = request.ConsumerId;
            var key = request.KeyId;
            var security = await db.Security(scope).AsNoTracking().InWindow(around)
                .Where(s => s.Actor == consumer || s.Target == consumer || (key != null && s.Target == key))
                .OrderBy(s => s.TimestampMs).Take(50).ToListAsync(ct);
            candidates.Add(new AnswerCandidate(request, changes, security,
                question.ConsumerId is null || question.ConsumerId == request.ConsumerId));
        }
        return new ClientAnswer(question, window, candidates, count);
    }

    /// <summary>The candidates made with the client's consumer (all of them when no consumer was named).</summary>
    public IReadOnlyList<AnswerCandidate> Theirs => Candidates.Where(c => c.ByTheClientsConsumer).ToList();

    /// <summary>The answer as the freelancer pastes it to the client: what was found, in the client's zone, naming no other consumer.</summary>
    public string Sentence()
    {
        var zone = Question.ClientZone;
        var what = Question.Resource?.ToString() ?? $"request {Question.RequestId}";
        var theirs = Theirs;
        if (theirs.Count == 1) return Describe(theirs[0], zone) + " Here is the audit record.";
        if (theirs.Count > 1)
            return $"We found {theirs.Count} changes to {what} between {When(Window.FromMs!.Value, zone)} and {When(Window.ToMs!.Value, zone)}: " +
                string.Join("; ", theirs.Select(c => $"{c.Request.Method} at {Clock(c.Request.TimestampMs, zone)}")) +
                ". The audit records of each are attached.";
        if (Candidates.Count > 0)
            return $"Between {When(Window.FromMs!.Value, zone)} and {When(Window.ToMs!.Value, zone)}, {what} was changed " +
                $"{(Candidates.Count == 1 ? "once" : $"{Candidates.Count} times")}, but not with your API keys: " +
                $"the request{(Candidates.Count == 1 ? " came" : "s came")} from another account.";
        return $"We found no change to {what} between {When(Window.FromMs!.Value, zone)} and {When(Window.ToMs!.Value, zone)}" +
            (Question.ConsumerId is null ? "." : " made with your API keys.");
    }

    private static string Describe(AnswerCandidate c, TimeZoneInfo zone)
    {
        var r = c.Request;
        var key = r.KeyId is { } k ? $"with your API key `{k}` " : "";
        var sentence = $"At {Clock(r.TimestampMs, zone)} on {Day(r.TimestampMs, zone)}, a {r.Method} request was made {key}" +
            $"(consumer {r.ConsumerName}) for {r.Path}, answered {r.StatusCode}.";
        foreach (var change in c.Changes)
            sentence += $" The application recorded the {Noun(change.Action)} of {change.ResourceType} {change.ResourceId}{Title(change)}.";
        return sentence;
    }

    /// <summary>"03:17:42 UTC (04:17:42 Europe/Paris)", or the UTC time alone when the client lives in UTC.</summary>
    private static string Clock(long ms, TimeZoneInfo zone)
    {
        var utc = DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";
        return zone == TimeZoneInfo.Utc ? utc : $"{utc} ({Local(ms, zone).ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {zone.Id})";
    }

    /// <summary>"Tuesday 1 December" in the client's zone (the day they lived it).</summary>
    private static string Day(long ms, TimeZoneInfo zone) => Local(ms, zone).ToString("dddd d MMMM", CultureInfo.InvariantCulture);

    private static string When(long ms, TimeZoneInfo zone) =>
        Local(ms, zone).ToString("dddd d MMMM HH:mm", CultureInfo.InvariantCulture) + (zone == TimeZoneInfo.Utc ? " UTC" : $" ({zone.Id})");

    private static DateTimeOffset Local(long ms, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(ms), zone);

    private static string Noun(string action) => action switch
    {
        "deleted" => "deletion",
        "created" => "creation",
        "updated" => "update",
        "restored" => "restoration",
        _ => action,
    };

    /// <summary>The record's title, if its changes name one: before a deletion, after anything else.</summary>
    private static string Title(BusinessEvent change)
    {
        if (change.Changes is null) return "";
        try
        {
            using var json = JsonDocument.Parse(change.Changes);
            if (json.RootElement.ValueKind != JsonValueKind.Object || !json.RootElement.TryGetProperty("title", out var title)
                || title.ValueKind != JsonValueKind.Object) return "";
            var side = change.Action == "deleted" ? "before" : "after";
            return title.TryGetProperty(side, out var value) && value.ValueKind == JsonValueKind.String ? $" (title \"{value.GetString()}\")" : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }
}
