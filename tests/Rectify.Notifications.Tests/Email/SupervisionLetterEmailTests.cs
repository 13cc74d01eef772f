using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Rectify.Notifications.Tests.Support;

namespace Rectify.Notifications.Tests.Email;

/// <summary>At the supervisionLetter step the e-mail carries the 督办函 as a .docx that opens cleanly and says what it must.</summary>
public sealed class SupervisionLetterEmailTests(MailFixture f) : IClassFixture<MailFixture>
{
    private static readonly DateTimeOffset Now = NotifyHost.MondayMorning;

    [Fact]
    public async Task SupervisionLetterStep_EmailCarriesValidLetter_WithNumberDeadlineOverdueAndResponseDate()
    {
        // Deadline Friday 13 November; the letter is opened Monday 23 November: 10 days, 6 working days overdue.
        var w = await f.Seed.WorldAsync("l", deadline: new DateOnly(2026, 11, 13));
        var escalation = await f.Seed.EscalationAsync(w.CampaignId, w.ItemId, "supervisionLetter", w.Office, Now);
        var key = $"item:{w.ItemId}:escalation:supervisionLetter:c1";
        await f.Seed.EnqueueAsync(Now, Seed.Request(key, "escalation", "supervisionLetter", w, w.LeaderId, Now, escalation: escalation));
        await f.Seed.WaitForAsync(key, r => r.Status == "sent", expected: 2);
        var mail = (await f.Smtp.WaitForAsync(1)).Single(m => m.IdempotencyKey.StartsWith(key, StringComparison.Ordinal));

        mail.ContentType.ShouldBe("multipart/mixed");
        mail.Subject.ShouldBe("【督办】县委督查室〔2026〕1号：关于第3项“部分贫困户“两不愁三保障”底数不清”的督办函");
        mail.Text!.ShouldContain("书面报告时限：2026年11月30日");
        mail.Text!.ShouldContain("已逾期10天，其中6个工作日");
        var attachment = mail.Attachments.ShouldHaveSingleItem();
        attachment.Filename.ShouldBe("督办函县委督查室〔2026〕1号.docx");
        attachment.ContentType.ShouldBe("application/vnd.openxmlformats-officedocument.wordprocessingml.document");

        var text = LetterText(attachment.Bytes, out var errors);
        errors.ShouldBeEmpty();
        text.ShouldContain("县委督查室督办函");
        text.ShouldContain("县委督查室〔2026〕1号");
        text.ShouldContain("县扶贫办：");
        text.ShouldContain($"《{Seed.CampaignTitle}》（{Seed.DocumentNumber}）");
        text.ShouldContain("整改时限为2026年11月13日");
        text.ShouldContain("已逾期10天（6个工作日）");
        text.ShouldContain("入户核查发现部分贫困户住房、饮水安全情况底数不清");
        text.ShouldContain("组织乡镇逐户核查");
        text.ShouldContain("于2026年11月30日前将整改落实情况");
        text.ShouldContain("王建国");
        text.ShouldEndWith("县委督查室|2026年11月23日");

        // The number is kept on the escalation and the letter is generated once for both recipients' channels.
        var second = await f.Seed.WorldAsync("l2", deadline: new DateOnly(2026, 11, 13));
        var escalation2 = await f.Seed.EscalationAsync(second.CampaignId, second.ItemId, "supervisionLetter", "dcsl", Now);
        var key2 = $"item:{second.ItemId}:escalation:supervisionLetter:c1";
        await f.Seed.EnqueueAsync(Now, Seed.Request(key2, "escalation", "supervisionLetter", second, second.LeaderId, Now, escalation: escalation2));
        await f.Seed.WaitForAsync(key2, r => r.Status == "sent", expected: 2);
        var mail2 = (await f.Smtp.WaitForAsync(2)).Single(m => m.IdempotencyKey.StartsWith(key2, StringComparison.Ordinal));
        mail2.Subject.ShouldStartWith("【督办】县委督查室〔2026〕2号");
    }

    /// <summary>The letter's paragraphs joined with '|' after validating the package with the OpenXml validator.</summary>
    internal static string LetterText(byte[] docx, out IReadOnlyList<string> errors)
    {
        using var stream = new MemoryStream(docx);
        using var doc = WordprocessingDocument.Open(stream, false);
        errors = new OpenXmlValidator().Validate(doc).Select(e => $"{e.Path?.XPath}: {e.Description}").ToList();
        return string.Join("|", doc.MainDocumentPart!.Document.Body!
            .Elements<DocumentFormat.OpenXml.Wordprocessing.Paragraph>().Select(p => p.InnerText).Where(t => t.Length > 0));
    }
}
