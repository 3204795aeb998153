// The room list (your rooms + public rooms) and the "new room" form.
import { field, h, languageSelect, replace } from "./dom.js";
import { LANGUAGES, languageName } from "../language.js";

export function createRoomList({ onOpen, onCreate, defaultLanguage }) {
  const mineList = h("ul", { class: "room-list", id: "my-rooms" });
  const publicList = h("ul", { class: "room-list", id: "public-rooms" });
  let activeId = null;

  const name = h("input", { name: "name", required: true, maxlength: 80, autocomplete: "off" });
  const description = h("input", { name: "description", maxlength: 500, autocomplete: "off" });
  const visibility = h(
    "select",
    { name: "visibility" },
    h("option", { value: "PUBLIC", text: "Public: anyone signed in can read and join" }),
    h("option", { value: "PRIVATE", text: "Private: members you invite only" }),
  );
  const language = languageSelect(LANGUAGES, defaultLanguage, languageName, { name: "language" });
  const error = h("p", { class: "error", role: "alert" });
  const createButton = h("button", { type: "submit", text: "Create room" });
  const form = h(
    "form",
    {
      class: "new-room",
      "aria-label": "New room",
      onsubmit: async (event) => {
        event.preventDefault();
        replace(error);
        createButton.disabled = true;
        try {
          await onCreate({
            name: name.value.trim(),
            description: description.value.trim() || null,
            visibility: visibility.value,
            language: language.value,
          });
          form.reset();
          details.open = false;
        } catch (err) {
          replace(error, err.message);
        } finally {
          createButton.disabled = false;
        }
      },
    },
    field("Room name", name),
    field("Description (optional)", description),
    field("Who can join", visibility),
    field("Your reading language", language),
    error,
    createButton,
  );
  const details = h("details", { class: "new-room-box" }, h("summary", { text: "New room" }), form);

  const element = h(
    "nav",
    { class: "rooms", "aria-label": "Rooms" },
    h("h2", { text: "Your rooms" }),
    mineList,
    h("h2", { text: "Public rooms" }),
    publicList,
    details,
  );

  function item(room) {
    const button = h(
      "button",
      {
        type: "button",
        class: "room-link",
        dataset: { roomId: room.id },
        "aria-current": room.id === activeId ? "page" : null,
        onclick: () => onOpen(room.id),
      },
      h("span", { class: "room-name", text: room.name }),
      room.visibility === "PRIVATE" ? h("span", { class: "badge", text: "Private" }) : null,
    );
    return h("li", {}, button);
  }

  function render(rooms, mineIds) {
    const mine = rooms.filter((r) => mineIds.has(r.id));
    const others = rooms.filter((r) => !mineIds.has(r.id) && r.visibility === "PUBLIC");
    replace(mineList, mine.length ? mine.map(item) : h("li", { class: "empty", text: "None yet: join or create one." }));
    replace(publicList, others.length ? others.map(item) : h("li", { class: "empty", text: "No other public rooms." }));
  }

  return {
    element,
    render,
    setActive(id) {
      activeId = id;
      for (const b of element.querySelectorAll(".room-link")) {
        if (b.dataset.roomId === id) b.setAttribute("aria-current", "page");
        else b.removeAttribute("aria-current");
      }
    },
  };
}
