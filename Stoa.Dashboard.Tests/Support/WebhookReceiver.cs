using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Stoa.Dashboard.Tests.Support;

/// <summary>One POST the receiver took: its headers and body as they arrived.</summary>
public sealed record ReceivedWebhook(IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonNode Json => JsonNode.Parse(Body)!;
    public IEnumerable<long> Seqs => Json["events"]!.AsArray().Select(e => (long)e!["seq"]!);
}

/// <summary>
/// A real HTTP receiver for webhooks on 127.0.0.1 (Kestrel): it keeps every POST, and answers 503
/// while <see cref="Refusing"/> is set. <see cref="WaitForSeqsAsync"/> waits until it has seen a number of distinct seqs.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly object _gate = new();
    private readonly HashSet<long> _seen = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
    private readonly List<(Func<ReceivedWebhook, bool> Match, TaskCompletionSource<ReceivedWebhook> Done)> _watchers = [];

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();
    public bool Refusing { get; set; }
    public string Url { get; }

    private WebhookReceiver(WebApplication app, string url) => (_app, Url) = (app, url);

    public static async Task<WebhookReceiver> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/hook", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync();
            if (receiver!.Refusing) return Results.StatusCode(503);
            receiver.Take(new ReceivedWebhook(http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), body));
            return Results.NoContent();
        });
        await app.StartAsync();
        var address = new Uri(app.Urls.First());
        receiver = new WebhookReceiver(app, $"http://127.0.0.1:{address.Port}/hook");
        return receiver;
    }

    private void Take(ReceivedWebhook webhook)
    {
        Received.Enqueue(webhook);
        lock (_gate)
        {
            if (webhook.Json["events"] is JsonArray) foreach (var seq in webhook.Seqs) _seen.Add(seq);
            foreach (var waiter in _waiters.Where(w => _seen.Count >= w.Count)) waiter.Done.TrySetResult();
            foreach (var watcher in _watchers.Where(w => w.Match(webhook))) watcher.Done.TrySetResult(webhook);
        }
    }

    /// <summary>The first POST (received already or to come) that <paramref name="match"/> accepts.</summary>
    public Task<ReceivedWebhook> WaitForAsync(Func<ReceivedWebhook, bool> match, TimeSpan timeout)
    {
        lock (_gate)
        {
            if (Received.FirstOrDefault(match) is { } received) return Task.FromResult(received);
            var done = new TaskCompletionSource<ReceivedWebhook>(TaskCreationOptions.RunContinuationsAsynchronously);
            _watchers.Add((match, done));
            return done.Task.WaitAsync(timeout);
        }
    }

    public int DistinctSeqs { get { lock (_gate) return _seen.Count; } }

    public Task WaitForSeqsAsync(int count, TimeSpan timeout)
    {
        lock (_gate)
        {
            if (_seen.Count >= count) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task.WaitAsync(timeout);
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
