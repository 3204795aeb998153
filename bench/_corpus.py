"""Message texts for the benchmarks: deterministic, varied, and of chat length.

Unique texts matter: the translation cache is keyed by text, and real chat rarely repeats
a message, so a benchmark that reposted one sentence would measure the cache.
"""

from __future__ import annotations

import itertools

_OPENERS = ("Thanks so much", "Great news", "Good morning everyone", "Nice work", "Well done",
            "Lovely to hear", "Happy to help", "What a wonderful idea", "Congratulations",
            "I really enjoyed")
_TOPICS = ("the community garden project", "our weekend trip to Lisbon", "the new bread recipe",
           "the team meeting notes", "the football match last night", "the photo exhibition",
           "the volunteer schedule", "the jazz concert in the park", "the hiking route",
           "the library book club")
_CLOSERS = ("made my day!", "is really inspiring.", "looks wonderful.", "was a lot of fun.",
            "is going so well.", "brought everyone together.", "deserves a big thank you.",
            "is a great step forward.")


def positive_english(count: int, *, salt: str = "") -> list[str]:
    """`count` distinct friendly English messages (VADER scores them positive)."""
    combos = itertools.cycle(itertools.product(_OPENERS, _TOPICS, _CLOSERS))
    return [f"{o}, {t} {c} ({salt}{i})" for i, (o, t, c) in zip(range(count), combos,
                                                                  strict=False)]


NEGATIVE_ENGLISH = (
    "You are an idiot and this is the worst, most stupid idea I have ever seen.",
    "I hate this, it is awful, terrible and disgusting.",
    "Shut up, you are useless and pathetic.",
)

# Short chat lines in the six languages the local detector is configured for
# (infra/env.local.json LOCAL_NLP_LANGUAGES).
MULTILINGUAL = (
    ("en", "Thanks for organising the picnic, the weather was perfect and the food was great."),
    ("en", "Does anyone know when the library opens on Sunday?"),
    ("en", "I finally finished the marathon training plan, feeling proud today!"),
    ("fr", "Merci beaucoup pour ton aide hier, c'était vraiment gentil de ta part."),
    ("fr", "Le concert de jazz dans le parc était magnifique, on y retourne samedi ?"),
    ("fr", "Quelqu'un a la recette de la tarte aux pommes de grand-mère ?"),
    ("es", "Muchas gracias por la invitación, la cena estuvo deliciosa."),
    ("es", "¿Alguien sabe a qué hora empieza el partido de fútbol mañana?"),
    ("es", "El nuevo jardín comunitario está quedando precioso."),
    ("de", "Vielen Dank für die schöne Wanderung am Wochenende, das Wetter war herrlich."),
    ("de", "Weiß jemand, wann die Bibliothek am Sonntag öffnet?"),
    ("de", "Das neue Brotrezept ist wirklich gelungen, probiert es aus!"),
    ("it", "Grazie mille per l'aiuto con il trasloco, siete fantastici."),
    ("it", "La mostra fotografica in centro è davvero interessante."),
    ("it", "Qualcuno viene al mercato sabato mattina?"),
    ("pt", "Muito obrigado pela ajuda ontem, foi muito gentil da sua parte."),
    ("pt", "O concerto no parque foi maravilhoso, vamos voltar no sábado?"),
    ("pt", "Alguém sabe a que horas abre a biblioteca no domingo?"),
)
