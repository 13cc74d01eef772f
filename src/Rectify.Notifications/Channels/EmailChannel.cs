using System.Globalization;
using System.Net.Mail;
using System.Net.Mime;
using System.Text;
using Microsoft.Extensions.Options;

namespace Rectify.Notifications.Channels;

/// <summary>
/// E-mail over SMTP (System.Net.Mail): UTF-8 subject, headers and body; a plain-text part and an HTML alternative;
/// the supervision letter attached at the supervisionLetter step. Without Rectify__Smtp__Host the channel is off:
/// rows wait (status unchanged, no attempt counted, last_error says why) and are looked at again every
/// ChannelOffRecheck, so they go out once SMTP is configured.
/// </summary>
public sealed class EmailChannel(SmtpPool pool, IOptions<NotificationOptions> options) : INotificationChannel
{
    public const string IdempotencyHeader = "X-Rectify-Idempotency-Key";

    public string Name => "email";

    public async Task<SendResult> SendAsync(Delivery d, DateTimeOffset now, CancellationToken ct)
    {
        if (!pool.Enabled)
            return SendResult.Defer(now + options.Value.ChannelOffRecheck, "e-mail channel off: Rectify__Smtp__Host not set / 邮件通道未配置");
        if (string.IsNullOrWhiteSpace(d.Recipient?.Email)) return SendResult.Permanent("no e-mail address / 未登记邮箱");
        using var mail = Build(d, pool.Options);
        await pool.SendAsync(mail, ct);
        return SendResult.Ok;
    }

    public static MailMessage Build(Delivery d, SmtpOptions smtp)
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
        foreach (var a in m.Attachments)
        {
            var attachment = new System.Net.Mail.Attachment(new MemoryStream(a.Content), a.FileName, a.ContentType) { NameEncoding = Encoding.UTF8 };
            attachment.ContentDisposition!.FileName = a.FileName;
            mail.Attachments.Add(attachment);
        }
        var domain = smtp.From.Contains('@') ? smtp.From[(smtp.From.IndexOf('@') + 1)..] : "rectify.local";
        mail.Headers.Add("Message-ID", $"<outbox-{d.Row.Id.ToString(CultureInfo.InvariantCulture)}@{domain}>");
        mail.Headers.Add(IdempotencyHeader, d.Row.IdempotencyKey);
        return mail;
    }
}
