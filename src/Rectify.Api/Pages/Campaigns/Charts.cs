using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;
using Rectify.Api.Ui;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Pages.Campaigns;

/// <summary>
/// Charts drawn on the server as SVG: no script, no library, readable by screen readers through title and desc,
/// and every figure is also in a table next to the chart. Colours use attributes, not inline styles, so the strict
/// Content-Security-Policy holds.
/// </summary>
public static class Charts
{
    private const string Red = "#c62828", Green = "#2e7d32", Blue = "#1f5fa8", Grey = "#c9d1d9", Brand = "#a4161a";

    private static string N(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
    private static string E(string s) => HtmlEncoder.Default.Encode(s);

    private static StringBuilder Open(string id, int width, int height, string title, string desc) => new StringBuilder()
        .Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" id=\"{id}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" xmlns=\"http://www.w3.org/2000/svg\">")
        .Append(CultureInfo.InvariantCulture, $"<title id=\"{id}-t\">{E(title)}</title><desc id=\"{id}-d\">{E(desc)}</desc>");

    /// <summary>Phases as bars on a date axis, with a marker for today.</summary>
    public static IHtmlContent PhaseTimeline(IReadOnlyList<Phase> phases, DateOnly today, UiText t)
    {
        if (phases.Count == 0) return new HtmlString($"<p class=\"muted\">{E(t["未设置阶段"])}</p>");
        const int width = 900, left = 110, right = 20, row = 30, top = 30;
        var height = top + phases.Count * row + 30;
        var first = new[] { phases.Min(p => p.Start), today }.Min();
        var last = new[] { phases.Max(p => p.End), today }.Max().AddDays(1);
        var days = Math.Max(1, last.DayNumber - first.DayNumber);
        double X(DateOnly d) => left + (double)(d.DayNumber - first.DayNumber) / days * (width - left - right);

        var sb = Open("phase-timeline", width, height, t["阶段时间轴"],
            string.Join("；", phases.Select(p => $"{Labels.Phase.Of(p.Key, t)} {p.Start:yyyy-MM-dd}—{p.End:yyyy-MM-dd}")) + $"；{t["今天"]} {today:yyyy-MM-dd}");
        for (var n = 0; n < phases.Count; n++)
        {
            var p = phases[n];
            var y = top + n * row;
            var active = p.Start <= today && today <= p.End;
            var past = p.End < today;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 8}\" y=\"{y + 18}\" text-anchor=\"end\">{E(Labels.Phase.Of(p.Key, t))}</text>");
            sb.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{N(X(p.Start))}\" y=\"{y + 4}\" width=\"{N(Math.Max(3, X(p.End.AddDays(1)) - X(p.Start)))}\" height=\"20\" rx=\"3\" fill=\"{(active ? Blue : past ? "#7f8c99" : Grey)}\"><title>{E($"{p.Start:MM-dd}—{p.End:MM-dd}")}</title></rect>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(X(p.End.AddDays(1)) + 4)}\" y=\"{y + 18}\">{p.Start:MM-dd}—{p.End:MM-dd}</text>");
        }
        var tx = X(today) + (X(today.AddDays(1)) - X(today)) / 2;
        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(tx)}\" x2=\"{N(tx)}\" y1=\"18\" y2=\"{height - 22}\" stroke=\"{Brand}\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/>");
        var anchor = tx > width - 120 ? "end" : "middle";
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(tx)}\" y=\"13\" text-anchor=\"{anchor}\" fill=\"{Brand}\" font-weight=\"700\">{E(t["今天"])} {today:yyyy-MM-dd}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{left}\" x2=\"{width - right}\" y1=\"{height - 22}\" y2=\"{height - 22}\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"{height - 6}\">{first:yyyy-MM-dd}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{width - right}\" y=\"{height - 6}\" text-anchor=\"end\">{last.AddDays(-1):yyyy-MM-dd}</text>");
        return new HtmlString(sb.Append("</svg>").ToString());
    }

    /// <summary>Horizontal stacked bars per lead unit: closed, open on time, overdue.</summary>
    public static IHtmlContent UnitBars(IReadOnlyList<UnitProgress> units, UnitNames names, UiText t)
    {
        if (units.Count == 0) return new HtmlString($"<p class=\"muted\">{E(t["暂无问题"])}</p>");
        const int width = 900, left = 190, right = 110, row = 28, top = 10;
        var height = top + units.Count * row + 10;
        var max = Math.Max(1, units.Max(u => u.Total));
        double W(int n) => (double)n / max * (width - left - right);
        var sb = Open("unit-bars", width, height, t["各牵头单位完成情况"],
            string.Join("；", units.Select(u => t.Format("{0}：共 {1} 项，已销号 {2}，逾期 {3}", names.Of(u.Code), u.Total, u.Closed, u.Overdue))));
        for (var n = 0; n < units.Count; n++)
        {
            var u = units[n];
            var y = top + n * row;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 8}\" y=\"{y + 17}\" text-anchor=\"end\">{E(names.Of(u.Code))}</text>");
            double x = left;
            foreach (var (count, colour, label) in new[] { (u.Closed, Green, t["已销号"]), (u.Open, Blue, t["未到期"]), (u.Overdue, Red, t["逾期"]) })
            {
                if (count == 0) continue;
                sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{N(x)}\" y=\"{y + 4}\" width=\"{N(W(count))}\" height=\"18\" fill=\"{colour}\"><title>{E($"{label} {count}")}</title></rect>");
                x += W(count);
            }
            var pct = (int)Math.Round(u.ClosedShare * 100);
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(x + 6)}\" y=\"{y + 17}\">{E(t.Format("{0}% 完成", pct))}{(u.Overdue > 0 ? E(t.Format("，{0} 项逾期", u.Overdue)) : "")}</text>");
        }
        return new HtmlString(sb.Append("</svg>").ToString());
    }

    /// <summary>Two lines over time: items open and items closed.</summary>
    public static IHtmlContent OpenClosedLine(IReadOnlyList<DayPoint> series, UiText t)
    {
        if (series.Count == 0) return new HtmlString($"<p class=\"muted\">{E(t["暂无数据"])}</p>");
        const int width = 900, height = 260, left = 45, right = 20, top = 15, bottom = 35;
        var max = Math.Max(1, series.Max(p => Math.Max(p.Open, p.Closed)));
        var first = series[0].Date;
        var span = Math.Max(1, series[^1].Date.DayNumber - first.DayNumber);
        double X(DateOnly d) => left + (double)(d.DayNumber - first.DayNumber) / span * (width - left - right);
        double Y(int v) => top + (1 - (double)v / max) * (height - top - bottom);
        var last = series[^1];
        var sb = Open("open-closed", width, height, t["未销号与已销号数量变化"],
            t.Format("从 {0} 到 {1}：未销号 {2} 项，已销号 {3} 项", first.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                last.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), last.Open, last.Closed));
        foreach (var v in new[] { 0, max / 2, max }.Distinct())
        {
            sb.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{left}\" x2=\"{width - right}\" y1=\"{N(Y(v))}\" y2=\"{N(Y(v))}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{N(Y(v) + 4)}\" text-anchor=\"end\">{v}</text>");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{left}\" x2=\"{width - right}\" y1=\"{height - bottom}\" y2=\"{height - bottom}\"/>");
        var ticks = Math.Min(6, series.Count);
        for (var k = 0; k < ticks; k++)
        {
            var p = series[(int)Math.Round((double)k / Math.Max(1, ticks - 1) * (series.Count - 1))];
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(X(p.Date))}\" y=\"{height - bottom + 18}\" text-anchor=\"middle\">{p.Date:MM-dd}</text>");
        }
        string Line(Func<DayPoint, int> value) => string.Join(" ", series.Select(p => $"{N(X(p.Date))},{N(Y(value(p)))}"));
        sb.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{Line(p => p.Open)}\" fill=\"none\" stroke=\"{Blue}\" stroke-width=\"2.5\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{Line(p => p.Closed)}\" fill=\"none\" stroke=\"{Green}\" stroke-width=\"2.5\" stroke-dasharray=\"6 3\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(X(last.Date) - 4)}\" y=\"{N(Y(last.Open) - 6)}\" text-anchor=\"end\" fill=\"{Blue}\">{E(t["未销号"])} {last.Open}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(X(last.Date) - 4)}\" y=\"{N(Y(last.Closed) - 6)}\" text-anchor=\"end\" fill=\"{Green}\">{E(t["已销号"])} {last.Closed}</text>");
        return new HtmlString(sb.Append("</svg>").ToString());
    }
}
