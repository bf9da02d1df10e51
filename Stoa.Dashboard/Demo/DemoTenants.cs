namespace Stoa.Dashboard.Demo;

public sealed record DemoConsumer(string Id, string Name, double Weight, string KeyId);

public sealed record DemoApi(string Id, string[] Paths);

/// <summary>A demo tenant: its consumers, its APIs, and how busy it is.</summary>
public sealed record DemoTenant(string Id, int RequestsPerHour, DemoConsumer[] Consumers, DemoApi[] Apis);

public static class DemoTenants
{
    private static readonly DemoApi Documents = new("documents-api",
        ["/api/documents", "/api/documents/{id}", "/api/documents/{id}/versions", "/api/folders", "/api/folders/{id}"]);
    private static readonly DemoApi Orders = new("orders-api",
        ["/api/orders", "/api/orders/{id}", "/api/orders/{id}/items", "/api/catalog/items", "/api/catalog/items/{id}"]);
    private static readonly DemoApi Billing = new("billing-api",
        ["/api/invoices", "/api/invoices/{id}", "/api/payments", "/api/customers/{id}/balance"]);
    private static readonly DemoApi Users = new("users-api", ["/api/users", "/api/users/{id}", "/api/users/{id}/roles", "/api/sessions"]);

    public static readonly DemoTenant Abc = new("tenant_abc", 260,
    [
        new("cons_xyz789", "my-saas-client", 6, "key_live_9c1b"),
        new("cons_acme_erp", "acme-erp-sync", 5, "key_live_4f2a"),
        new("cons_mobile_ios", "mobile-app-ios", 8, "key_live_a11e"),
        new("cons_mobile_android", "mobile-app-android", 7, "key_live_a22f"),
        new("cons_web_portal", "customer-portal", 9, "key_live_b0c3"),
        new("cons_reporting", "nightly-reporting", 2, "key_live_c9d4"),
        new("cons_partner_fin", "partner-finance-hub", 3, "key_live_d7e8"),
        new("cons_zapier_01", "zapier-integration", 2, "key_live_e5f6"),
        new("cons_crm_sync", "crm-sync", 3, "key_live_f1a2"),
        new("cons_support_desk", "support-desk", 2, "key_live_0b3c"),
        new("cons_analytics", "analytics-pipeline", 2, "key_live_1d4e"),
        new("cons_backoffice", "backoffice-admin", 1, "key_live_2f5a"),
        new("cons_scraper01", "price-watch-bot", 0.5, "key_live_3a6b"),
        new("cons_legacy_soap", "legacy-soap-bridge", 1, "key_live_4b7c"),
        new("cons_qa_suite", "qa-regression-suite", 1, "key_test_5c8d"),
    ], [Documents, Orders, Billing, Users]);

    public static readonly DemoTenant Globex = new("tenant_globex", 110,
    [
        new("cons_globex_web", "globex-web", 6, "key_gx_01"),
        new("cons_globex_app", "globex-mobile", 5, "key_gx_02"),
        new("cons_globex_etl", "globex-warehouse-etl", 2, "key_gx_03"),
        new("cons_hank_tools", "hank-internal-tools", 2, "key_gx_04"),
        new("cons_globex_partner", "globex-partner-api", 3, "key_gx_05"),
        new("cons_globex_billing", "globex-billing-run", 1, "key_gx_06"),
        new("cons_globex_search", "globex-search-indexer", 2, "key_gx_07"),
        new("cons_globex_audit", "globex-compliance", 1, "key_gx_08"),
    ], [Orders, Billing, Users]);

    public static readonly DemoTenant Initech = new("tenant_initech", 45,
    [
        new("cons_tps_reports", "tps-report-generator", 4, "key_it_01"),
        new("cons_initech_hr", "initech-hr", 2, "key_it_02"),
        new("cons_initech_web", "initech-intranet", 5, "key_it_03"),
        new("cons_milton_stapler", "stapler-inventory", 1, "key_it_04"),
        new("cons_initech_payroll", "initech-payroll", 2, "key_it_05"),
        new("cons_initech_backup", "initech-backup-agent", 1, "key_it_06"),
    ], [Documents, Users]);

    public static readonly DemoTenant[] All = [Abc, Globex, Initech];
}
