using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Stoa.Dashboard.Api;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Evidence;

public static class EvidenceExtensions
{
    /// <summary>The signing keys (<c>Stoa:Evidence:KeyDirectory</c>, by default <c>signing-keys/</c> beside the store), checkpoints and bundles.</summary>
    public static IServiceCollection AddEvidence(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var directory = StorageExtensions.FolderBesideStore(configuration, environment, BesideStore.SigningKeys);
        services.AddSingleton(sp => new SigningKeys(directory, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<Checkpoints>();
        services.AddHostedService(sp => sp.GetRequiredService<Checkpoints>());
        services.AddSingleton<BundleWriter>();
        return services;
    }

    /// <summary><c>GET /.well-known/stoa/keys.json</c>: public, so anyone holding a bundle can fetch the keys that signed it.</summary>
    public static void MapSigningKeys(this IEndpointRouteBuilder app) =>
        app.MapGet("/.well-known/stoa/keys.json", (SigningKeys keys) => Results.Json(keys.Published()));

    /// <summary>
    /// <c>GET /v1/audit/{tenant_id}/verify?from_seq=&amp;to_seq=</c> (or <c>from</c>/<c>to</c>, a time
    /// window whose events' seq range is walked), operators only: re-walks the stored chain and
    /// reports the first break.
    /// </summary>
    private static readonly Func<QueryReader, (TimeWindow Window, long? FromSeq, long? ToSeq)> VerifyQuery =
        q => (q.Window(), q.Integer("from_seq", 1, long.MaxValue), q.Integer("to_seq", 1, long.MaxValue));

    public static RouteGroupBuilder MapChainCheck(this RouteGroupBuilder api)
    {
        api.MapGet("/audit/{tenant_id}/verify", async (HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId,
            IDbContextFactory<AuditDbContext> factory, Retention.ArchiveDirectory archive, SigningKeys keys, TimeProvider clock) =>
        {
            var (scope, denied) = await AuditEndpoints.AuthorizeReadAsync(http, tenantId);
            if (scope is null) return denied!;
            if (scope.IsConsumerLimited) return ApiProblems.OperatorsOnly();
            var q = new QueryReader(http.Request.Query, clock);
            var (window, fromSeq, toSeq) = VerifyQuery(q);
            q.RejectUnknown();
            if (q.Problems.Count > 0) return ApiProblems.InvalidQuery(q.Problems);

            var report = await ChainVerifier.VerifyAsync(factory, archive, keys, tenantId, window, fromSeq, toSeq, http.RequestAborted);
            return Results.Json(new
            {
                tenant_id = report.TenantId,
                from_seq = report.FromSeq,
                to_seq = report.ToSeq,
                @checked = report.Checked,
                checkpoints_checked = report.CheckpointsChecked,
                intact = report.Intact,
                first_break = report.FirstBreak is { } b ? new { seq = b.Seq, problem = b.Problem, detail = b.Detail } : null,
                next_from_seq = report.NextFromSeq,
            });
        }).WithQuery(VerifyQuery);
        return api;
    }
}
