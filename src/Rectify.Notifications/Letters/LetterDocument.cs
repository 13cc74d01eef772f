using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Rectify.Workflows.Domain;

namespace Rectify.Notifications.Letters;

/// <summary>What a 督办函 says.</summary>
public sealed record LetterContent(
    string OfficeName, string LetterNumber, string AddresseeUnit, string CampaignTitle, string? DocumentNumber,
    string? ItemNumber, string ItemTitle, string? Description, string? Measures, DateOnly? Deadline, int OverdueDays,
    int WorkingDaysOverdue, DateOnly ResponseDue, string? LeaderName, DateOnly LetterDate, string Link, string? Note,
    LetterMatter Matter = LetterMatter.Item, string? DeliverableName = null);

/// <summary>What a letter presses for: an item past its deadline, an ongoing item's missed periodic report, a deliverable not submitted.</summary>
public enum LetterMatter { Item, PeriodicReport, Deliverable }

/// <summary>
/// Lays a supervision letter out in the usual 公文 shape: the issuing office in red as the masthead, the letter number
/// under it, a red rule, the title, the addressee, the body (problem, measures, deadline, overdue, response due),
/// and the office's name and date at the end. A4 with the standard 公文 margins; 仿宋 body, 小标宋 title.
/// </summary>
public static class LetterDocument
{
    private const string TitleFont = "方正小标宋简体";
    private const string BodyFont = "仿宋_GB2312";
    private const string HeadingFont = "黑体";

    public static string Title(LetterContent c) => c.Matter switch
    {
        LetterMatter.Deliverable => $"关于督促报送“{c.DeliverableName ?? "整改材料"}”的督办函",
        LetterMatter.PeriodicReport => $"关于督促报送{Item(c)}整改进展的督办函",
        _ => $"关于督促办理{Item(c)}整改问题的督办函",
    };

    /// <summary>The opening paragraph: what is late, since when, by how much.</summary>
    public static string Opening(LetterContent c)
    {
        var source = c.DocumentNumber is { Length: > 0 } dn ? $"《{c.CampaignTitle}》（{dn}）" : $"《{c.CampaignTitle}》";
        var late = c.OverdueDays > 0 ? $"，截至{Zh(c.LetterDate)}已逾期{c.OverdueDays}天（{c.WorkingDaysOverdue}个工作日）" : $"，截至{Zh(c.LetterDate)}";
        return c.Matter switch
        {
            LetterMatter.Deliverable =>
                $"根据{source}要求，你单位应于{(c.Deadline is { } due ? Zh(due) : "规定时限")}前报送的“{c.DeliverableName ?? "整改材料"}”{late}仍未报送。为确保整改工作按期落实，现予督办。",
            LetterMatter.PeriodicReport =>
                $"根据{source}要求，你单位牵头负责的{Item(c)}整改问题（长期坚持）应于{(c.Deadline is { } report ? Zh(report) : "规定时间")}报送的整改进展{late}仍未报送。为确保整改工作持续推进，现予督办。",
            _ =>
                $"根据{source}要求，你单位牵头负责的{Item(c)}整改问题，{(c.Deadline is { } d ? $"整改时限为{Zh(d)}" : "整改时限已届满")}{late}，仍未完成整改销号。为确保整改工作按期落实，现予督办。",
        };
    }

    private static string Item(LetterContent c) =>
        c.ItemNumber is { Length: > 0 } n ? $"第{n}项“{c.ItemTitle}”" : $"“{c.ItemTitle}”";

    private static string Zh(DateOnly d) => $"{d.Year}年{d.Month}月{d.Day}日";

