using System.Security.Cryptography;

namespace Stoa.Dashboard.Forwarding;

/// <summary>
/// Each destination's secret (a webhook's signing key, a Kafka SASL password) as a file of its own,
/// mode 600, in <c>Stoa:Forwarding:SecretDirectory</c> (by default <c>destination-secrets/</c> beside
/// the store): never in the store, a log or an answer other than the one that creates or rotates it.
/// </summary>
public sealed class DestinationSecrets(string directory)
{
    /// <summary>A Standard Webhooks signing secret: <c>whsec_</c> and 32 random bytes in base64.</summary>
    public static string NewWebhookSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public string? Read(long destinationId) => File.Exists(PathOf(destinationId)) ? File.ReadAllText(PathOf(destinationId)) : null;

    /// <summary>Writes the secret through a temporary file created with mode 600, then renamed over the old one.</summary>
    public void Write(long destinationId, string secret)
    {
        Directory.CreateDirectory(directory);
        var temporary = PathOf(destinationId) + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new FileStream(temporary, options))
        using (var writer = new StreamWriter(file))
            writer.Write(secret);
        File.Move(temporary, PathOf(destinationId), overwrite: true);
    }

    public void Delete(long destinationId) => File.Delete(PathOf(destinationId));

    private string PathOf(long destinationId) => Path.Combine(directory, $"destination-{destinationId}.secret");
}
