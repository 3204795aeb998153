// The room's tag cloud: one button per tag, font size by count; a click filters the
// messages by that tag.
import { h, replace } from "./dom.js";

const MIN_REM = 0.85;
const MAX_REM = 2.2;

export function createTagCloud({ onTag, onClear }) {
  const list = h("ul", { class: "cloud", id: "tag-cloud" });
  const element = h("section", { class: "tag-cloud", "aria-labelledby": "cloud-title" }, h("h2", { id: "cloud-title", text: "Tag cloud" }), list);

  function render(tags, activeTag) {
    if (!tags.length) {
      replace(list, h("li", { class: "empty", text: "Tags appear as people talk." }));
      return;
    }
    const counts = tags.map((t) => t.count);
    const lo = Math.log(Math.min(...counts));
    const hi = Math.log(Math.max(...counts));
    const sorted = [...tags].sort((a, b) => a.tag.localeCompare(b.tag));
    replace(
      list,
      sorted.map(({ tag, count }) => {
        const weight = hi > lo ? (Math.log(count) - lo) / (hi - lo) : 0.5;
        const active = tag === activeTag;
        return h(
          "li",
          {},
          h("button", {
            type: "button",
            class: `cloud-tag${active ? " active" : ""}`,
            dataset: { tag, count: String(count) },
            style: { fontSize: `${(MIN_REM + weight * (MAX_REM - MIN_REM)).toFixed(2)}rem` },
            "aria-pressed": active ? "true" : "false",
            "aria-label": `${tag}: ${count} message${count === 1 ? "" : "s"}`,
            title: `${count} message${count === 1 ? "" : "s"}`,
            text: tag,
            onclick: () => (active ? onClear() : onTag(tag)),
          }),
        );
      }),
    );
  }

  return { element, render };
}
