namespace Stoa.Dashboard.Events;

/// <summary>
/// What a caller may read of one tenant: all of it, or, for a client, the events that involve one
/// of its consumers (<see cref="EventRules"/>). Every query starts from the scope
/// (<c>ScopedQueries</c>), never from a bare table, and so does every live message.
/// </summary>
public sealed record AuditScope(string TenantId, IReadOnlySet<string>? Consumers)
{
    public bool IsConsumerLimited => Consumers is not null;
}
