using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Components.Layout;

/// <summary>
/// What the layout hands every page: the view from the URL, the caller, and the scope of the
/// chosen tenant that every query must start from (null when the caller may not read it).
/// </summary>
public sealed record DashboardContext(DashboardView View, Caller Caller, AuditScope? Scope, IReadOnlyList<string> Tenants);
