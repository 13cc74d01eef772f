using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Mail;
using System.Net.Mime;
using System.Text;
using Microsoft.Extensions.Options;
using Rectify.Notifications;
using Rectify.Notifications.Channels;

namespace Rectify.Bench.Notifications;

/// <summary>
/// The peer baseline for e-mail: the channel as it was before MailKit, System.Net.Mail's SmtpClient, kept in the bench
/// only. SmtpClient's async path blocks a thread-pool thread while it waits for the server's reply to ".", and it
/// writes that terminator with Nagle's algorithm on (no API turns it off), so every message waits for the server's
/// delayed ACK (≈ 40 ms on Linux). The product therefore ran it as N connections each on a dedicated thread calling
/// the synchronous Send; this is that code, minus TLS.
/// </summary>
public sealed class SmtpClientChannel(IOptions<SmtpOptions> smtp) : INotificationChannel, IDisposable
{
    private sealed record Job(MailMessage Mail, TaskCompletionSource Done);

    private readonly BlockingCollection<Job> queue = new();
    private readonly Lock gate = new();
    private bool started;

    public string Name => "email";

    public async Task<SendResult> SendAsync(Delivery d, DateTimeOffset now, CancellationToken ct)
    {
        StartLanes();
        using var mail = Build(d, smtp.Value);
        var job = new Job(mail, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        queue.Add(job, ct);
        await job.Done.Task;
        return SendResult.Ok;
    }

    private void StartLanes()
    {
        if (Volatile.Read(ref started)) return;
        lock (gate)
        {
            if (started) return;
            for (var n = 0; n < Math.Max(1, smtp.Value.Connections); n++)
                new Thread(RunLane) { IsBackground = true, Name = $"smtpclient-{n + 1}" }.Start();
            Volatile.Write(ref started, true);
        }
    }

    private void RunLane()
    {
        using var client = new SmtpClient(smtp.Value.Host ?? "localhost", smtp.Value.Port) { DeliveryMethod = SmtpDeliveryMethod.Network, Timeout = 30_000 };
        foreach (var job in queue.GetConsumingEnumerable())
        {
            try
            {
                client.Send(job.Mail);
                job.Done.TrySetResult();
            }
            catch (Exception ex) when (ex is SmtpException or IOException or InvalidOperationException)
            {
                job.Done.TrySetException(ex);
            }
        }
    }

    private static MailMessage Build(Delivery d, SmtpOptions smtp)
    {
        var m = d.Message;
        var mail = new MailMessage
        {
            From = new MailAddress(smtp.From, smtp.FromName, Encoding.UTF8),
            Subject = m.Subject,
            SubjectEncoding = Encoding.UTF8,
            HeadersEncoding = Encoding.UTF8,
            BodyEncoding = Encoding.UTF8,
        };
        mail.To.Add(new MailAddress(d.Recipient!.Email!, d.Recipient.Name, Encoding.UTF8));
        var plain = AlternateView.CreateAlternateViewFromString(m.Text, Encoding.UTF8, MediaTypeNames.Text.Plain);
        plain.TransferEncoding = TransferEncoding.Base64;
        var html = AlternateView.CreateAlternateViewFromString(m.Html, Encoding.UTF8, MediaTypeNames.Text.Html);
        html.TransferEncoding = TransferEncoding.Base64;
        mail.AlternateViews.Add(plain);
        mail.AlternateViews.Add(html);
        mail.Headers.Add("Message-ID", $"<outbox-{d.Row.Id.ToString(CultureInfo.InvariantCulture)}@rectify.example.cn>");
        mail.Headers.Add(EmailChannel.IdempotencyHeader, d.Row.IdempotencyKey);
        return mail;
    }

    public void Dispose() => queue.CompleteAdding();
}
