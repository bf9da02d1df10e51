namespace Stoa.Dashboard.Model;

/// <summary>A time window in Unix milliseconds: <c>From</c> inclusive, <c>To</c> exclusive, either open.</summary>
public sealed record TimeWindow(long? FromMs, long? ToMs)
{
    public static readonly TimeWindow All = new(null, null);
}

/// <summary>The three layers of the store.</summary>
public enum AuditLayer { Requests, Security, Business }

/// <summary>Filters of the request log (the contract's names, typed).</summary>
public sealed record RequestFilter
{
    public TimeWindow Window { get; init; } = TimeWindow.All;
    public string? ConsumerId { get; init; }
    public string? ApiId { get; init; }
    public string? Method { get; init; }
    public string? Path { get; init; }
    public string? PathPrefix { get; init; }
    public int? Status { get; init; }
    public int? StatusMin { get; init; }
    public int? StatusMax { get; init; }
}

/// <summary>Filters of the security events.</summary>
public sealed record SecurityFilter
{
    public TimeWindow Window { get; init; } = TimeWindow.All;
    public IReadOnlyList<string>? EventTypes { get; init; }
    public string? Actor { get; init; }
    public string? Target { get; init; }
    public string? Outcome { get; init; }
}

/// <summary>Filters of the business-audit events.</summary>
public sealed record BusinessFilter
{
    public TimeWindow Window { get; init; } = TimeWindow.All;
    public string? Action { get; init; }
    public string? ResourceType { get; init; }
    public string? ResourceId { get; init; }
    public string? ActorId { get; init; }
    public string? RequestId { get; init; }
}

/// <summary>One page: how many, which way, and where the previous page ended.</summary>
public sealed record PageRequest(int Limit, bool Ascending, PageCursor? After);

/// <summary>A position in a time-ordered stream: the last row's time and id, and the order it was read in.</summary>
public sealed record PageCursor(bool Ascending, long TimestampMs, long Id)
{
    public string Encode()
    {
        var text = $"{(Ascending ? 'a' : 'd')}.{TimestampMs}.{Id}";
        return Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static PageCursor? TryDecode(string encoded)
    {
        try
        {
            var base64 = encoded.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
            var parts = System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(base64)).Split('.');
            if (parts.Length != 3 || parts[0] is not ("a" or "d")) return null;
            return long.TryParse(parts[1], out var ts) && long.TryParse(parts[2], out var id)
                ? new PageCursor(parts[0] == "a", ts, id)
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>A page of rows and the cursor of the next one, null at the end.</summary>
public sealed record Page<T>(List<T> Items, string? NextCursor);
