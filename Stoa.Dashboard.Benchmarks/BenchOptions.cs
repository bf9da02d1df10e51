namespace Stoa.Dashboard.Benchmarks;

public sealed record BenchOptions(string Scenario, int Rows)
{
    public static BenchOptions? Parse(string[] args)
    {
        var scenario = args.FirstOrDefault(a => !a.StartsWith("--")) ?? "export";
        var rows = 1_000_000;
        for (var i = 0; i < args.Length; i++)
            if (args[i] == "--rows" && i + 1 < args.Length && int.TryParse(args[i + 1].Replace("_", ""), out var n) && n > 0) rows = n;
        return scenario == "export" ? new BenchOptions(scenario, rows) : null;
    }
}
