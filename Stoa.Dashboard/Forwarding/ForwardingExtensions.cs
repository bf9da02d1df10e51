using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Forwarding;

public static class ForwardingExtensions
{
    /// <summary>Destinations, their secrets (<c>Stoa:Forwarding:SecretDirectory</c>, by default <c>destination-secrets/</c> beside the store) and the forwarder.</summary>
    public static IServiceCollection AddForwarding(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var directory = StorageExtensions.FolderBesideStore(configuration, environment, BesideStore.DestinationSecrets);
        services.AddSingleton(new DestinationSecrets(directory));
        services.AddHttpClient(WebhookSender.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(30));
        services.AddSingleton<Forwarder>();
        services.AddHostedService(sp => sp.GetRequiredService<Forwarder>());
        services.AddSingleton<Destinations>();
        return services;
    }
}
