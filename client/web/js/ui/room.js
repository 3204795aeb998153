// One room: its header, the reading-language / join bar, the messages (or the messages of
// one tag), the composer and the tag cloud.
import { field, h, languageSelect, replace } from "./dom.js";
import { LANGUAGES, languageName } from "../language.js";
import { createComposer } from "./composer.js";
import { createMessageList } from "./messages.js";
import { createTagCloud } from "./tagcloud.js";

export function createRoomView({ room, isOwner, onJoin, onSend, onTag, onClearTag, onInvite, onLoadOlder }) {
  const messages = createMessageList({ onTag });
  const composer = createComposer({ onSend });
  const cloud = createTagCloud({ onTag, onClear: onClearTag });

  const language = languageSelect(LANGUAGES, "en", languageName, { id: "reading-language" });
  const joinButton = h("button", { type: "button", id: "join-button", onclick: () => onJoin(language.value) });
  const memberState = h("span", { class: "member-state", role: "status" });
  language.addEventListener("change", () => {
    if (joinButton.dataset.member === "true") onJoin(language.value);
    else joinButton.textContent = `Join in ${languageName(language.value)}`;
  });

  const filterBar = h("div", { class: "filter-bar", hidden: true, role: "status" });
  const olderButton = h("button", { type: "button", class: "link", hidden: true, text: "Load older messages", onclick: onLoadOlder });
  const error = h("p", { class: "error", role: "alert" });

  let invite = null;
  if (isOwner && room.visibility === "PRIVATE") {
    const who = h("input", { name: "username", required: true, autocomplete: "off" });
    const result = h("span", { role: "status", class: "hint" });
    invite = h(
      "form",
      {
        class: "invite",
        "aria-label": "Invite someone",
        onsubmit: async (event) => {
          event.preventDefault();
          replace(result);
          try {
            await onInvite(who.value.trim());
            replace(result, `Invited ${who.value.trim()}.`);
            who.value = "";
          } catch (err) {
            replace(result, err.message);
          }
        },
      },
      field("Invite by username", who),
      h("button", { type: "submit", text: "Invite" }),
      result,
    );
  }

  const summary = h("p", { class: "hint room-summary" });
  const describe = (r) =>
    replace(summary, `${r.memberCount} member${r.memberCount === 1 ? "" : "s"} · created by ${r.owner.username}`);
  describe(room);

  const header = h(
    "header",
    { class: "room-header" },
    h(
      "div",
      {},
      h("h2", { id: "room-title" }, h("span", { class: "room-name", text: room.name }), room.visibility === "PRIVATE" ? h("span", { class: "badge", text: "Private" }) : null),
      room.description ? h("p", { class: "room-description", text: room.description }) : null,
      summary,
      h("a", { class: "room-analytics", href: `#/analytics?room=${encodeURIComponent(room.id)}`, text: "Room analytics" }),
    ),
    h("div", { class: "join-bar" }, field("Reading language", language), joinButton, memberState),
  );

  const element = h(
    "div",
    { class: "room-view" },
    h(
      "section",
      { class: "chat", "aria-labelledby": "room-title" },
      header,
      error,
      filterBar,
      olderButton,
      messages.element,
      composer.element,
      invite,
    ),
    h("aside", { class: "side" }, cloud.element),
  );

  return {
    element,
    messages,
    composer,
    cloud,
    /** Newer room data (e.g. the member count after joining). */
    setRoom: describe,
    setMembership(member, lang) {
      language.value = lang;
      joinButton.dataset.member = member ? "true" : "false";
      joinButton.hidden = member;
      joinButton.textContent = `Join in ${languageName(language.value)}`;
      replace(memberState, member ? `You read this room in ${languageName(lang)}.` : "Join to post messages.");
      composer.setEnabled(member, "Join the room to write here.");
    },
    setFilter(tag) {
      filterBar.hidden = !tag;
      if (tag) {
        replace(
          filterBar,
          h("span", { text: `Messages tagged “${tag}”` }),
          h("button", { type: "button", class: "link", id: "clear-filter", text: "Show all messages", onclick: onClearTag }),
        );
      }
    },
    setOlder(available) {
      olderButton.hidden = !available;
    },
    showError(message) {
      replace(error, message || "");
    },
  };
}
