using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Stoa.Dashboard.Evidence;

/// <summary>A public signing key as <c>/.well-known/stoa/keys.json</c> lists it.</summary>
public sealed record PublicKey(
    [property: JsonPropertyName("key_id")] string KeyId,
    [property: JsonPropertyName("algorithm")] string Algorithm,
    [property: JsonPropertyName("public_key_pem")] string PublicKeyPem,
    [property: JsonPropertyName("fingerprint_sha256")] string Fingerprint,
    [property: JsonPropertyName("valid_from")] string ValidFrom,
    [property: JsonPropertyName("valid_until")] string? ValidUntil)
{
    public const string Es256 = "ES256";

    /// <summary>SHA-256 of the key's SubjectPublicKeyInfo (DER), lower-case hex: what <c>openssl pkey -pubin -outform DER | sha256sum</c> prints.</summary>
    public static string FingerprintOf(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> derSignature)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(PublicKeyPem);
        return key.VerifyData(data, derSignature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }
}

/// <summary>The document at <c>/.well-known/stoa/keys.json</c>: every key the instance has signed with, the current one last.</summary>
public sealed record KeyList([property: JsonPropertyName("keys")] IReadOnlyList<PublicKey> Keys)
{
    public PublicKey? Find(string keyId) => Keys.FirstOrDefault(k => k.KeyId == keyId);
}

/// <summary>
/// The instance's ECDSA P-256 signing keys, in a directory of their own (<c>Stoa:Evidence:KeyDirectory</c>;
/// by default <c>signing-keys/</c> beside the store): <c>keyring.json</c> lists every key's public half and
/// validity, and the current key's private half is <c>&lt;key id&gt;.key.pem</c> (mode 600). The first
/// key is made on first use. Rotating makes a new key, closes the old one's validity and deletes its
/// private half, so what it signed still verifies and nothing new can be signed with it. Private keys
/// never reach the store or a log.
/// </summary>
public sealed class SigningKeys(string directory, TimeProvider clock)
{
    private const string KeyringFile = "keyring.json";
    private readonly Lock _lock = new();
    private (DateTime Written, KeyList Keys)? _loaded;

    public string Directory => directory;

    /// <summary>Every key, oldest first; the current one (valid_until null) last. Makes the first key if there is none.</summary>
    public KeyList Published()
    {
        lock (_lock)
        {
            var keys = Load();
            return keys.Keys.Count > 0 ? keys : Save([.. keys.Keys, NewKey()]);
        }
    }

    /// <summary>The key new statements are signed with (re-read from its file, so a rotation by the CLI takes effect at once).</summary>
    public PublicKey Current => Published().Keys[^1];

    /// <summary>
    /// Signs with this key, which a statement names before it is signed; fails when it has been
    /// rotated out meanwhile (its private half is gone), so nothing is signed by a key it does not name.
    /// </summary>
    public byte[] Sign(ReadOnlySpan<byte> data, string keyId)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(PrivateKeyPath(keyId)));
        return key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>Makes a new current key; the old ones stay listed (closed at now) without their private halves.</summary>
    public PublicKey Rotate()
    {
        lock (_lock)
        {
            var now = AuditTime.Print(clock.GetUtcNow().ToUnixTimeMilliseconds());
            var old = Load().Keys;
            var fresh = NewKey();
            Save([.. old.Select(k => k.ValidUntil is null ? k with { ValidUntil = now } : k), fresh]);
            foreach (var retired in old) File.Delete(PrivateKeyPath(retired.KeyId));
            return fresh;
        }
    }

    private PublicKey NewKey()
    {
        System.IO.Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var fingerprint = PublicKey.FingerprintOf(key);
        var keyId = "stoa-" + fingerprint[..16];
        var path = PrivateKeyPath(keyId);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new FileStream(path, options))
        using (var writer = new StreamWriter(file))
            writer.Write(key.ExportPkcs8PrivateKeyPem());
        return new PublicKey(keyId, PublicKey.Es256, key.ExportSubjectPublicKeyInfoPem(), fingerprint,
            AuditTime.Print(clock.GetUtcNow().ToUnixTimeMilliseconds()), null);
    }

    private string PrivateKeyPath(string keyId) => Path.Combine(directory, keyId + ".key.pem");

    private KeyList Load()
    {
        var path = Path.Combine(directory, KeyringFile);
        if (!File.Exists(path)) return new KeyList([]);
        var written = File.GetLastWriteTimeUtc(path);
        if (_loaded is { } loaded && loaded.Written == written) return loaded.Keys;
        var keys = JsonSerializer.Deserialize<KeyList>(File.ReadAllBytes(path)) ?? new KeyList([]);
        _loaded = (written, keys);
        return keys;
    }

    private KeyList Save(IReadOnlyList<PublicKey> keys)
    {
        var list = new KeyList(keys);
        var path = Path.Combine(directory, KeyringFile);
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(list, new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temporary, path, overwrite: true); // a reader sees the old list or the new one, never half
        _loaded = null;
        return list;
    }
}
