using System.Net;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Forwarding;

/// <summary>
/// Kafka destinations against librdkafka's own mock cluster (<c>test.mock.num.brokers</c>): no Kafka
/// broker can be installed on these machines. The mock brokers listen on 127.0.0.1, so the app's
/// producer and the test's consumer both reach them as they would a real cluster.
/// </summary>
public sealed class KafkaForwardingTests : IAsyncLifetime
{
    private readonly StoaApp _app = new();
    private IAdminClient _cluster = null!;
    private string _bootstrap = "";

    public Task InitializeAsync()
    {
        _app.Settings["Stoa:Forwarding:MaxRetrySeconds"] = "1";
        // This client owns the mock cluster; its metadata names the brokers' addresses.
        var config = new AdminClientConfig { BootstrapServers = "unused:9092" };
        config.Set("test.mock.num.brokers", "1");
        _cluster = new AdminClientBuilder(config).Build();
        var broker = _cluster.GetMetadata(TimeSpan.FromSeconds(10)).Brokers.Single();
        _bootstrap = $"{broker.Host}:{broker.Port}";
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _cluster.Dispose();
    }

    [Fact]
    public async Task Events_are_produced_keyed_by_tenant_and_a_consumer_reads_them_back_in_seq_order()
    {
        var tenant = StoaApp.NewTenant("kafka");
        var client = await _app.OperatorAsync(tenant);
        var added = await client.AddDestinationAsync(tenant, ("name", "bus"), ("kind", "kafka"), ("target", _bootstrap), ("topic", "stoa-audit"), ("kinds", "request"));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        await client.IngestAsync(tenant, Enumerable.Range(0, 1200).Select(i => (JsonNode)Wire.Request($"k{i}", StoaApp.Epoch.AddSeconds(-1200 + i))).ToArray());

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = _bootstrap, GroupId = "test", AutoOffsetReset = AutoOffsetReset.Earliest, EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe("stoa-audit");
        var messages = new List<ConsumeResult<string, string>>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (messages.Count < 1200 && DateTime.UtcNow < deadline)
        {
            try
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } message) messages.Add(message);
            }
            catch (ConsumeException e) when (e.Error.Code == ErrorCode.UnknownTopicOrPart)
            {
                // The topic appears with the first event the app produces; until then there is nothing to read.
            }
        }

        Assert.Equal(1200, messages.Count);
        Assert.All(messages, m => Assert.Equal(tenant, m.Message.Key));
        var seqs = messages.Select(m => (long)JsonNode.Parse(m.Message.Value)!["seq"]!).ToList();
        Assert.Equal(seqs.Order(), seqs); // one key, one partition: in order
        Assert.Equal(Enumerable.Range(0, 1200).Select(i => $"k{i}"), messages.Select(m => (string)JsonNode.Parse(m.Message.Value)!["request_id"]!));
    }
}
