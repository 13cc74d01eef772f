using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Rectify.Api.Features.Documents;
using Rectify.Workflows.Calendar;

namespace Rectify.Api.Features.Import;

/// <summary>
/// What a deadline cell says: a date (by the end of that day) or ongoing (长期坚持, no end date), and a report cadence
/// when the cell asks for one ("每月5日前报送" → P1M).
/// </summary>
public sealed record ParsedDeadline(DateOnly? Date, bool Ongoing, string? ReportEvery = null);

/// <summary>
/// The facts a deadline text is read against. <paramref name="Year"/> completes "6月10日前"; <paramref name="Launch"/>
/// is the day "立行立改" and "N个工作日内" count from; <paramref name="NoticeDate"/> anchors "通报后两个月内".
/// </summary>
public sealed record DeadlineContext(int Year, DateOnly Launch, DateOnly? NoticeDate, int ImmediateWorkingDays, CalendarSnapshot Calendar)
{
    /// <summary>
    /// The campaign's basis for <see cref="Rectify.Workflows.Domain.Reach"/> (notice date, else creation day): every date
    /// read must lie within its reach, as at the API (issue 19). Null only where no campaign is involved (parser tests).
    /// </summary>
    public DateOnly? ReachBasis { get; init; }

    /// <summary>A month without a year is the next such date on or after this day (API.md): the notice date, else 1 January of <see cref="Year"/>.</summary>
    public DateOnly Anchor => NoticeDate ?? new DateOnly(Year, 1, 1);

    /// <summary>The n-th working day after <paramref name="from"/>; n = 0 is the day itself.</summary>
    public DateOnly AddWorkingDays(DateOnly from, int n) => n > 0 ? Calendar.AddWorkingDays(from, n) : from;
}

/// <summary>
/// Reads the deadline texts offices write in a problem list (整改时限). Every concrete form found in the text is
/// turned into a date and the latest one wins ("6月10日前完成方案，9月30日前完成整改" is due 30 September).
/// A concrete form also wins over 长期坚持 in the same cell ("立行立改，长期坚持"): the date is what can be checked.
/// </summary>
public static partial class DeadlineParser
{
    /// <summary>The date or ongoing flag, or a Chinese reason why the text is not a deadline.</summary>
    public static (ParsedDeadline? Deadline, string? Error) Parse(string? raw, DeadlineContext context)
    {
        var text = Normalise(raw);
        if (text.Length == 0) return (null, "整改时限为空，请填写日期或“长期坚持”");
        if (SerialDate().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var serial) && serial is > 20000 and < 80000)
            return (new ParsedDeadline(DateOnly.FromDateTime(DateTime.FromOADate(serial)), false), null);

