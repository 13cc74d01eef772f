// A small accessibility check run inside the page (no axe, no download). Evaluated by Playwright as an arrow function;
// returns { violations: [...], focusables: n }. Each interactive element that should be reachable by Tab gets
// data-a11y-index, so the test can walk the page with the real Tab key and compare.
() => {
  const violations = [];
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    else if (el.getAttribute("name")) s += "[name=" + el.getAttribute("name") + "]";
    else if (el.className && typeof el.className === "string") s += "." + el.className.trim().split(/\s+/).join(".");
    const text = (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 30);
    return text ? s + " \"" + text + "\"" : s;
  };
  const add = (rule, el, detail) => violations.push(rule + ": " + describe(el) + (detail ? " (" + detail + ")" : ""));
  const visible = (el) => {
    if (el.closest("[hidden], [aria-hidden=true]")) return false;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return false;
    for (let e = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === "none" || cs.visibility === "hidden") return false;
      if (e.tagName === "DETAILS" && !e.open && e !== el && !el.closest("summary")) return false;
    }
    return true;
  };
  const byIdText = (ids) => ids.split(/\s+/).map((id) => document.getElementById(id)).filter(Boolean)
    .map((e) => e.textContent.trim()).join(" ").trim();
  const nameOf = (el) => {
    if (el.getAttribute("aria-labelledby")) { const t = byIdText(el.getAttribute("aria-labelledby")); if (t) return t; }
    if ((el.getAttribute("aria-label") || "").trim()) return el.getAttribute("aria-label").trim();
    if (el.labels && el.labels.length) { const t = Array.from(el.labels).map((l) => l.textContent.trim()).join(" ").trim(); if (t) return t; }
    if (el.tagName === "INPUT" && ["submit", "button", "reset"].includes(el.type)) return (el.value || "").trim();
    if (el.tagName === "INPUT" && el.type === "image") return (el.alt || "").trim();
    if (["A", "BUTTON", "SUMMARY"].includes(el.tagName)) {
      let t = "";
      el.childNodes.forEach((n) => {
        if (n.nodeType === 3) t += n.textContent;
        else if (n.nodeType === 1 && n.getAttribute("aria-hidden") !== "true") t += n.tagName === "IMG" ? (n.alt || "") : (nameOf(n) || n.textContent);
      });
      if (t.trim()) return t.trim();
    }
    return (el.getAttribute("title") || "").trim();
  };

  // 1. The page states its language.
  if (!(document.documentElement.getAttribute("lang") || "").trim()) add("html-lang", document.documentElement);
  if (!(document.title || "").trim()) add("document-title", document.documentElement);

  // 2. Every form control has an accessible name.
  document.querySelectorAll("input, select, textarea").forEach((el) => {
    if (el.type === "hidden" || !visible(el)) return;
    if (!nameOf(el)) add("control-name", el);
  });

  // 3. Images and SVG charts have a text alternative (or are marked decorative).
  document.querySelectorAll("img").forEach((el) => { if (!el.hasAttribute("alt")) add("img-alt", el); });
  document.querySelectorAll("svg").forEach((el) => {
    if (el.closest("[aria-hidden=true]") || el.parentElement.closest("svg")) return;
    const title = el.querySelector(":scope > title");
    if (!(nameOf(el) || (title && title.textContent.trim()))) add("svg-alt", el);
    else if (el.getAttribute("role") !== "img" && !el.hasAttribute("aria-labelledby") && !el.hasAttribute("aria-label")) add("svg-role", el, "role=img with a name");
  });

  // 4. Headings: exactly one h1 first, and no level skipped on the way down.
  const headings = Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6")).filter(visible);
  if (headings.length === 0 || headings[0].tagName !== "H1") add("heading-first-h1", headings[0] || document.body);
  if (headings.filter((h) => h.tagName === "H1").length > 1) add("heading-one-h1", document.body);
  for (let i = 1; i < headings.length; i++) {
    const prev = +headings[i - 1].tagName[1], cur = +headings[i].tagName[1];
    if (cur > prev + 1) add("heading-order", headings[i], "h" + prev + " → h" + cur);
    if (!headings[i].textContent.trim()) add("heading-empty", headings[i]);
  }

  // 5. Links and buttons have names.
  document.querySelectorAll("a[href], button, summary, [role=button]").forEach((el) => {
    if (!visible(el)) return;
    if (!nameOf(el)) add("link-button-name", el);
  });

  // 6. Every interactive element is reachable by keyboard (not taken out of the Tab order).
  const interactive = Array.from(document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex], [contenteditable=true]"))
    .filter((el) => visible(el) && !el.disabled && !el.closest("fieldset[disabled]"));
  let index = 0;
  interactive.forEach((el) => {
    el.removeAttribute("data-a11y-index");
    if (el.tabIndex < 0) {
      // main#main takes focus from the skip link on purpose; it is not a control.
      if (el.getAttribute("tabindex") === "-1" && !el.matches("a[href], button, input, select, textarea, summary")) return;
      add("keyboard-tabindex", el, "tabindex=" + el.getAttribute("tabindex"));
      return;
    }
    el.setAttribute("data-a11y-index", String(index++));
  });

  // 7. Text contrast ≥ 4.5:1 between the text colour and the background actually behind it.
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(parseFloat);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const blend = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a), b: top.b * top.a + bottom.b * (1 - top.a), a: 1,
  });
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.backgroundImage && cs.backgroundImage !== "none") return null;
      const c = parse(cs.backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let bg = { r: 255, g: 255, b: 255, a: 1 };
    for (let i = layers.length - 1; i >= 0; i--) bg = blend(layers[i], bg);
    return bg;
  };
  const opacity = (el) => { let o = 1; for (let e = el; e; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity); return o; };
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim()) continue;
    const el = n.parentElement;
    if (!el || seen.has(el) || ["SCRIPT", "STYLE", "NOSCRIPT", "TITLE", "OPTION"].includes(el.tagName)) continue;
    seen.add(el);
    if (!visible(el)) continue;
    const cs = getComputedStyle(el);
    if (el.closest("svg")) {
      // SVG text: its fill on the chart's (HTML) background.
      const fill = parse(cs.fill);
      const bg = background(el.closest("svg").parentElement);
      if (fill && bg) {
        const r = ratio(blend({ ...fill, a: fill.a * opacity(el) }, bg), bg);
        if (r < 4.5) add("contrast", el, r.toFixed(2) + ":1");
      }
      continue;
    }
    const fg = parse(cs.color);
    const bg = background(el);
    if (!fg || !bg) continue;
    const r = ratio(blend({ ...fg, a: fg.a * opacity(el) }, bg), bg);
    if (r < 4.5) add("contrast", el, r.toFixed(2) + ":1 " + cs.color + " on rgb(" + [bg.r, bg.g, bg.b].map(Math.round) + ")");
  }

  return { violations, focusables: index };
}
