"""Effective date of a document, read from its text.

Terms state their date in a sentence such as "Effective: May 24th 2018", "Effective as
of October 1, 2015", "Last updated: 30 November 2025", "The Terms were last updated
on: 17 June 2026" or "This policy will take effect on 30 May 2026"; a date that ends a
period ("effective for existing users until …") is none. A date only counts when such a statement introduces it, because
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
    re.compile(rf"{_B}(?P<mon>[0-3]?\d)/(?P<day>[0-3]?\d)/(?P<year>(?:19|20)\d\d){_E}"),  # 10/01/2015, 25/05/2018
    re.compile(rf"{_B}{_MONTH},?\s+{_YEAR}{_E}", re.I),  # August 2025 (day 1)
]

# Statements that introduce the operative date. Kept short: they must precede the date
# closely (same sentence), see _KEYWORD_WINDOW. Edges are letters, not \b, so that
# "_Effective on February 1, 2022_" (emphasis) still counts.
_KEYWORD_RE = re.compile(
    r"(?<![A-Za-z])(effective(?:\s+date)?|last\s+(?:updated|modified|revised|amended|changed|reviewed)|"
    r"updated|revised|modified|amended|date\s+of\s+last\s+revision|version\s+date|dated|"
    r"in\s+(?:force|effect)\s+(?:from|since|as\s+of|on)|(?:takes?|took|will\s+take)\s+effect|"
    r"(?:^|\n)[\s*_#]*date[\s*_]*:[\s*_]*$)(?![A-Za-z])",
    re.I,
)
_KEYWORD_WINDOW = 60

# A date that is not the document's own, whatever keyword precedes it:
# a change history ("effective from May 24, 2012 until June 1, 2013"), an older
# version ("the previous version, effective …"), or a part's own date ("This section
# was updated on …", "Annex 2 last revised …").
_HISTORY_AFTER_RE = re.compile(r"^[\s,*_)]*(?:until|till|to|through|thru|[-–—])\s", re.I)
# The end of a period is no start: "effective for existing users until 30 May 2026".
_UNTIL_BEFORE_RE = re.compile(r"(?<![A-Za-z])(?:until|till|through|thru|up\s+to)[\s*_\[(]*$", re.I)
_NOT_OURS_RE = re.compile(
    r"(?<![A-Za-z])(?:previous|prior|former|earlier|old(?:er)?|archived|superseded|replaced|"
    r"(?:this|the)\s+(?:section|annex|appendix|schedule|exhibit|addendum|supplement|attachment))(?![A-Za-z])",
    re.I,
)
# A part bound after the main text: its dates are its own.
_PART_HEADING_RE = re.compile(
    r"^[ \t]*(?:(?:#{1,6}\s+|\*\*|__)[ \t]*)?(?:annex|appendix|schedule|exhibit|addendum)"  # linear: one way to split a blank run
    r"(?:\s+(?:\d{1,3}|[A-Z]|[IVX]{1,5})(?![A-Za-z0-9])|\s*[:\-–—])", re.I | re.M
)
_NUMERIC_RE = re.compile(r"(?<![\d/])([0-3]?\d)/([0-3]?\d)/((?:19|20)\d\d)(?![\d/])")


def _to_date(m: re.Match, *, day_first: bool = False) -> dt.date | None:
    gd = m.groupdict()
    try:
        mon = gd["mon"]
        month = int(mon) if mon.isdigit() else _MONTHS[mon.lower().rstrip(".")]
        day = int(gd["day"]) if gd.get("day") else 1
        if day_first and mon.isdigit() and "/" in m.group(0):
            month, day = day, month
        return dt.date(int(gd["year"]), month, day)
    except (KeyError, ValueError):
        return None


def _day_first(text: str, windows: list[tuple[int, int]] | None = None) -> bool:
    """Does the document write numeric dates day first (14/05/2018)? Decided by its own
    unambiguous ones; the US order when none tells."""
    votes = 0
    windows = _year_windows(text) if windows is None else windows
    numeric = (m.groups() for a, b in windows for m in _NUMERIC_RE.finditer(text, a, b))
    for a, b, _ in numeric:
        if int(a) > 12 >= int(b):
            votes += 1
        elif int(b) > 12 >= int(a):
            votes -= 1
    return votes > 0


_YEAR_RE = re.compile(r"(?:19|20)\d\d")


def _year_windows(text: str) -> list[tuple[int, int]]:
    """Stretches of ``text`` around each year (every date form has one): the date patterns
    run only there, not from every character of a long document."""
    windows: list[tuple[int, int]] = []
    for m in _YEAR_RE.finditer(text):
        a, b = max(0, m.start() - 40), min(len(text), m.end() + 10)
        if windows and a <= windows[-1][1]:
            windows[-1] = (windows[-1][0], b)
        else:
            windows.append((a, b))
    return windows


def find_dates(text: str, *, day_first: bool | None = None) -> list[tuple[int, int, dt.date]]:
    """All dates in ``text`` as (start, end, date), without overlaps, in order."""
    windows = _year_windows(text)
    if day_first is None:
        day_first = _day_first(text, windows)
    found: list[tuple[int, int, dt.date]] = []
    taken = bytearray(len(text))  # characters inside a date already found: linear, not pairwise
    for rx in _DATE_PATTERNS:
        for m in (m for a, b in windows for m in rx.finditer(text, a, b)):
            if 1 in taken[m.start():m.end()]:
                continue
            d = _to_date(m, day_first=day_first)
            if d is None and "/" in m.group(0):
                d = _to_date(m, day_first=not day_first)  # "25/05/2018" in a US-order document
            if d:
                found.append((m.start(), m.end(), d))
                taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    found.sort()
    return found


_SENTENCE_END_RE = re.compile(r"[.!?]\s|\n\s*\n")
# A statement of when the text takes effect, rather than of when it was edited.
_TAKES_EFFECT_RE = re.compile(r"effective|in\s+(?:force|effect)|\beffect\b", re.I)


def _statement_dates(text: str, *, not_after: dt.date | None = None):
    """(position, date) of each date an effective/updated statement gives, in order."""
    for start, end, d in find_dates(text):
        line_start = text.rfind("\n", 0, start) + 1
        if text[line_start:start].lstrip().startswith((">", "|")):
            continue  # a quoted passage (an older version cited) or a table (a change log)
        window = text[max(0, start - _KEYWORD_WINDOW): start]
        # The keyword must be in the same sentence/line as the date.
        window = _SENTENCE_END_RE.split(window)[-1]
        if not _KEYWORD_RE.search(window) or _NOT_OURS_RE.search(window):
            continue
        if _HISTORY_AFTER_RE.match(text[end:end + 12]) or _UNTIL_BEFORE_RE.search(window):
            continue
        numeric = _NUMERIC_RE.fullmatch(text, start, end)
        if not_after is not None and d > not_after and numeric and max(int(numeric[1]), int(numeric[2])) <= 12:
            # A numeric date that reads either way (09/05/2021), read in the order that
            # puts it after the day the text was recorded: the other order is meant.
            other = dt.date(d.year, d.day, d.month)
            if other <= not_after:
                d = other
        yield start, d, bool(_TAKES_EFFECT_RE.search(window))


def find_effective_date(text: str, *, head_chars: int = 4000, not_after: dt.date | None = None) -> dt.date | None:
    """The date an effective/last-updated statement gives, preferring the top of the text;
    there, a statement of when the text takes effect wins over one of when it was updated.

    Statements in a part bound after the main text (an annex, a schedule) count only
    when the main text states nothing. ``not_after`` (the day the text was recorded)
    settles numeric dates that read either way (09/05/2021).
    """
    part = _PART_HEADING_RE.search(text, 1)
    main_end = part.start() if part else len(text)
    first_head = first_main = first_part = None
    for start, d, effective in _statement_dates(text, not_after=not_after):
        if start < main_end:
            if start < head_chars:
                if effective:
                    return d  # when it takes effect, over when it was last updated
                first_head = first_head or d
            first_main = first_main or d
        else:
            first_part = first_part or d
    return first_head or first_main or first_part


# A revision history: entries that each open with a date and say what changed
# ("November 15, 2024: Updated average monthly active users in the EU", "* **June 22,
# 2026** – Revised section 4"). Two or more in a row make one.
_ENTRY_RE = re.compile(r"^[ \t]*(?:[*+\-•][ \t]+)?(?:\*\*|__|_|\*)?[ \t]*(?P<date>[^:–—\n]{6,30}?)[ \t]*(?:\*\*|__|_|\*)?[ \t]*(?::|[–—-][ \t])[ \t]*\S", re.M)
_MIN_ENTRIES = 2


def revision_history_date(text: str, *, not_after: dt.date | None = None) -> dt.date | None:
    """The latest entry of the text's revision history, not after ``not_after`` (the day
    the text was recorded: an entry after it announces a change to come), or None when
    the text keeps no history. A history records when the text last changed, so its
    latest entry is when this text took effect, even where the text also states its
    original date ("These Terms shall take effect on June 1, 2008").
    """
    entries: list[tuple[int, dt.date]] = []
    for m in _ENTRY_RE.finditer(text):
        found = find_dates(m.group("date"))
        if len(found) == 1 and found[0][0] == 0 and found[0][1] == len(m.group("date").strip(" *_")):
            entries.append((m.start(), found[0][2]))
    best: dt.date | None = None
    run: list[dt.date] = []
    last_line = -2
    for start, d in entries:
        line = text.count("\n", 0, start)
        # Entries of one history follow each other (blank lines between allowed).
        if run and line - last_line > 2:
            best = _latest(run, best, not_after)
            run = []
        run.append(d)
        last_line = line
    return _latest(run, best, not_after)


def _latest(run: list[dt.date], best: dt.date | None, not_after: dt.date | None) -> dt.date | None:
    if len(run) < _MIN_ENTRIES:
        return best
    dates = [d for d in run if not_after is None or d <= not_after]
    if not dates:
        return best
    return max(dates) if best is None else max(best, max(dates))
