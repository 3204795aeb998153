// The analytics page: the window chooser (presets, from/to in UTC, buckets, room, tag) and
// three sections (top tags, the trend of one tag, room statistics), each with a chart, its
// numbers in a table for screen readers and copy-paste, and its own loading / empty /
// error states. DOM only: js/analytics.js decides what to ask and when.
import { field, h, replace } from "./dom.js";
import { barChart, stackedBar, trendChart } from "./charts.js";
import { PRESETS, fromInputValue, longLabel, shortLabel, toInputValue } from "../timewindow.js";

const SENTIMENT = [
  { key: "positive", label: "Positive" },
  { key: "neutral", label: "Neutral" },
  { key: "mixed", label: "Mixed" },
  { key: "negative", label: "Negative" },
  { key: "unscored", label: "Not scored" },
];

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** A titled part of the page with a status line, an error box and a body. */
function section(id, title) {
  const heading = h("h2", { id: `${id}-title`, text: title });
  const status = h("p", { class: "hint section-status", id: `${id}-status`, role: "status" });
  const error = h("div", { class: "section-error", id: `${id}-error`, role: "alert" });
  const body = h("div", { class: "section-body", id: `${id}-body` });
  const element = h("section", { class: "card analytics-section", id, "aria-labelledby": heading.id }, heading, status, error, body);
  const api = {
    element,
    heading,
    reset() {
      element.removeAttribute("aria-busy");
      replace(status);
      replace(error);
      replace(body);
    },
    loading(text) {
      api.reset();
      element.setAttribute("aria-busy", "true");
      replace(status, h("span", { class: "spinner", "aria-hidden": "true" }), text);
    },
    message(text) {
      api.reset();
      replace(status, text);
    },
    fail(problem) {
      api.reset();
      replace(error, problem);
    },
    show(note, ...nodes) {
      api.reset();
      replace(status, note || "");
      replace(body, ...nodes);
    },
  };
  return api;
}

/** A <details> with the numbers of a chart as a table. */
function numbers(caption, headers, rows) {
  return h(
    "details",
    { class: "numbers" },
    h("summary", { text: "Show the numbers" }),
    h(
      "table",
      {},
      h("caption", { text: caption }),
      h("thead", {}, h("tr", {}, headers.map((text) => h("th", { scope: "col", text })))),
      h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((text, i) => (i === 0 ? h("th", { scope: "row", text }) : h("td", { text })))))),
    ),
  );
}

export function windowText(fromMs, toMs) {
  const fmt = (ms) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");
  return `${fmt(fromMs)} – ${fmt(toMs)} UTC`;
}

