using Stoa.Dashboard.Benchmarks;

// dotnet run -c Release --project Stoa.Dashboard.Benchmarks -- export [--rows N]
// Every figure is printed beside a baseline measured in the same run, and written to artifacts/bench/results.json.
var options = BenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project Stoa.Dashboard.Benchmarks -- export [--rows N]");
    return 2;
}

var results = new Results();
using var workspace = new Workspace();
await ExportBenchmark.RunAsync(workspace, options, results);
results.Print();
results.Save(Path.Combine(Workspace.RepositoryRoot, "artifacts", "bench", "results.json"));
return 0;
