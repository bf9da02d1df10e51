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

    public void Add(string name, double value, string unit, double baseline, string baselineName) =>
        _figures.Add(new Figure(name, value, unit, baseline, baselineName));

    public void Print()
    {
        Console.WriteLine();
        Console.WriteLine($"{"figure",-44} {"value",14} {"unit",-8} {"baseline",14}  {"ratio",7}  baseline is");
        foreach (var f in _figures)
            Console.WriteLine($"{f.Name,-44} {Format(f.Value),14} {f.Unit,-8} {Format(f.Baseline),14}  {f.Ratio,7:0.00}  {f.BaselineName}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
    }

    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var document = new
        {
            started = _started,
            machine = new { cores = Environment.ProcessorCount, memory_bytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, os = System.Runtime.InteropServices.RuntimeInformation.OSDescription },
            figures = _figures.Select(f => new { figure = f.Name, value = f.Value, unit = f.Unit, baseline = f.Baseline, baseline_name = f.BaselineName, ratio = f.Ratio }),
        };
        File.WriteAllText(path, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"written to {Path.GetFullPath(path)}");
    }

    private static string Format(double value) => value.ToString(value >= 100 ? "N0" : "0.00", CultureInfo.InvariantCulture);
}
