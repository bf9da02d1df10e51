using Stoa.Dashboard.Benchmarks;

// dotnet run -c Release --project Stoa.Dashboard.Benchmarks -- export [--rows N]
// dotnet run -c Release --project Stoa.Dashboard.Benchmarks -- live [--subscribers 100] [--rate 1000] [--seconds 20] [--hour-events 3600000]
// Every figure is printed beside a baseline measured in the same run, and written to artifacts/bench/results.json.
var options = BenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project Stoa.Dashboard.Benchmarks -- export [--rows N] | live [--subscribers N] [--rate N] [--seconds N] [--hour-events N]");
    return 2;
}

var results = new Results();
using var workspace = new Workspace();
if (options.Scenario == "live") await LiveBenchmark.RunAsync(workspace, options, results);
else await ExportBenchmark.RunAsync(workspace, options, results);
results.Print();
results.Save(Path.Combine(Workspace.RepositoryRoot, "artifacts", "bench", "results.json"));
return 0;
