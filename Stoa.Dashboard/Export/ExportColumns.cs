namespace Stoa.Dashboard.Export;

/// <summary>The columns of a tabular export: the kind's fields in the contract's order, then <c>seq</c> last (scripts that read by name keep working).</summary>
public static class ExportColumns
{
    public static IReadOnlyList<EventField> Of(EventKind kind) => [.. AuditEvent.FieldsOf(kind), EventField.Seq];
}
