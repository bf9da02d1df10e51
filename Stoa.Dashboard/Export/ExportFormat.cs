namespace Stoa.Dashboard.Export;

public enum ExportFormat { Csv, Json, Ndjson, Xlsx }

public static class ExportFormats
{
    public static readonly string[] Names = ["csv", "json", "ndjson", "xlsx"];

    public static ExportFormat? Parse(string name) => name.ToLowerInvariant() switch
    {
        "csv" => ExportFormat.Csv,
        "json" => ExportFormat.Json,
        "ndjson" => ExportFormat.Ndjson,
        "xlsx" => ExportFormat.Xlsx,
        _ => null,
    };

    public static string ContentType(ExportFormat format) => format switch
    {
        ExportFormat.Csv => "text/csv; charset=utf-8",
        ExportFormat.Json => "application/json; charset=utf-8",
        ExportFormat.Ndjson => "application/x-ndjson; charset=utf-8",
        _ => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
}
