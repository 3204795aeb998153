// SVG charts built with createElementNS + textContent (never markup strings): tags are user
// content. Colours come from styles.css classes; sizes are SVG presentation attributes
// (the CSP forbids style attributes, not these). Every chart scales with its container
// through its viewBox.

const NS = "http://www.w3.org/2000/svg";

/** svg("rect", {x: 1, class: "bar"}, child, "text", …): like h() in dom.js, for SVG. */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") el.textContent = String(value);
    else if (key.startsWith("on")) {
      if (typeof value !== "function") throw new TypeError(`${key} must be a function`);
      el.addEventListener(key.slice(2), value);
    } else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** A tooltip: SVG's <title>, set as text. */
const tip = (text) => svg("title", { text });

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** 0..max on a "nice" scale (1, 2, 5 × 10^k steps): {max, ticks}. */
/** The outer <svg> of a chart: scales with its box and carries the chart's accessible name
 * (``role`` "group" for charts with focusable parts, "img" for a plain picture). */
function chartRoot(id, kind, width, height, label, role = "group") {
  return svg("svg", {
    id,
    class: `chart ${kind}`,
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role,
    "aria-label": label,
    preserveAspectRatio: "xMinYMin meet",
  });
}

export function niceScale(max, count = 4) {
  if (!(max > 0)) return { max: 1, ticks: [0, 1] };
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw));
  const top = Math.ceil(max / step) * step;
  const ticks = [];
  for (let v = 0; v <= top; v += step) ticks.push(v);
  return { max: top, ticks };
}

/**
 * Horizontal bars, one per item ({label, value}), largest first as given. Each bar is a
 * focusable button (click, Enter or Space calls onSelect(item)); `selected` is pressed.
 */
export function barChart({ items, onSelect, selected, label, id }) {
  const row = 28;
  const charW = 7.4; // ~ width of a 13px character
  const labelW = Math.min(320, Math.max(70, Math.ceil(Math.max(...items.map((i) => i.label.length)) * charW) + 12));
  const barW = 420;
  const valueW = 60;
  const width = labelW + barW + valueW;
  const height = items.length * row + 4;
  const max = Math.max(1, ...items.map((i) => i.value));
  const chart = chartRoot(id, "bar-chart", width, height, label);
  items.forEach((item, index) => {
    const y = index * row + 2;
    const length = Math.max(2, (item.value / max) * barW);
    const pressed = item.label === selected;
    const activate = () => onSelect?.(item);
    chart.append(
      svg(
        "g",
        {
          class: `bar${pressed ? " selected" : ""}`,
          tabindex: onSelect ? 0 : null,
          role: onSelect ? "button" : null,
          "aria-pressed": onSelect ? String(pressed) : null,
          "aria-label": `${item.label}: ${plural(item.value, "message")}`,
          "data-label": item.label,
          "data-value": item.value,
          onclick: onSelect ? activate : null,
          onkeydown: onSelect
            ? (event) => {
                if (event.key === "Enter" || event.key === " ") {
                  event.preventDefault();
                  activate();
                }
              }
            : null,
        },
        tip(`${item.label}: ${plural(item.value, "message")}`),
        svg("rect", { class: "bar-hit", x: 0, y, width, height: row - 2, fill: "transparent" }),
        svg("text", { class: "label", x: labelW - 8, y: y + row / 2, "text-anchor": "end", "dominant-baseline": "middle", text: item.label }),
        svg("rect", { class: "bar-rect", x: labelW, y: y + 4, width: length.toFixed(1), height: row - 10, rx: 3 }),
        svg("text", { class: "value", x: labelW + length + 6, y: y + row / 2, "dominant-baseline": "middle", text: item.value }),
      ),
    );
  });
  return chart;
}

/**
 * A time series: an area with its line, axes with labels, one hover column per bucket
 * (data-start, data-count, and a <title> "Wed 1 Oct 2025: 3 messages").
 * buckets: [{start: ms, count}], labelOf(ms) long label, tickOf(ms) short axis label.
 */
