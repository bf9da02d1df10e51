using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Retention;

public static class RetentionExtensions
{
    /// <summary>
    /// The archive directory (<c>Stoa:Retention:ArchiveDirectory</c>, by default <c>archive/</c>
    /// beside the store), the default policy (<c>Stoa:Retention:Default</c>, a preset or
    /// <c>90d/12mo</c>), the settings, the job and its timer.
    /// </summary>
    public static IServiceCollection AddRetention(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var root = StorageExtensions.FolderBesideStore(configuration, environment, BesideStore.Archive);
        var (policy, problem) = RetentionPolicy.Parse(configuration["Stoa:Retention:Default"] ?? "default");
        if (policy is null) throw new InvalidOperationException($"Stoa:Retention:Default: {problem}");
        services.AddSingleton(new ArchiveDirectory(root));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<RetentionSettings>(sp, policy));
        services.AddSingleton<RetentionOverview>();
        services.AddSingleton<Archiver>();
        services.AddSingleton<RetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionService>());
        return services;
    }
}
