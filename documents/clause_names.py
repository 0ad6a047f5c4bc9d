"""How the portal names a clause wherever it shows one: page titles, "Copy citation",
permalink labels, the table of contents, search results, watches and e-mails.

Always by its full citation path as the document writes it ("§ 1.7(g)", "§ D.8",
"Schedule 2, Cookies"); an untitled item by its path and first words. Nothing from
Django: any object with ``number``, ``heading``, ``text``, ``anchor`` and ``citation``.
"""

from __future__ import annotations


def _citation(clause) -> str:
    """The clause's full citation path ("1.7(g)", "D.8"), or its number for a clause
    stored before citations were."""
    return getattr(clause, "citation", "") or clause.number


def clause_label(clause) -> str:
    """How a link names a clause: "§ 1.7(g)" (its full citation), else its heading
    ("“Cookies”"), else its path and first words ("1.8 “We may terminate …”")."""
    cite = _citation(clause)
    if clause.number:
        return f"§ {cite}"
    if cite and cite != clause.heading:
        return cite
    text = clause.heading or " ".join(clause.text.split()[:6]) or clause.anchor
    return f"“{text[:60]}”"


def clause_title(clause) -> str:
    """A clause named in full, as titles, lists and e-mails show it: "§ 1.7(g) Downloads",
    "§ 1.8(i) use the service for …" (an untitled item: its path and first words),
    "Cookies"."""
    if clause.number:
        words = clause.text.split()
        heading = clause.heading or " ".join(words[:8]) + (" …" if len(words) > 8 else "")
        return f"§ {_citation(clause)} {heading}".strip()
    return clause_label(clause)
