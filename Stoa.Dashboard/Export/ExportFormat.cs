namespace Stoa.Dashboard.Export;

public enum ExportFormat { Csv, Json, Ndjson, Xlsx, Bundle }

public static class ExportFormats
{
    public static readonly string[] Names = ["csv", "json", "ndjson", "xlsx", "bundle"];

    public static ExportFormat? Parse(string name) => name.ToLowerInvariant() switch
    {
        "csv" => ExportFormat.Csv,
        "json" => ExportFormat.Json,
        "ndjson" => ExportFormat.Ndjson,
        "xlsx" => ExportFormat.Xlsx,
        "bundle" => ExportFormat.Bundle,
        _ => null,
    };

    public static string ContentType(ExportFormat format) => format switch
    {
        ExportFormat.Csv => "text/csv; charset=utf-8",
        ExportFormat.Json => "application/json; charset=utf-8",
        ExportFormat.Ndjson => "application/x-ndjson; charset=utf-8",
        ExportFormat.Bundle => "application/zip",
        _ => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };

    public static string Extension(ExportFormat format) => format == ExportFormat.Bundle ? "zip" : format.ToString().ToLowerInvariant();
}
