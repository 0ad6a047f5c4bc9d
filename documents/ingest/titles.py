"""The title a document gives itself: "Cloudflare Self-Serve Subscription Agreement".

Legal instruments name themselves near the top, in a heading or a title line, with
the noun of what they are: an agreement, a policy, terms, conditions, a notice, a
statement, guidelines, rules, a licence, an addendum. Page furniture (menus,
breadcrumbs, links) does not count, and neither does a sentence that merely mentions
a policy. A document that names no instrument has no official title ("").
"""

from __future__ import annotations

import re

from .plain import clean_heading, strip_inline, words

_INSTRUMENT_RE = re.compile(
    r"(?<![A-Za-z])(?:agreements?|polic(?:y|ies)|terms|conditions|notice|statement|guidelines?|rules|"
    r"principles|addendum|contract|licen[cs]e|charter|standards|code\s+of\s+(?:conduct|practice|ethics)|"
    r"disclaimer|eula|regulations?|commitments?|undertakings?)(?![A-Za-z])",
    re.I,
)
_ATX_RE = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT_RE = re.compile(r"^\s*(=+|-+)\s*$")
_BOLD_RE = re.compile(r"^\s*(\*\*|__)(.+?)\1\s*$")
_LINKISH_RE = re.compile(r"\]\(|https?://|<a\s", re.I)
_NUMBERED_RE = re.compile(r"^\s*(?:\d{1,3}(?:\.\d{1,3})*\\?[.)]?|[A-Z][.)]|[IVX]{1,5}\.|\([a-z0-9]{1,4}\))\s")
_DATE_RE = re.compile(r"\b(?:19|20)\d\d\b")
_SITE_SUFFIX_RE = re.compile(r"\s+[|–—-]\s+[^|–—-]{1,40}$")

HEAD_LINES = 40


def _candidates(lines: list[str]):
    """(rank, text) of title-like lines among the first non-blank lines; rank 0 = H1."""
    seen = 0
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        seen += 1
        if seen > HEAD_LINES:
            return
        if _SETEXT_RE.match(line):
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        m = _ATX_RE.match(line)
        if m:
            yield (0 if len(m.group(1)) == 1 else 1), m.group(2)
        elif _SETEXT_RE.match(nxt) and len(nxt.strip()) >= 2:
            yield (0 if nxt.strip()[0] == "=" else 1), line
        elif _BOLD_RE.match(line):
            yield 2, _BOLD_RE.match(line).group(2)
        elif seen <= 3:
            yield 3, line


def _as_title(raw: str) -> str:
    if _LINKISH_RE.search(raw) or _NUMBERED_RE.match(strip_inline(raw)):
        return ""
    text = clean_heading(raw)
    if " | " in text:
        text = _SITE_SUFFIX_RE.sub("", text)
    n = len(words(text))
    if not text or n > 16 or len(text) > 160 or not _INSTRUMENT_RE.search(text):
        return ""
    if _DATE_RE.search(text) and re.search(r"\b(?:effective|updated|revised|modified)\b", text, re.I):
        return ""  # "Terms last updated May 2024": a date statement
    first = text.split()[0]
    if re.search(r"[.!?;,]\s+\S", text) or text[-1:] in "?!,;" or not (
        first[0].isupper() or first[0].isdigit() or any(c.isupper() for c in first[1:])
    ):
        return ""  # a sentence, a question, a greeting or a fragment
    return text


def find_official_title(lines: list[str]) -> str:
    """The first H1 that names an instrument, else the first such heading or title line."""
    best: tuple[int, int, str] | None = None
    for order, (rank, raw) in enumerate(_candidates(lines)):
        title = _as_title(raw)
        if title and (best is None or rank < best[0]):
            best = (rank, order, title)
            if rank == 0:
                break
    return best[2] if best else ""
