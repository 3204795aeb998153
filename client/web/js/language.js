// Reading languages, and which text of a message a reader sees.

export const LANGUAGES = ["en", "fr", "es", "de", "it", "pt", "nl", "pl", "ru", "ar", "hi", "ja", "ko", "zh"];

const primary = (code) => String(code || "").toLowerCase().split("-")[0];

let names = null;
/** "fr" -> "French" (in the browser's language), falling back to the code. */
export function languageName(code) {
  try {
    names = names || new Intl.DisplayNames([navigator.language || "en"], { type: "language" });
    return names.of(code) || code;
  } catch {
    return code;
  }
}

/** The browser's language if it is one we offer, else English. */
export function browserLanguage() {
  const wanted = primary(navigator.language);
  return LANGUAGES.includes(wanted) ? wanted : "en";
}

/**
 * What to show a reader of `readerLanguage`:
 * {text, translatedFrom: code|null, note: string|null}
 *  - the translation into the reader's language when there is one;
 *  - else the original, with a note saying why it is not translated.
 */
export function textForReader(message, readerLanguage) {
  if (message._deleted) return { text: "", translatedFrom: null, note: "This message was deleted." };
  const reader = primary(readerLanguage);
  const original = { text: message.text, translatedFrom: null, note: null };
  if (!reader || primary(message.language) === reader) return original;
  const translations = message.translations || [];
  const match =
    translations.find((t) => t.language.toLowerCase() === String(readerLanguage).toLowerCase()) ||
    translations.find((t) => primary(t.language) === reader);
  if (match) return { text: match.text, translatedFrom: message.language, note: null };
  const from = languageName(message.language);
  const into = languageName(reader);
  if (message.translationStatus === "UNAVAILABLE") {
    return { ...original, note: `Not translated: no translation service is available here. Original (${from}).` };
  }
  if ((message.untranslatedLanguages || []).some((l) => primary(l) === reader)) {
    return { ...original, note: `Could not be translated into ${into}. Original (${from}).` };
  }
  return { ...original, note: `No ${into} translation for this message. Original (${from}).` };
}
