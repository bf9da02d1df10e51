namespace Stoa.Dashboard.Tests.Support;

/// <summary>Where the app's own build output is, to run it as a user would (<c>dotnet Stoa.Dashboard.dll …</c>).</summary>
public static class AppBuild
{
    // .../Stoa.Dashboard.Tests/bin/{Configuration}/net10.0/ (first: the fields below are set in this order)
    private static readonly DirectoryInfo TestBin = new(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));

    /// <summary>The checkout the tests run from (tools/, docs/).</summary>
    public static string RepositoryRoot { get; } = TestBin.Parent!.Parent!.Parent!.Parent!.FullName;

    public static string DllPath { get; } = Find();

    private static string Find()
    {
        // → .../Stoa.Dashboard/bin/{Configuration}/net10.0/
        var dll = Path.Combine(RepositoryRoot, "Stoa.Dashboard", "bin", TestBin.Parent!.Name, TestBin.Name, "Stoa.Dashboard.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build Stoa.Dashboard first.", dll);
    }

    /// <summary>Runs a program to its end and returns its exit code and what it printed (stdout, then stderr).</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(string program, params string[] args) => RunAsync(program, args, null);

    /// <summary>The same, with these environment variables set for the program (<c>ConnectionStrings__Audit</c>).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment)
    {
        var start = new System.Diagnostics.ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await output + await error);
    }
}
