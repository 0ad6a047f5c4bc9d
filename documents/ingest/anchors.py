"""Anchors: unique, stable, readable ids for clauses within one document.

An anchor comes from the clause number where there is one ("6.4" -> "s6-4"; an item
"(a)" under 6.4 -> "s6-4-a"), else from a slug of the heading ("Intro" -> "intro");
text before the first heading is "preamble". Repeats get "-2", "-3" in document
order, so a document captured twice still has unique anchors.
"""

from __future__ import annotations

import re
import unicodedata

MAX_SLUG = 48


def slugify(text: str, max_len: int = MAX_SLUG) -> str:
    s = unicodedata.normalize("NFKD", text)
    s = s.encode("ascii", "ignore").decode("ascii").lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    if len(s) > max_len:
        s = s[:max_len].rsplit("-", 1)[0] or s[:max_len]
    return s


def number_token(number: str) -> str:
    """"6.4" -> "6-4", "(a)" -> "a", "IV" -> "iv", "2)" -> "2"."""
    return "-".join(t for t in re.split(r"[^0-9A-Za-z]+", number.lower()) if t)


def base_anchor(number: str, heading: str, *, parent_anchor: str | None, absolute: bool) -> str:
    """Anchor before de-duplication.

    ``absolute``: the number is complete on its own ("4.2", or a top-level "5"); else
    it is relative to the parent ("(a)" in 4.2, a list "1." in a section).
    """
    tok = number_token(number)
    if tok:
        if absolute or not parent_anchor:
            return "s" + tok
        return f"{parent_anchor}-{tok}"
    slug = slugify(heading)
    if slug:
        return slug
    return f"{parent_anchor}-text" if parent_anchor else "clause"


def dedupe(anchor: str, used: set[str]) -> str:
    if anchor not in used:
        used.add(anchor)
        return anchor
    k = 2
    while f"{anchor}-{k}" in used:
        k += 1
    used.add(f"{anchor}-{k}")
    return f"{anchor}-{k}"
