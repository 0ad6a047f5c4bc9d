"""Clause enumerators: "1.", "2.2.1", "(a)", "a)", "IV.", "A." at the start of a line.

Legal text uses a handful of enumerator families. We record the family (``kind``),
the punctuation around it (``style``) and the value, because the tree builder decides
nesting by comparing families ("(a)" inside "2.1") and sequences ("I." after "H." is a
letter, not a Roman one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ROMAN_RE = re.compile(r"^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
# Single letters that are also Roman numerals; which one they are depends on the sequence.
AMBIGUOUS_LETTERS = set("ivxlcdm")

# Order matters: multi-level decimals first, then single decimals (which need a delimiter,
# otherwise "10 days" would be an enumerator), then parenthesised and letter forms.
_ENUM_RE = re.compile(
    r"""
    (?P<multi>\d{1,3}(?:\.\d{1,3})+)\.?(?=[\s*_]|$)
    | (?P<dec>\d{1,3})(?P<dec_delim>[.)])(?=[\s*_]|$)
    | \((?P<paren>\d{1,3}|[a-zA-Z]{1,6})\)(?=[\s*_]|$)
    | (?P<rparen>[a-zA-Z]{1,6})\)(?=\s)
    | (?P<letter>[a-zA-Z]{1,6})\.(?=\s)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Enumerator:
    kind: str  # "dec", "alpha", "ALPHA", "roman", "ROMAN", "amb", "AMB" (single i/v/x...)
    style: str  # ".", ")", "()", or "" for multi-level decimals
    tokens: tuple[str, ...]  # decimal parts, or the single letter / numeral
    printed: str  # the number as the document prints it, without trailing dot
    end: int  # offset just after the enumerator in the parsed string
    word: str = ""  # the numbering word printed before it: "Article", "Part" ("" for none, "§")

    @property
    def is_dec(self) -> bool:
        return self.kind == "dec"

    def value(self, kind: str | None = None) -> int:
        """Ordinal value, reading ambiguous letters as ``kind`` ("alpha"/"roman")."""
        token = self.tokens[-1]
        if self.kind == "dec":
            return int(token)
        if self.kind == "ALNUM":
            return int(re.sub(r"\D", "", token.rsplit(".", 1)[-1]) or 0)
        k = (kind or self.kind).lower()
        if k in ("roman",):
            return roman_value(token)
        return ord(token.lower()) - 96

    def resolved(self, kind: str) -> "Enumerator":
        return Enumerator(kind, self.style, self.tokens, self.printed, self.end, self.word)


def roman_value(s: str) -> int:
    total, prev = 0, 0
    for ch in reversed(s.upper()):
        v = _ROMAN_VALUES.get(ch, 0)
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total


def _letter_kind(tok: str) -> str | None:
    upper = tok.isupper()
    if len(tok) == 1:
        if tok.lower() in AMBIGUOUS_LETTERS:
            return "AMB" if upper else "amb"
        return "ALPHA" if upper else "alpha"
    if not (tok.isupper() or tok.islower()):
        return None
    if _ROMAN_RE.match(tok.upper()):
        return "ROMAN" if upper else "roman"
    return None  # "ab)" or "Inc." are not enumerators


def parse_enumerator(s: str, pos: int = 0) -> Enumerator | None:
    """Parse an enumerator at ``s[pos:]`` (escapes like ``1\\.`` must be removed first)."""
    m = _ENUM_RE.match(s, pos)
    if not m:
        return None
    if m.group("multi"):
        toks = tuple(str(int(t)) for t in m.group("multi").split("."))
        return Enumerator("dec", "", toks, ".".join(toks), m.end())
    if m.group("dec"):
        d = m.group("dec_delim")
        tok = str(int(m.group("dec")))
        printed = tok if d == "." else tok + ")"
        return Enumerator("dec", d, (tok,), printed, m.end())
    for name, style in (("paren", "()"), ("rparen", ")"), ("letter", ".")):
        tok = m.group(name)
        if tok is None:
            continue
        if tok.isdigit():
            return Enumerator("dec", style, (str(int(tok)),), f"({int(tok)})", m.end())
        kind = _letter_kind(tok)
        if kind is None:
            return None
        printed = {"()": f"({tok})", ")": f"{tok})", ".": tok}[style]
        return Enumerator(kind, style, (tok,), printed, m.end())
    return None


# "Article 7.", "Section 4", "Part II", "Clause 12.3": a numbering word before the number.
# The number is the clause's; the word is how the document says it.
_WORDED_RE = re.compile(
    r"(?:(?P<word>article|section|part|chapter|clause)(?![a-z])|§)\s*"  # a whole word: "Party" is no "Part y"
    r"(?P<num>\d{1,3}(?:\.\d{1,3})*|[IVXLC]{1,6}(?![a-z])|[A-Z](?![A-Za-z]))\.?(?=[\s:.\-–—)]|$)",
    re.I,
)


# "A2. Payments", "B12 Liability": a part letter and a number, as schedules number items.
_ALNUM_RE = re.compile(r"(?P<num>[A-Z]\d{1,2}(?:\.\d{1,3})*)\.?(?=[\s:]|$)")


def parse_worded(s: str, pos: int = 0) -> Enumerator | None:
    """Parse "Article 7." / "Section 4" / "Part II" at ``s[pos:]`` as the enumerator 7 / 4 / II,
    and "A2." as A2. Used for headings, where a number needs no "." or ")" after it."""
    m = _WORDED_RE.match(s, pos)
    if not m:
        m = _ALNUM_RE.match(s, pos)
        if not m:
            return None
        end = m.end()
        while end < len(s) and s[end] in " :.-–—)":
            end += 1
        return Enumerator("ALNUM", ".", (m.group("num"),), m.group("num"), end)
    num = m.group("num")
    end = m.end()
    word = (m.group("word") or "").capitalize()
    while end < len(s) and s[end] in " :.-–—)":
        end += 1  # "Article 1: Scope", "Article 2 – Event registration"
    if num[0].isdigit():
        toks = tuple(str(int(t)) for t in num.split("."))
        return Enumerator("dec", "." if len(toks) == 1 else "", toks, ".".join(toks), end, word)
    if len(num) == 1 and num.upper() not in "IVXLC":
        return Enumerator("ALPHA", ".", (num.upper(),), num.upper(), end, word)
    if _ROMAN_RE.match(num.upper()):
        return Enumerator("ROMAN", ".", (num.upper(),), num.upper(), end, word)
    return None


def family(e: Enumerator) -> tuple:
    """Key of the enumerator family: decimals by depth, letters by case and punctuation."""
    if e.kind == "dec":
        return ("dec", len(e.tokens), e.style if len(e.tokens) == 1 else "")
    return (e.kind, e.style)


def is_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """True if decimal number ``a`` is a proper prefix of ``b`` ("2.2" of "2.2.1")."""
    return len(a) < len(b) and b[: len(a)] == a


def anchor_token(e: Enumerator) -> str:
    return "-".join(t.lower() for t in e.tokens)
