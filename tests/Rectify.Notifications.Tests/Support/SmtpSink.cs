using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Rectify.Notifications.Tests.Support;

/// <summary>A message as the SMTP server decoded it (Python's email package), written by smtp_sink.py.</summary>
public sealed record ReceivedMail(
    string MailFrom, string[] RcptTos, string From, string To, string Subject, string MessageId, string IdempotencyKey,
    string ContentType, string? Text, string? Html, ReceivedAttachment[] Attachments, string? Peer,
    bool Tls = false, string? AuthUser = null, string? AuthMechanism = null);

public sealed record ReceivedAttachment(string? Filename, string ContentType, string Base64)
{
    public byte[] Bytes => Convert.FromBase64String(Base64);
}

/// <summary>
/// A real SMTP server (aiosmtpd via Debian's /usr/bin/python3) on a loopback port, writing each message to a
/// directory. Can be stopped and started again on the same port (the "SMTP down then up" tests).
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };
    private Process? process;

    public int Port { get; }
    public string Directory { get; }

    /// <summary>"user:password" the server demands (AUTH PLAIN/LOGIN), or null for none.</summary>
    public string? Credentials { get; init; }

    /// <summary>PEM certificate and key: the server offers STARTTLS and requires it before MAIL and AUTH.</summary>
    public (string Certificate, string Key)? Tls { get; init; }

    /// <summary>More smtp_sink.py options: --implicit-tls, --reject, --reject-data, --reply-delay, --hang-after-data.</summary>
    public IReadOnlyList<string> Options { get; init; } = [];

    private SmtpSink(int port, string directory)
    {
        Port = port;
        Directory = directory;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A sink on a free port; started unless <paramref name="start"/> is false (then it is "down").</summary>
    public static async Task<SmtpSink> CreateAsync(bool start = true, string? credentials = null, (string Certificate, string Key)? tls = null,
        params string[] options)
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("rectify-smtp-").FullName;
        var sink = new SmtpSink(FreePort(), dir) { Credentials = credentials, Tls = tls, Options = options };
        if (start) await sink.StartAsync();
        return sink;
    }

    public async Task StartAsync()
    {
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var script = Path.Combine(AppContext.BaseDirectory, "smtp_sink.py");
        var info = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { script, "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dir", Directory })
            info.ArgumentList.Add(arg);
        if (Credentials is not null)
        {
            info.ArgumentList.Add("--auth");
            info.ArgumentList.Add(Credentials);
        }
        if (Tls is { } tls)
        {
            foreach (var arg in new[] { "--tls-cert", tls.Certificate, "--tls-key", tls.Key }) info.ArgumentList.Add(arg);
        }
        foreach (var option in Options) info.ArgumentList.Add(option);
        process = Process.Start(info) ?? throw new InvalidOperationException("could not start the SMTP sink");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line != "READY")
            throw new InvalidOperationException($"SMTP sink did not start: {line} {await process.StandardError.ReadToEndAsync(timeout.Token)}");
    }

    public async Task StopAsync()
    {
        if (process is null) return;
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
        process = null;
    }

    public IReadOnlyList<ReceivedMail> Messages() =>
        System.IO.Directory.GetFiles(Directory, "*.json")
            .Select(f => JsonSerializer.Deserialize<ReceivedMail>(File.ReadAllText(f), Json)!)
            .ToList();

    /// <summary>Waits until at least <paramref name="count"/> messages have arrived (or fails after the timeout).</summary>
    public async Task<IReadOnlyList<ReceivedMail>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var messages = Messages();
            if (messages.Count >= count) return messages;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"expected {count} e-mails, got {messages.Count}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { /* a leftover temp directory is harmless */ }
    }
}
