"""Cross-references inside a document: "Section 9 below", "Sections 4.2 through 4.11".

Each cited number becomes one :class:`CrossReference` with its own character span.
Ranges ("4.2 through 4.11", "4.2-4.11") are returned as two references, the first with
``range_role="start"`` and the last with ``range_role="end"``; the numbers in between
are not invented. When the citation quotes the title, e.g. ``4 ("Use of the APIs")``,
the reference carries it and its span includes the quoted title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CrossReference:
    start: int  # offset of the cited number in the text
    end: int  # offset after the number, or after its quoted title
    number: str  # "4.2", "16.9", "15(7)", "4.2(a)"
    title: str = ""  # quoted title, if the reference gives one
    range_role: str = ""  # "start" / "end" for the two ends of a range, else ""
    keyword: str = ""  # "Section", "Clause", "Article", "Paragraph" as written


_KEYWORD = r"(?P<kw>(?:Sub)?[Ss]ections?|SECTIONS?|[Cc]lauses?|CLAUSES?|[Aa]rticles?|ARTICLES?|[Pp]aragraphs?|§§?)"
_NUM = r"\d{1,3}(?:\.\d{1,3})*(?:\([a-zA-Z0-9]{1,5}\))*"
_TITLE = r"\s*\(\s*[“\"‘']([^”\"’'\n]{1,150})[”\"’']\s*\)"
_SEP = r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|and/or)\s+|\s*(?P<range>through|thru|to|[-–—])\s*)"

_HEAD_RE = re.compile(_KEYWORD + r"\s+(?=\d)")
_ITEM_RE = re.compile(r"(?P<num>" + _NUM + r")(?:" + _TITLE + r")?")
_SEP_RE = re.compile(_SEP)


def find_cross_references(text: str) -> list[CrossReference]:
    refs: list[CrossReference] = []
    for head in _HEAD_RE.finditer(text):
        kw = head.group("kw")
        plural = kw.lower().endswith("s") and kw.lower() not in ("§",) or kw == "§§"
        pos = head.end()
        pending_range = False
        first = True
        while True:
            m = _ITEM_RE.match(text, pos)
            if not m or (not first and not re.match(r"\d", text[m.start():])):
                break
            num = m.group("num").rstrip(".")
            end = m.end()
            role = "end" if pending_range else ""
            ref = CrossReference(m.start(), end, num, (m.group(2) or "").strip(), role, kw)
            if pending_range and refs and refs[-1].range_role == "":
                prev = refs[-1]
                refs[-1] = CrossReference(prev.start, prev.end, prev.number, prev.title, "start", prev.keyword)
            refs.append(ref)
            first = False
            sep = _SEP_RE.match(text, end)
            if not sep:
                break
            nxt = sep.end()
            if not re.match(r"\d", text[nxt:nxt + 1]):
                break
            # "Section 4 and 5" counts even with a singular keyword; lists with commas too.
            pending_range = bool(sep.group("range"))
            if not plural and not pending_range and not re.match(r"\s*(?:,\s*)?(?:and|or)\s", text[end:nxt]):
                break
            pos = nxt
    return refs
