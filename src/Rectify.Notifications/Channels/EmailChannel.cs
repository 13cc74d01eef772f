using System.Globalization;
using System.Text;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;
using Rectify.Workflows.Domain;

namespace Rectify.Notifications.Channels;

/// <summary>
/// E-mail over SMTP (MailKit/MimeKit): UTF-8 subject, headers and body; a plain-text part and an HTML alternative;
/// the supervision letter attached at the supervisionLetter step, its Chinese file name as RFC 2047 encoded-words.
/// The Message-ID is derived from the outbox row, so a redelivery of the same row is recognisable as such.
/// Without Rectify__Smtp__Host the channel is off: rows wait (status unchanged, no attempt counted, last_error says
/// why) and are looked at again every ChannelOffRecheck, so they go out once SMTP is configured.
/// <para>
/// How a send ends: the server's 5xx refusal of the recipient or the message is permanent (dead at once, with the
/// server's words); 4xx, a refused sender, network, TLS and authentication errors are failed attempts, retried with
/// back-off; a message whose reply never came after it was wholly sent while the server stayed connected is dead with
/// "unconfirmed" (never resent by itself: the live server may have it; an operator retries it from the dead letters if
/// the recipient lacks it); one whose connection broke after it was wholly sent (the server or the network went down)
/// is retried like any failed attempt — after a crash delivery is at least once, and the repeat carries the same
/// Message-ID.
/// </para>
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
        MimeMessage mail;
        try
        {
            mail = Build(d, pool.Options, now);
        }
        catch (ParseException ex)
        {
            return SendResult.Permanent($"invalid e-mail address {d.Recipient.Email} / 邮箱地址无效: {ex.Message}");
        }
        using (mail)
        {
            try
            {
                await pool.SendAsync(mail, ct);
                return SendResult.Ok;
            }
            catch (SmtpCommandException ex) when (IsPermanent(ex))
            {
                return SendResult.Permanent($"SMTP {(int)ex.StatusCode} {Words(ex)} / 邮件服务器拒收");
            }
            catch (SmtpCommandException ex)
            {
                return SendResult.Fail($"SMTP {(int)ex.StatusCode} {Words(ex)} / 邮件服务器暂不接收");
            }
            catch (SmtpDeliveryUnconfirmedException ex) when (ex.ConnectionLost)
            {
                return SendResult.Fail($"connection lost after the message was sent: {ex.Message}; retried (a repeat has the same Message-ID) / 邮件发出后连接中断，已安排重发（重复件的 Message-ID 相同）");
            }
            catch (SmtpDeliveryUnconfirmedException ex)
            {
                return SendResult.Permanent($"unconfirmed: {ex.Message}; not resent automatically to avoid a duplicate / 投递结果未知（服务器可能已收到），为免重复未自动重发，如收件人未收到请在死信中重试");
            }
        }
    }

    /// <summary>5xx for the recipient or the message. A refused sender (MAIL FROM) is our configuration, not the
    /// message: retried, so the message goes once the configuration is fixed.</summary>
    public static bool IsPermanent(SmtpCommandException ex) =>
        (int)ex.StatusCode is >= 500 and < 600 && ex.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted;

    private static string Words(SmtpCommandException ex) =>
        ex.ErrorCode == SmtpErrorCode.RecipientNotAccepted && ex.Mailbox is { } box ? $"<{box.Address}>: {ex.Message}" : ex.Message;

    public static MimeMessage Build(Delivery d, SmtpOptions smtp, DateTimeOffset now)
    {
        var m = d.Message;
        var mail = new MimeMessage { Date = now, Subject = SafeText.Strip(m.Subject) };
        mail.From.Add(new MailboxAddress(Encoding.UTF8, smtp.FromName, smtp.From));
        mail.To.Add(new MailboxAddress(Encoding.UTF8, d.Recipient!.Name, d.Recipient.Email!.Trim()));
        var domain = smtp.From.Contains('@') ? smtp.From[(smtp.From.IndexOf('@') + 1)..] : "rectify.local";
        mail.MessageId = $"outbox-{d.Row.Id.ToString(CultureInfo.InvariantCulture)}@{domain}";
        mail.Headers.Add(IdempotencyHeader, d.Row.IdempotencyKey);

        var body = new MultipartAlternative { Text("plain", m.Text), Text("html", m.Html) };
        if (m.Attachments.Count == 0)
        {
            mail.Body = body;
            return mail;
        }
        var mixed = new Multipart("mixed") { body };
        foreach (var a in m.Attachments)
        {
            mixed.Add(new MimePart(ContentType.Parse(a.ContentType))
            {
                Content = new MimeContent(new MemoryStream(a.Content, writable: false)),
                ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
                ContentTransferEncoding = ContentEncoding.Base64,
                FileName = a.FileName,
            });
        }
        mail.Body = mixed;
        return mail;
    }

    private static TextPart Text(string subtype, string text)
    {
        var part = new TextPart(subtype) { ContentTransferEncoding = ContentEncoding.Base64 };
        part.SetText(Encoding.UTF8, text);
        return part;
    }
}