    public static byte[] Build(LetterContent c)
    {
        using var stream = new MemoryStream();
        using (var doc = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = doc.AddMainDocumentPart();
            var body = new Body();
            body.Append(
                Para(c.OfficeName + "督办函", new ParaStyle(TitleFont, 52, JustificationValues.Center) { Color = "FF0000", After = 240 }),
                Para(c.LetterNumber, new ParaStyle(BodyFont, 32, JustificationValues.Center) { RedRule = true }),
                Para("", new ParaStyle(BodyFont, 32, JustificationValues.Left)),
                Para(Title(c), new ParaStyle(TitleFont, 44, JustificationValues.Center) { After = 240 }),
                Para($"{c.AddresseeUnit}：", new ParaStyle(BodyFont, 32, JustificationValues.Left)));

            body.Append(Body(Opening(c)));
            body.Append(Heading("一、存在问题"));
            body.Append(Body(c.Matter == LetterMatter.Deliverable
                ? $"“{c.DeliverableName ?? "整改材料"}”未按期报送。"
                : c.Description is { Length: > 0 } desc ? desc : c.ItemTitle));
            body.Append(Heading("二、整改措施"));
            body.Append(Body(c.Matter == LetterMatter.Deliverable
                ? $"按{c.CampaignTitle}的要求编制并报送“{c.DeliverableName ?? "整改材料"}”。"
                : c.Measures is { Length: > 0 } m ? m : "按整改方案确定的措施落实整改。"));
            body.Append(Heading("三、办理要求"));
            body.Append(Body(c.Matter == LetterMatter.Deliverable
                ? $"请你单位高度重视，主要负责人亲自过问，于{Zh(c.ResponseDue)}前报送“{c.DeliverableName ?? "整改材料"}”，并书面说明逾期原因。逾期仍未报送的，将按程序列入挂牌督办。"
                : $"请你单位高度重视，责任领导{(c.LeaderName is { Length: > 0 } l ? $"（{l}）" : "")}亲自研究部署，" +
                  $"于{Zh(c.ResponseDue)}前将{(c.Matter == LetterMatter.PeriodicReport ? "本期整改进展" : "整改落实情况")}（含整改措施、进展成效、佐证材料及下一步打算）书面报送{c.OfficeName}。" +
                  (c.Matter == LetterMatter.PeriodicReport ? "再次未按期报送的，将按程序列入挂牌督办。" : "逾期仍未完成整改的，将按程序列入挂牌督办。")));
            if (c.Note is { Length: > 0 } note) body.Append(Body(note));
            body.Append(Body($"整改问题详情：{c.Link}"));
            body.Append(Para("", new ParaStyle(BodyFont, 32, JustificationValues.Left)));
            body.Append(Para(c.OfficeName, new ParaStyle(BodyFont, 32, JustificationValues.Right) { RightIndent = 1280 }));
            body.Append(Para(Zh(c.LetterDate), new ParaStyle(BodyFont, 32, JustificationValues.Right) { RightIndent = 1280 }));
            body.Append(new SectionProperties(
                new PageSize { Width = 11906U, Height = 16838U },
                new PageMargin { Top = 2098, Bottom = 1984, Left = 1587U, Right = 1474U, Header = 851U, Footer = 992U, Gutter = 0U }));
            main.Document = new Document(body);
            doc.PackageProperties.Title = SafeText.ForXml(Title(c));
            doc.PackageProperties.Creator = SafeText.ForXml(c.OfficeName);
            main.Document.Save();
        }
        return stream.ToArray();
    }

    private static Paragraph Heading(string text) => Para(text, new ParaStyle(HeadingFont, 32, JustificationValues.Left) { FirstLine = 640 });

    private static Paragraph Body(string text) => Para(text, new ParaStyle(BodyFont, 32, JustificationValues.Both) { FirstLine = 640 });

    /// <summary>How one paragraph of the letter is set: font, size in half-points, alignment and the rest.</summary>
    private sealed record ParaStyle(string Font, int HalfPoints, JustificationValues Justification)
    {
        public bool Bold { get; init; }
        public string? Color { get; init; }
        public int After { get; init; }
        public int FirstLine { get; init; }
        public int RightIndent { get; init; }
        public bool RedRule { get; init; }
    }

    private static Paragraph Para(string text, ParaStyle style)
    {
        var (font, halfPoints, justification) = style;
        var (bold, color, after, firstLine, rightIndent, redRule) = (style.Bold, style.Color, style.After, style.FirstLine, style.RightIndent, style.RedRule);
        var pPr = new ParagraphProperties();
        if (redRule)
            pPr.Append(new ParagraphBorders(new BottomBorder { Val = BorderValues.Single, Size = 18U, Space = 6U, Color = "FF0000" }));
        pPr.Append(new SpacingBetweenLines { After = after.ToString(System.Globalization.CultureInfo.InvariantCulture), Line = "560", LineRule = LineSpacingRuleValues.Exact });
        if (firstLine > 0 || rightIndent > 0)
        {
            var ind = new Indentation();
            if (firstLine > 0) ind.FirstLine = firstLine.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (rightIndent > 0) ind.Right = rightIndent.ToString(System.Globalization.CultureInfo.InvariantCulture);
            pPr.Append(ind);
        }
        pPr.Append(new Justification { Val = justification });
        var rPr = new RunProperties(new RunFonts { Ascii = font, HighAnsi = font, EastAsia = font });
        if (bold) rPr.Append(new Bold());
        if (color is not null) rPr.Append(new Color { Val = color });
        rPr.Append(new FontSize { Val = halfPoints.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        rPr.Append(new FontSizeComplexScript { Val = halfPoints.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var paragraph = new Paragraph(pPr);
        // Stored text may predate the input rule (SafeText): whatever XML cannot hold is dropped here.
        text = SafeText.ForXml(text);
        if (text.Length > 0) paragraph.Append(new Run(rPr, new Text(text) { Space = SpaceProcessingModeValues.Preserve }));
        return paragraph;
    }
}
