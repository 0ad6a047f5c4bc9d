"""Defined terms: where a version defines a term, and links from its later uses.

Pure Python, no Django. Two shapes of definition are recognised, the two that legal
drafting uses almost everywhere:

- a quoted term followed by "means", "refers to", "shall mean" or "shall refer to":
  ``“Personal Data” means any information …`` (bold inside or around the quotes is fine);
- a quoted term in parentheses right after the words it names:
  ``… the European Economic Area (“EEA”)``, ``… our websites (collectively, the “Services”)``.

Only capitalised terms count ("Services", "EEA", "You"): a defined term is capitalised
in the text that uses it, and lower-case quotations (“we”, “us”, “cookies”) are far more
often pronouns or mentions than definitions. The first definition of a term wins.

``find_definitions(clauses)`` takes (anchor, plain text) pairs in document order and
returns the definitions found. ``link_terms(html, links)`` wraps each use of a defined
term in rendered HTML in a link to its definition; it never touches text inside an
existing link, a heading or code, nor inside tags.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass

__all__ = ["Definition", "find_definitions", "link_terms", "terms_pattern"]

_OPEN = "“\"‘"
_CLOSE = "”\"’"
# A term: starts with a capital letter or digit, then words, spaces, hyphens,
# apostrophes, ampersands, slashes and dots (for "U.S. Persons"); up to 60 characters.
_TERM = r"[A-Z0-9][\w’'&/\-. ]{0,58}[\w.]|[A-Z]"
_Q = rf"[{_OPEN}]\s*(?:\*\*|__)?\s*(?P<term>{_TERM})\s*(?:\*\*|__)?\s*[{_CLOSE}]"

_MEANS_RE = re.compile(
    rf"(?:\*\*|__)?{_Q}(?:\*\*|__)?\s*,?\s*(?:means|refers to|shall mean|shall refer to)\b", re.UNICODE
)
# "(“EEA”)", "(the “Services”)", "(collectively, the “Services”)", "(each, a “Member”)".
_PAREN_RE = re.compile(rf"\((?:[a-z][a-z ,]{{0,40}}?\s)?{_Q}\)", re.UNICODE)
# A sentence ends at . ; ! ? followed by a space or the end, or at a line break.
_SENTENCE_END_RE = re.compile(r"[.;!?](?=\s|$)|\n")
_MAX_DEFINITION = 300


@dataclass(frozen=True)
class Definition:
    term: str
    anchor: str  # the anchor of the clause that defines it
    position: int  # index of that clause in the version
    text: str  # the defining sentence, for a hover or tap
    kind: str  # "means" (a definition proper) or "parenthesis" (a name given in passing)

    def applies_to(self, position: int) -> bool:
        """Whether a use in the clause at ``position`` links here. A "means" definition
        holds for the whole document (definitions sections often come last); a name
        given in parentheses holds from there on. The defining clause is left alone."""
        if position == self.position:
            return False
        return self.kind == "means" or position > self.position


def _shorten(text: str) -> str:
    text = " ".join(text.replace("**", "").split())
    if len(text) > _MAX_DEFINITION:
        text = text[:_MAX_DEFINITION].rsplit(" ", 1)[0] + " …"
    return text


def _named_in_passing(text: str, start: int, end: int) -> str:
    """The words a parenthesised name closes: from the sentence start to the
    parenthesis; when that is long, its last part, so the name stays in view."""
    before = text.rfind("\n", 0, start)
    for m in _SENTENCE_END_RE.finditer(text, 0, start):
        before = max(before, m.end() - 1)
    words = " ".join(text[before + 1 : end].replace("**", "").split())
    if len(words) > _MAX_DEFINITION:
        words = "… " + words[-_MAX_DEFINITION:].split(" ", 1)[-1]
    return words


def _clean_term(term: str) -> str:
    return " ".join(term.replace("*", "").replace("_", " ").split()).rstrip(".")


def find_definitions(clauses: list[tuple[str, str]]) -> list[Definition]:
    """Definitions in ``clauses`` ((anchor, plain text) in document order), in order found."""
    found: dict[str, Definition] = {}
    for position, (anchor, text) in enumerate(clauses):
        hits = []
        for m in _MEANS_RE.finditer(text):
            # The definition reads from the quoted term to the end of its sentence.
            stop = _SENTENCE_END_RE.search(text, m.end())
            sentence = _shorten(text[m.start() : stop.end() if stop else len(text)])
            hits.append((m.start(), m.group("term"), sentence, "means"))
        for m in _PAREN_RE.finditer(text):
            hits.append((m.start(), m.group("term"), _named_in_passing(text, m.start(), m.end()), "parenthesis"))
        for _, term, sentence, kind in sorted(hits):
            term = _clean_term(term)
            if len(term) < 2 or term in found:
                continue
            found[term] = Definition(term=term, anchor=anchor, position=position, text=sentence, kind=kind)
    return list(found.values())


def terms_pattern(terms) -> re.Pattern | None:
    """One regex for all the terms: longest first, so "Personal Data" beats "Data";
    whole words only, with an optional plural "s"."""
    terms = sorted({t for t in terms if t}, key=len, reverse=True)
    if not terms:
        return None
    alternation = "|".join(re.escape(t) for t in terms)
    return re.compile(rf"(?<![\w\-])(?P<term>{alternation})(?P<plural>s)?(?![\w\-])")


# Tags whose text is never linked: links themselves, headings, code, existing marks.
_SKIP_TAGS = {"a", "h1", "h2", "h3", "h4", "h5", "h6", "code", "pre", "dfn"}
_TAG_RE = re.compile(r"<(/?)([a-zA-Z0-9]+)\b[^>]*>")


def link_terms(html: str, links: dict[str, tuple[str, str]], pattern: re.Pattern | None = None) -> str:
    """Wrap uses of defined terms in ``html`` (well-formed, rendered markup) in links.

    ``links`` maps a term to (href, definition text); ``pattern`` (from ``terms_pattern``)
    may name more terms than ``links``, so one compiled pattern serves a whole version.
    Text is matched between tags only, never inside ``_SKIP_TAGS``; the href and title
    are escaped here.
    """
    if not links:
        return html
    pattern = pattern or terms_pattern(links)
    if pattern is None:
        return html
    out: list[str] = []
    skip_depth = 0
    pos = 0

    def link_text(text: str) -> str:
        def wrap(m: re.Match) -> str:
            if m.group("term") not in links:
                return m.group(0)
            href, definition = links[m.group("term")]
            return (
                f'<a class="term" href="{html_lib.escape(href, quote=True)}" '
                f'title="{html_lib.escape(definition, quote=True)}">{m.group(0)}</a>'
            )

        return pattern.sub(wrap, text)

    for m in _TAG_RE.finditer(html):
        text = html[pos : m.start()]
        out.append(text if skip_depth or not text.strip() else link_text(text))
        name = m.group(2).lower()
        if name in _SKIP_TAGS:
            skip_depth += -1 if m.group(1) else 1
            skip_depth = max(skip_depth, 0)
        out.append(m.group(0))
        pos = m.end()
    tail = html[pos:]
    out.append(tail if skip_depth or not tail.strip() else link_text(tail))
    return "".join(out)
