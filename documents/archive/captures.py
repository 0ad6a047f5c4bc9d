"""Whether a recorded text is the document at all (no Django).

An archive records whatever the page served: now and then an error page, a log-in wall,
the page in another language or an almost empty page. Such a capture is refused (listed
with its reason, not published). The signals are general, not tied to a service:

- its size against the document's last accepted text (a capture a fraction of the size
  of the text it would replace is not a new edition of it), and its absolute size;
- the vocabulary of error pages and log-in forms, counted only in a short capture (a
  long policy that mentions "password" or "not found" is still a policy);
- its language against the language of the document's last accepted text, both
  identified with high confidence by py3langid on enough words.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

ERROR_PAGE = "error_page"
LOGIN_WALL = "login_wall"
LANGUAGE = "language"
NEAR_EMPTY = "near_empty"

# Fewer words than this is not a legal document whatever it was before.
MIN_WORDS = 40
# A capture under this share of the last accepted text's words is not a new edition of it...
SHRUNK_SHARE = 0.15
# ...when that text was long enough for the share to mean something.
SHRUNK_FROM_WORDS = 300
# Error and log-in vocabulary is evidence only in a short capture: under this many
# words, or under this share of the last accepted text.
SHORT_WORDS = 400
SHORT_SHARE = 0.4
# Language: judged on this many words at least, at this confidence on both sides.
LANGUAGE_MIN_WORDS = 150
LANGUAGE_CONFIDENCE = 0.95
SAMPLE_CHARS = 3000
# The languages the identifier chooses among: those the archives record policies in.
# A closed set keeps a page of menus and country names from being "identified" as a
# language no policy of the archive is written in.
LANGUAGES = ["ar", "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "he", "hr", "hu", "id", "it",
             "ja", "ko", "lt", "lv", "no", "nl", "pl", "pt", "ro", "ru", "sk", "sl", "sv", "th", "tr", "uk",
             "vi", "zh"]

_WORD = re.compile(r"[^\W\d_]{2,}")

_ERROR_PHRASES = re.compile(
    r"\b(?:page (?:not found|introuvable|nicht gefunden|no encontrada|non trovata)|not found|"
    r"(?:error|erreur|fehler|http)\s*(?:code\s*)?[45]\d\d|[45]0\d (?:error|not found|forbidden)|access denied|forbidden|"
    r"service (?:temporarily )?unavailable|temporarily unavailable|something went wrong|an error (?:has )?occurred|"
    r"internal server error|bad gateway|gateway time-?out|too many requests|are you a robot|"
    r"verify (?:that )?you are (?:a )?human|captcha|enable javascript|javascript is (?:disabled|required)|"
    r"checking your browser|unusual traffic|request (?:was )?blocked|une erreur (?:est survenue|s'est produite))\b",
    re.I,
)
_LOGIN_PHRASES = re.compile(
    r"\b(?:log ?in|sign ?in|sign ?up|password|forgot(?:ten)? your|create (?:an |your )?account|"
    r"remember me|continue with (?:google|facebook|apple|email)|e-?mail address|"
    r"se connecter|connexion|mot de passe|s'inscrire|anmelden|passwort|registrieren|"
    r"iniciar sesi[oó]n|contrase[nñ]a|registrarse|accedi|registrati)\b",
    re.I,
)


@dataclass(frozen=True)
class Profile:
    """What a refusal is judged against: the document's last accepted text."""

    words: int
    language: str | None


@dataclass(frozen=True)
class Refusal:
    reason: str
    detail: str


def words(text: str) -> int:
    return sum(1 for _ in _WORD.finditer(text))


@functools.lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import _load_identifier  # the packaged model, loaded once (~1 s)

    return _load_identifier(norm_probs=True, langs=LANGUAGES)


def language(text: str, *, word_count: int | None = None) -> str | None:
    """The text's language when it is identified with confidence, else None."""
    if (word_count if word_count is not None else words(text)) < LANGUAGE_MIN_WORDS:
        return None
    # A sample from the middle: the language of the body, not of a menu at the top, and
    # the identifier's cost grows with the length it reads.
    start = max(0, len(text) // 2 - SAMPLE_CHARS // 2)
    code, confidence = _identifier().classify(text[start:start + SAMPLE_CHARS])
    return code if confidence >= LANGUAGE_CONFIDENCE else None


def profile(text: str) -> Profile:
    count = words(text)
    return Profile(words=count, language=language(text, word_count=count))


def refusal(text: str, previous: Profile | None, *, correction: bool = False) -> tuple[Refusal | None, Profile]:
    """Why ``text`` is not the document (or None), and its profile for the next capture.

    ``previous``: the profile of the document's last accepted text, None for its first.
    ``correction``: the archive re-extracted a page it had recorded, on purpose; it often
    drops the page's menus and footers, so its size is not compared with the text before.
    """
    count = words(text)
    if count < MIN_WORDS:
        return Refusal(NEAR_EMPTY, f"{count} words"), Profile(count, None)
    before = previous.words if previous and not correction else 0
    short = count < SHORT_WORDS or (before and count < SHORT_SHARE * before)
    if short:
        errors = {m.group(0).lower() for m in _ERROR_PHRASES.finditer(text)}
        logins = {m.group(0).lower() for m in _LOGIN_PHRASES.finditer(text)}
        if len(logins) >= 2 and len(logins) >= len(errors):
            return Refusal(LOGIN_WALL, _evidence(count, before, logins)), Profile(count, None)
        if errors:
            return Refusal(ERROR_PAGE, _evidence(count, before, errors)), Profile(count, None)
    if before >= SHRUNK_FROM_WORDS and count < SHRUNK_SHARE * before:
        return Refusal(NEAR_EMPTY, f"{count} words where the last text had {before}"), Profile(count, None)
    found = language(text, word_count=count)
    if found and previous and previous.language and found != previous.language:
        return (Refusal(LANGUAGE, f"written in {found}; the document is in {previous.language}"),
                Profile(count, found))
    return None, Profile(count, found)


def _evidence(count: int, before: int, phrases: set[str]) -> str:
    size = f"{count} words" + (f" where the last text had {before}" if before else "")
    return f"{size}; says " + ", ".join(f"“{p}”" for p in sorted(phrases)[:4])
