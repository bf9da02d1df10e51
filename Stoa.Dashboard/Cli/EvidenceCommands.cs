using System.Text.Json;
using Stoa.Dashboard.Evidence;

namespace Stoa.Dashboard.Cli;

/// <summary>
/// <c>verify BUNDLE.zip [--keys keys.json] [--fingerprint SHA256]...</c>: checks a bundle offline
/// and prints VERIFIED or FAILED with the reason (exit 0 or 1). Needs no store.
/// </summary>
public sealed class VerifyCommand(string[] args) : ICommand
{
    private const string Usage = """
        Usage:
          verify BUNDLE.zip [--keys keys.json] [--fingerprint SHA256]...
        --keys: the instance's public keys (https://<stoa>/.well-known/stoa/keys.json), trusted as given.
        --fingerprint: trust only the bundle's keys with this SHA-256 (of the public key's DER).
        With neither, the bundle's own keys are used, which proves it is intact but not who signed it.
        """;

    public bool NeedsStore => false;

    public async Task<int> RunAsync(IServiceProvider? services)
    {
        string? bundle = null, keysFile = null;
        List<string> fingerprints = [];
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--keys" when i + 1 < args.Length: keysFile = args[++i]; break;
                case "--fingerprint" when i + 1 < args.Length: fingerprints.Add(args[++i].Replace(":", "").ToLowerInvariant()); break;
                case var path when bundle is null && !path.StartsWith("--"): bundle = path; break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        if (bundle is null || !File.Exists(bundle))
        {
            Console.Error.WriteLine(bundle is null ? Usage : $"No file '{bundle}'.");
            return 2;
        }
        KeyList? trusted = null;
        if (keysFile is not null)
        {
            try
            {
                trusted = JsonSerializer.Deserialize<KeyList>(await File.ReadAllBytesAsync(keysFile));
            }
            catch (Exception e) when (e is JsonException or IOException)
            {
                Console.Error.WriteLine($"--keys: '{keysFile}' is not a keys.json: {e.Message}");
                return 2;
            }
        }
        var verdict = await BundleVerifier.VerifyAsync(bundle, trusted, fingerprints);
        foreach (var line in verdict.Checked) Console.WriteLine($"  ok: {line}");
        Console.WriteLine(verdict.Verified ? verdict.Message : $"FAILED: {verdict.Message}");
        return verdict.Verified ? 0 : 1;
    }
}

/// <summary><c>keys list</c>, <c>keys rotate</c>: the instance's signing keys (their private halves stay in their files).</summary>
public sealed class KeysCommand(string[] args) : ICommand
{
    public async Task<int> RunAsync(IServiceProvider? services)
    {
        var keys = services!.GetRequiredService<SigningKeys>();
        switch (args.FirstOrDefault())
        {
            case "list":
                foreach (var key in keys.Published().Keys)
                    Console.WriteLine($"{key.KeyId}  {key.ValidFrom} → {key.ValidUntil ?? "current"}  sha256:{key.Fingerprint}");
                return 0;
            case "rotate":
                var fresh = keys.Rotate();
                Console.WriteLine($"New signing key {fresh.KeyId} (sha256:{fresh.Fingerprint}); the old keys stay listed in keys.json.");
                return 0;
            default:
                await Console.Error.WriteLineAsync("Usage:\n  keys list\n  keys rotate");
                return 2;
        }
    }
}
