using System.Text.Json;
using Microsoft.Playwright;

namespace Rectify.EndToEnd.Tests.Browser;

/// <summary>
/// The accessibility check of a page: the rules of a11y.js (names, text alternatives, lang, heading order, contrast
/// from the computed styles) plus a walk through the page with the real Tab key: every interactive element must be
/// reached, and each must show a visible focus indicator when it is.
/// </summary>
public static class A11y
{
    private static readonly string Script = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Browser", "a11y.js"));

    private const string FocusProbe = """
        () => {
          const e = document.activeElement;
          if (!e || e === document.body || e === document.documentElement) return null;
          const cs = getComputedStyle(e);
          const outline = cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) >= 1;
          const shadow = cs.boxShadow && cs.boxShadow !== "none";
          return { index: e.getAttribute("data-a11y-index"), styled: outline || !!shadow, what: e.tagName.toLowerCase() + " " + (e.textContent || e.getAttribute("name") || "").trim().slice(0, 30) };
        }
        """;

    /// <summary>Every violation on the page now, each prefixed with the page's path.</summary>
    public static async Task<IReadOnlyList<string>> CheckAsync(IPage page)
    {
        var path = new Uri(page.Url).PathAndQuery;
        var result = await page.EvaluateAsync<JsonElement>(Script);
        var violations = result.GetProperty("violations").EnumerateArray().Select(v => $"{path}: {v.GetString()}").ToList();
        var count = result.GetProperty("focusables").GetInt32();

        // Tab through the page until focus comes back round to an element already reached.
        await page.EvaluateAsync("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }");
        var reached = new HashSet<int>();
        string? previous = null;
        var outside = 0;
        // Date and time inputs take one Tab per part (year, month, day), hence the margin.
        for (var i = 0; i < count * 4 + 10; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var focus = await page.EvaluateAsync<JsonElement?>(FocusProbe);
            // Past the last element focus leaves the page, and the next Tab starts again at the top (an autofocused
            // field makes the walk start in the middle); two misses in a row mean there is nothing more to reach.
            if (focus is not { ValueKind: JsonValueKind.Object } f)
            {
                if (outside++ > 0) break;
                continue;
            }
            outside = 0;
            var what = f.GetProperty("what").GetString();
            if (!f.GetProperty("styled").GetBoolean()) violations.Add($"{path}: focus-visible: {what}");
            if (f.GetProperty("index").GetString() is not { } index || index == previous) continue;
            previous = index;
            if (!reached.Add(int.Parse(index, System.Globalization.CultureInfo.InvariantCulture))) break;
        }
        var missing = Enumerable.Range(0, count).Where(i => !reached.Contains(i)).ToList();
        if (missing.Count > 0)
        {
            var names = await page.EvaluateAsync<string[]>("(ix) => ix.map(i => { const e = document.querySelector(`[data-a11y-index='${i}']`); return e.tagName.toLowerCase() + ' ' + (e.textContent || e.getAttribute('name') || '').trim().slice(0, 30); })", missing);
            violations.AddRange(names.Select(n => $"{path}: keyboard-unreachable: {n}"));
        }
        return violations;
    }
}