export function trendChart({ buckets, labelOf, tickOf, xTitle, label, id }) {
  const width = 960;
  const height = 300;
  const m = { left: 52, right: 16, top: 14, bottom: 52 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const n = buckets.length;
  const scale = niceScale(Math.max(0, ...buckets.map((b) => b.count)));
  const colW = plotW / n;
  const x = (i) => m.left + (i + 0.5) * colW;
  const y = (v) => m.top + plotH - (v / scale.max) * plotH;
  const base = m.top + plotH;

  const chart = chartRoot(id, "trend-chart", width, height, label);

  // Grid and y axis.
  const grid = svg("g", { class: "axis y-axis" });
  for (const tick of scale.ticks) {
    grid.append(
      svg("line", { class: "grid", x1: m.left, x2: width - m.right, y1: y(tick), y2: y(tick) }),
      svg("text", { x: m.left - 6, y: y(tick), "text-anchor": "end", "dominant-baseline": "middle", text: tick }),
    );
  }
  grid.append(
    svg("text", {
      class: "axis-title",
      x: 12,
      y: m.top + plotH / 2,
      "text-anchor": "middle",
      transform: `rotate(-90 12 ${m.top + plotH / 2})`,
      text: "Messages",
    }),
  );
  chart.append(grid);

  // Area and line.
  const points = buckets.map((b, i) => `${x(i).toFixed(1)},${y(b.count).toFixed(1)}`);
  if (n === 1) points.push(`${(x(0) + colW / 2).toFixed(1)},${y(buckets[0].count).toFixed(1)}`);
  const first = x(0).toFixed(1);
  const last = (n === 1 ? x(0) + colW / 2 : x(n - 1)).toFixed(1);
  chart.append(
    svg("path", { class: "area", d: `M${first},${base} L${points.join(" L")} L${last},${base} Z` }),
    svg("polyline", { class: "line", points: points.join(" "), fill: "none" }),
  );
  // Dots: on every bucket when they fit; else on the non-empty ones, if few (a lone spike
  // among hundreds of hours stays visible).
  const dotted = n <= 62 ? buckets.map((_, i) => i) : buckets.flatMap((b, i) => (b.count ? [i] : []));
  if (dotted.length <= 100) {
    const dots = svg("g", { class: "dots" });
    for (const i of dotted) dots.append(svg("circle", { class: "dot", cx: x(i), cy: y(buckets[i].count), r: 3 }));
    chart.append(dots);
  }

  // X axis: the baseline and about six labels.
  const xAxis = svg("g", { class: "axis x-axis" });
  xAxis.append(svg("line", { class: "baseline", x1: m.left, x2: width - m.right, y1: base, y2: base }));
  const every = Math.max(1, Math.ceil(n / 6));
  for (let i = 0; i < n; i += every) {
    xAxis.append(
      svg("line", { class: "tick", x1: x(i), x2: x(i), y1: base, y2: base + 4 }),
      svg("text", { x: x(i), y: base + 16, "text-anchor": "middle", text: tickOf(buckets[i].start) }),
    );
  }
  xAxis.append(svg("text", { class: "axis-title", x: m.left + plotW / 2, y: height - 8, "text-anchor": "middle", text: xTitle }));
  chart.append(xAxis);

  // Hover columns with the exact figure of each bucket.
  const hits = svg("g", { class: "buckets" });
  buckets.forEach((b, i) => {
    hits.append(
      svg(
        "rect",
        {
          class: "bucket",
          x: (m.left + i * colW).toFixed(2),
          y: m.top,
          width: Math.max(colW, 0.5).toFixed(2),
          height: plotH,
          fill: "transparent",
          "data-start": new Date(b.start).toISOString(),
          "data-count": b.count,
        },
        tip(`${labelOf(b.start)}: ${plural(b.count, "message")}`),
      ),
    );
  });
  chart.append(hits);
  return chart;
}

/** One bar split into parts ({key, label, value}), with a <title> per part. */
export function stackedBar({ parts, label, id }) {
  const width = 600;
  const height = 28;
  const total = parts.reduce((sum, p) => sum + p.value, 0);
  const chart = chartRoot(id, "stacked-bar", width, height, label, "img");
  let offset = 0;
  for (const part of parts) {
    if (!part.value) continue;
    const w = (part.value / total) * width;
    const share = Math.round((part.value / total) * 100);
    chart.append(
      svg(
        "rect",
        { class: `part part-${part.key}`, x: offset.toFixed(2), y: 0, width: w.toFixed(2), height, "data-key": part.key, "data-value": part.value },
        tip(`${part.label}: ${part.value} (${share}%)`),
      ),
    );
    offset += w;
  }
  return chart;
}
