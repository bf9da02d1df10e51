using Stoa.Dashboard.Retention;

namespace Stoa.Dashboard.Tests.Retention;

public sealed class ArchiveFormatTests
{
    private static readonly long Day = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Theory]
    [InlineData("tenant_abc", "tenant_abc/requests/2026-01/2026-01-05.1.ndjson.gz")]
    [InlineData("..", "%2E%2E/requests/2026-01/2026-01-05.1.ndjson.gz")]
    [InlineData(".", "%2E/requests/2026-01/2026-01-05.1.ndjson.gz")]
    [InlineData(".a.b", "%2Ea.b/requests/2026-01/2026-01-05.1.ndjson.gz")]
    public void A_tenant_id_is_always_one_folder_of_its_own_inside_the_archive(string tenant, string expected)
    {
        var path = ArchiveFormat.RelativePath(tenant, "requests", Day, 1);
        Assert.Equal(expected, path);
        var root = Path.GetFullPath("/archive");
        Assert.StartsWith(root + "/", Path.GetFullPath(Path.Combine(root, path)));
    }
}
