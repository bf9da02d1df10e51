using Bunit;
using Stoa.Dashboard.Components.Pages;
using Stoa.Dashboard.Model;
using Stoa.Dashboard.Tests.Support;

namespace Stoa.Dashboard.Tests.Components;

/// <summary>Answer the client: the 3am DELETE found from what the client wrote, the sentence to paste, and its honest variants.</summary>
public sealed class AnswerPageTests : StoreTestContext
{
    // Tuesday 2026-03-10, 03:17:42.123 UTC: 04:17:42 in Paris (UTC+1 in March).
    private static readonly DateTimeOffset DeleteAt = new(2026, 3, 10, 3, 17, 42, 123, TimeSpan.Zero);
    private const string AroundThreeParis = "at=2026-03-10T03:00&client_tz=Europe/Paris";

    private async Task SeedAsync(string deleter = "cons_xyz789")
    {
        var before = Make.Request(DeleteAt.AddSeconds(-30), deleter, 200, "GET", "/api/documents/12345");
        var delete = Make.Request(DeleteAt, deleter, 204, "DELETE", "/api/documents/12345");
        delete.RequestId = "req_del_1";
        delete.KeyId = "key_live_9c1b";
        delete.ConsumerName = "my-saas-client";
        var recorded = Make.Business(DeleteAt.AddMilliseconds(38), deleter, "deleted", "document", "12345", "req_del_1",
            """{"title":{"before":"Q1-contracts.pdf","after":null},"status":{"before":"active","after":"deleted"}}""");
        var rotated = Make.Security(DeleteAt.AddHours(-5), "key_rotated", actor: "admin", target: "key_live_9c1b", outcome: "success");
        var elsewhere = Make.Request(DeleteAt.AddMinutes(5), deleter, 204, "DELETE", "/api/documents/99999");
        await StoreAsync("t1", before, delete, recorded, rotated, elsewhere);
    }

    private IRenderedComponent<AnswerPage> Ask(string query, string role = "operator", string[]? consumers = null) =>
        RenderAt<AnswerPage>($"/answer?tenant=t1&{query}", role, consumers);

    [Fact]
    public async Task Document_12345_tuesday_around_3am_paris_time_finds_the_delete_and_writes_the_sentence()
    {
        await SeedAsync();
        var cut = Ask($"q=document%2012345&{AroundThreeParis}&consumer_id=cons_xyz789");

        cut.WaitForAssertion(() => Assert.Equal(
            "At 03:17:42 UTC (04:17:42 Europe/Paris) on Tuesday 10 March, a DELETE request was made with your API key `key_live_9c1b` " +
            "(consumer my-saas-client) for /api/documents/12345, answered 204. The application recorded the deletion of document 12345 " +
            "(title \"Q1-contracts.pdf\"). Here is the audit record.",
            cut.Find("#answer-sentence").TextContent.Trim()), TimeSpan.FromSeconds(10));
        var candidate = Assert.Single(cut.FindAll(".answer-candidate"));
        Assert.Equal("yes", candidate.GetAttribute("data-theirs"));
        Assert.Equal("deleted", cut.Find(".answer-change").GetAttribute("data-action"));
        Assert.Contains("key_rotated", cut.Find("[id^=answer-security]").TextContent); // the key was rotated that night
        Assert.Contains("export/bundle?layer=requests&from=2026-03-10T03:17:42.123Z&to=2026-03-10T03:17:42.124Z",
            Uri.UnescapeDataString(cut.Find(".proof-link").GetAttribute("href")!));
    }

    [Theory]
    [InlineData("q=/api/documents/12345")]
    [InlineData("q=documents/12345")]
    [InlineData("q=12345")]
    [InlineData("request_id=req_del_1")]
    public async Task The_resource_can_be_named_as_a_path_an_id_or_by_request(string what)
    {
        await SeedAsync();
        var cut = Ask($"{what}&{AroundThreeParis}");
        cut.WaitForAssertion(() => Assert.Equal("1", cut.Find("#answer-sentence").GetAttribute("data-found")), TimeSpan.FromSeconds(10));
        Assert.StartsWith("At 03:17:42 UTC", cut.Find("#answer-sentence").TextContent.Trim());
    }

    [Fact]
    public async Task Nothing_in_the_window_says_so_in_the_clients_time()
    {
        await SeedAsync();
        var cut = Ask($"q=document%2012345&at=2026-03-09T03:00&client_tz=Europe/Paris&consumer_id=cons_xyz789");
        cut.WaitForAssertion(() => Assert.Equal(
            "We found no change to document 12345 between Monday 9 March 01:00 (Europe/Paris) and Monday 9 March 05:00 (Europe/Paris) made with your API keys.",
            cut.Find("#answer-sentence").TextContent.Trim()), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_change_by_another_consumer_is_said_without_naming_it()
    {
        await SeedAsync(deleter: "cons_someone_else");
        var cut = Ask($"q=document%2012345&{AroundThreeParis}&consumer_id=cons_xyz789");
        cut.WaitForAssertion(() => Assert.Contains("but not with your API keys", cut.Find("#answer-sentence").TextContent), TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("cons_someone_else", cut.Find("#answer-sentence").TextContent);
        Assert.Equal("no", cut.Find(".answer-candidate").GetAttribute("data-theirs")); // the operator sees whose it was
    }

    [Fact]
    public async Task A_client_finds_only_what_its_own_consumers_did()
    {
        await SeedAsync(deleter: "cons_someone_else");
        var cut = Ask($"q=document%2012345&{AroundThreeParis}", role: "client", consumers: ["cons_xyz789"]);
        cut.WaitForAssertion(() => Assert.StartsWith("We found no change to document 12345", cut.Find("#answer-sentence").TextContent.Trim()),
            TimeSpan.FromSeconds(10));
        Assert.Empty(cut.FindAll(".answer-candidate"));
        Assert.DoesNotContain("cons_someone_else", cut.Markup);
    }

    [Fact]
    public async Task Several_changes_are_listed_in_the_sentence()
    {
        await SeedAsync();
        var again = Make.Request(DeleteAt.AddMinutes(20), "cons_xyz789", 200, "PUT", "/api/documents/12345");
        await StoreAsync("t1", again);
        var cut = Ask($"q=document%2012345&{AroundThreeParis}");
        cut.WaitForAssertion(() => Assert.Equal("2", cut.Find("#answer-sentence").GetAttribute("data-found")), TimeSpan.FromSeconds(10));
        Assert.Contains("We found 2 changes to document 12345", cut.Find("#answer-sentence").TextContent);
        Assert.Contains("DELETE at 03:17:42 UTC (04:17:42 Europe/Paris); PUT at 03:37:42 UTC", cut.Find("#answer-sentence").TextContent);
    }

    [Fact]
    public async Task A_zone_that_does_not_exist_says_what_to_write()
    {
        await SeedAsync();
        var cut = Ask("q=document%2012345&at=2026-03-10T03:00&client_tz=Mars/Olympus");
        cut.WaitForAssertion(() => Assert.Contains("is not a time zone", cut.Find("#answer-problem").TextContent), TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData("/api/documents/12345", "document", "12345")]
    [InlineData("document 12345", "document", "12345")]
    [InlineData("Invoice #INV-2026-001", "invoice", "INV-2026-001")]
    [InlineData("12345", null, "12345")]
    public void Resources_are_read_as_people_write_them(string text, string? type, string id) =>
        Assert.Equal(new ResourceRef(type, id), ResourceRef.Parse(text));
}
