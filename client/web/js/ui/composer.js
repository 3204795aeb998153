// Writing a message: Enter sends, Shift+Enter adds a line. A rejected post is explained
// here, kindly, and the text stays so it can be rephrased.
import { h, replace } from "./dom.js";
import { languageName } from "../language.js";

export const MAX_TEXT = 2000;

export function createComposer({ onSend }) {
  const textarea = h("textarea", {
    id: "composer-text",
    name: "text",
    rows: 2,
    maxlength: MAX_TEXT,
    required: true,
    placeholder: "Write a message…",
    "aria-describedby": "composer-help",
  });
  const help = h("small", { id: "composer-help", class: "hint", text: "Enter sends, Shift+Enter adds a new line." });
  const notice = h("div", { class: "notice", id: "composer-notice", role: "alert" });
  const button = h("button", { type: "submit", text: "Send" });
  let busy = false;

  async function submit() {
    const text = textarea.value.trim();
    if (!text || busy) return;
    busy = true;
    button.disabled = true;
    replace(notice);
    notice.className = "notice";
    try {
      await onSend(text);
    } finally {
      busy = false;
      button.disabled = false;
      textarea.focus();
    }
  }

  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });

  const form = h(
    "form",
    { class: "composer", "aria-label": "Send a message", onsubmit: (e) => (e.preventDefault(), submit()) },
    h("label", { for: textarea.id, class: "visually-hidden", text: "Message" }),
    notice,
    h("div", { class: "composer-row" }, textarea, button),
    help,
  );

  return {
    element: form,
    focus: () => textarea.focus(),
    clear() {
      textarea.value = "";
      replace(notice);
      notice.className = "notice";
    },
    setEnabled(enabled, why) {
      textarea.disabled = !enabled;
      button.disabled = !enabled;
      textarea.placeholder = enabled ? "Write a message…" : why;
    },
    /** A REJECTED post: reason, the friendly message and the hint from the server. */
    showRejection(rejection) {
      notice.className = "notice rejection";
      const title =
        rejection.reason === "NEGATIVE_SENTIMENT"
          ? "Not sent: let's find a kinder way to say it"
          : "Not sent: the tone of this message could not be checked";
      replace(
        notice,
        h("p", { class: "notice-title", text: title }),
        h("p", { class: "rejection-message", lang: rejection.hintLanguage, text: rejection.message }),
        h("p", { class: "rejection-hint", lang: rejection.hintLanguage }, h("strong", { text: "Tip: " }), rejection.hint),
        rejection.hintLanguage !== rejection.language
          ? h("p", { class: "hint", text: `(Explained in ${languageName(rejection.hintLanguage)}.)` })
          : null,
        h("p", { class: "hint", text: "Your text is still in the box below, so you can rephrase it." }),
      );
    },
    showError(message) {
      notice.className = "notice error";
      replace(notice, h("p", { text: message }));
    },
  };
}
