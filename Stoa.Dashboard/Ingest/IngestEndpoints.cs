using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Stoa.Dashboard.Api;
using Stoa.Dashboard.Auth;
using Stoa.Dashboard.Configuration;
using Stoa.Dashboard.Operations;
using Stoa.Dashboard.Storage;

namespace Stoa.Dashboard.Ingest;

public static class IngestEndpoints
{
    /// <summary><c>POST /v1/audit/{tenant_id}/events</c>: a JSON array or NDJSON, stored whole or not at all.</summary>
    public static RouteGroupBuilder MapIngest(this RouteGroupBuilder api)
    {
        api.MapPost("/audit/{tenant_id}/events", async (HttpContext http, [FromRoute(Name = "tenant_id")] string tenantId,
            EventWriter writer, IngestGate gate, IOptions<StoaOptions> options, StoaMetrics metrics, TimeProvider clock) =>
        {
            if (!Identifiers.IsValid(tenantId)) return ApiProblems.InvalidTenantId();
            if (!Caller.From(http.User).MayIngest(tenantId)) return ApiProblems.TenantForbidden();

            using var turn = await gate.EnterAsync(http.RequestAborted);
            if (turn is null)
            {
                metrics.BatchNotStored(tenantId, "refused");
                return ApiProblems.RetryLater(http, 503, IngestGate.RetryAfterSeconds, "Busy",
                    "The store is taking in as many batches as it can hold at once; nothing of this one was read. Send it again.");
            }

            var limit = options.Value.Ingest.MaxBodyBytes;
            var body = await ReadBodyAsync(http, limit);
            if (body is null)
            {
                metrics.BatchNotStored(tenantId, "refused");
                return ApiProblems.TooLarge(limit);
            }

            var mediaType = http.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
            var ndjson = mediaType is "application/x-ndjson" or "application/ndjson" or "application/jsonl";
            var batch = EventParser.Parse(body.Value, ndjson, tenantId, clock.GetUtcNow().ToUnixTimeMilliseconds());
            if (!batch.IsValid)
            {
                metrics.BatchNotStored(tenantId, "rejected");
                return ApiProblems.InvalidBatch(batch.Problems);
            }

            // CancellationToken.None: once parsed, a batch is committed even if the caller hangs up,
            // so a retry finds duplicates rather than half a batch.
            try
            {
                var result = await writer.WriteAsync(tenantId, batch, CancellationToken.None);
                return Results.Json(new
                {
                    accepted = result.Accepted,
                    duplicates = result.Duplicates,
                    first_seq = result.FirstSeq,
                    last_seq = result.LastSeq,
                    chain_head = result.ChainHead,
                });
            }
            catch (Exception e) when (StoreHealth.Unwritable(e) is { } reason)
            {
                metrics.BatchNotStored(tenantId, "refused");
                return ApiProblems.StoreUnwritable(http, reason);
            }
        }).TakesEvents();
        return api;
    }

    /// <summary>The body, or null when it is over the limit (then nothing more is read).</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpContext http, long limit)
    {
        if (http.Request.ContentLength > limit) return null;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            sizeFeature.MaxRequestBodySize = limit + 1;

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length); // the buffer itself, not a copy of it
    }
}
