using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Stoa.Dashboard.Storage;

/// <summary>
/// Encrypts the ASP.NET Data Protection key ring (what signs cookies and antiforgery tokens) before it
/// is stored, with AES-GCM under <c>Stoa:Store:KeyRingSecret</c> (32 random bytes in base64, the same
/// on every instance). The store shares the ring between instances, so a cookie from one works on
/// another, but holds only ciphertext: the secret is in the instances' settings, never in the store.
/// </summary>
public sealed class KeyRingEncryptor(KeyRingSecret secret) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plaintext = System.Text.Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using (var aes = new AesGcm(secret.Key, tag.Length)) aes.Encrypt(nonce, plaintext, ciphertext, tag);
        return new EncryptedXmlInfo(new XElement("stoaKeyRing",
            new XAttribute("nonce", Convert.ToBase64String(nonce)),
            new XAttribute("tag", Convert.ToBase64String(tag)),
            Convert.ToBase64String(ciphertext)), typeof(KeyRingDecryptor));
    }
}

/// <summary>Decrypts what <see cref="KeyRingEncryptor"/> stored; Data Protection makes it with the app's services.</summary>
public sealed class KeyRingDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var secret = services.GetRequiredService<KeyRingSecret>();
        var nonce = Convert.FromBase64String((string)encryptedElement.Attribute("nonce")!);
        var tag = Convert.FromBase64String((string)encryptedElement.Attribute("tag")!);
        var ciphertext = Convert.FromBase64String(encryptedElement.Value);
        var plaintext = new byte[ciphertext.Length];
        using (var aes = new AesGcm(secret.Key, tag.Length)) aes.Decrypt(nonce, ciphertext, tag, plaintext);
        return XElement.Parse(System.Text.Encoding.UTF8.GetString(plaintext));
    }
}

/// <summary><c>Stoa:Store:KeyRingSecret</c>, read and checked once.</summary>
public sealed class KeyRingSecret
{
    public const string Setting = "Stoa:Store:KeyRingSecret";

    public KeyRingSecret(IConfiguration configuration)
    {
        var text = configuration[Setting];
        if (string.IsNullOrWhiteSpace(text))
            throw new InvalidOperationException($"{Setting} is not set: with the PostgreSQL store, give every instance the same 32 random bytes in base64 (openssl rand -base64 32).");
        try
        {
            Key = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            Key = [];
        }
        if (Key.Length != 32) throw new InvalidOperationException($"{Setting} is not 32 bytes in base64 (openssl rand -base64 32).");
    }

    public byte[] Key { get; }
}
