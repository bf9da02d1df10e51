using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Tests.Support;

/// <summary>Callers as a Stoa token makes them, for calling the app's services directly (what the pages and endpoints do with a signed-in user).</summary>
public static class Callers
{
    public static Caller Of(string role, string name, params string[] tenants) => Caller.From(TokenPrincipal.Create(new ApiToken
    {
        Id = "test", Name = name, Role = role, Tenants = string.Join(' ', tenants), SecretHash = "x",
    }, "Test"));

    public static Caller Operator(string tenant, string name = "tester") => Of(Roles.Operator, name, tenant);
}
