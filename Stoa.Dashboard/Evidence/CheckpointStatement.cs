using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Stoa.Dashboard.Evidence;

/// <summary>
/// What a checkpoint signs, as one line of UTF-8 JSON in this field order:
/// <c>{"format":"stoa-checkpoint/1","tenant_id":…,"seq":…,"head":"hex","time":"…Z","previous":"hex"|null,"key_id":…}</c>.
/// <c>previous</c> is the SHA-256 of the tenant's previous checkpoint statement, so removing or
/// replacing one breaks the next.
/// </summary>
public sealed record CheckpointStatement(string TenantId, long Seq, string Head, long TimeMs, string? Previous, string KeyId)
{
    public const string Format = "stoa-checkpoint/1";

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteString("tenant_id", TenantId);
            json.WriteNumber("seq", Seq);
            json.WriteString("head", Head);
            json.WriteString("time", AuditTime.Print(TimeMs));
            if (Previous is null) json.WriteNull("previous");
            else json.WriteString("previous", Previous);
            json.WriteString("key_id", KeyId);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The statement a checkpoint's text holds, or null when it is not one.</summary>
    public static CheckpointStatement? Parse(string text)
    {
        try
        {
            var root = JsonDocument.Parse(text).RootElement;
            if (root.GetProperty("format").GetString() != Format) return null;
            if (!AuditTime.TryParse(root.GetProperty("time").GetString(), out var time)) return null;
            return new CheckpointStatement(root.GetProperty("tenant_id").GetString()!, root.GetProperty("seq").GetInt64(),
                root.GetProperty("head").GetString()!, time, root.GetProperty("previous").GetString(), root.GetProperty("key_id").GetString()!);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>What the next checkpoint names as its previous one.</summary>
    public static string HashOf(string statement) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(statement)));
}
