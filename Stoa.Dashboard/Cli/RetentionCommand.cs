using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Components.Controls;
using Stoa.Dashboard.Retention;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Cli;

/// <summary>
/// <c>retention show|set|run|hold|release …</c> on this machine's store (the retention page and API
/// do the same on a running server); <c>vacuum</c> gives the space freed by archiving back to the disk.
/// </summary>
public sealed class RetentionCommand(string[] args) : ICommand
{
    private const string Usage = """
        Usage:
          retention show TENANT
          retention set TENANT default|dora|none|90d/12mo
          retention run [TENANT]                      (archive and purge now; every tenant when none is named)
          retention hold TENANT "REASON" [FROM [TO]]  (a legal hold; times as 2026-03-11T00:00:00Z)
          retention release TENANT HOLD_ID
          vacuum                                      (rewrites the store to its used size; stop the server first)
        """;

    private static Caller Cli => CommandOptions.Cli;

    public async Task<int> RunAsync(IServiceProvider? services)
    {
        var settings = services!.GetRequiredService<RetentionSettings>();
        switch (args)
        {
            case ["vacuum"]:
                await using (var db = await services!.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContextAsync())
                {
                    var before = await PageBytesAsync(db);
                    await db.Database.ExecuteSqlRawAsync(db.Database.IsSqlite() ? "VACUUM" : "VACUUM FULL");
                    Console.WriteLine($"Store rewritten: {Formats.Bytes(before)} → {Formats.Bytes(await PageBytesAsync(db))}.");
                }
                return 0;
            case ["show", var tenant]:
                var view = await services!.GetRequiredService<RetentionOverview>().ReadAsync(tenant);
                Console.WriteLine($"{tenant}: {view.Policy.Text} ({view.Policy.Describe()}){(view.IsDefault ? ", the default" : "")}");
                Console.WriteLine($"Oldest event in the store: {(view.OldestHotMs is { } oldest ? AuditTime.Print(oldest) : "none")}");
                foreach (var h in view.InForce)
                    Console.WriteLine($"Hold {h.Id}: {h.Reason} ({(h.FromMs is { } hf ? AuditTime.Print(hf) : "start")} → {(h.ToMs is { } ht ? AuditTime.Print(ht) : "now")}), by {h.PlacedBy}");
                Console.WriteLine($"Archive: {Formats.Count(view.Kept.Count(), "file")}, {Formats.Count(view.Kept.Sum(f => f.Rows), "event")}, {Formats.Bytes(view.Kept.Sum(f => f.Bytes))}");
                Console.WriteLine($"Deleted: {Formats.Count(view.Purged.Count(), "file")}, {Formats.Count(view.Purged.Sum(f => f.Rows), "event")}; the chain starts after seq {view.ChainBaseSeq}");
                return 0;
            case ["set", var tenant, var text]:
                var (policy, problem) = RetentionPolicy.Parse(text);
                if (policy is null) return await CommandOptions.FailAsync(problem!);
                if (!await settings.SetPolicyAsync(Cli, tenant, policy)) return await CommandOptions.FailAsync($"The store has no tenant '{tenant}'.");
                Console.WriteLine($"{tenant}: {policy.Describe()}.");
                return 0;
            case ["run", .. var rest] when rest.Length <= 1:
                var runs = await services!.GetRequiredService<RetentionService>().RunOnceAsync(rest.FirstOrDefault());
                if (runs is null) return await CommandOptions.FailAsync("A retention run is under way (the server's, or another command's); try again when it ends.", 3);
                foreach (var run in runs)
                {
                    Console.WriteLine($"{run.TenantId} ({run.Policy.Text}): archived {Formats.Count(run.Archived.Count, "file")} " +
                        $"({Formats.Count(run.Archived.Sum(a => a.Rows), "event")}), deleted {Formats.Count(run.Purged.Count, "file")}");
                    foreach (var skipped in run.Skipped) Console.WriteLine($"  skipped {skipped}");
                }
                return 0;
            case ["hold", var tenant, var reason, .. var window] when window.Length <= 2 && !string.IsNullOrWhiteSpace(reason):
                long? from = null, to = null;
                if (window.Length > 0)
                {
                    if (!AuditTime.TryParse(window[0], out var f)) return await CommandOptions.FailAsync($"'{window[0]}' is not a time like 2026-03-11T00:00:00Z.");
                    from = f;
                }
                if (window.Length > 1)
                {
                    if (!AuditTime.TryParse(window[1], out var t)) return await CommandOptions.FailAsync($"'{window[1]}' is not a time like 2026-03-11T00:00:00Z.");
                    to = t;
                }
                var hold = await settings.PlaceHoldAsync(Cli, tenant, new TimeWindow(from, to), reason);
                Console.WriteLine($"Hold {hold.Id} placed on {tenant}.");
                return 0;
            case ["release", var tenant, var id] when long.TryParse(id, out var holdId):
                if (!await settings.ReleaseHoldAsync(Cli, tenant, holdId)) return await CommandOptions.FailAsync($"{tenant} has no hold {holdId} in force.");
                Console.WriteLine($"Hold {holdId} released.");
                return 0;
            default:
                return await CommandOptions.FailAsync(Usage, 2);
        }
    }

    private static async Task<long> PageBytesAsync(AuditDbContext db)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = db.Database.IsSqlite()
            ? "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
            : "SELECT pg_database_size(current_database())";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
