namespace Stoa.Dashboard.Demo;

/// <summary>The incidents of tenant_abc that the demo lets people investigate.</summary>
public static class DemoIncidents
{
    private const long MinuteMs = 60_000;
    private const long HourMs = 60 * MinuteMs;

    public const string DeletedDocumentPath = "/api/documents/12345";
    public const string DeleteRequestId = "req_del_7f3a9c12345";
    public const string BruteForcedKey = "key_live_4f2a";

    /// <summary>"Last Tuesday at 3am": the most recent Tuesday before today, at 03:17:42.123 UTC.</summary>
    public static DateTimeOffset DeleteTime(DateTimeOffset now)
    {
        var day = now.UtcDateTime.Date.AddDays(-1);
        while (day.DayOfWeek != DayOfWeek.Tuesday) day = day.AddDays(-1);
        return new DateTimeOffset(day.AddHours(3).AddMinutes(17).AddSeconds(42).AddMilliseconds(123), TimeSpan.Zero);
    }

    public static void AddTo(DemoTraffic t)
    {
        var today = new DateTimeOffset(t.Now.UtcDateTime.Date, TimeSpan.Zero).ToUnixTimeMilliseconds();
        DocumentDeletedAt3am(t);
        BruteForce(t, today - 2 * 24 * HourMs + 1 * HourMs);
        Scraper(t, today - 1 * 24 * HourMs + 14 * HourMs);
        FailingIntegration(t, today - 3 * 24 * HourMs + 7 * HourMs);
        ServerErrorSpike(t, today - 4 * 24 * HourMs + 10 * HourMs + 5 * MinuteMs);
        KeyRotation(t, today - 5 * 24 * HourMs + 9 * HourMs + 30 * MinuteMs);
        StuckReportingJob(t, today - 3 * 24 * HourMs + 1 * HourMs);
        CustomerListDownload(t, today - 1 * 24 * HourMs + 2 * HourMs);
    }

    /// <summary>The breach playbook's setting for tenant_abc: paths whose requests it calls out.</summary>
    public const string SensitivePaths = "/api/customers\n/api/admin";

    /// <summary>The cost spike: the nightly report job loops on its last page for five hours, 40 requests a minute, no pause.</summary>
    private static void StuckReportingJob(DemoTraffic t, long start)
    {
        var job = t.Consumer("cons_reporting");
        for (var i = 0; i < 12_000; i++)
            t.Request(start + i * 1_500 + t.Random.Next(0, 400), job, "billing-api", "GET", "/api/reports/daily?page=412", 200,
                summary: i == 0 ? "page 412 of 412 (next: 412)" : null);
    }

    /// <summary>Breach-like: a partner's key reads the whole customer list at night in twenty minutes, then tries the admin API.</summary>
    private static void CustomerListDownload(DemoTraffic t, long start)
    {
        var partner = t.Consumer("cons_partner_fin");
        for (var i = 0; i < 2_400; i++)
            t.Request(start + i * 500 + t.Random.Next(0, 300), partner, "users-api", "GET", $"/api/customers/{20_000 + i}", 200,
                clientIp: "203.0.113.200");
        for (var i = 0; i < 60; i++)
            t.Request(start + 2_400_000 + i * 5_000, partner, "users-api", "GET", "/api/admin/users", 403, error: "forbidden",
                clientIp: "203.0.113.200");
    }

    /// <summary>The client's "our data looks wrong": one consumer deleted document 12345 at 03:17:42.</summary>
    private static void DocumentDeletedAt3am(DemoTraffic t)
    {
        var ts = DeleteTime(t.Now).ToUnixTimeMilliseconds();
        var client = t.Consumer("cons_xyz789");
        t.Request(ts - 32_000, client, "documents-api", "GET", DeletedDocumentPath, 200);
        t.Request(ts - 9_000, client, "documents-api", "GET", DeletedDocumentPath + "/versions", 200);
        var delete = t.Request(ts, client, "documents-api", "DELETE", DeletedDocumentPath, 204,
            summary: "DELETE document 12345 (no body)", clientIp: "203.0.113.45");
        delete.RequestId = DeleteRequestId;
        t.Business(ts + 38, "deleted", "document", "12345", client.Id, new Dictionary<string, object?>
        {
            ["title"] = new { before = "Master services agreement 2026 (signed)", after = (string?)null },
            ["status"] = new { before = "active", after = "deleted" },
            ["folder_id"] = new { before = "fld_legal", after = (string?)null },
        }, DeleteRequestId, new { source_ip = "203.0.113.45", user_agent = "my-saas-client/1.0", soft_delete = false });
        t.Request(ts + 61_000, client, "documents-api", "GET", DeletedDocumentPath, 404, error: "document not found");
    }

