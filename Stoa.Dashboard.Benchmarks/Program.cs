using Stoa.Dashboard.Benchmarks;

// dotnet run -c Release --project Stoa.Dashboard.Benchmarks -- [--events N] [--rows N]      (dashboard, then export)
// dotnet run -c Release --project Stoa.Dashboard.Benchmarks -- export [--rows N]
// dotnet run -c Release --project Stoa.Dashboard.Benchmarks -- live [--subscribers 100] [--rate 1000] [--seconds 20] [--hour-events 3600000]
// dotnet run -c Release --project Stoa.Dashboard.Benchmarks -- dashboard [--events 10000000] [--postgres "Host=127.0.0.1;Port=55432;Username=stoa"]
// dotnet run -c Release --project Stoa.Dashboard.Benchmarks -- incident --postgres "Host=127.0.0.1;Port=55432;Username=stoa" [--events 100000000] [--database NAME]
// dotnet run -c Release --project Stoa.Dashboard.Benchmarks -- hardening [--rows 1000000] [--hour-events 1000000]
// dotnet run -c Release --project Stoa.Dashboard.Benchmarks -- evidence [--rows 1000000]
// dotnet run -c Release --project Stoa.Dashboard.Benchmarks -- retention [--rows 1000000]
// dotnet run -c Release --project Stoa.Dashboard.Benchmarks -- forwarding [--rows 1000000] [--rate 1000] [--seconds 20]
// dotnet run -c Release --project Stoa.Dashboard.Benchmarks -- telemetry [--rows 200000]
// Every figure is printed beside a baseline measured in the same run, and written to artifacts/bench/results.json.
var options = BenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project Stoa.Dashboard.Benchmarks -- [all] [--events N] [--rows N] | dashboard [--events N] [--postgres CONNECTION] | incident --postgres CONNECTION [--events N] [--database NAME] | export [--rows N] | live [--subscribers N] [--rate N] [--seconds N] [--hour-events N] | hardening [--rows N] [--hour-events N] | evidence [--rows N] | retention [--rows N] | forwarding [--rows N] [--rate N] [--seconds N] | telemetry [--rows N]");
    return 2;
}

using var workspace = new Workspace(options.Postgres, options.Database);
var results = new Results { Store = workspace.Provider };
switch (options.Scenario)
{
    case "live": await LiveBenchmark.RunAsync(workspace, options, results); break;
    case "dashboard": await DashboardBenchmark.RunAsync(workspace, options, results); break;
    case "incident": await DashboardBenchmark.IncidentAsync(workspace, options, results); break;
    case "export": await ExportBenchmark.RunAsync(workspace, options, results); break;
    case "hardening": await HardeningBenchmark.RunAsync(workspace, options, results); break;
    case "evidence": await EvidenceBenchmark.RunAsync(workspace, options, results); break;
    case "retention": await RetentionBenchmark.RunAsync(workspace, options, results); break;
    case "forwarding": await ForwardingBenchmark.RunAsync(workspace, options, results); break;
    case "telemetry": await TelemetryBenchmark.RunAsync(workspace, options, results); break;
    default:
        await DashboardBenchmark.RunAsync(workspace, options, results);
        using (var exportWorkspace = new Workspace()) await ExportBenchmark.RunAsync(exportWorkspace, options, results);
        break;
}
results.Print();
results.Save(Path.Combine(Workspace.RepositoryRoot, "artifacts", "bench", "results.json"));
return 0;
