namespace Stoa.Dashboard.Tests.Browser;

/// <summary>Every page of the dashboard on the demo data set: a name for its screenshot, its address, and what shows once it has loaded.</summary>
public static class DemoPages
{
    public static TheoryData<string, string, string> All { get; } = new()
    {
        { "triage", "/?tenant=tenant_abc&days=7", "#stat-total" },
        { "timeline", "/timeline?tenant=tenant_abc&hours=24", "#event-stream" },
        { "consumer", "/consumers/cons_scraper01?tenant=tenant_abc&days=7", "#heatmap" },
        { "security", "/security?tenant=tenant_abc&days=7", "#top-auth-failed" },
        { "trend", "/trend?tenant=tenant_abc", "#trend-days" },
        { "changes", "/changes?tenant=tenant_abc&days=7", "#changes" },
        { "playbook-breach", "/playbooks/breach?tenant=tenant_abc&hours=48", "#unusual tr[data-consumer='cons_partner_fin']" },
        { "playbook-cost-spike", "/playbooks/cost-spike?tenant=tenant_abc&days=14", "#runaways tr[data-consumer='cons_reporting']" },
        { "review", "/review?tenant=tenant_abc", "#review-days" },
        { "incidents", "/incidents?tenant=tenant_abc", "#incident-title" },
        { "retention", "/retention?tenant=tenant_abc", "#retention-policy" },
        { "destinations", "/destinations?tenant=tenant_abc", "#destination-add" },
        { "alerts", "/alerts?tenant=tenant_abc&days=7", "#alert-history tr[data-rule-type='brute_force'][data-key='key_live_4f2a']" },
        { "live", "/live?tenant=tenant_abc", "#live-filters" },
        { "export", "/export?tenant=tenant_abc&days=7", "#export-rows" },
        { "access", "/access?tenant=tenant_abc", "#access-consumers" },
        { "answer", "/answer?tenant=tenant_abc&q=document%2012345&at=2026-03-10T03:00&client_tz=Europe/Paris", "#answer-sentence" },
        { "event", "/events/1?tenant=tenant_abc", "#event-around" },
    };
}
