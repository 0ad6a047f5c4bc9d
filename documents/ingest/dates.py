"""Effective date of a document, read from its text.

Terms state their date in a sentence such as "Effective: May 24th 2018", "Effective as
of October 1, 2015", "Last updated: 30 November 2025" or "The Terms were last updated
on: 17 June 2026". A date only counts when such a statement introduces it, because
documents are full of other dates (laws, "on or after July 24, 2023"). Statements near
the top win: that is where the operative date sits, and later ones are often history.
"""

from __future__ import annotations

import datetime as dt
import re

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_MONTH = r"(?P<mon>January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"

# Word edges that also hold next to markdown emphasis ("_May 1, 2020_").
_B = r"(?<![A-Za-z0-9])"
_E = r"(?![A-Za-z0-9])"

_DATE_PATTERNS = [
    re.compile(rf"{_B}{_MONTH}\s+{_DAY},?\s+{_YEAR}{_E}", re.I),  # May 24th 2018, October 1, 2015
    re.compile(rf"{_B}{_DAY}(?:\s+of)?\s+{_MONTH},?\s+{_YEAR}{_E}", re.I),  # 1 January 2024
    re.compile(rf"{_B}(?P<year>(?:19|20)\d\d)-(?P<mon>[01]?\d)-(?P<day>[0-3]?\d){_E}"),  # ISO
    re.compile(rf"{_B}(?P<mon>[01]?\d)/(?P<day>[0-3]?\d)/(?P<year>(?:19|20)\d\d){_E}"),  # US 10/01/2015
    re.compile(rf"{_B}{_MONTH},?\s+{_YEAR}{_E}", re.I),  # August 2025 (day 1)
]

# Statements that introduce the operative date. Kept short: they must precede the date
# closely (same sentence), see _KEYWORD_WINDOW.
_KEYWORD_RE = re.compile(
    r"\b(effective(?:\s+date)?|last\s+(?:updated|modified|revised|amended|changed)|"
    r"updated|revised|modified|amended|date\s+of\s+last\s+revision|version\s+date|dated)\b",
    re.I,
)
_KEYWORD_WINDOW = 60


def _to_date(m: re.Match) -> dt.date | None:
    gd = m.groupdict()
    try:
        mon = gd["mon"]
        month = int(mon) if mon.isdigit() else _MONTHS[mon.lower().rstrip(".")]
        day = int(gd["day"]) if gd.get("day") else 1
        return dt.date(int(gd["year"]), month, day)
    except (KeyError, ValueError):
        return None


def find_dates(text: str) -> list[tuple[int, int, dt.date]]:
    """All dates in ``text`` as (start, end, date), without overlaps, in order."""
    found: list[tuple[int, int, dt.date]] = []
    taken: list[tuple[int, int]] = []
    for rx in _DATE_PATTERNS:
        for m in rx.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            d = _to_date(m)
            if d:
                found.append((m.start(), m.end(), d))
                taken.append((m.start(), m.end()))
    found.sort()
    return found


def find_effective_date(text: str, *, head_chars: int = 4000) -> dt.date | None:
    """The date an effective/last-updated statement gives, preferring the top of the text."""
    best_head: tuple[int, dt.date] | None = None
    first_any: tuple[int, dt.date] | None = None
    for start, _end, d in find_dates(text):
        window = text[max(0, start - _KEYWORD_WINDOW): start]
        # The keyword must be in the same sentence/line as the date.
        window = re.split(r"[.!?]\s|\n\s*\n", window)[-1]
        kws = list(_KEYWORD_RE.finditer(window))
        if not kws:
            continue
        if start < head_chars and best_head is None:
            best_head = (start, d)
        if first_any is None:
            first_any = (start, d)
    if best_head:
        return best_head[1]
    return first_any[1] if first_any else None
