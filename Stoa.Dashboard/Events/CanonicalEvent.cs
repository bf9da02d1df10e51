using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Stoa.Dashboard.Events;

/// <summary>
/// The canonical form of an event, version 1: the bytes that are hashed, chained and archived, and
/// that anyone can rebuild from an export to check it. <c>docs/canonical-events.md</c> describes it
/// and <c>docs/canonical-v1-vectors.json</c> holds test vectors.
/// </summary>
/// <remarks>
/// One JSON object in UTF-8 without insignificant whitespace: <c>seq</c>, <c>event_type</c>, then
/// the kind's fields in table order (<see cref="AuditEvent.Fields"/>; a security event's type is
/// not repeated). Times in the contract's format (<c>2026-03-11T03:17:42.123Z</c>), integers in
/// decimal, optional text left out when absent, JSON objects (details, changes, metadata) and a
/// business event's request_id written as null when absent. Strings escape only what JSON requires:
/// <c>"</c>, <c>\</c> and U+0000–U+001F (<c>\b \f \n \r \t</c>, the rest as <c>\u00xx</c>); every
/// other character is its UTF-8. JSON objects are re-written the same way, their keys in the
/// order they were sent and numbers exactly as sent.
/// </remarks>
public static class CanonicalEvent
{
    public const int Version = 1;

    /// <summary>UTF-8 that refuses what is not text (a lone surrogate) rather than writing a replacement character.</summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Serialize(AuditEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        Write(buffer, e);
        return buffer.WrittenSpan.ToArray();
    }

    public static string ToText(AuditEvent e) => Encoding.UTF8.GetString(Serialize(e));

    /// <summary>SHA-256 of the canonical bytes, lower-case hex.</summary>
    public static string Sha256Hex(AuditEvent e) => Convert.ToHexStringLower(SHA256.HashData(Serialize(e)));

    public static void Write(IBufferWriter<byte> output, AuditEvent e)
    {
        WriteSeq(output, e.Seq);
        WriteAfterSeq(output, e);
    }

    /// <summary>The start of the canonical form: <c>{"seq":N</c>.</summary>
    public static void WriteSeq(IBufferWriter<byte> output, long seq)
    {
        var w = new Writer(output);
        w.Raw("{\"seq\":");
        w.Raw(seq.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The rest of the canonical form, after the seq: everything the event itself decides, so the
    /// writer can prepare it before it knows the seq (outside its lock).
    /// </summary>
    public static byte[] AfterSeq(AuditEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        WriteAfterSeq(buffer, e);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteAfterSeq(IBufferWriter<byte> output, AuditEvent e)
    {
        var w = new Writer(output);
        w.Raw(",\"event_type\":");
        w.String(e.EventType);
        foreach (var field in e.Fields)
        {
            if (field.Name == "event_type") continue;
            switch (field.Type)
            {
                case FieldType.Integer:
                    w.Name(field.Name);
                    w.Raw(field.Number(e).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case FieldType.Time:
                    w.Name(field.Name);
                    w.String(AuditTime.Print(field.Number(e)));
                    break;
                case FieldType.Json:
                    w.Name(field.Name);
                    if (field.Text(e) is { } json)
                    {
                        using var document = JsonDocument.Parse(json);
                        w.Element(document.RootElement);
                    }
                    else w.Raw("null");
                    break;
                default:
                    if (field.Text(e) is { } text)
                    {
                        w.Name(field.Name);
                        w.String(text);
                    }
                    else if (field.Absent == WhenAbsent.Null)
                    {
                        w.Name(field.Name);
                        w.Raw("null");
                    }
                    break;
            }
        }
        w.Raw("}");
    }

    private static readonly SearchValues<char> NeedsEscaping = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f");

    private readonly struct Writer(IBufferWriter<byte> output)
    {
        public void Raw(string ascii)
        {
            var span = output.GetSpan(ascii.Length);
            for (var i = 0; i < ascii.Length; i++) span[i] = (byte)ascii[i];
            output.Advance(ascii.Length);
        }

        public void Name(string name)
        {
            Raw(",");
            String(name);
            Raw(":");
        }

        public void String(string text)
        {
            if (text.AsSpan().IndexOfAny(NeedsEscaping) < 0)
            {
                // The common case: nothing to escape, the UTF-8 straight into the output.
                var span = output.GetSpan(StrictUtf8.GetMaxByteCount(text.Length) + 2);
                span[0] = (byte)'"';
                var written = StrictUtf8.GetBytes(text, span[1..]);
                span[written + 1] = (byte)'"';
                output.Advance(written + 2);
                return;
            }
            var escaped = new StringBuilder(text.Length + 2).Append('"');
            foreach (var c in text)
            {
                switch (c)
                {
                    case '"': escaped.Append("\\\""); break;
                    case '\\': escaped.Append("\\\\"); break;
                    case '\b': escaped.Append("\\b"); break;
                    case '\f': escaped.Append("\\f"); break;
                    case '\n': escaped.Append("\\n"); break;
                    case '\r': escaped.Append("\\r"); break;
                    case '\t': escaped.Append("\\t"); break;
                    case < ' ': escaped.Append("\\u00").Append(((int)c).ToString("x2")); break;
                    default: escaped.Append(c); break;
                }
            }
            escaped.Append('"');
            output.Write(StrictUtf8.GetBytes(escaped.ToString()));
        }

        public void Element(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    Raw("{");
                    var first = true;
                    foreach (var property in element.EnumerateObject())
                    {
                        if (!first) Raw(",");
                        first = false;
                        String(property.Name);
                        Raw(":");
                        Element(property.Value);
                    }
                    Raw("}");
                    break;
                case JsonValueKind.Array:
                    Raw("[");
                    var firstItem = true;
                    foreach (var item in element.EnumerateArray())
                    {
                        if (!firstItem) Raw(",");
                        firstItem = false;
                        Element(item);
                    }
                    Raw("]");
                    break;
                case JsonValueKind.String:
                    String(element.GetString()!);
                    break;
                default: // numbers exactly as sent; true, false, null
                    Raw(element.GetRawText());
                    break;
            }
        }
    }
}
