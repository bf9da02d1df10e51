using System.Globalization;
using Stoa.Dashboard.Auth;

namespace Stoa.Dashboard.Cli;

/// <summary>
/// <c>tokens create --role operator|client|ingest [--tenant T]... [--consumer C]... [--name N] [--expires 30d]</c>,
/// <c>tokens list</c>, <c>tokens revoke ID</c>. <c>create</c> prints the token as its last line.
/// </summary>
public sealed class TokenCommands(string[] args) : ICommand
{
    private const string Usage = """
        Usage:
          tokens create --role operator|client|ingest [--tenant T]... [--consumer C]... [--name N] [--expires 30d|12h]
          tokens list
          tokens revoke ID
        An operator without --tenant may read every tenant. A client needs one --tenant and its --consumer ids.
        """;

    public async Task<int> RunAsync(IServiceProvider? services)
    {
        var tokens = services!.GetRequiredService<TokenService>();
        switch (args.FirstOrDefault())
        {
            case "create": return await CreateAsync(tokens, args[1..]);
            case "list": return await ListAsync(tokens);
            case "revoke" when args.Length == 2:
                if (await tokens.RevokeAsync(args[1]))
                {
                    Console.WriteLine($"Revoked {args[1]}.");
                    return 0;
                }
                Console.Error.WriteLine($"No token with id '{args[1]}'. 'tokens list' shows the ids.");
                return 1;
            default:
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    private static async Task<int> CreateAsync(TokenService tokens, string[] options)
    {
        string? role = null, name = null;
        TimeSpan? expires = null;
        List<string> tenants = [], consumers = [], problems = [];
        for (var i = 0; i < options.Length; i++)
        {
            var value = i + 1 < options.Length ? options[i + 1] : null;
            if (value is null || value.StartsWith("--"))
            {
                problems.Add($"{options[i]} needs a value.");
                continue;
            }
            switch (options[i])
            {
                case "--role": role = value; break;
                case "--tenant": tenants.Add(value); break;
                case "--consumer": consumers.Add(value); break;
                case "--name": name = value; break;
                case "--expires":
                    expires = ParseDuration(value);
                    if (expires is null) problems.Add($"--expires '{value}': use a number and a unit, such as 30d, 12h or 45m.");
                    break;
                default: problems.Add($"Unknown option {options[i]}."); break;
            }
            i++;
        }
        if (role is null) problems.Add("--role is required.");
        var request = new TokenRequest(role ?? "", tenants, consumers, name, expires);
        if (role is not null) problems.AddRange(TokenService.Validate(request));
        if (problems.Count > 0)
        {
            foreach (var problem in problems) Console.Error.WriteLine(problem);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var (token, secret) = await tokens.CreateAsync(request);
        Console.WriteLine($"Created {token.Role} token '{token.Name}' (id {token.Id}) for tenants: {token.Tenants}"
            + (token.Consumers.Length > 0 ? $"; consumers: {token.Consumers}" : "")
            + (token.ExpiresAtMs is { } exp ? $"; expires {AuditTime.Print(exp)}" : "") + ".");
        Console.WriteLine("The token is shown once. Keep it secret:");
        Console.WriteLine(secret);
        return 0;
    }

    private static async Task<int> ListAsync(TokenService tokens)
    {
        var all = await tokens.ListAsync();
        Console.WriteLine($"{"ID",-12} {"NAME",-24} {"ROLE",-9} {"TENANTS",-24} {"CONSUMERS",-24} {"CREATED",-24} {"EXPIRES",-24} {"LAST USED",-24} STATUS");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var t in all)
        {
            var status = t.RevokedAtMs is not null ? "revoked" : t.ExpiresAtMs <= now ? "expired" : "active";
            Console.WriteLine($"{t.Id,-12} {t.Name,-24} {t.Role,-9} {t.Tenants,-24} {t.Consumers,-24} {AuditTime.Print(t.CreatedAtMs),-24} "
                + $"{(t.ExpiresAtMs is { } e ? AuditTime.Print(e) : "never"),-24} {(t.LastUsedAtMs is { } u ? AuditTime.Print(u) : "never"),-24} {status}");
        }
        return 0;
    }

    /// <summary><c>30d</c>, <c>12h</c>, <c>45m</c>.</summary>
    public static TimeSpan? ParseDuration(string text)
    {
        if (text.Length < 2 || !int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
            return null;
        return text[^1] switch
        {
            'd' => TimeSpan.FromDays(n),
            'h' => TimeSpan.FromHours(n),
            'm' => TimeSpan.FromMinutes(n),
            _ => null,
        };
    }
}
