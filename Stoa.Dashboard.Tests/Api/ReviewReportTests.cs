using ClosedXML.Excel;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Api;

/// <summary>The weekly review as an XLSX for the client's records, scoped like every read.</summary>
public sealed class ReviewReportTests(StoaApp app) : IClassFixture<StoaApp>
{
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_review_xlsx_holds_each_section_and_a_client_gets_its_own()
    {
        var tenant = StoaApp.NewTenant();
        var client = await app.OperatorAsync(tenant);
        await client.IngestAsync(tenant, Wire.Request("a", Monday.AddDays(1), consumer: "cons_mine", status: 500),
            Wire.Request("b", Monday.AddDays(2), consumer: "cons_other"), Wire.Security("s", Monday.AddDays(3), actor: "cons_other"));

        using var book = new XLWorkbook(new MemoryStream(await client.GetByteArrayAsync($"/v1/audit/{tenant}/review/2026-03-04.xlsx")));
        Assert.Equal(["week", "errors by day", "security", "new consumers", "findings"], book.Worksheets.Select(w => w.Name));
        Assert.Equal("2026-03-02T00:00:00.000Z to 2026-03-09T00:00:00.000Z", book.Worksheet("week").Cell(3, 2).GetString()); // any day of the week names its Monday
        Assert.Equal(2, book.Worksheet("new consumers").RangeUsed()!.RowCount() - 1);

        var mine = await app.ClientWithTokenAsync("client", [tenant], ["cons_mine"]);
        using var theirs = new XLWorkbook(new MemoryStream(await mine.GetByteArrayAsync($"/v1/audit/{tenant}/review/2026-03-02.xlsx")));
        Assert.Equal("cons_mine", theirs.Worksheet("new consumers").Cell(2, 1).GetString());
        Assert.Equal(1, theirs.Worksheet("new consumers").RangeUsed()!.RowCount() - 1);
        await (await client.GetAsync($"/v1/audit/{tenant}/review/last-week.xlsx")).ProblemAsync(400);
    }
}
