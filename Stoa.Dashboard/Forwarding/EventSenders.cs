using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Stoa.Dashboard.Alerts;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Forwarding;

/// <summary>A failed delivery, with a message fit for the destinations page (no secret in it).</summary>
public sealed class DeliveryException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Sends a destination's events, in seq order; returns once the receiver has them, throws <see cref="DeliveryException"/> if not.</summary>
public interface IEventSender : IAsyncDisposable
{
    Task SendAsync(IReadOnlyList<AuditEvent> events, CancellationToken ct);
}

public static class EventSenders
{
    public static IEventSender Create(Destination destination, string? secret, IHttpClientFactory http, TimeProvider clock) => destination.Kind switch
    {
        "webhook" => new WebhookSender(destination, secret ?? throw new DeliveryException("The webhook has no signing secret: rotate it."), http, clock),
        "syslog" => new SyslogSender(destination),
        "kafka" => new KafkaSender(destination, secret),
        _ => throw new DeliveryException($"Unknown destination kind '{destination.Kind}'."),
    };

    /// <summary>The events as the API prints them (<see cref="EventJson"/>), in an object with the tenant and the seq range.</summary>
    public static byte[] Batch(Destination destination, IReadOnlyList<AuditEvent> events)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("tenant_id", destination.TenantId);
            w.WriteNumber("destination_id", destination.Id);
            w.WriteNumber("first_seq", events[0].Seq);
            w.WriteNumber("last_seq", events[^1].Seq);
            w.WriteStartArray("events");
            foreach (var e in events) EventJson.Write(w, e);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public static string Json(AuditEvent e)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer)) EventJson.Write(w, e);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>A Slack-compatible incoming-webhook message: one line an event, at most 20, then how many more.</summary>
    public static byte[] Slack(Destination destination, IReadOnlyList<AuditEvent> events)
    {
        var lines = events.Take(20).Select(e => AlertEvents.IsAlert(e)
            ? $":rotating_light: *Alert* `{AuditTime.Print(e.TimestampMs)}` {AlertEvents.Summary(e)} (seq {e.Seq})"
            : $"`{AuditTime.Print(e.TimestampMs)}` *{e.EventType}* {e.Summary} (seq {e.Seq})").ToList();
        if (events.Count > 20) lines.Add($"…and {events.Count - 20} more");
        return JsonSerializer.SerializeToUtf8Bytes(new { text = $"Stoa · {destination.TenantId}\n" + string.Join('\n', lines) });
    }
}

