using Bunit;
using Stoa.Dashboard.Components.Controls;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Components;

/// <summary>Security details as key/value chips, readable at a glance, the whole JSON on hover.</summary>
public sealed class SecurityTableTests : StoreTestContext
{
    [Fact]
    public void Details_are_chips_with_text_as_written_and_the_json_on_hover()
    {
        var limited = Make.Security(StoaApp.Epoch, "rate_limit_exceeded");
        limited.Details = """{"limit":600,"window":"1m","rule":"a & b <c>","scope":{"api":"orders"}}""";
        var odd = Make.Security(StoaApp.Epoch, "admin_action");
        odd.Details = """["not","an","object"]""";

        var cut = Render<SecurityTable>(ps => ps.Add(p => p.Events, [limited, odd]).Add(p => p.View, ContextFor("/security?tenant=t1").View));

        var chips = cut.FindAll("tr")[1].QuerySelectorAll(".detail-chip").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal(["limit: 600", "window: 1m", "rule: a & b <c>", """scope: {"api":"orders"}"""], chips);
        Assert.Equal(limited.Details, cut.FindAll("tr")[1].QuerySelector("td.details")!.GetAttribute("title"));
        Assert.Equal("""["not","an","object"]""", cut.FindAll("tr")[2].QuerySelector(".detail-chip")!.TextContent.Trim());
    }
}
