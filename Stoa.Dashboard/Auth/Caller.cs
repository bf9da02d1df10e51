using System.Security.Claims;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Auth;

/// <summary>
/// What the signed-in caller may do, read from its claims. Every read goes through
/// <see cref="ReadScope"/>, which is where a client is narrowed to its own consumers.
/// </summary>
public sealed class Caller
{
    private readonly HashSet<string> _tenants;

    private readonly ILookup<string, string> _consumersByTenant;

    private Caller(string name, string role, HashSet<string> tenants, HashSet<string> consumers, ILookup<string, string> consumersByTenant)
    {
        Name = name;
        Role = role;
        _tenants = tenants;
        Consumers = consumers;
        _consumersByTenant = consumersByTenant;
    }

    public string Name { get; }
    public string Role { get; }
    public IReadOnlySet<string> Consumers { get; }
    public bool AllTenants => Role == Roles.Operator && _tenants.Contains(StoaClaims.AllTenants);

    public static Caller From(ClaimsPrincipal user) => new(
        user.Identity?.Name ?? "unknown",
        user.FindFirstValue(ClaimTypes.Role) ?? "",
        user.FindAll(StoaClaims.Tenant).Select(c => c.Value).ToHashSet(StringComparer.Ordinal),
        user.FindAll(StoaClaims.Consumer).Select(c => c.Value).ToHashSet(StringComparer.Ordinal),
        user.FindAll(StoaClaims.ConsumerIn).Select(c => c.Value.Split(' ', 2)).Where(p => p.Length == 2).ToLookup(p => p[0], p => p[1]));

    public bool IsGranted(string tenantId) => AllTenants || _tenants.Contains(tenantId);

    public bool MayRead(string tenantId) => (Role is Roles.Operator or Roles.Client) && IsGranted(tenantId);

    /// <summary>An operator granted the tenant: who issues and revokes access to it.</summary>
    public bool IsOperatorOf(string tenantId) => Role == Roles.Operator && IsGranted(tenantId);

    public bool MayIngest(string tenantId) => (Role is Roles.Operator or Roles.Ingest) && IsGranted(tenantId);

    /// <summary>The slice of a tenant this caller reads: all of it, or a client's consumers alone.</summary>
    public AuditScope ReadScope(string tenantId) =>
        new(tenantId, Role != Roles.Client ? null
            : _consumersByTenant.Contains(tenantId) ? Consumers.Concat(_consumersByTenant[tenantId]).ToHashSet(StringComparer.Ordinal)
            : Consumers);

    /// <summary>The tenants this caller may read, among those that exist.</summary>
    public IEnumerable<string> ReadableAmong(IEnumerable<string> tenantIds) =>
        tenantIds.Where(MayRead);
}
