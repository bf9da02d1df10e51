using Stoa.Dashboard.Auth;

namespace Stoa.Dashboard.Live;

/// <summary>
/// Closes, within seconds, every hub connection whose token has been revoked or has expired: a
/// Stoa token as the store says, an Entra access token at its expiry (Entra cannot be asked).
/// </summary>
public sealed class HubTokenWatch(HubSubscriptions subscriptions, TokenService tokens, TimeProvider clock, ILogger<HubTokenWatch> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CloseRevokedAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Checking hub tokens failed; trying again in {Interval}", Interval);
            }
        }
    }

    /// <summary>Checks each token on its own: one that cannot be checked leaves the others' connections to be closed.</summary>
    public async Task CloseRevokedAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        foreach (var group in subscriptions.Connections.GroupBy(c => c.TokenId))
        {
            try
            {
                if (group.Key == "")
                {
                    foreach (var (_, connection) in group)
                        if (!long.TryParse(connection.User?.FindFirst(StoaClaims.ExpiresAt)?.Value, out var expires) || expires <= now)
                            connection.Abort();
                    continue;
                }
                if (await tokens.FindActiveAsync(group.Key, ct) is not null) continue;
                foreach (var (_, connection) in group)
                {
                    logger.LogInformation("Closing hub connection {ConnectionId}: its token is revoked or expired", connection.ConnectionId);
                    connection.Abort();
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Checking the hub connections of token {TokenId} failed; checking the others", group.Key);
            }
        }
    }
}
