// The message list. Each message is shown in the reader's language when a translation
// exists (the original one click away), or in the original with a note saying why.
import { formatTime, h, replace } from "./dom.js";
import { languageName, textForReader } from "../language.js";

function renderMessage(message, { reader, selfId, showOriginal, onToggle, onTag }) {
  const shown = textForReader(message, reader);
  const original = showOriginal && shown.translatedFrom;
  const text = original ? message.text : shown.text;
  const mine = message.author.id === selfId;
  const li = h("li", {
    class: `message${mine ? " mine" : ""}${message._deleted ? " deleted" : ""}`,
    dataset: { messageId: message.id, version: String(message._version) },
    lang: original || !shown.translatedFrom ? message.language : reader,
  });
  li.append(
    h(
      "div",
      { class: "meta" },
      h("span", { class: "author", text: mine ? `${message.author.username} (you)` : message.author.username }),
      h("time", { datetime: message.createdAt, text: formatTime(message.createdAt) }),
      message.editedAt ? h("span", { class: "edited", text: "edited" }) : null,
      message.points > 0 ? h("span", { class: "points", title: "Positivity points", text: `+${message.points}` }) : null,
    ),
  );
  if (!message._deleted) li.append(h("p", { class: "text", text }));
  if (shown.note) li.append(h("p", { class: "note", text: shown.note }));
  if (shown.translatedFrom) {
    li.append(
      h("button", {
        type: "button",
        class: "link toggle-original",
        "aria-pressed": original ? "true" : "false",
        text: original ? `Show ${languageName(reader)} translation` : `Show original (${languageName(shown.translatedFrom)})`,
        onclick: () => onToggle(message.id),
      }),
    );
  }
  if (message.tags.length && !message._deleted) {
    li.append(
      h(
        "ul",
        { class: "message-tags", "aria-label": "Tags" },
        message.tags.map((tag) =>
          h("li", {}, h("button", { type: "button", class: "tag-chip", text: `#${tag}`, onclick: () => onTag(tag) })),
        ),
      ),
    );
  }
  return li;
}

export function createMessageList({ onTag }) {
  const list = h("ol", { class: "messages", "aria-label": "Messages", "aria-live": "polite", "aria-relevant": "additions" });
  const scroller = h("div", { class: "scroller", tabindex: "0", "aria-label": "Conversation" }, list);
  const showOriginal = new Set();
  const nodes = new Map(); // id -> {key, el}
  let last = { messages: [], reader: null, selfId: null, empty: "" };

  function render(messages, reader, selfId, emptyText = "No messages yet. Say hello!") {
    last = { messages, reader, selfId, empty: emptyText };
    const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
    const seen = new Set();
    const ordered = messages.map((m) => {
      seen.add(m.id);
      const key = `${m._version}|${reader}|${showOriginal.has(m.id)}`;
      let entry = nodes.get(m.id);
      if (!entry || entry.key !== key) {
        const el = renderMessage(m, {
          reader,
          selfId,
          showOriginal: showOriginal.has(m.id),
          onToggle: toggle,
          onTag,
        });
        if (entry) entry.el.replaceWith(el);
        entry = { key, el };
        nodes.set(m.id, entry);
      }
      return entry.el;
    });
    for (const [id, entry] of nodes) {
      if (!seen.has(id)) {
        entry.el.remove();
        nodes.delete(id);
      }
    }
    if (!ordered.length) replace(list, h("li", { class: "empty", text: emptyText }));
    else {
      list.querySelector(":scope > li.empty")?.remove();
      ordered.forEach((el, i) => {
        if (list.children[i] !== el) list.insertBefore(el, list.children[i] || null);
      });
    }
    if (atBottom) scroller.scrollTop = scroller.scrollHeight;
  }

  function toggle(id) {
    if (showOriginal.has(id)) showOriginal.delete(id);
    else showOriginal.add(id);
    render(last.messages, last.reader, last.selfId, last.empty);
    nodes.get(id)?.el.querySelector(".toggle-original")?.focus();
  }

  return {
    element: scroller,
    render,
    scrollToEnd() {
      scroller.scrollTop = scroller.scrollHeight;
    },
  };
}
