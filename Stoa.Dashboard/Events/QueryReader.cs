using Microsoft.Extensions.Primitives;

namespace Stoa.Dashboard.Events;

/// <summary>
/// Reads a request's query string by the contract's rules, collecting every problem instead of
/// stopping at the first, and refusing names it does not know: a misspelt filter must not
/// silently return everything. Each read also declares its parameter (<see cref="Declared"/>: name,
/// type, range, values), so the code that reads an endpoint's query is its documentation too
/// (<see cref="Describe"/>, used by the OpenAPI document).
/// </summary>
public sealed class QueryReader(IQueryCollection query, TimeProvider clock)
{
    private readonly Dictionary<string, QueryParameter> _declared = new(StringComparer.Ordinal);
    private readonly List<QueryProblem> _problems = [];

    /// <summary>No parameter given at all (as when <see cref="Describe"/> runs a reader).</summary>
    public bool IsEmpty => query.Count == 0;

    /// <summary>The parameters read so far, in the order first read.</summary>
    public IEnumerable<QueryParameter> Declared => _declared.Values;

    /// <summary>The parameters <paramref name="read"/> reads: it runs on an empty query, declaring each.</summary>
    public static List<QueryParameter> Describe(Action<QueryReader> read)
    {
        var q = new QueryReader(QueryCollection.Empty, TimeProvider.System);
        read(q);
        return q.Declared.ToList();
    }

    /// <summary>Declares a parameter; the first declaration of a name (the most specific reader's) stands.</summary>
    private void Declare(QueryParameter parameter) => _declared.TryAdd(parameter.Name, parameter);

    public IReadOnlyList<QueryProblem> Problems => _problems;

    public void Problem(string parameter, string message) => _problems.Add(new(parameter, message));

    public string? Text(string name, int maxLength = 2048)
    {
        Declare(new QueryParameter(name, "string", MaxLength: maxLength));
        if (!query.TryGetValue(name, out var values)) return null;
        if (values.Count > 1)
        {
            Problem(name, "Given more than once; give it once.");
            return null;
        }
        var value = values.ToString();
        if (value.Length == 0)
        {
            Problem(name, "Empty; give a value or leave the parameter out.");
            return null;
        }
        if (value.Length > maxLength)
        {
            Problem(name, $"Longer than {maxLength} characters.");
            return null;
        }
        return value;
    }

    public string? Identifier(string name)
    {
        Declare(new QueryParameter(name, "string", Pattern: Identifiers.Pattern));
        var value = Text(name);
        if (value is not null && !Identifiers.IsValid(value))
        {
            Problem(name, $"Not a valid id: use {Identifiers.Rule}.");
            return null;
        }
        return value;
    }

    public string? OneOf(string name, IReadOnlyCollection<string> allowed, bool upperCase = false)
    {
        Declare(new QueryParameter(name, "string", Values: allowed.ToList()));
        var value = Text(name);
        if (value is null) return null;
        if (upperCase) value = value.ToUpperInvariant();
        if (allowed.Contains(value)) return value;
        Problem(name, $"'{value}' is not one of {string.Join(", ", allowed)}.");
        return null;
    }

    /// <summary>A comma-separated list whose every item is one of <paramref name="allowed"/>.</summary>
    public List<string>? ListOf(string name, IReadOnlyCollection<string> allowed)
    {
        Declare(new QueryParameter(name, "string", Values: allowed.ToList(), CommaSeparated: true));
        var value = Text(name);
        if (value is null) return null;
        var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        var unknown = items.Where(i => !allowed.Contains(i)).ToList();
        if (items.Count == 0 || unknown.Count > 0)
        {
            Problem(name, $"'{string.Join(",", unknown)}' not known; use one or more of {string.Join(", ", allowed)}, comma-separated.");
            return null;
        }
        return items;
    }

    public long? Integer(string name, long min, long max)
    {
        Declare(new QueryParameter(name, "integer", "int64", Minimum: min, Maximum: max));
        var value = Text(name, 20);
        if (value is null) return null;
        if (long.TryParse(value, System.Globalization.NumberStyles.None, null, out var number) && number >= min && number <= max)
            return number;
        Problem(name, $"'{value}' is not a whole number from {min} to {max}.");
        return null;
    }

