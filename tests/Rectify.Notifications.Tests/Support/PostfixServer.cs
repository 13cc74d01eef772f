using System.Diagnostics;
using System.Net.Sockets;
using MimeKit;

namespace Rectify.Notifications.Tests.Support;

/// <summary>
/// A throwaway instance of Debian's real Postfix (installed by rectify.sh): its own configuration, queue and mailboxes
/// in a temporary directory, one smtpd on a free loopback port, delivering only to local virtual mailboxes of the
/// domain <see cref="Domain"/> (everything else bounces: nothing can leave the machine). Optional STARTTLS with a test
/// certificate. Started and stopped by the test; the system's own Postfix, if any, is not touched.
/// </summary>
public sealed class PostfixServer : IAsyncDisposable
{
    public const string Domain = "rectify.test";

    private readonly string etc;

    public int Port { get; }
    public string Directory { get; }

    private PostfixServer(string directory, int port)
    {
        Directory = directory;
        Port = port;
        etc = Path.Combine(directory, "etc");
    }

    public static async Task<PostfixServer> StartAsync(IEnumerable<string> mailboxes, (string CertFile, string KeyFile)? tls = null)
    {
        if (!File.Exists("/usr/sbin/postfix"))
            throw new InvalidOperationException("Postfix is not installed (Debian package postfix; ./rectify.sh test installs it)");
        var dir = System.IO.Directory.CreateTempSubdirectory("rectify-postfix-").FullName;
        await RunAsync("chmod", "755", dir);
        var server = new PostfixServer(dir, SmtpSink.FreePort());
        foreach (var sub in new[] { "etc", "queue", "data", "mail" }) System.IO.Directory.CreateDirectory(Path.Combine(dir, sub));
        await RunAsync("chown", "postfix:postfix", Path.Combine(dir, "data"), Path.Combine(dir, "mail"));
        var uid = (await RunAsync("id", "-u", "postfix")).Trim();
        var gid = (await RunAsync("id", "-g", "postfix")).Trim();
        var main = $"""
            compatibility_level = 3.6
            queue_directory = {dir}/queue
            data_directory = {dir}/data
            command_directory = /usr/sbin
            daemon_directory = /usr/lib/postfix/sbin
            meta_directory = /etc/postfix
            shlib_directory = /usr/lib/postfix
            mail_owner = postfix
            setgid_group = postdrop
            myhostname = mail.{Domain}
            mydomain = {Domain}
            myorigin = $myhostname
            mydestination =
            inet_interfaces = 127.0.0.1
            inet_protocols = ipv4
            mynetworks = 127.0.0.0/8
            relayhost =
            default_transport = error:this test server delivers locally only
            relay_transport = error:this test server delivers locally only
            virtual_mailbox_domains = {Domain}
            virtual_mailbox_base = {dir}/mail
            virtual_mailbox_maps = texthash:{dir}/etc/mailboxes
            virtual_uid_maps = static:{uid}
            virtual_gid_maps = static:{gid}
            virtual_minimum_uid = 1
            smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
            maillog_file = {dir}/maillog
            maillog_file_prefixes = {dir}
            alias_maps =
            alias_database =
            biff = no

            """;
        if (tls is { } t)
            main += $"smtpd_tls_security_level = may\nsmtpd_tls_cert_file = {t.CertFile}\nsmtpd_tls_key_file = {t.KeyFile}\nsmtpd_tls_received_header = yes\n";
        await File.WriteAllTextAsync(Path.Combine(server.etc, "main.cf"), main);
        await File.WriteAllLinesAsync(Path.Combine(server.etc, "mailboxes"), mailboxes.Select(m => $"{m}@{Domain} {m}"));
        // Only the services local delivery needs, none chrooted (the queue directory holds no chroot environment).
        await File.WriteAllTextAsync(Path.Combine(server.etc, "master.cf"), $"""
            127.0.0.1:{server.Port} inet n - n - - smtpd
            pickup unix n - n 60 1 pickup
            cleanup unix n - n - 0 cleanup
            qmgr unix n - n 300 1 qmgr
            tlsmgr unix - - n 1000? 1 tlsmgr
            rewrite unix - - n - - trivial-rewrite
            bounce unix - - n - 0 bounce
            defer unix - - n - 0 bounce
            trace unix - - n - 0 bounce
            verify unix - - n - 1 verify
            flush unix n - n 1000? 0 flush
            proxymap unix - - n - - proxymap
            proxywrite unix - - n - 1 proxymap
            showq unix n - n - - showq
            error unix - - n - - error
            retry unix - - n - - error
            discard unix - - n - - discard
            virtual unix - n n - - virtual
            anvil unix - - n - 1 anvil
            scache unix - - n - 1 scache
            postlog unix-dgram n - n - 1 postlogd

            """);
        // postfix(1) reports its own errors on a terminal only; its exit code and the log file say the rest.
        var (code, output) = await TryRunAsync("/usr/sbin/postfix", "-c", server.etc, "start");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await server.ListeningAsync())
        {
            if (DateTime.UtcNow > deadline || code != 0)
            {
                var log = File.Exists(Path.Combine(dir, "maillog")) ? await File.ReadAllTextAsync(Path.Combine(dir, "maillog")) : "";
                await server.DisposeAsync();
                throw new InvalidOperationException($"Postfix did not start (exit {code}): {output} {log}");
            }
            await Task.Delay(100);
        }
        return server;
    }

    private async Task<bool> ListeningAsync()
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The messages in one local mailbox (an mbox file), parsed by MimeKit, once at least <paramref name="count"/> are there.</summary>
    public async Task<IReadOnlyList<MimeMessage>> WaitForMailboxAsync(string mailbox, int count = 1, TimeSpan? timeout = null)
    {
        var file = Path.Combine(Directory, "mail", mailbox);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (File.Exists(file))
            {
                var messages = new List<MimeMessage>();
                await using (var stream = File.OpenRead(file))
                {
                    var parser = new MimeParser(stream, MimeFormat.Mbox);
                    while (!parser.IsEndOfStream) messages.Add(await parser.ParseMessageAsync());
                }
                if (messages.Count >= count) return messages;
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"no {count} message(s) in Postfix mailbox {mailbox}; log: {Log()}");
            await Task.Delay(100);
        }
    }

    public string Log()
    {
        var file = Path.Combine(Directory, "maillog");
        return File.Exists(file) ? File.ReadAllText(file) : "";
    }

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        var (code, output) = await TryRunAsync(file, args);
        if (code != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({code}): {output}");
        return output;
    }

    private static async Task<(int Code, string Output)> TryRunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        var pidFile = Path.Combine(Directory, "queue", "pid", "master.pid");
        // Read through cat: the master holds a lock on its pid file that .NET's own file sharing check refuses.
        if (File.Exists(pidFile) && int.TryParse((await TryRunAsync("cat", pidFile)).Output.Trim(), out var pid))
        {
            await TryRunAsync("/usr/sbin/postfix", "-c", etc, "stop");
            try
            {
                using var master = Process.GetProcessById(pid);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                try
                {
                    await master.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    await TryRunAsync("/usr/sbin/postfix", "-c", etc, "abort");
                }
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { /* a leftover temp directory is harmless */ }
    }
}
