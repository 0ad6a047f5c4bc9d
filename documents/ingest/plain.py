"""Inline markdown -> plain text, and "does this read like a title?" tests."""

from __future__ import annotations

import re

_LINK_RE = re.compile(r"!?\[([^\[\]\n]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"\n]*\")?\)")
_AUTOLINK_RE = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_REF_LINK_RE = re.compile(r"\[([^\[\]\n]+)\]\[[^\]\n]*\]")
_EMPH_RE = re.compile(r"(\*{1,3}|_{1,3})")
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_TAG_RE = re.compile(r"</?[a-zA-Z][^>\n]{0,200}>")
_WS_RE = re.compile(r"\s+")

# Small words that stay lower case in titles ("Use of the APIs and ClickDesk Data").
STOPWORDS = frozenset(
    "a an and as at but by de for from in into is are of on or over per the to under upon"
    " via vs with your our its their this these that than who what how why when where do"
    " does".split()
)


# Emphasis markers: only runs touching a word edge, so "2 * 3" and snake_case survive.
_EDGE_EMPH_RE = re.compile(r"(?<![\w*])(\*{1,3}|_{1,3})(?=\S)|(?<=\S)(\*{1,3}|_{1,3})(?![\w*])")
_INLINE_RE = re.compile(r"[\[<\\*_]")  # what any inline markup starts with


def strip_inline(s: str) -> str:
    """Markdown inline -> plain text (links keep their text, emphasis markers go)."""
    if not _INLINE_RE.search(s):
        return s  # most lines of a document: nothing to strip, and no pattern to run
    if "[" in s:
        s = _LINK_RE.sub(r"\1", s)
        s = _REF_LINK_RE.sub(r"\1", s)
    if "<" in s:
        s = _AUTOLINK_RE.sub(r"\1", s)
        s = _TAG_RE.sub(" ", s)
    if "\\" in s:
        s = _ESCAPE_RE.sub(r"\1", s)
    if "*" in s or "_" in s:
        s = _EDGE_EMPH_RE.sub("", s)
    return s


_DELIMITER_ROW_RE = re.compile(r"\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?")
_HASHES_RE = re.compile(r"^#{1,6}\s+")
_BULLETS_RE = re.compile(r"^(?:[*+\-•]\s+)+")
_BR_RE = re.compile(r"<br\s*/?>", re.I)


def to_plain(markdown: str) -> str:
    """Markdown block text -> whitespace-normalised plain text (what search reads)."""
    lines = []
    for line in markdown.split("\n"):
        t = line.strip()
        # Each pattern only where its first character is: most lines need none.
        if "--" in t and _DELIMITER_ROW_RE.fullmatch(t):
            continue  # table delimiter row
        if t[:1] == "#":
            t = _HASHES_RE.sub("", t)
        if t[:1] in ("*", "+", "-", "•"):
            t = _BULLETS_RE.sub("", t)
        if "|" in t:
            t = t.replace("|", " ")
        if "<" in t:
            t = _BR_RE.sub(" ", t)
        lines.append(strip_inline(t))
    return _WS_RE.sub(" ", " ".join(lines)).strip()


_TRAILING_PUNCT_RE = re.compile(r"(?<![\s:.])\s*[:.]+$")
_ABBREVIATION_END_RE = re.compile(r"\b(?:Inc|Ltd|Co|etc)\.$")


def clean_heading(s: str) -> str:
    """Heading text as a person reads it: no markup, no escapes, no trailing ':' '.' '\\'."""
    s = strip_inline(s)
    s = s.replace("\\", " ")
    s = _WS_RE.sub(" ", s).strip()
    s = s.strip("*_ ").strip()
    if s[-1:] in (":", "."):  # the patterns below only act on a final ":" or "."
        s = _TRAILING_PUNCT_RE.sub("", s) if not _ABBREVIATION_END_RE.search(s) else s
    return s.strip()


_WORDS_RE = re.compile(r"[^\W_][\w'’\-./&]*")


def words(s: str) -> list[str]:
    return _WORDS_RE.findall(s)


def capitalized(w: str) -> bool:
    """"Policy", "API", "3D", and brand words like "iCloud" or "eBay"."""
    return w[:1].isupper() or w[:1].isdigit() or (w[:1].islower() and any(c.isupper() for c in w[1:]))


_SENTENCE_BREAK_RE = re.compile(r"[.!?]\s+\S|;\s+[a-z]")


def is_title_like(s: str, max_words: int = 12, strict_case: bool = True) -> bool:
    """A short line that names something rather than says something.

    Titles are short, contain no sentence break, do not end like a clause of a list
    (";" ","), and capitalise most significant words ("How We Use Personal
    Information", "Does Zendesk use Cookies?"); ALL CAPS counts as capitalised.
    """
    s = s.strip()
    if not s or len(s) > 160:
        return False
    if s[-1] in ",;" or _SENTENCE_BREAK_RE.search(s):
        return False
    ws = words(s)
    if not ws or len(ws) > max_words:
        return False
    if not capitalized(ws[0]):
        return False
    if not strict_case:
        return True
    significant = [w for w in ws[1:] if w.lower() not in STOPWORDS and w[0].isalpha()]
    if not significant:
        return True
    caps = sum(1 for w in significant if capitalized(w))
    return caps / len(significant) >= 0.6 or (len(ws) <= 3)


def is_sentence_like(s: str) -> bool:
    """Prose: enough words and ends like a sentence, or simply long."""
    t = s.strip()
    n = len(words(t))
    return n >= 14 or (n >= 6 and t[-1:] in ".!?;:") or len(t) >= 120


_SENTENCE_STARTERS = frozenset(
    "you we i it this these those the if in any all each our they he she there that such when"
    " where as for to upon unless except no not a an by with from at on".split()
)
_FINITE_VERBS = frozenset(
    "is are was were will may must shall can should would could do does did have has had".split()
)


def is_label_like(s: str, max_words: int = 8) -> bool:
    """A short lead label such as "Scope of acceptable use" in "Scope of acceptable use. You…".

    Looser than :func:`is_title_like` (lower-case words allowed) but it must not read
    like the start of a sentence: no leading pronoun/article, no finite verb.
    """
    if is_title_like(s, max_words=max_words + 2):
        return True
    ws = words(s)
    if not ws or len(ws) > max_words or not capitalized(ws[0]):
        return False
    if ws[0].lower() in _SENTENCE_STARTERS or any(w.lower() in _FINITE_VERBS for w in ws):
        return False
    return not re.search(r"[.!?,]\s", s)


def is_long_sentence(s: str) -> bool:
    """Stricter than :func:`is_sentence_like`: questions and colon leads stay titles."""
    t = s.strip()
    n = len(words(t))
    return n >= 15 or len(t) >= 120 or (n >= 8 and t[-1:] in ".;")
