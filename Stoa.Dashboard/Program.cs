using Stoa.Dashboard;
using Stoa.Dashboard.Cli;
using Stoa.Dashboard.Demo;
using Stoa.Dashboard.Storage;

// `tokens …` and other commands run on the same program and store, then exit.
var command = CommandLine.Find(args);
if (command is { NeedsStore: false }) return await command.RunAsync(null);
var builder = WebApplication.CreateBuilder(command is null ? DemoSwitch.Expand(args) : []);
builder.AddStoa();
if (command is not null)
{
    // A command's stdout is its answer (the token is its last line): logs go to stderr, warnings only.
    builder.Logging.ClearProviders();
    builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
}

var app = builder.Build();
await app.Services.MigrateAuditStoreAsync();
if (command is not null) return await command.RunAsync(app.Services);

await app.StartDemoIfEnabledAsync();
app.UseStoa();
await app.RunAsync();
return 0;

/// <summary>Exposed for WebApplicationFactory in the tests.</summary>
public partial class Program;
