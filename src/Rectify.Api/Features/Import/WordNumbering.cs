using System.Globalization;
using System.Text;
using System.Xml;

namespace Rectify.Api.Features.Import;

/// <summary>
/// Word's automatic numbering (numbering.xml) as the reader sees it: "一、", "（一）", "1." are not in the text of a
/// paragraph but drawn from its list level, so the importer renders them the way Word shows them.
/// </summary>
internal sealed class WordNumbering
{
    public const string W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
    private const int MaxDefinitions = 10_000;

    private sealed record Level(int Start, string Format, string Text);

    private readonly Dictionary<int, int> abstractOf = [];
    private readonly Dictionary<int, Dictionary<int, Level>> levels = [];
    private readonly Dictionary<int, int[]> counters = [];

    public static WordNumbering Read(OoxmlPackage package, string path)
    {
        var numbering = new WordNumbering();
        using var reader = package.Xml(path, "Word 编号定义");
        if (reader is null) return numbering;
        int? abstractId = null, numId = null, ilvl = null;
        int start = 1;
        string format = "decimal", text = "";
        while (XmlPart.Read(reader))
        {
            if (reader.NodeType == XmlNodeType.Element)
            {
                var val = reader.GetAttribute("val", W);
                switch (reader.LocalName)
                {
                    case "abstractNum":
                        abstractId = Int(reader.GetAttribute("abstractNumId", W));
                        break;
                    case "lvl" when abstractId is not null:
                        ilvl = Int(reader.GetAttribute("ilvl", W));
                        (start, format, text) = (1, "decimal", "");
                        if (reader.IsEmptyElement) EndLevel();
                        break;
                    case "start" when ilvl is not null:
                        start = Int(val) ?? 1;
                        break;
                    case "numFmt" when ilvl is not null:
                        format = val ?? "decimal";
                        break;
                    case "lvlText" when ilvl is not null:
                        text = val ?? "";
                        break;
                    case "num":
                        numId = Int(reader.GetAttribute("numId", W));
                        break;
                    case "abstractNumId" when numId is not null:
                        if (Int(val) is { } a && numbering.abstractOf.Count < MaxDefinitions) numbering.abstractOf[numId.Value] = a;
                        break;
                }
            }
            else if (reader.NodeType == XmlNodeType.EndElement)
            {
                switch (reader.LocalName)
                {
                    case "lvl": EndLevel(); break;
                    case "abstractNum": abstractId = null; break;
                    case "num": numId = null; break;
                }
            }
        }
        return numbering;

        void EndLevel()
        {
            if (abstractId is { } a && ilvl is { } l and >= 0 and <= 8 && numbering.levels.Count < MaxDefinitions)
            {
                if (!numbering.levels.TryGetValue(a, out var map)) numbering.levels[a] = map = [];
                map[l] = new Level(Math.Clamp(start, 0, 100_000), format, text.Length > 100 ? text[..100] : text);
            }
            ilvl = null;
        }
    }

    /// <summary>The number text of the next paragraph of list <paramref name="numId"/> at <paramref name="ilvl"/>, e.g. "（二）".</summary>
    public string Next(int numId, int ilvl)
    {
        if (!abstractOf.TryGetValue(numId, out var a) || !levels.TryGetValue(a, out var map) || !map.TryGetValue(ilvl, out var level)) return "";
        if (!counters.TryGetValue(numId, out var count)) counters[numId] = count = new int[9];
        count[ilvl] = count[ilvl] == 0 ? level.Start : count[ilvl] + 1;
        for (var deeper = ilvl + 1; deeper < 9; deeper++) count[deeper] = 0;
        if (level.Format == "none") return level.Text.Contains('%') ? "" : level.Text;
        if (level.Format == "bullet") return "";
        var sb = new StringBuilder();
        for (var n = 0; n < level.Text.Length; n++)
        {
            if (level.Text[n] == '%' && n + 1 < level.Text.Length && level.Text[n + 1] is >= '1' and <= '9')
            {
                var which = level.Text[n + 1] - '1';
                var format = which == ilvl ? level.Format : map.TryGetValue(which, out var other) ? other.Format : "decimal";
                var value = count[which] == 0 && map.TryGetValue(which, out var o) ? o.Start : count[which];
                sb.Append(Format(value, format));
                n++;
            }
            else sb.Append(level.Text[n]);
        }
        return sb.ToString();
    }

    internal static string Format(int n, string format) => format switch
    {
        "chineseCounting" or "chineseCountingThousand" or "japaneseCounting" or "chineseLegalSimplified" when n is > 0 and < 100_000 => Chinese(n),
        "ideographTraditional" when n is >= 1 and <= 10 => "甲乙丙丁戊己庚辛壬癸"[n - 1].ToString(),
        "decimalEnclosedCircle" or "decimalEnclosedCircleChinese" when n is >= 1 and <= 20 => ((char)('①' + n - 1)).ToString(),
        "upperLetter" when n >= 1 => Letters(n, 'A'),
        "lowerLetter" when n >= 1 => Letters(n, 'a'),
        "upperRoman" when n is >= 1 and < 4000 => Roman(n),
        "lowerRoman" when n is >= 1 and < 4000 => Roman(n).ToLowerInvariant(),
        "decimalZero" => n.ToString("00", CultureInfo.InvariantCulture),
        _ => n.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五.</summary>
    internal static string Chinese(int n)
    {
        const string digits = "零一二三四五六七八九";
        if (n < 10) return digits[n].ToString();
        if (n < 20) return "十" + (n % 10 == 0 ? "" : digits[n % 10].ToString());
        var sb = new StringBuilder();
        var zero = false;
        foreach (var (value, name) in new[] { (10_000, "万"), (1000, "千"), (100, "百"), (10, "十"), (1, "") })
        {
            var d = n / value % 10;
            if (d == 0) { zero = sb.Length > 0; continue; }
            if (zero) { sb.Append('零'); zero = false; }
            sb.Append(digits[d]).Append(name);
        }
        return sb.ToString();
    }

    private static string Letters(int n, char a)
    {
        var s = "";
        for (; n > 0; n = (n - 1) / 26) s = (char)(a + (n - 1) % 26) + s;
        return s;
    }

    private static string Roman(int n)
    {
        var sb = new StringBuilder();
        foreach (var (value, text) in new[] { (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I") })
            for (; n >= value; n -= value) sb.Append(text);
        return sb.ToString();
    }

    private static int? Int(string? s) => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
}
