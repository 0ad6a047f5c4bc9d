"""Accent folding: "numerique" finds "numérique" and "numérique" finds "numerique".

Legal texts are written with accents (French, Spanish, German policies, and English
ones that quote them: "café", "naïve") and searched without them, or the other way
round. The analyzers of the text, surface and heading fields fold after lowercasing,
at indexing and at querying alike (Whoosh's ``CharsetFilter`` with its ``accent_map``,
the Sphinx table of Latin letters with diacritics), so both directions meet on the
folded form. ``fold`` is the same mapping for the code that compares words outside
an analyzer (prefix and fuzzy expansion, snippet marks). Pure: no Django.
"""

from __future__ import annotations

from whoosh.analysis import CharsetFilter
from whoosh.support.charset import accent_map

ACCENT_MAP = accent_map


def fold(text: str) -> str:
    """``text`` without diacritics (lowercase it first: the map is for lowercase use)."""
    return text.translate(ACCENT_MAP)


def folding_filter() -> CharsetFilter:
    return CharsetFilter(ACCENT_MAP)
