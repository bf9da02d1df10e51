using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Stoa.Dashboard.Tests.Support;

/// <summary>
/// A real OTLP/HTTP endpoint on 127.0.0.1 (Kestrel): it takes the exporter's protobuf POSTs to
/// <c>/v1/metrics</c>, <c>/v1/traces</c> and <c>/v1/logs</c>, answers 200 as a collector does, and
/// keeps each body. Protobuf carries names and string attributes as UTF-8, so a test finds a metric,
/// a span or a tenant in the bytes, and can show that a secret is in none of them.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    public ConcurrentQueue<(string Signal, byte[] Body)> Received { get; } = new();
    public string Endpoint { get; }

    private OtlpReceiver(WebApplication app, string endpoint) => (_app, Endpoint) = (app, endpoint);

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        OtlpReceiver? receiver = null;
        app.MapPost("/v1/{signal}", async (HttpContext http, string signal) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            receiver!.Received.Enqueue((signal, body.ToArray()));
            http.Response.ContentType = "application/x-protobuf";
            return Results.Bytes([], "application/x-protobuf"); // an empty Export*ServiceResponse: all accepted
        });
        await app.StartAsync();
        receiver = new OtlpReceiver(app, $"http://127.0.0.1:{new Uri(app.Urls.First()).Port}");
        return receiver;
    }

    /// <summary>Whether a body of the signal holds every one of the texts.</summary>
    public bool Has(string signal, params string[] texts) =>
        Received.Any(r => r.Signal == signal && texts.All(t => Contains(r.Body, t)));

    /// <summary>Whether any body of any signal holds the text.</summary>
    public bool AnyHolds(string text) => Received.Any(r => Contains(r.Body, text));

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(text)) >= 0;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
