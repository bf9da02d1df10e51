namespace Stoa.Dashboard.Tests.Support;

/// <summary>Where the app's own build output is, to run it as a user would (<c>dotnet Stoa.Dashboard.dll …</c>).</summary>
public static class AppBuild
{
    public static string DllPath { get; } = Find();

    private static string Find()
    {
        // .../Stoa.Dashboard.Tests/bin/{Configuration}/net10.0/ → .../Stoa.Dashboard/bin/{Configuration}/net10.0/
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testBin.Name;
        var configuration = testBin.Parent!.Name;
        var root = testBin.Parent.Parent!.Parent!.Parent!.FullName;
        var dll = Path.Combine(root, "Stoa.Dashboard", "bin", configuration, framework, "Stoa.Dashboard.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build Stoa.Dashboard first.", dll);
    }
}
