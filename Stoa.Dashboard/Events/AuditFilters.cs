namespace Stoa.Dashboard.Events;

/// <summary>A time window in Unix milliseconds: <c>From</c> inclusive, <c>To</c> exclusive, either open.</summary>
public sealed record TimeWindow(long? FromMs, long? ToMs)
{
    public static readonly TimeWindow All = new(null, null);

    /// <summary>From inclusive, to exclusive, as every query reads it.</summary>
    public bool Contains(long timestampMs) => (FromMs is not { } from || timestampMs >= from) && (ToMs is not { } to || timestampMs < to);
}

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

/// <summary>The order of a page: by event time, newest or oldest first, or by arrival (<c>seq</c>, oldest first).</summary>
public enum PageOrder { Descending, Ascending, Arrival }

/// <summary>One page: how many, in which order, and where the previous page ended.</summary>
public sealed record PageRequest(int Limit, PageOrder Order, PageCursor? After)
{
    public PageRequest(int limit, bool ascending, PageCursor? after) : this(limit, ascending ? PageOrder.Ascending : PageOrder.Descending, after) { }

    public bool Ascending => Order != PageOrder.Descending;
}

/// <summary>
/// A position in a stream: the last row's time and id and the order it was read in, or, in
/// arrival order, the last <c>seq</c> read (<see cref="AfterSeq"/>). Encoded only at the HTTP edge.
/// </summary>
public sealed record PageCursor(PageOrder Order, long TimestampMs, long Id)
{
    public static PageCursor AfterSeq(long seq) => new(PageOrder.Arrival, 0, seq);

    /// <summary>In arrival order: the last seq read.</summary>
    public long Seq => Id;

    public string Encode()
    {
        var text = $"{Letters[(int)Order]}.{TimestampMs}.{Id}";
        return Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static PageCursor? TryDecode(string encoded)
    {
        try
        {
            var base64 = encoded.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
            var parts = System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(base64)).Split('.');
            var order = parts.Length == 3 ? Array.IndexOf(Letters, parts[0]) : -1;
            return order >= 0 && long.TryParse(parts[1], out var ts) && long.TryParse(parts[2], out var id)
                ? new PageCursor((PageOrder)order, ts, id)
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static readonly string[] Letters = ["d", "a", "s"];
}

/// <summary>A page of rows and the cursor of the next one, null at the end.</summary>
public sealed record Page<T>(List<T> Items, string? NextCursor);
