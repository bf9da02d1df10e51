namespace Stoa.Dashboard.Tests.Support;

/// <summary>The one hand-written fake at the edge: a clock the test sets.</summary>
public sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
