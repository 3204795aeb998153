// The sign-in form (Cognito user + password).
import { field, h, replace } from "./dom.js";

export function createSignIn({ onSubmit }) {
  const username = h("input", { name: "username", autocomplete: "username", required: true, autocapitalize: "none", spellcheck: "false" });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const error = h("p", { class: "error", role: "alert", id: "signin-error" });
  const button = h("button", { type: "submit", text: "Sign in" });
  const form = h(
    "form",
    {
      class: "card signin",
      "aria-labelledby": "signin-title",
      onsubmit: async (event) => {
        event.preventDefault();
        replace(error);
        button.disabled = true;
        try {
          await onSubmit(username.value.trim(), password.value);
        } catch (err) {
          replace(error, err.message);
          password.select();
        } finally {
          button.disabled = false;
        }
      },
    },
    h("h2", { id: "signin-title", text: "Sign in" }),
    field("Username", username),
    field("Password", password),
    error,
    button,
  );
  return { element: form, focus: () => username.focus() };
}
