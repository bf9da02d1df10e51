using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Data.Sqlite;
using SpreadCheetah;

namespace Stoa.Dashboard.Benchmarks;

/// <summary>
/// Export of N rows through the real server (HTTP, auth, scope, EF streaming, the app's writers)
/// against a bare streaming writer of the same rows with no framework around it, for CSV and XLSX:
/// rows per second and peak memory above idle.
/// </summary>
public static class ExportBenchmark
{
    private const string Tenant = "bench_export";
    private const string Columns = "timestamp, request_id, tenant_id, consumer_id, consumer_name, api_id, method, path, status_code, latency_ms, " +
        "request_size_bytes, response_size_bytes, gateway_version, datacenter, key_id, session_id, user_id, client_ip, user_agent, error_message, request_summary";

    public static async Task RunAsync(Workspace workspace, BenchOptions options, Results results)
    {
        Console.WriteLine($"Preparing a store with {options.Rows:N0} request events…");
        var token = await workspace.RunCommandAsync("tokens", "create", "--role", "operator", "--name", "bench");
        var insertRate = DataGenerator.Insert(workspace, Tenant, options.Rows, DateTimeOffset.UtcNow, TimeSpan.FromDays(30));
        Console.WriteLine($"  inserted at {insertRate:N0} rows/s");

        foreach (var format in new[] { "csv", "xlsx" })
        {
            var baseline = MeasureInProcess(() => format == "csv" ? BareCsv(workspace.ConnectionString) : BareXlsx(workspace.ConnectionString));
            Console.WriteLine($"  bare {format}: {baseline.Rows:N0} rows in {baseline.Seconds:0.0} s, peak +{baseline.PeakAboveIdle / 1e6:N0} MB");

            using var server = await workspace.StartServerAsync();
            var served = await MeasureServerAsync(server, token, format);
            Console.WriteLine($"  server {format}: {served.Bytes / 1e6:N0} MB in {served.Seconds:0.0} s, peak +{served.PeakAboveIdle / 1e6:N0} MB (idle {served.Idle / 1e6:N0} MB)");

            results.Add($"export {format}: rows/s ({options.Rows:N0} rows)", options.Rows / served.Seconds, "rows/s", baseline.Rows / baseline.Seconds, $"bare {format} writer, same rows, in process");
            results.Add($"export {format}: peak memory above idle", served.PeakAboveIdle / 1e6, "MB", baseline.PeakAboveIdle / 1e6, $"bare {format} writer, same rows, in process");
        }
    }

    internal sealed record Measure(long Rows, double Seconds, long PeakAboveIdle, long Idle, long Bytes);

    private static Measure MeasureInProcess(Func<long> work)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var pid = Environment.ProcessId;
        var idle = MemorySampler.Rss(pid);
        var clock = Stopwatch.StartNew();
        long rows;
        long peak;
        using (var sampler = MemorySampler.Start(pid))
        {
            rows = work();
            peak = sampler.PeakBytes;
        }
        return new Measure(rows, clock.Elapsed.TotalSeconds, Math.Max(0, peak - idle), idle, 0);
    }

    internal static async Task<Measure> MeasureServerAsync(Server server, string token, string format)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        // Warm up the path (JIT, EF model, pools) on a tiny window, then take the idle figure.
        await http.GetStringAsync($"/v1/audit/{Tenant}/export/{format}?hours=1");
        await Task.Delay(500); // let the warm-up's garbage settle before reading idle memory
        var idle = MemorySampler.Rss(server.ProcessId);

        var clock = Stopwatch.StartNew();
        long bytes = 0, peak;
        using (var sampler = MemorySampler.Start(server.ProcessId))
        {
            using var response = await http.GetAsync($"/v1/audit/{Tenant}/export/{format}", HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0) bytes += read;
            peak = sampler.PeakBytes;
        }
        return new Measure(0, clock.Elapsed.TotalSeconds, Math.Max(0, peak - idle), idle, bytes);
    }

    private static SqliteDataReader Read(SqliteConnection connection)
    {
        connection.Open();
        var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM request_events WHERE tenant_id = $t ORDER BY timestamp, id";
        command.Parameters.AddWithValue("$t", Tenant);
        return command.ExecuteReader();
    }

    /// <summary>The machine's limit for this store and format: reader to hand-written CSV, nothing else.</summary>
    private static long BareCsv(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        using var reader = Read(connection);
        using var writer = new StreamWriter(Stream.Null, new UTF8Encoding(false), 64 * 1024);
        writer.Write(Columns.Replace(" ", "") + "\r\n");
        long rows = 0;
        while (reader.Read())
        {
            writer.Write(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            for (var i = 1; i < reader.FieldCount; i++)
            {
                writer.Write(',');
                if (reader.IsDBNull(i)) continue;
                var text = reader.GetString(i);
                if (text.AsSpan().IndexOfAny(",\"\r\n") >= 0) writer.Write("\"" + text.Replace("\"", "\"\"") + "\"");
                else writer.Write(text);
            }
            writer.Write("\r\n");
            rows++;
        }
        return rows;
    }

    /// <summary>Reader to SpreadCheetah, typed cells, nothing else.</summary>
    private static long BareXlsx(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        using var reader = Read(connection);
        return Task.Run(async () =>
        {
            await using var spreadsheet = await Spreadsheet.CreateNewAsync(Stream.Null);
            await spreadsheet.StartWorksheetAsync("data");
            var cells = new DataCell[reader.FieldCount];
            long rows = 0;
            while (reader.Read())
            {
                cells[0] = new DataCell(DateTime.UnixEpoch.AddMilliseconds(reader.GetInt64(0)));
                for (var i = 1; i < cells.Length; i++)
                    cells[i] = reader.IsDBNull(i) ? new DataCell((string?)null)
                        : reader.GetFieldType(i) == typeof(long) ? new DataCell(reader.GetInt64(i)) : new DataCell(reader.GetString(i));
                await spreadsheet.AddRowAsync(cells);
                rows++;
            }
            await spreadsheet.FinishAsync();
            return rows;
        }).GetAwaiter().GetResult();
    }
}
