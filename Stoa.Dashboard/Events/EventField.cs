using System.Linq.Expressions;

namespace Stoa.Dashboard.Events;

/// <summary>What a field holds: text, a whole number, a UTC time (Unix milliseconds), or a JSON object kept as text.</summary>
public enum FieldType { Text, Integer, Time, Json }

/// <summary>How a field without a value is written: never absent, left out of the JSON, or written as <c>null</c>.</summary>
public enum WhenAbsent { Never, LeftOut, Null }

/// <summary>
/// One field of an event kind: its name (the API's, the column's, the export header's), what it
/// holds and how it is read. Each kind lists its fields once (<see cref="RequestEvent.Fields"/> and
/// its siblings); the writer's columns, the JSON, the canonical form, the export columns and the
/// detail panel are all read from that list.
/// </summary>
public sealed class EventField
{
    private readonly Func<AuditEvent, string?> _text;
    private readonly Func<AuditEvent, long> _number;

    private EventField(string name, FieldType type, WhenAbsent absent, Func<AuditEvent, string?> text, Func<AuditEvent, long> number,
        LambdaExpression? consumer)
    {
        Name = name;
        Type = type;
        Absent = absent;
        _text = text;
        _number = number;
        Consumer = consumer;
    }

    public string Name { get; }
    public FieldType Type { get; }
    public WhenAbsent Absent { get; }

    /// <summary>For a field that names a consumer (who called, who acted, what was hit): the member, for queries and the in-memory rules alike.</summary>
    public LambdaExpression? Consumer { get; }

    public bool IsNumeric => Type is FieldType.Integer or FieldType.Time;

    /// <summary>The value of a text or JSON field (null when absent).</summary>
    public string? Text(AuditEvent e) => _text(e);

    /// <summary>The value of an integer or time field.</summary>
    public long Number(AuditEvent e) => _number(e);

    /// <summary>The value as the store binds it: a long for numbers and times, a string (or null) otherwise.</summary>
    public object? Value(AuditEvent e) => IsNumeric ? _number(e) : _text(e);

    public static EventField Text<T>(string name, Func<T, string> value) where T : AuditEvent =>
        new(name, FieldType.Text, WhenAbsent.Never, e => value((T)e), NoNumber, null);

    public static EventField Optional<T>(string name, Func<T, string?> value, WhenAbsent absent = WhenAbsent.LeftOut) where T : AuditEvent =>
        new(name, FieldType.Text, absent, e => value((T)e), NoNumber, null);

    /// <summary>A text field that names a consumer: it decides who may see the event and which consumer it involves (<see cref="EventRules"/>).</summary>
    public static EventField ConsumerText<T>(string name, Expression<Func<T, string>> member) where T : AuditEvent
    {
        var value = member.Compile();
        return new(name, FieldType.Text, WhenAbsent.Never, e => value((T)e), NoNumber, member);
    }

    public static EventField Integer<T>(string name, Func<T, long> value) where T : AuditEvent =>
        new(name, FieldType.Integer, WhenAbsent.Never, NoText, e => value((T)e), null);

    public static EventField Time<T>(string name, Func<T, long> value) where T : AuditEvent =>
        new(name, FieldType.Time, WhenAbsent.Never, NoText, e => value((T)e), null);

    public static EventField Json<T>(string name, Func<T, string?> value) where T : AuditEvent =>
        new(name, FieldType.Json, WhenAbsent.Null, e => value((T)e), NoNumber, null);

    /// <summary>The per-tenant arrival sequence, which every kind carries after its own fields.</summary>
    public static readonly EventField Seq = new("seq", FieldType.Integer, WhenAbsent.Never, NoText, e => e.Seq, null);

    private static string? NoText(AuditEvent e) => null;
    private static long NoNumber(AuditEvent e) => 0;

    public override string ToString() => Name;
}
