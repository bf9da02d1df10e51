using System.Globalization;
using System.Text.Json;

namespace Stoa.Dashboard.Benchmarks;

/// <summary>One figure beside the baseline measured in the same run.</summary>
public sealed record Figure(string Name, double Value, string Unit, double Baseline, string BaselineName)
{
    public double Ratio => Baseline == 0 ? 0 : Value / Baseline;
}

public sealed class Results
{
    private readonly List<Figure> _figures = [];
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;

    /// <summary>The store the figures are measured on; those on PostgreSQL are named so (<c>… [postgres]</c>), beside SQLite's.</summary>
    public string Store { get; set; } = "sqlite";

    public void Add(string name, double value, string unit, double baseline, string baselineName) =>
        _figures.Add(new Figure(Store == "sqlite" ? name : $"{name} [{Store}]", value, unit, baseline, baselineName));

    public void Print()
    {
        Console.WriteLine();
        Console.WriteLine($"{"figure",-44} {"value",14} {"unit",-8} {"baseline",14}  {"ratio",7}  baseline is");
        foreach (var f in _figures)
            Console.WriteLine($"{f.Name,-44} {Format(f.Value),14} {f.Unit,-8} {Format(f.Baseline),14}  {f.Ratio,7:0.00}  {f.BaselineName}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
    }

    /// <summary>Writes this run's figures, keeping those of other scenarios already in the file.</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var kept = new List<JsonElement>();
        if (File.Exists(path))
        {
            using var existing = JsonDocument.Parse(File.ReadAllText(path));
            if (existing.RootElement.TryGetProperty("figures", out var old))
                kept.AddRange(old.EnumerateArray().Where(f => _figures.All(n => n.Name != f.GetProperty("figure").GetString())).Select(f => f.Clone()));
        }
        var document = new
        {
            updated = _started,
            machine = new { cores = Environment.ProcessorCount, memory_bytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, os = System.Runtime.InteropServices.RuntimeInformation.OSDescription },
            figures = kept.Cast<object>().Concat(_figures.Select(f => (object)new { figure = f.Name, value = f.Value, unit = f.Unit, baseline = f.Baseline, baseline_name = f.BaselineName, ratio = f.Ratio, measured = _started })),
        };
        File.WriteAllText(path, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"written to {Path.GetFullPath(path)}");
    }

    private static string Format(double value) => value.ToString(value >= 100 ? "N0" : "0.00", CultureInfo.InvariantCulture);
}
