"""Name keys that make transliterations meet: the matching rules the gazetteer and units share.

Syrian names reach us in many spellings (Latakia / Lattakia / Latakkia, Deir ez-Zor / Deir
al-Zor / Deir el-Zour, Douma / Duma) and in Arabic script. ``key()`` folds case, accents,
apostrophes, hyphens and the Arabic article (al-, el-, ad-, ash-, ...); ``skeleton()`` goes
further and folds the spelling habits of transliteration (doubled letters, ou/u, o/u, ee/i,
ai/ay) and the consonant pairs transliterations really mix (q/k as in Qamishli/Kamishli, dh/z,
th/t, kh/k), but not sh/s. Both are applied to the indexed names and to what a user types, so
the rules only have to be consistent, not linguistically perfect; the gazetteer refuses to
guess when a skeleton fits several places. Distinct places whose skeletons
could meet (Daraa, Darayya, Adra) stay apart because the skeleton keeps every consonant and
the first vowel of each run.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Arabic definite article as transliterated, when written as its own word or hyphenated.
ARTICLES = frozenset({"al", "el", "il", "ul", "ad", "ed", "ar", "er", "as", "es", "ash", "esh", "at", "et",
                      "az", "ez", "an", "en", "ath", "adh", "l"})
_APOSTROPHES = "'’‘`´ʿʾ‛ʼ\""
_ARABIC_MARKS = re.compile("[\u064B-\u065F\u0670\u0640]")  # harakat, dagger alif, tatweel
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي"})
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
# No sh -> s: ش and س are different letters, and folding them made Saqba match Shahba (Shaqba).
_SKELETON_RULES = (("dh", "z"), ("kh", "k"), ("gh", "g"), ("th", "t"), ("ou", "u"),
                   ("oo", "u"), ("ee", "i"), ("ai", "ay"), ("ei", "ay"), ("ey", "ay"), ("o", "u"),
                   ("q", "k"), ("j", "j"))


def _is_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06FF" for ch in text)


def tokens(text: str) -> list[str]:
    """Lower-case words of ``text`` without accents, apostrophes or Arabic diacritics.

    Args:
        text: A name or a sentence, in Latin or Arabic script.

    Returns:
        The words, in order (hyphens and punctuation split words; apostrophes join them).
    """
    text = unicodedata.normalize("NFKC", text)
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
                   or _is_arabic(ch))
    for ch in _APOSTROPHES:
        text = text.replace(ch, "")
    return _TOKEN.findall(text.casefold())


def _strip_articles(words: list[str]) -> list[str]:
    kept = []
    for i, w in enumerate(words):
        if w in ARTICLES and i + 1 < len(words):
            continue
        if _is_arabic(w) and w.startswith("ال") and len(w) > 4:
            w = w[2:]
        kept.append(w)
    return kept


@lru_cache(maxsize=1 << 16)
def key(text: str) -> str:
    """The exact-match key: words without accents, apostrophes and articles, space-joined."""
    return " ".join(_strip_articles(tokens(text)))


def _skeleton_word(word: str) -> str:
    if _is_arabic(word):
        return word
    for a, b in _SKELETON_RULES:
        word = word.replace(a, b)
    word = re.sub(r"(.)\1+", r"\1", word)  # Lattakia -> Latakia, Darayya -> Daraya
    return word


@lru_cache(maxsize=1 << 16)
def skeleton(text: str) -> str:
    """The transliteration-insensitive key: ``key()`` with spelling habits folded."""
    return " ".join(_skeleton_word(w) for w in key(text).split())
