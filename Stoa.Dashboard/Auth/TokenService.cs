using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Auth;

/// <summary>What a new token is for: role, tenants, and for a client its consumers.</summary>
public sealed record TokenRequest(string Role, IReadOnlyList<string> Tenants, IReadOnlyList<string> Consumers,
    string? Name, TimeSpan? ExpiresIn);

/// <summary>
/// Issues, lists, revokes and checks API tokens. A token reads <c>stoa_{id}_{secret}</c>; the store
/// keeps its SHA-256 only, so a leaked database does not leak tokens.
/// </summary>
public sealed class TokenService(IDbContextFactory<AuditDbContext> factory, TimeProvider clock)
{
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>Checks a request's rules; returns the problems, empty when it is valid.</summary>
    public static List<string> Validate(TokenRequest request)
    {
        var problems = new List<string>();
        if (!Roles.All.Contains(request.Role))
            problems.Add($"--role must be one of {string.Join(", ", Roles.All)}.");
        foreach (var tenant in request.Tenants.Where(t => t != StoaClaims.AllTenants && !Identifiers.IsValid(t)))
            problems.Add($"Tenant '{tenant}' is not a valid id: use {Identifiers.Rule}.");
        foreach (var consumer in request.Consumers.Where(c => !Identifiers.IsValid(c)))
            problems.Add($"Consumer '{consumer}' is not a valid id: use {Identifiers.Rule}.");
        if ((request.Role is Roles.Client or Roles.Ingest) && (request.Tenants.Count != 1 || request.Tenants[0] == StoaClaims.AllTenants))
            problems.Add($"A {request.Role} token needs exactly one --tenant.");
        if (request.Role == Roles.Client && request.Consumers.Count == 0)
            problems.Add("A client token needs at least one --consumer.");
        if (request.Role != Roles.Client && request.Consumers.Count > 0)
            problems.Add("--consumer applies to client tokens only.");
        if (request.ExpiresIn is { } expiry && expiry <= TimeSpan.Zero)
            problems.Add("--expires must be in the future.");
        return problems;
    }

    /// <summary>Creates a token and returns it with its secret, shown this once.</summary>
    public async Task<(ApiToken Token, string Secret)> CreateAsync(TokenRequest request, CancellationToken ct = default)
    {
        var problems = Validate(request);
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems));

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = $"stoa_{id}_{Base64Url(RandomNumberGenerator.GetBytes(32))}";
        var now = clock.GetUtcNow();
        var tenants = request.Tenants.Count == 0 ? [StoaClaims.AllTenants] : request.Tenants.Distinct().ToList();
        var token = new ApiToken
        {
            Id = id,
            Name = string.IsNullOrWhiteSpace(request.Name) ? $"{request.Role}-{id}" : request.Name.Trim(),
            Role = request.Role,
            Tenants = string.Join(' ', tenants),
            Consumers = string.Join(' ', request.Consumers.Distinct()),
            SecretHash = Hash(secret),
            CreatedAtMs = now.ToUnixTimeMilliseconds(),
            ExpiresAtMs = request.ExpiresIn is { } expiry ? (now + expiry).ToUnixTimeMilliseconds() : null,
        };

        await using var db = await factory.CreateDbContextAsync(ct);
        db.Tokens.Add(token);
        // A token's tenant exists from the moment it is granted, so its reads answer before the first ingest.
        var known = await db.Tenants.Select(t => t.TenantId).ToListAsync(ct);
        foreach (var tenant in tenants.Where(t => t != StoaClaims.AllTenants && !known.Contains(t)))
            db.Tenants.Add(new Tenant { TenantId = tenant, CreatedAtMs = token.CreatedAtMs });
        await db.SaveChangesAsync(ct);
        return (token, secret);
    }

    public async Task<List<ApiToken>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Tokens.AsNoTracking().OrderBy(t => t.CreatedAtMs).ToListAsync(ct);
    }

    /// <summary>Revokes a token by id; false when there is no such token.</summary>
    public async Task<bool> RevokeAsync(string id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var token = await db.Tokens.FirstOrDefaultAsync(t => t.Id == id, ct);
        if (token is null) return false;
        token.RevokedAtMs ??= clock.GetUtcNow().ToUnixTimeMilliseconds();
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>The live token for a secret: known, not revoked, not expired. Null otherwise.</summary>
    public async Task<ApiToken?> AuthenticateAsync(string secret, CancellationToken ct = default)
    {
        if (!secret.StartsWith("stoa_", StringComparison.Ordinal) || secret.Length > 200) return null;
        var hash = Hash(secret);
        await using var db = await factory.CreateDbContextAsync(ct);
        var token = await db.Tokens.FirstOrDefaultAsync(t => t.SecretHash == hash, ct);
        return await ActiveAndTouchedAsync(db, token, ct);
    }

    public static bool IsActive(ApiToken token, long nowMs) => token.RevokedAtMs is null && !(token.ExpiresAtMs <= nowMs);

    /// <summary>The token by id when it is still active: how a signed-in session is kept honest after a revocation.</summary>
    public async Task<ApiToken?> FindActiveAsync(string id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var token = await db.Tokens.FirstOrDefaultAsync(t => t.Id == id, ct);
        return await ActiveAndTouchedAsync(db, token, ct);
    }

    /// <summary>The token if it is active, its last use written (to the minute: enough for an operator, and no write on every request).</summary>
    private async Task<ApiToken?> ActiveAndTouchedAsync(AuditDbContext db, ApiToken? token, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (token is null || !IsActive(token, now)) return null;
        if (token.LastUsedAtMs is null || now - token.LastUsedAtMs >= (long)LastUsedResolution.TotalMilliseconds)
        {
            token.LastUsedAtMs = now;
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (StoreHealth.Unwritable(e) is not null)
            {
                // A full disk must not lock everyone out of reading: the last use is a convenience, the token is still good.
                token.LastUsedAtMs = null;
            }
        }
        return token;
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