    /// <summary>Thousands of failed authentications against one key from a handful of addresses, then the key is revoked.</summary>
    private static void BruteForce(DemoTraffic t, long start)
    {
        var victim = t.Consumer("cons_acme_erp");
        string[] addresses = ["185.220.101.4", "185.220.101.9", "45.155.205.77", "193.35.18.12"];
        for (var i = 0; i < 3_200; i++)
        {
            var ts = start + i * 900 + t.Random.Next(0, 800);
            var ip = addresses[i % addresses.Length];
            t.Request(ts, victim, "orders-api", "GET", "/api/orders", 401, error: "invalid API key", keyId: BruteForcedKey, clientIp: ip);
            t.Security(ts, "auth_failed", ip, BruteForcedKey, "failure", new { reason = "invalid_secret", attempt = i + 1 });
        }
        var end = start + 3_200 * 900;
        t.Security(end + 4 * MinuteMs, "key_revoked", "admin@tenant-abc.example", BruteForcedKey, "success",
            new { reason = "credential stuffing from 4 addresses", consumer_id = victim.Id });
        t.Security(end + 6 * MinuteMs, "admin_action", "admin@tenant-abc.example", "policy:ip-blocklist", "success",
            new { change = "added", addresses });
    }

    /// <summary>A scraper walks the catalogue, hits the rate limit hundreds of times, and is suspended.</summary>
    private static void Scraper(DemoTraffic t, long start)
    {
        var bot = t.Consumer("cons_scraper01");
        for (var i = 0; i < 1_500; i++)
        {
            var ts = start + i * 4_000 + t.Random.Next(0, 3_000);
            var limited = i > 150 && t.Random.NextDouble() < 0.62;
            t.Request(ts, bot, "orders-api", "GET", $"/api/catalog/items/{10_000 + i}", limited ? 429 : 200,
                error: limited ? "rate limit exceeded" : null);
            if (limited)
                t.Security(ts, "rate_limit_exceeded", bot.Id, "policy:rate-limit-600rpm", "blocked", new { limit = 600, window = "1m" });
        }
        t.Security(start + 1_500 * 4_000 + 5 * MinuteMs, "consumer_suspended", "admin@tenant-abc.example", bot.Id, "success",
            new { reason = "scraping the catalogue, 900+ rate-limit hits in 2h" });
    }

    /// <summary>An integration's new release sends orders without a currency: a day of 400s.</summary>
    private static void FailingIntegration(DemoTraffic t, long start)
    {
        var erp = t.Consumer("cons_acme_erp");
        for (var i = 0; i < 900; i++)
        {
            var ts = start + i * 48_000 + t.Random.Next(0, 30_000);
            var failed = t.Random.NextDouble() < 0.55;
            t.Request(ts, erp, "orders-api", "POST", "/api/orders", failed ? 400 : 201,
                error: failed ? "validation failed: 'currency' is required" : null,
                summary: failed ? "order with 3 lines, currency missing" : "order with 2 lines, EUR");
        }
        t.Security(start + 2 * HourMs, "policy_applied", erp.Id, "policy:schema-validation-orders", "blocked",
            new { rule = "currency required", sample_request = "/api/orders" });
    }

    /// <summary>25 minutes of 5xx on the billing API, across every consumer that called it.</summary>
    private static void ServerErrorSpike(DemoTraffic t, long start)
    {
        for (var i = 0; i < 700; i++)
        {
            var ts = start + t.Random.NextInt64(25 * MinuteMs);
            var consumer = t.Tenant.Consumers[t.Random.Next(t.Tenant.Consumers.Length)];
            var status = t.Random.NextDouble() < 0.8 ? 503 : 500;
            t.Request(ts, consumer, "billing-api", "GET", $"/api/invoices/{t.Random.Next(1000, 9999)}", status,
                error: status == 503 ? "upstream billing-db unavailable" : "internal server error");
        }
        t.Security(start + 30 * MinuteMs, "admin_action", "oncall@tenant-abc.example", "setting:billing-api.upstream", "success",
            new { change = "failover to billing-db-replica" });
    }

    private static void KeyRotation(DemoTraffic t, long ts)
    {
        t.Security(ts, "key_rotated", "cons_xyz789", "key_live_9c1b", "success", new { new_key_id = "key_live_9c1c", grace_period = "24h" });
        t.Security(ts + 3 * HourMs, "admin_action", "admin@tenant-abc.example", "setting:cors.allowed_origins", "success",
            new { before = new[] { "https://app.example" }, after = new[] { "https://app.example", "https://beta.example" } });
    }
}