/// <summary>
/// Standard Webhooks: a JSON batch POSTed with <c>webhook-id</c> (the destination and seq range: the
/// same batch retried has the same id), <c>webhook-timestamp</c> and
/// <c>webhook-signature: v1,base64(HMAC-SHA256(key, id.timestamp.body))</c>, the key being the secret's
/// bytes after <c>whsec_</c>. Any 2xx is delivered.
/// </summary>
public sealed class WebhookSender(Destination destination, string secret, IHttpClientFactory http, TimeProvider clock) : IEventSender
{
    public const string HttpClientName = "stoa-webhooks";
    private readonly byte[] _key = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret[6..] : secret);

    public async Task SendAsync(IReadOnlyList<AuditEvent> events, CancellationToken ct)
    {
        var body = destination.Format == "slack" ? EventSenders.Slack(destination, events) : EventSenders.Batch(destination, events);
        var id = $"stoa_{destination.Id}_{events[0].Seq}_{events[^1].Seq}";
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, destination.Target) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp);
        request.Headers.Add("webhook-signature", "v1," + Sign(_key, id, timestamp, body));
        HttpResponseMessage response;
        try
        {
            response = await http.CreateClient(HttpClientName).SendAsync(request, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new DeliveryException($"{destination.Target} did not answer: {e.Message}", e);
        }
        using (response)
            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(ct);
                throw new DeliveryException($"{destination.Target} answered {(int)response.StatusCode}: {(text.Length > 200 ? text[..200] + "…" : text)}");
            }
    }

    /// <summary>The signature of Standard Webhooks, base64.</summary>
    public static string Sign(byte[] key, string id, string timestamp, byte[] body)
    {
        var signed = Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(body).ToArray();
        return Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// Syslog (RFC 5424) over TCP with TLS (RFC 5425: each message framed by its length in octets), one
/// message an event, facility 13 (log audit), the body the event's JSON or a CEF line. TCP has no
/// acknowledgement: an event counts as delivered once it is flushed into the TLS connection.
/// </summary>
public sealed class SyslogSender(Destination destination) : IEventSender
{
    private TcpClient? _tcp;
    private SslStream? _tls;

    public async Task SendAsync(IReadOnlyList<AuditEvent> events, CancellationToken ct)
    {
        try
        {
            var tls = _tls ?? await ConnectAsync(ct);
            using var buffer = new MemoryStream();
            foreach (var e in events)
            {
                var message = Encoding.UTF8.GetBytes(SyslogFormat.Message(destination, e));
                buffer.Write(Encoding.ASCII.GetBytes($"{message.Length} "));
                buffer.Write(message);
            }
            await tls.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ct);
            await tls.FlushAsync(ct);
        }
        catch (Exception e) when (e is IOException or SocketException or System.Security.Authentication.AuthenticationException)
        {
            await DisposeAsync(); // the next attempt connects again
            throw new DeliveryException($"syslog {destination.Target}: {e.Message}", e);
        }
    }

    private async Task<SslStream> ConnectAsync(CancellationToken ct)
    {
        var (host, port) = SyslogFormat.HostAndPort(destination.Target);
        _tcp = new TcpClient();
        await _tcp.ConnectAsync(host, port, ct);
        _tls = new SslStream(_tcp.GetStream(), leaveInnerStreamOpen: false, ValidateServer);
        await _tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host }, ct);
        return _tls;
    }

    /// <summary>The system's trust, or the destination's own CA when one is given (the certificate must chain to it).</summary>
    private bool ValidateServer(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None) return true;
        if (destination.CaFile is null || certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.CustomTrustStore.ImportFromPemFile(destination.CaFile);
        return custom.Build(new X509Certificate2(certificate));
    }

    public async ValueTask DisposeAsync()
    {
        if (_tls is not null) await _tls.DisposeAsync();
        _tcp?.Dispose();
        (_tls, _tcp) = (null, null);
    }
}

/// <summary>
/// Kafka through librdkafka: the tenant as the key, the event's JSON as the value, idempotent and
/// acknowledged by all in-sync replicas; SASL (PLAIN or SCRAM) over TLS when a user is given.
/// </summary>
public sealed class KafkaSender : IEventSender
{
    private readonly Destination _destination;
    private readonly IProducer<string, string> _producer;

    public KafkaSender(Destination destination, string? password)
    {
        _destination = destination;
        var config = new ProducerConfig
        {
            BootstrapServers = destination.Target,
            EnableIdempotence = true,
            Acks = Acks.All,
            MessageTimeoutMs = 30_000,
        };
        if (destination.SaslUsername is { } user)
        {
            config.SecurityProtocol = SecurityProtocol.SaslSsl;
            config.SaslMechanism = SaslMechanism.ScramSha512;
            config.SaslUsername = user;
            config.SaslPassword = password;
        }
        if (destination.CaFile is { } ca) config.SslCaLocation = ca;
        _producer = new ProducerBuilder<string, string>(config).Build();
    }

    public async Task SendAsync(IReadOnlyList<AuditEvent> events, CancellationToken ct)
    {
        try
        {
            // Produced in order on one partition key; all awaited, so the batch counts only when every event is acknowledged.
            var pending = events.Select(e => _producer.ProduceAsync(_destination.Topic!,
                new Message<string, string> { Key = _destination.TenantId, Value = EventSenders.Json(e) }, ct)).ToList();
            await Task.WhenAll(pending);
        }
        catch (ProduceException<string, string> e)
        {
            throw new DeliveryException($"kafka {_destination.Target} {_destination.Topic}: {e.Error.Reason}", e);
        }
        catch (KafkaException e)
        {
            throw new DeliveryException($"kafka {_destination.Target}: {e.Error.Reason}", e);
        }
    }

    public ValueTask DisposeAsync()
    {
        _producer.Dispose();
        return ValueTask.CompletedTask;
    }
}
