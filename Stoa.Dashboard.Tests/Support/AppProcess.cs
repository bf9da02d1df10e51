using System.Diagnostics;

namespace Stoa.Dashboard.Tests.Support;

/// <summary>The app as its own process on a store file of the test's: a server on 127.0.0.1 and a free port, or a command that runs to its end.</summary>
public sealed class AppProcess(Process process, Uri baseAddress) : IDisposable
{
    public Uri BaseAddress => baseAddress;

    /// <summary>A client of this server that sends the token.</summary>
    public HttpClient Client(string token)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static ProcessStartInfo StartInfo(string databasePath, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(AppBuild.DllPath);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in TestStore.Environment(databasePath)) start.Environment[name] = value;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Stoa__Evidence__CheckpointSeconds"] = "1";
        start.WorkingDirectory = Path.GetDirectoryName(databasePath)!;
        // A home of its own: nothing of the user's (or of another instance's) Data Protection keys is shared by accident.
        start.Environment["HOME"] = Directory.CreateDirectory(Path.Combine(start.WorkingDirectory, $"home-{Guid.NewGuid():N}")).FullName;
        return start;
    }

    public static async Task<AppProcess> StartAsync(string databasePath)
    {
        var process = Process.Start(StartInfo(databasePath, "--urls", "http://127.0.0.1:0"))!;
        var listening = new TaskCompletionSource<Uri>();
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.Contains("Now listening on: ") == true)
                listening.TrySetResult(new Uri(line.Data[(line.Data.IndexOf("http", StringComparison.Ordinal))..].Trim()));
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var address = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return new AppProcess(process, address);
    }

    /// <summary>Runs a command (<c>tokens create …</c>) to its end and returns its output lines; a failure fails the test with its stderr.</summary>
    public static async Task<string[]> RunAsync(string databasePath, params string[] args)
    {
        var (exitCode, output, error) = await TryRunAsync(databasePath, args);
        Assert.True(exitCode == 0, error);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Runs a command to its end, whatever its exit code.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> TryRunAsync(string databasePath, params string[] args)
    {
        using var process = Process.Start(StartInfo(databasePath, args))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return (process.ExitCode, await output, await error);
    }

    public void Kill()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    public void Dispose()
    {
        if (!process.HasExited) Kill();
        process.Dispose();
    }
}