        var dates = new List<DateOnly>();
        string? invalid = null;
        void Add(int year, int month, int day, string what)
        {
            if (month is >= 1 and <= 12 && day >= 1 && year is >= 1 and <= 9999 && day <= DateTime.DaysInMonth(year, month))
                dates.Add(new DateOnly(year, month, day));
            else invalid ??= what;
        }
        void AddMonthEnd(int year, int month, string what)
        {
            if (month is >= 1 and <= 12 && year is >= 1 and <= 9999) dates.Add(new DateOnly(year, month, DateTime.DaysInMonth(year, month)));
            else invalid ??= what;
        }
        // "6月10日", "9月底" without a year: the next such day on or after the anchor (a list of May asking for 3月底 means next March).
        void AddNext(int month, int day, string what)
        {
            var year = context.Anchor.Year;
            if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(2000, month)) { invalid ??= what; return; }
            if (month == 2 && day == 29)
            {
                while (!DateTime.IsLeapYear(year) || new DateOnly(year, 2, 29) < context.Anchor) year++;
                dates.Add(new DateOnly(year, 2, 29));
                return;
            }
            var date = new DateOnly(year, month, Math.Min(day, DateTime.DaysInMonth(year, month)));
            dates.Add(date < context.Anchor ? new DateOnly(year + 1, month, Math.Min(day, DateTime.DaysInMonth(year + 1, month))) : date);
        }
        void AddNextMonthEnd(int month, string what)
        {
            if (month is < 1 or > 12) { invalid ??= what; return; }
            var year = context.Anchor.Year;
            var date = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
            dates.Add(date < context.Anchor ? new DateOnly(year + 1, month, DateTime.DaysInMonth(year + 1, month)) : date);
        }
        static int TenDays(string part) => part switch { "上旬" => 10, "中旬" => 20, _ => 31 };

        // Forms with a year first, then blank them out so "2018年6月10日" is not read again as "6月10日".
        text = FullDate().Replace(text, m => { Add(Int(m, 1), Int(m, 2), Int(m, 3), m.Value); return "#"; });
        text = YearMonthEnd().Replace(text, m => { AddMonthEnd(Int(m, 1), Int(m, 2), m.Value); return "#"; });
        text = YearEndWithYear().Replace(text, m => { Add(Int(m, 1), 12, 31, m.Value); return "#"; });
        text = YearMonthTenDays().Replace(text, m =>
        {
            var (year, month) = (Int(m, 1), Int(m, 2));
            if (month is >= 1 and <= 12 && year is >= 1 and <= 9999) dates.Add(new DateOnly(year, month, Math.Min(TenDays(m.Groups[3].Value), DateTime.DaysInMonth(year, month))));
            else invalid ??= m.Value;
            return "#";
        });
        text = YearQuarter().Replace(text, m => { AddMonthEnd(Int(m, 1), ChineseNumber(m.Groups[2].Value)!.Value * 3, m.Value); return "#"; });
        text = YearMonth().Replace(text, m => { AddMonthEnd(Int(m, 1), Int(m, 2), m.Value); return "#"; });
        text = MonthDay().Replace(text, m => { AddNext(Int(m, 1), Int(m, 2), m.Value); return "#"; });
        text = MonthTenDays().Replace(text, m => { var month = Int(m, 1); AddNext(month, Math.Min(TenDays(m.Groups[2].Value), month is >= 1 and <= 12 ? DateTime.DaysInMonth(2001, month) : 31), m.Value); return "#"; });
        text = MonthEnd().Replace(text, m => { AddNextMonthEnd(Int(m, 1), m.Value); return "#"; });
        text = Quarter().Replace(text, m => { AddNextMonthEnd(ChineseNumber(m.Groups[1].Value)!.Value * 3, m.Value); return "#"; });
        text = ShortMonthDay().Replace(text, m => { AddNext(Int(m, 1), Int(m, 2), m.Value); return "#"; });
        string? every = null;
        text = Cadence().Replace(text, m =>
        {
            every ??= m.Groups[1].Value switch { "月" => "P1M", "季度" or "季" => "P3M", "周" or "星期" => "P1W", "两周" => "P2W", "半月" => "P15D", "半年" => "P6M", _ => "P1Y" };
            return "#";
        });

        string? relativeError = null;
        text = Relative().Replace(text, m =>
        {
            var afterNotice = m.Groups["notice"].Success;
            var n = ChineseNumber(m.Groups["n"].Value);
            if (n is null or <= 0 or > 3650) { relativeError ??= $"无法识别的期限“{m.Value}”"; return "#"; }
            DateOnly from;
            if (afterNotice)
            {
                if (context.NoticeDate is not { } notice) { relativeError ??= $"整改工作未填写通报日期，无法计算“{m.Value}”"; return "#"; }
                from = notice;
            }
            else from = context.Launch;
            dates.Add(m.Groups["unit"].Value switch
            {
                "年" => from.AddYears(n.Value),
                "月" => from.AddMonths(n.Value),
                "周" or "星期" => from.AddDays(7 * n.Value),
                "工作日" => context.AddWorkingDays(from, n.Value),
                _ => from.AddDays(n.Value),
            });
            return "#";
        });
        // After the relative forms, so "1年内" is a year from launch, not the year's end.
        text = YearEnd().Replace(text, _ => { dates.Add(new DateOnly(context.Year, 12, 31)); return "#"; });
        if (Immediate().IsMatch(text)) dates.Add(context.AddWorkingDays(context.Launch, context.ImmediateWorkingDays));

        if (invalid is not null) return (null, $"日期不存在“{invalid}”");
        if (relativeError is not null) return (null, relativeError);
        if (dates.Count > 0) return (new ParsedDeadline(dates.Max(), false, every), null);
        if (Ongoing().IsMatch(text) || every is not null) return (new ParsedDeadline(null, true, every), null);
        return (null, $"无法识别的日期“{raw!.Trim()}”");
    }

    /// <summary>Full-width digits and punctuation to ASCII, whitespace removed.</summary>
    internal static string Normalise(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return "";
        var nfkc = HeaderMatcher.Halfwidth(raw);
        var sb = new StringBuilder(nfkc.Length);
        foreach (var c in nfkc) if (!char.IsWhiteSpace(c)) sb.Append(c);
        // 六月底, 九月三十日: Chinese numerals of months and days as digits (counts like 两个月 are read by the relative forms).
        return ChineseDate().Replace(sb.ToString(), m => ChineseNumber(m.Groups[1].Value) is { } n ? n.ToString(CultureInfo.InvariantCulture) + m.Groups[2].Value : m.Value);
    }

    /// <summary>Arabic or Chinese numbers up to 9999: 2, 两, 十五, 二十, 三十一.</summary>
    internal static int? ChineseNumber(string s)
    {
        if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return n;
        if (s.Length == 0) return null;
        var total = 0;
        var current = 0;
        foreach (var c in s)
        {
            var digit = "零一二三四五六七八九".IndexOf(c);
            if (c == '两') digit = 2;
            if (digit >= 0) { current = digit; continue; }
            var unit = c switch { '十' => 10, '百' => 100, '千' => 1000, _ => 0 };
            if (unit == 0) return null;
            total += (current == 0 ? 1 : current) * unit;
            current = 0;
        }
        return total + current;
    }

    private static int Int(Match m, int group) => int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\d{5}(\.\d+)?$")]
    private static partial Regex SerialDate();

    [GeneratedRegex(@"(\d{4})[年\-/.](\d{1,2})[月\-/.](\d{1,2})[日号]?(\d{1,2}:\d{2}(:\d{2})?)?")]
    private static partial Regex FullDate();

    [GeneratedRegex(@"(\d{4})年(\d{1,2})月[底末]")]
    private static partial Regex YearMonthEnd();

    [GeneratedRegex(@"(\d{4})年[底末]")]
    private static partial Regex YearEndWithYear();

    [GeneratedRegex(@"(\d{4})年(\d{1,2})月(?:份)?")]
    private static partial Regex YearMonth();

    [GeneratedRegex(@"(\d{4})年(\d{1,2})月(上旬|中旬|下旬)")]
    private static partial Regex YearMonthTenDays();

    [GeneratedRegex(@"(?<!\d)(\d{1,2})月(?:份)?(上旬|中旬|下旬)")]
    private static partial Regex MonthTenDays();

    [GeneratedRegex(@"(\d{4})年第?([1-4一二三四])季度[末底]?")]
    private static partial Regex YearQuarter();

    [GeneratedRegex(@"(?<!每)第?([1-4一二三四])季度[末底]?")]
    private static partial Regex Quarter();

    [GeneratedRegex(@"(?<![\d.#])(\d{1,2})[./](\d{1,2})(?![\d./个%])")]
    private static partial Regex ShortMonthDay();

    [GeneratedRegex(@"每(两周|半月|半年|季度|季|月|周|星期|年)")]
    private static partial Regex Cadence();

    [GeneratedRegex(@"(?<![零一二两三四五六七八九十])([一二三四五六七八九十]{1,3})(月|日|号)")]
    private static partial Regex ChineseDate();

    [GeneratedRegex(@"(?<!\d)(\d{1,2})月(\d{1,2})[日号]")]
    private static partial Regex MonthDay();

    [GeneratedRegex(@"(?<!\d)(\d{1,2})月(?:份)?[底末]")]
    private static partial Regex MonthEnd();

    [GeneratedRegex(@"年[底末]|年内")]
    private static partial Regex YearEnd();

    [GeneratedRegex(@"(?<notice>(?:通报|反馈|印发|下发)(?:之)?后)?(?<n>[0-9零一二两三四五六七八九十百]+)个?(?<unit>工作日|月|日|天|周|星期|年)(?:内|以内|之内)")]
    private static partial Regex Relative();

    [GeneratedRegex("立行立改|立即整改|即知即改|立知立改")]
    private static partial Regex Immediate();

    [GeneratedRegex("长期|常态化|持续推进|持续整改")]
    private static partial Regex Ongoing();
}
