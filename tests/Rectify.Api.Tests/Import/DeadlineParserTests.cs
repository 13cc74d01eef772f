using Rectify.Api.Features.Documents;
using Rectify.Api.Features.Import;
using Rectify.Workflows.Calendar;

namespace Rectify.Api.Tests.Import;

public sealed class DeadlineParserTests
{
    // Campaign of 2018: notice 2018-05-09 (Wednesday), rectification launched Monday 2018-05-14; 立行立改 = 5 working days.
    private static readonly DeadlineContext Context = new(2018, new DateOnly(2018, 5, 14), new DateOnly(2018, 5, 9), 5, CalendarSnapshot.WeekendsOnly);

    [Theory]
    [InlineData("2018年6月10日前", "2018-06-10")]
    [InlineData("2018年6月10日", "2018-06-10")]
    [InlineData("６月１０日前", "2018-06-10")]
    [InlineData("6月10日前", "2018-06-10")]
    [InlineData("6 月 10 日之前完成", "2018-06-10")]
    [InlineData("2018-06-10", "2018-06-10")]
    [InlineData("2018/6/10", "2018-06-10")]
    [InlineData("2018/6/10 0:00:00", "2018-06-10")]
    [InlineData("2018.6.10", "2018-06-10")]
    [InlineData("43261", "2018-06-10")]
    [InlineData("6月底前", "2018-06-30")]
    [InlineData("2月底前", "2019-02-28")] // before the notice of 9 May 2018: next February (API.md)
    [InlineData("5月9日前", "2018-05-09")]
    [InlineData("5月8日前", "2019-05-08")]
    [InlineData("六月底", "2018-06-30")]
    [InlineData("九月三十日前", "2018-09-30")]
    [InlineData("6月上旬", "2018-06-10")]
    [InlineData("6月中旬前", "2018-06-20")]
    [InlineData("6月下旬", "2018-06-30")]
    [InlineData("2月下旬", "2019-02-28")]
    [InlineData("2018年7月中旬", "2018-07-20")]
    [InlineData("年内", "2018-12-31")]
    [InlineData("年内完成", "2018-12-31")]
    [InlineData("第三季度末", "2018-09-30")]
    [InlineData("三季度", "2018-09-30")]
    [InlineData("第一季度末", "2019-03-31")]
    [InlineData("2019年第1季度", "2019-03-31")]
    [InlineData("6.10前", "2018-06-10")]
    [InlineData("6/10", "2018-06-10")]
    [InlineData("3月内", "2018-08-14")]
    [InlineData("5个工作日内", "2018-05-21")]
    [InlineData("2019年2月底", "2019-02-28")]
    [InlineData("2018年9月", "2018-09-30")]
    [InlineData("年底前", "2018-12-31")]
    [InlineData("2019年底前", "2019-12-31")]
    [InlineData("立行立改", "2018-05-21")]
    [InlineData("通报后两个月内", "2018-07-09")]
    [InlineData("通报后2个月内", "2018-07-09")]
    [InlineData("通报后30日内", "2018-06-08")]
    [InlineData("10个工作日内", "2018-05-28")]
    [InlineData("6月10日前完成方案，9月30日前完成整改", "2018-09-30")]
    [InlineData("立行立改，长期坚持", "2018-05-21")]
    public void Parse_DateForms_GiveTheDate(string text, string expected)
    {
        var (deadline, error) = DeadlineParser.Parse(text, Context);
        error.ShouldBeNull();
        deadline!.Ongoing.ShouldBeFalse();
        deadline.Date.ShouldBe(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("长期坚持")]
    [InlineData("长期")]
    [InlineData("常态化推进")]
    public void Parse_Ongoing_HasNoDate(string text)
    {
        var (deadline, error) = DeadlineParser.Parse(text, Context);
        error.ShouldBeNull();
        deadline.ShouldBe(new ParsedDeadline(null, true));
    }

    [Theory]
    [InlineData("第五季度末", "无法识别的日期“第五季度末”")]
    [InlineData("2月30日前", "日期不存在“2月30日”")]
    [InlineData("6.31前", "日期不存在“6.31”")]
    [InlineData("尽快", "无法识别的日期“尽快”")]
    [InlineData("6月31日前", "日期不存在“6月31日”")]
    [InlineData("2018-13-01", "日期不存在“2018-13-01”")]
    [InlineData("", "整改时限为空，请填写日期或“长期坚持”")]
    public void Parse_Unreadable_ExplainsInChinese(string text, string message)
    {
        var (deadline, error) = DeadlineParser.Parse(text, Context);
        deadline.ShouldBeNull();
        error.ShouldBe(message);
    }

    [Theory]
    [InlineData("每月5日前报送整改进展", "P1M")]
    [InlineData("长期坚持，每月10日前报送", "P1M")]
    [InlineData("每季度末报送", "P3M")]
    [InlineData("每周五报送", "P1W")]
    [InlineData("每半年报送一次", "P6M")]
    public void Parse_ReportCadence_IsOngoingWithThatCadence(string text, string every)
    {
        var (deadline, error) = DeadlineParser.Parse(text, Context);
        error.ShouldBeNull();
        deadline.ShouldBe(new ParsedDeadline(null, true, every));
    }

    [Fact]
    public void Parse_DateAndCadence_KeepsBoth()
    {
        var (deadline, _) = DeadlineParser.Parse("6月10日前完成，此后每月5日前报送进展", Context);
        deadline.ShouldBe(new ParsedDeadline(new DateOnly(2018, 6, 10), false, "P1M"));
    }

    [Fact]
    public void Parse_MonthWithoutYear_WithoutNoticeDate_IsInTheCampaignYear()
    {
        var (deadline, _) = DeadlineParser.Parse("2月底前", Context with { NoticeDate = null });
        deadline!.Date.ShouldBe(new DateOnly(2018, 2, 28));
    }

    [Fact]
    public void Parse_RelativeToNotice_WithoutNoticeDate_IsAnError()
    {
        var (_, error) = DeadlineParser.Parse("通报后两个月内", Context with { NoticeDate = null });
        error.ShouldBe("整改工作未填写通报日期，无法计算“通报后两个月内”");
    }

    [Fact]
    public void Parse_Immediate_SkipsHolidaysAndCountsMakeUpWorkdays()
    {
        // 2018: 5/18 (Fri) a holiday, 5/19 (Sat) a working day (调休): five working days after Mon 5/14 is Sat 5/19... then Mon 5/21.
        var calendar = new CalendarSnapshot([new CalendarDay(new DateOnly(2018, 5, 18), CalendarDayKinds.Holiday, "放假"), new CalendarDay(new DateOnly(2018, 5, 19), CalendarDayKinds.Workday, "调休上班")], 1);
        var (deadline, _) = DeadlineParser.Parse("立行立改", Context with { Calendar = calendar });
        // Working days after 5/14: 15, 16, 17, 19 (调休), 21 → the fifth is Monday 21 May.
        deadline!.Date.ShouldBe(new DateOnly(2018, 5, 21));
        calendar.WorkingDaysBetween(new DateOnly(2018, 5, 14), new DateOnly(2018, 5, 21)).ShouldBe(5);
        calendar.AddWorkingDays(new DateOnly(2018, 5, 14), 4).ShouldBe(new DateOnly(2018, 5, 19));
    }

    [Fact]
    public void ChineseNumber_ReadsSmallNumbers()
    {
        DeadlineParser.ChineseNumber("两").ShouldBe(2);
        DeadlineParser.ChineseNumber("十五").ShouldBe(15);
        DeadlineParser.ChineseNumber("二十").ShouldBe(20);
        DeadlineParser.ChineseNumber("三十一").ShouldBe(31);
        DeadlineParser.ChineseNumber("12").ShouldBe(12);
    }
}
