using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Stoa.Dashboard.Tests.Support;

/// <summary>
/// Debian's rsyslog, run in the foreground on 127.0.0.1 and a free port, receiving syslog over TLS
/// (imtcp with the gtls driver) with a certificate from a CA made for the test by openssl, and
/// writing each message as it arrived (<c>%rawmsg%</c>) a line to a file. The forwarding benchmark
/// compiles this file too, so it speaks exceptions rather than xunit's asserts.
/// </summary>
public sealed class RsyslogReceiver : IAsyncDisposable
{
    private readonly string _folder;
    private readonly Process _process;

    public int Port { get; }
    public string Target => $"localhost:{Port}";
    /// <summary>The PEM of the CA that signed the receiver's certificate (the destination's <c>ca_file</c>).</summary>
    public string CaFile => Path.Combine(_folder, "ca.pem");
    private string Output => Path.Combine(_folder, "out.log");

    private RsyslogReceiver(string folder, Process process, int port) => (_folder, _process, Port) = (folder, process, port);

    public static async Task<RsyslogReceiver> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("stoa-rsyslog-").FullName;
        async Task Openssl(params string[] args)
        {
            var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in args) start.ArgumentList.Add(arg);
            using var openssl = Process.Start(start)!;
            var output = openssl.StandardOutput.ReadToEndAsync();
            var error = openssl.StandardError.ReadToEndAsync();
            await openssl.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            if (openssl.ExitCode != 0) throw new InvalidOperationException($"openssl {args[0]} failed: {await output}{await error}");
        }
        string In(string name) => Path.Combine(folder, name);
        await Openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", In("ca.key"), "-out", In("ca.pem"),
            "-days", "2", "-subj", "/CN=Stoa test CA");
        await Openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", In("server.key"), "-out", In("server.csr"),
            "-subj", "/CN=localhost");
        await File.WriteAllTextAsync(In("ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        await Openssl("x509", "-req", "-in", In("server.csr"), "-CA", In("ca.pem"), "-CAkey", In("ca.key"), "-CAcreateserial", "-out", In("server.pem"),
            "-days", "2", "-extfile", In("ext.cnf"));

        var port = FreePort();
        await File.WriteAllTextAsync(In("rsyslog.conf"), $"""
            global(workDirectory="{folder}" DefaultNetstreamDriver="gtls" DefaultNetstreamDriverCAFile="{In("ca.pem")}"
                   DefaultNetstreamDriverCertFile="{In("server.pem")}" DefaultNetstreamDriverKeyFile="{In("server.key")}")
            module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")
            input(type="imtcp" port="{port}" address="127.0.0.1")
            template(name="raw" type="string" string="%rawmsg%\n")
            action(type="omfile" file="{In("out.log")}" template="raw")
            """);
        // In a session of its own, with no terminal: rsyslogd touches the controlling terminal, which stops a background job.
        var start = new ProcessStartInfo("setsid") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "rsyslogd", "-n", "-f", In("rsyslog.conf"), "-i", In("rsyslogd.pid") }) start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        var receiver = new RsyslogReceiver(folder, process, port);
        for (var tries = 0; !await receiver.ListeningAsync(); tries++) // polling the port for a state, not timing
        {
            if (process.HasExited) throw new InvalidOperationException($"rsyslogd exited: {await process.StandardError.ReadToEndAsync()}");
            if (tries >= 500) throw new TimeoutException("rsyslogd did not listen within 10 s");
            await Task.Delay(20);
        }
        return receiver;
    }

    private async Task<bool> ListeningAsync()
    {
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async Task<string[]> LinesAsync() =>
        File.Exists(Output) ? (await File.ReadAllLinesAsync(Output)).Where(l => l.Length > 0).ToArray() : [];

    /// <summary>
    /// Waits until the file holds <paramref name="count"/> lines (rsyslog writes as it receives); with <paramref name="key"/>,
    /// <paramref name="count"/> distinct keys, so that a line delivered twice (after a kill) counts once.
    /// </summary>
    public async Task<string[]> WaitForLinesAsync(int count, TimeSpan timeout, Func<string, string>? key = null)
    {
        var clock = Stopwatch.StartNew();
        while (true) // polling the file for a state, not timing
        {
            var lines = await LinesAsync();
            var written = key is null ? lines.Length : lines.Select(key).Distinct().Count();
            if (written >= count) return lines;
            if (clock.Elapsed > timeout) throw new TimeoutException($"rsyslog wrote {written} of {count} {(key is null ? "lines" : "distinct lines")}");
            await Task.Delay(20);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
