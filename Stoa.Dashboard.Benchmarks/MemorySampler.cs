namespace Stoa.Dashboard.Benchmarks;

/// <summary>Samples a process's resident memory (VmRSS) every few milliseconds and keeps the peak.</summary>
public sealed class MemorySampler : IDisposable
{
    private readonly int _pid;
    private readonly Thread _thread;
    private volatile bool _stop;

    public long PeakBytes { get; private set; }

    private MemorySampler(int pid)
    {
        _pid = pid;
        PeakBytes = Rss(pid);
        _thread = new Thread(Run) { IsBackground = true, Name = "rss-sampler" };
        _thread.Start();
    }

    public static MemorySampler Start(int pid) => new(pid);

    /// <summary>Resident memory of a process now, from /proc.</summary>
    public static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:"))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }

    private void Run()
    {
        while (!_stop)
        {
            try { PeakBytes = Math.Max(PeakBytes, Rss(_pid)); }
            catch (IOException) { return; }
            Thread.Sleep(5); // a sampling period, not a wait for an event
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }
}
