// The connection indicator (a polite live region) with a "retry now" button when offline.
import { h, replace } from "./dom.js";

export function createStatus({ onRetry }) {
  const element = h("div", { class: "connection", id: "connection", role: "status", "aria-live": "polite" });
  let countdown = null;

  function show({ state, retryInMs, error }) {
    clearInterval(countdown);
    element.dataset.state = state;
    if (state === "connected") replace(element, h("span", { class: "dot" }), "Live");
    else if (state === "connecting") replace(element, h("span", { class: "dot" }), "Connecting…");
    else if (state === "waiting") {
      const until = Date.now() + (retryInMs || 0);
      const label = h("span", {});
      const tick = () => replace(label, `Offline, retrying in ${Math.max(0, Math.ceil((until - Date.now()) / 1000))} s`);
      tick();
      countdown = setInterval(tick, 1000);
      replace(
        element,
        h("span", { class: "dot" }),
        label,
        h("button", { type: "button", class: "link", text: "Retry now", title: error || "", onclick: onRetry }),
      );
    } else replace(element);
  }

  return { element, show };
}
