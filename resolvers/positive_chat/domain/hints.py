"""Friendly rejection texts, written (not machine-translated) for the common languages.

For other languages the service may translate the English text when a
translator is available; otherwise English is returned and says so
(``Rejection.hint_language``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import RejectionReason


@dataclass(frozen=True)
class HintText:
    message: str
    hint: str


_TEXTS: dict[RejectionReason, dict[str, HintText]] = {
    RejectionReason.NEGATIVE_SENTIMENT: {
        "en": HintText(
            "Your message was not sent: it reads as quite negative.",
            "Try saying what you need or what would help, rather than what is wrong with someone.",
        ),
        "fr": HintText(
            "Votre message n'a pas été envoyé : il paraît plutôt négatif.",
            "Essayez de dire ce dont vous avez besoin ou ce qui aiderait, plutôt que ce qui ne va pas chez quelqu'un.",
        ),
        "es": HintText(
            "Tu mensaje no se envió: suena bastante negativo.",
            "Intenta decir lo que necesitas o lo que ayudaría, en lugar de lo que está mal en alguien.",
        ),
        "de": HintText(
            "Deine Nachricht wurde nicht gesendet: Sie wirkt ziemlich negativ.",
            "Sag lieber, was du brauchst oder was helfen würde, statt was mit jemandem nicht stimmt.",
        ),
        "it": HintText(
            "Il tuo messaggio non è stato inviato: sembra piuttosto negativo.",
            "Prova a dire di cosa hai bisogno o cosa aiuterebbe, invece di cosa non va in qualcuno.",
        ),
        "pt": HintText(
            "A sua mensagem não foi enviada: parece bastante negativa.",
            "Tente dizer o que precisa ou o que ajudaria, em vez do que está errado com alguém.",
        ),
    },
    RejectionReason.SENTIMENT_UNAVAILABLE: {
        "en": HintText(
            "Your message was not sent: this room only accepts messages whose tone can be checked, "
            "and it could not be checked in this language.",
            "Try writing in one of the room's supported languages, or ask the room owner to relax the setting.",
        ),
        "fr": HintText(
            "Votre message n'a pas été envoyé : ce salon n'accepte que les messages dont le ton "
            "peut être vérifié, ce qui n'est pas possible dans cette langue.",
            "Essayez d'écrire dans une langue prise en charge, ou demandez au propriétaire du salon d'assouplir ce réglage.",
        ),
    },
}

FALLBACK_LANGUAGE = "en"


def hint_for(reason: RejectionReason, language: str) -> tuple[HintText, str]:
    """The text for a rejection in ``language`` if written, else English; with its language."""
    texts = _TEXTS[reason]
    base = language.split("-")[0]
    if base in texts:
        return texts[base], base
    return texts[FALLBACK_LANGUAGE], FALLBACK_LANGUAGE


def has_written_hint(reason: RejectionReason, language: str) -> bool:
    return language.split("-")[0] in _TEXTS[reason]