export function createAnalyticsView({ onSubmit, onPreset, onRoomChange, onTag }) {
  const from = h("input", { type: "datetime-local", name: "from", id: "analytics-from", required: true, step: 60 });
  const to = h("input", { type: "datetime-local", name: "to", id: "analytics-to", required: true, step: 60 });
  const granularity = h(
    "select",
    { name: "granularity", id: "analytics-granularity" },
    h("option", { value: "HOUR", text: "Hourly (up to 31 days)" }),
    h("option", { value: "DAY", text: "Daily (up to 366 days)" }),
  );
  const room = h("select", { name: "room", id: "analytics-room" });
  const tag = h("input", { name: "tag", id: "analytics-tag", maxlength: 40, autocomplete: "off", spellcheck: "false" });
  const formError = h("div", { class: "error", id: "analytics-form-error", role: "alert" });
  const presets = h(
    "div",
    { class: "presets", role: "group", "aria-label": "Quick windows" },
    Object.entries(PRESETS).map(([name, p]) =>
      h("button", { type: "button", class: "preset", dataset: { preset: name }, "aria-label": p.label, text: name, onclick: () => onPreset(name) }),
    ),
  );
  room.addEventListener("change", () => onRoomChange(room.value || null));
  granularity.addEventListener("change", () => onSubmit());

  const form = h(
    "form",
    {
      class: "card analytics-form",
      id: "analytics-form",
      "aria-label": "Analytics window",
      novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        onSubmit();
      },
    },
    presets,
    h(
      "div",
      { class: "analytics-fields" },
      field("From (UTC)", from),
      field("To (UTC, excluded)", to),
      field("Buckets", granularity),
      field("Room", room),
      field("Tag to chart (optional)", tag, "Or click a bar in Top tags."),
      h("button", { type: "submit", id: "analytics-show", text: "Show" }),
    ),
    formError,
  );

  const top = section("top-tags", "Top tags");
  const trend = section("tag-trend", "Tag trend");
  const stats = section("room-stats", "Room activity");
  stats.element.hidden = true;
  top.element.classList.add("wide");

  const element = h(
    "div",
    { class: "analytics", id: "analytics" },
    h("h2", { class: "page-title", id: "analytics-title", text: "Analytics" }),
    h("p", { class: "hint", text: "Counts come from the API's counters, in UTC. Windows are widened to whole hours or days." }),
    form,
    h("div", { class: "analytics-grid" }, top.element, stats.element, trend.element),
  );

  function problem({ text, limit, chooseRoom }) {
    return h(
      "div",
      { class: "problem" },
      h("p", { class: "error", text }),
      limit !== undefined && limit !== null ? h("p", { class: "hint limit", dataset: { limit: String(limit) }, text: `Server limit: ${limit}.` }) : null,
      chooseRoom
        ? h("button", { type: "button", class: "link", id: "choose-room", text: "Choose a room", onclick: () => room.focus() })
        : null,
    );
  }

  return {
    element,
    /** {from, to (ms, NaN when empty), granularity, roomId (null: all rooms), tag} */
    values() {
      return {
        from: fromInputValue(from.value),
        to: fromInputValue(to.value),
        granularity: granularity.value,
        roomId: room.value || null,
        tag: tag.value.trim(),
      };
    },
    setWindow(win) {
      from.value = toInputValue(win.from);
      to.value = toInputValue(win.to);
      if (win.granularity) granularity.value = win.granularity;
    },
    setTag(value) {
      tag.value = value;
    },
    /** rooms: [{id, name, mine}]; `selected` null for all rooms. */
    setRooms(rooms, selected, isAnalyst) {
      const option = (r) => h("option", { value: r.id, text: r.name, selected: r.id === selected ? true : null });
      const mine = rooms.filter((r) => r.mine);
      const others = rooms.filter((r) => !r.mine);
      replace(
        room,
        h("option", { value: "", text: isAnalyst ? "All rooms" : "All rooms (analysts group only)", selected: selected ? null : true }),
        mine.length ? h("optgroup", { label: "Your rooms" }, mine.map(option)) : null,
        others.length ? h("optgroup", { label: "Public rooms" }, others.map(option)) : null,
      );
      room.value = selected || "";
    },
    formError(text) {
      replace(formError, text || "");
    },
    problem,

    top: {
      ...top,
      /** Mark the charted tag without rebuilding the chart (keeps keyboard focus). */
      select(tagName) {
        for (const bar of top.element.querySelectorAll("#top-tags-chart g.bar")) {
          const on = bar.getAttribute("data-label") === tagName;
          bar.classList.toggle("selected", on);
          bar.setAttribute("aria-pressed", String(on));
        }
      },
      render(items, selected) {
        const chart = barChart({
          id: "top-tags-chart",
          label: "Top tags by number of messages; activate a tag to chart its trend",
          items: items.map((t) => ({ label: t.tag, value: t.count })),
          selected,
          onSelect: (item) => onTag(item.label),
        });
        top.show(
          `${plural(items.length, "tag")}, most used first. Click a tag to chart its trend.`,
          h("div", { class: "chart-box" }, chart),
          numbers("Top tags", ["Tag", "Messages"], items.map((t) => [t.tag, String(t.count)])),
        );
      },
    },

    trend: {
      ...trend,
      title(tagName) {
        replace(trend.heading, ...(tagName ? ["Trend of “", h("span", { class: "trend-tag", text: tagName }), "”"] : ["Tag trend"]));
      },
      render(result) {
        const buckets = result.buckets.map((b) => ({ start: Date.parse(b.start), count: b.count }));
        const per = result.granularity === "HOUR" ? "hour" : "day";
        const where = result.roomId ? "this room" : "all rooms";
        const window = windowText(Date.parse(result.from), Date.parse(result.to));
        if (!result.total) {
          trend.show(`No messages tagged “${result.tag}” in this window (${window}, ${where}).`);
          return;
        }
        const chart = trendChart({
          id: "trend-chart",
          label: `Messages tagged ${result.tag} per ${per}, ${window}`,
          buckets,
          xTitle: result.granularity === "HOUR" ? "Hour (UTC)" : "Day (UTC)",
          labelOf: (ms) => longLabel(ms, result.granularity),
          tickOf: (ms) => shortLabel(ms, result.granularity),
        });
        trend.show(
          `${plural(result.total, "message")} in ${where}, per ${per}, ${window}.`,
          h("div", { class: "chart-box" }, chart),
          numbers(
            `Messages tagged ${result.tag} per ${per}`,
            [result.granularity === "HOUR" ? "Hour (UTC)" : "Day (UTC)", "Messages"],
            buckets.map((b) => [longLabel(b.start, result.granularity), String(b.count)]),
          ),
        );
      },
    },

    stats: {
      ...stats,
      setVisible(visible) {
        stats.element.hidden = !visible;
        top.element.classList.toggle("wide", !visible);
      },
      render(result) {
        const window = windowText(Date.parse(result.from), Date.parse(result.to));
        if (!result.accepted && !result.rejected) {
          stats.show(`No messages in this window (${window}).`);
          return;
        }
        const live = result.accepted - result.deleted;
        const parts = SENTIMENT.map((s) => ({ ...s, value: result.sentiment[s.key] }));
        const figure = (name, value, hint) =>
          h("div", { class: "figure", dataset: { figure: name } }, h("dt", { text: hint }), h("dd", { text: String(value) }));
        const asked = result.accepted + result.rejected;
        stats.show(
          `Whole UTC days: ${window}.`,
          h(
            "dl",
            { class: "figures" },
            figure("accepted", result.accepted, "Accepted"),
            figure("rejected", result.rejected, "Rejected by the gate"),
            figure("deleted", result.deleted, "Deleted since"),
            figure("activeAuthors", result.activeAuthors, "Active authors"),
          ),
          h("p", { class: "hint", text: `${Math.round((result.accepted / asked) * 100)}% of posts and edits were accepted.` }),
          h("h3", { text: `Sentiment of the ${plural(live, "live message")}` }),
          live > 0
            ? h(
                "div",
                { class: "chart-box" },
                stackedBar({ id: "sentiment-chart", label: parts.map((p) => `${p.label} ${p.value}`).join(", "), parts }),
              )
            : h("p", { class: "hint", text: "Every message of this window has been deleted." }),
          h(
            "ul",
            { class: "legend" },
            parts.map((p) => h("li", { dataset: { key: p.key } }, h("span", { class: `swatch part-${p.key}`, "aria-hidden": "true" }), `${p.label}: ${p.value}`)),
          ),
          numbers(
            "Room activity",
            ["Measure", "Messages"],
            [
              ["Accepted", result.accepted],
              ["Rejected", result.rejected],
              ["Deleted", result.deleted],
              ["Active authors", result.activeAuthors],
              ...parts.map((p) => [`Sentiment: ${p.label}`, p.value]),
            ].map(([a, b]) => [a, String(b)]),
          ),
        );
      },
    },
  };
}
