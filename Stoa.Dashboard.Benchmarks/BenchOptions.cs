namespace Stoa.Dashboard.Benchmarks;

/// <summary>
/// <c>[--events N] [--rows N]</c> (the dashboard's questions and ingestion, then the export: the
/// default), or one scenario: <c>dashboard [--events N]</c>, <c>export [--rows N]</c>,
/// <c>live [--subscribers N] [--rate EVENTS_PER_S] [--seconds S] [--hour-events N]</c>,
/// <c>dashboard --postgres CONNECTION [--database NAME]</c> (the same on a database of its own on that PostgreSQL server; with <c>--database</c>,
/// an existing one, kept: loaded by the first run, gone on with by the next),
/// <c>incident --postgres CONNECTION [--events N] [--database NAME]</c> (100,000,000 events there: the incident's questions, the sizes,
/// the build times; <c>--database</c> goes on with the store of an earlier incident run stopped after its load, and keeps it),
/// <c>hardening [--rows N] [--hour-events N]</c>, <c>evidence [--rows N]</c>, <c>retention [--rows N]</c>, <c>forwarding [--rows N] [--rate N] [--seconds N]</c>, <c>telemetry [--rows N]</c>.
/// </summary>
public sealed record BenchOptions(string Scenario, int Rows, int Subscribers, int EventsPerSecond, int Seconds, long HourEvents, long Events,
    string? Postgres, string? Database = null)
{
    public static readonly string[] Scenarios = ["all", "export", "live", "dashboard", "hardening", "evidence", "retention", "forwarding", "telemetry", "incident"];

    public static BenchOptions? Parse(string[] args)
    {
        // The first word that is neither an option nor an option's value.
        var scenario = args.Where((a, i) => !a.StartsWith("--") && (i == 0 || !args[i - 1].StartsWith("--"))).FirstOrDefault() ?? "all";
        long Number(string name, long fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length && long.TryParse(args[i + 1].Replace("_", "").Replace(",", ""), out var n) && n > 0 ? n : fallback;
        }
        string? Text(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var (postgres, database) = (Text("--postgres"), Text("--database"));
        // PostgreSQL is for the dashboard's run and the incident's, which is made for it; the others run on SQLite.
        var storeFits = scenario switch { "dashboard" => database is null || postgres is not null, "incident" => postgres is not null, _ => postgres is null && database is null };
        return Scenarios.Contains(scenario) && storeFits
            ? new BenchOptions(scenario, (int)Number("--rows", 1_000_000), (int)Number("--subscribers", 100), (int)Number("--rate", 1000),
                (int)Number("--seconds", 20), Number("--hour-events", 3_600_000), Number("--events", scenario == "incident" ? 100_000_000 : 10_000_000), postgres, database)
            : null;
    }
}
