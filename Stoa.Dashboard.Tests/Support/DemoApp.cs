namespace Stoa.Dashboard.Tests.Support;

/// <summary>The app with the demo data set loaded at start (its "now" is the test clock's), for questions asked of real-looking data.</summary>
public sealed class DemoApp : StoaApp
{
    public DemoApp() => Settings["Stoa:Demo:Enabled"] = "true";
}
