using System.Linq.Expressions;

namespace Stoa.Dashboard.Events;

/// <summary>
/// Who may see an event, and which consumer an event involves, written once. An event involves
/// consumer C when one of its consumer fields names C: a request's <c>consumer_id</c>, a security
/// event's <c>actor</c> or <c>target</c>, a business event's <c>actor_id</c> (the field tables mark
/// them). Security events about a key that do not name the consumer are not its events: gateways
/// name the consumer as actor or target when they want an event to be the consumer's.
/// </summary>
/// <remarks>
/// Each rule is an expression tree, so EF translates it into the query; the live feed checks
/// events in memory against the same fields' values. A client sees exactly the events that
/// involve one of its consumers.
/// </remarks>
public static class EventRules
{
    /// <summary>Events of <paramref name="scope"/>'s tenant that it may see: all of them, or those involving one of a client's consumers.</summary>
    public static Expression<Func<T, bool>> Visible<T>(AuditScope scope) where T : AuditEvent, IEventKind
    {
        var tenant = new Captured<string>(scope.TenantId);
        Expression<Func<T, bool>> inTenant = e => e.TenantId == tenant.Value;
        if (scope.Consumers is null) return inTenant;
        var consumers = new Captured<List<string>>(scope.Consumers.ToList());
        Expression<Func<string, bool>> isOne = c => consumers.Value.Contains(c);
        return And(inTenant, AnyConsumerField<T>(isOne));
    }

    /// <summary>Events that name <paramref name="consumerId"/> in one of their consumer fields.</summary>
    public static Expression<Func<T, bool>> Involves<T>(string consumerId) where T : AuditEvent, IEventKind
    {
        var consumer = new Captured<string>(consumerId);
        return AnyConsumerField<T>(c => c == consumer.Value);
    }

    /// <summary>One condition per consumer field (<c>actor = C</c>, <c>target = C</c>): for reading each field's index range on its own.</summary>
    public static IEnumerable<Expression<Func<T, bool>>> InvolvesByField<T>(string consumerId) where T : AuditEvent, IEventKind
    {
        var consumer = new Captured<string>(consumerId);
        Expression<Func<string, bool>> isIt = c => c == consumer.Value;
        return ConsumerFields<T>().Select(f => Compose<T>(f, isIt));
    }

    /// <summary>The in-memory form of <see cref="Involves{T}"/>, for events that arrive live.</summary>
    public static bool Involves(AuditEvent e, string consumerId) => ConsumerFieldsOf[e.Kind].Any(f => f.Text(e) == consumerId);

    /// <summary>The in-memory form of <see cref="Visible{T}"/>, for events that arrive live.</summary>
    public static bool Sees(this AuditScope scope, AuditEvent e) =>
        e.TenantId == scope.TenantId
        && (scope.Consumers is null || ConsumerFieldsOf[e.Kind].Any(f => f.Text(e) is { } c && scope.Consumers.Contains(c)));

    /// <summary>The fields of each kind that name a consumer, picked out of the field tables once (the live feed checks every event against them).</summary>
    private static readonly Dictionary<EventKind, EventField[]> ConsumerFieldsOf = Enum.GetValues<EventKind>()
        .ToDictionary(kind => kind, kind => AuditEvent.FieldsOf(kind).Where(f => f.Consumer is not null).ToArray());

    private static IEnumerable<Expression<Func<T, string>>> ConsumerFields<T>() where T : AuditEvent, IEventKind =>
        ConsumerFieldsOf[T.ThisKind].Select(f => (Expression<Func<T, string>>)f.Consumer!);

    private static Expression<Func<T, bool>> AnyConsumerField<T>(Expression<Func<string, bool>> test) where T : AuditEvent, IEventKind =>
        ConsumerFields<T>().Select(f => Compose<T>(f, test)).Aggregate(Or);

    /// <summary><c>e => test(field(e))</c>, with the field's body put in place of the test's parameter (EF cannot translate an invocation).</summary>
    private static Expression<Func<T, bool>> Compose<T>(Expression<Func<T, string>> field, Expression<Func<string, bool>> test) =>
        Expression.Lambda<Func<T, bool>>(new Replace(test.Parameters[0], field.Body).Visit(test.Body)!, field.Parameters[0]);

    private static Expression<Func<T, bool>> Or<T>(Expression<Func<T, bool>> a, Expression<Func<T, bool>> b) =>
        Expression.Lambda<Func<T, bool>>(Expression.OrElse(a.Body, new Replace(b.Parameters[0], a.Parameters[0]).Visit(b.Body)!), a.Parameters[0]);

    private static Expression<Func<T, bool>> And<T>(Expression<Func<T, bool>> a, Expression<Func<T, bool>> b) =>
        Expression.Lambda<Func<T, bool>>(Expression.AndAlso(a.Body, new Replace(b.Parameters[0], a.Parameters[0]).Visit(b.Body)!), a.Parameters[0]);

    /// <summary>A value the query reads as a parameter (EF parameterises captured members, so one query plan serves every tenant).</summary>
    private sealed class Captured<TValue>(TValue value)
    {
        public TValue Value { get; } = value;
    }

    private sealed class Replace(Expression from, Expression to) : ExpressionVisitor
    {
        public override Expression? Visit(Expression? node) => node == from ? to : base.Visit(node);
    }
}
