namespace Stoa.Dashboard.Cli;

/// <summary>A command run on the program instead of the web server (<c>tokens …</c>).</summary>
public interface ICommand
{
    /// <summary>False for commands that talk to a server rather than to this machine's store.</summary>
    bool NeedsStore => true;

    Task<int> RunAsync(IServiceProvider? services);
}

public static class CommandLine
{
    /// <summary>The command the arguments name, or null to run the server.</summary>
    public static ICommand? Find(string[] args) => args.FirstOrDefault() switch
    {
        "tokens" => new TokenCommands(args[1..]),
        "tail" => new TailCommand(args[1..]),
        "verify" => new VerifyCommand(args[1..]),
        "keys" => new KeysCommand(args[1..]),
        "investigate" => new InvestigateCommand(args[1..]),
        "retention" => new RetentionCommand(args[1..]),
        "vacuum" => new RetentionCommand(args),
        "destinations" => new DestinationsCommand(args[1..]),
        "alerts" => new AlertsCommand(args[1..]),
        "store" => new StoreCommand(args[1..]),
        _ => null,
    };
}

/// <summary><c>--demo</c> is short for <c>--Stoa:Demo:Enabled=true</c>.</summary>
public static class DemoSwitch
{
    public static string[] Expand(string[] args) =>
        args.Select(a => a == "--demo" ? "--Stoa:Demo:Enabled=true" : a).ToArray();
}
