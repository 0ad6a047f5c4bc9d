"""Text every renderer can show and serialise: Atom/XML 1.0, HTML, JSON, CSV, PDF, e-mail.

XML 1.0 forbids the C0 controls other than tab, newline and carriage return (Django's
feed writer raises ``UnserializableContentError`` on them, so one stored ``\\x1b`` made
every feed that lists it a 500), UTF-8 cannot encode a lone surrogate, and U+FFFE/U+FFFF
are not characters. Legal texts carry such bytes only by accident: terminal colours
pasted from a console, form feeds from a PDF's page breaks, Windows-1252 text decoded
as Latin-1 (C1 controls). So text is normalised at the door (import, upload, admin)
and again by the renderers for what was stored before.

Names (publishers, titles) also lose the bidirectional *overrides and isolates*: in a
name they reorder what the reader sees ("txt.exe" shown as "exe.txt") and a name needs
none. Body text keeps them, since right-to-left documents may use them.

Pure text code: imports nothing from Django.
"""

from __future__ import annotations

import re
import unicodedata

# Page and line separators become a newline; every other control goes.
_BREAKS = {"\x0b": "\n", "\x0c": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"}
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\u2028\u2029]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _replace(match: re.Match) -> str:
    return _BREAKS.get(match.group(), "")


def clean_text(text: str) -> str:
    """``text`` without what no renderer can carry: C0/C1 controls (tab, newline and
    carriage return kept; vertical tab, form feed, NEL and the Unicode line/paragraph
    separators become newlines), lone surrogates (U+FFFD) and U+FFFE/U+FFFF."""
    if not text:
        return text
    text = _SURROGATES.sub("\ufffd", text)
    return _CONTROLS.sub(_replace, text)


def clean_name(text: str) -> str:
    """A one-line name: ``clean_text`` without bidi overrides, whitespace runs (and the
    line breaks ``clean_text`` makes) collapsed to one space, NFC."""
    if not text:
        return text
    text = _BIDI_CONTROLS.sub("", clean_text(text))
    return unicodedata.normalize("NFC", " ".join(text.split()))


def unsafe_characters(text: str, *, name: bool = False) -> list[str]:
    """The distinct characters ``clean_text`` (or ``clean_name``) would change, as
    ``U+001B`` labels, for a message that says what was found."""
    found = set(_CONTROLS.findall(text or "")) | set(_SURROGATES.findall(text or ""))
    if name:
        found |= set(_BIDI_CONTROLS.findall(text or ""))
    found -= {"\n"} if not name else set()
    return [f"U+{ord(c):04X}" for c in sorted(found)]