    /// <summary>A decimal number (<c>12.5</c>) from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public double? Number(string name, double min, double max)
    {
        Declare(new QueryParameter(name, "number", "double", Minimum: min, Maximum: max));
        var value = Text(name, 20);
        if (value is null) return null;
        if (double.TryParse(value, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var number)
            && number >= min && number <= max)
            return number;
        Problem(name, $"'{value}' is not a number from {min} to {max}.");
        return null;
    }

    public long? Time(string name)
    {
        Declare(new QueryParameter(name, "string", "date-time"));
        var value = Text(name, 64);
        if (value is null) return null;
        if (AuditTime.TryParse(value, out var ms)) return ms;
        Problem(name, $"'{value}' is not an RFC 3339 time such as 2026-03-11T03:17:42Z or 2026-03-11T04:17:42+01:00.");
        return null;
    }

    /// <summary>The time window: <c>from</c>/<c>to</c>, or <c>hours</c>/<c>days</c> back from now.</summary>
    public TimeWindow Window()
    {
        var from = Time("from");
        var to = Time("to");
        var hours = Integer("hours", 1, 24 * 366 * 10);
        var days = Integer("days", 1, 366 * 10);
        if (hours is not null && days is not null)
            Problem("hours", "Give 'hours' or 'days', not both.");
        if ((hours ?? days) is not null && query.ContainsKey("from"))
            Problem(hours is not null ? "hours" : "days", "Cannot be combined with 'from': give either a start ('from') or a length back from now.");

        var now = clock.GetUtcNow();
        if (hours is { } h) from = (now - TimeSpan.FromHours(h)).ToUnixTimeMilliseconds();
        else if (days is { } d) from = (now - TimeSpan.FromDays(d)).ToUnixTimeMilliseconds();
        if (from is not null && to is not null && from > to)
            Problem("from", "'from' is after 'to'.");
        return new TimeWindow(from, to);
    }

    /// <summary>
    /// <c>limit</c>, <c>order</c> and <c>cursor</c>; or <c>since_seq</c>: the events that arrived
    /// after that seq, in arrival order (a script's "everything new since I last looked").
    /// </summary>
    public PageRequest Page(int defaultLimit)
    {
        var limit = (int)(Integer("limit", 1, 10_000) ?? defaultLimit);
        var orderGiven = query.ContainsKey("order");
        var order = Order() ? PageOrder.Ascending : PageOrder.Descending;
        var sinceSeq = Integer("since_seq", 0, long.MaxValue);
        PageCursor? cursor = sinceSeq is { } seq ? PageCursor.AfterSeq(seq) : null;
        if (sinceSeq is not null && orderGiven)
            Problem("order", "'since_seq' reads in arrival order (seq, oldest first); leave 'order' out.");
        if (Text("cursor", 200) is { } encoded)
        {
            var decoded = PageCursor.TryDecode(encoded);
            if (decoded is null) Problem("cursor", "Not a cursor this API issued; pass 'next_cursor' from the previous page unchanged.");
            else if (sinceSeq is not null) Problem("cursor", "Give 'cursor' or 'since_seq', not both: 'next_cursor' already carries the position.");
            else if (decoded.Order == PageOrder.Arrival && orderGiven) Problem("order", "This cursor pages in arrival order; leave 'order' out.");
            else if (decoded.Order != PageOrder.Arrival && decoded.Order != order)
                Problem("cursor", "This cursor belongs to the other 'order'; keep 'order' the same while paging.");
            else cursor = decoded;
        }
        return new PageRequest(limit, cursor?.Order ?? order, cursor);
    }

    public bool Order() => OneOf("order", ["desc", "asc"]) == "asc";

    /// <summary>Records a problem for every parameter no reader asked for.</summary>
    public void RejectUnknown()
    {
        foreach (var key in query.Keys.Where(k => !_declared.ContainsKey(k)))
            Problem(key, $"Unknown parameter. This endpoint takes: {string.Join(", ", _declared.Keys.Order())}.");
    }
}

public sealed record QueryProblem(string Parameter, string Message);

/// <summary>
/// A query parameter as an endpoint reads it: JSON-schema type and format, and what it takes (a
/// range, a pattern, a set of values, comma-separated or one).
/// </summary>
public sealed record QueryParameter(string Name, string Type, string? Format = null, IReadOnlyList<string>? Values = null, double? Minimum = null,
    double? Maximum = null, int? MaxLength = null, string? Pattern = null, bool CommaSeparated = false);
