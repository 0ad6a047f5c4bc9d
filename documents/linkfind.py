"""Finds portal clause links in pasted text (a ticket, an e-mail, a list of links).

Pure Python, no Django: takes text, returns what it found, in order of first
appearance, each distinct link once. Two shapes point at a clause:

* a clause permalink ``/c/<key>/<label>/`` (pinned to a version) or ``/c/<key>/``
  (always the newest version);
* a version page anchor ``/d/<slug>/v/<label>/#<anchor>``.

Either may be a full URL (any scheme-and-host; the caller decides which hosts are the
portal's) or a bare path. A path only counts at the start of the text, after a space or
after an opening bracket or quote, so ``https://other.example/x/c/abc/`` is not taken
for a portal link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LABEL = r"(?:current|latest|\d{4}-\d{2}-\d{2}(?:-\d+)?)"
_HOST = r"(?P<scheme>https?)://(?P<host>[A-Za-z0-9.\-]+(?::\d+)?)"
_LINK_RE = re.compile(
    rf"(?:(?<=[\s(<\[\"'`|>,;])|^)(?:{_HOST})?"
    r"(?:"
    rf"/c/(?P<key>[0-9a-z]{{4,16}})(?:/(?P<label>{LABEL}))?/?"
    r"|"
    rf"/d/(?P<slug>[-\w]{{1,120}})/v/(?P<vlabel>{LABEL})/?#(?P<anchor>[\w\-]{{1,120}}(?:\.[\w\-]{{1,40}})*)"
    r")"
    r"(?![\w/\-])",
    re.ASCII | re.MULTILINE,
)


@dataclass(frozen=True)
class FoundLink:
    text: str  # as it appears in the input
    host: str  # lower-cased "host[:port]", "" for a bare path
    key: str = ""  # clause permalink: the lineage key
    label: str = ""  # the version label; "" (or current/latest) when not pinned
    slug: str = ""  # version page anchor: the document slug ...
    anchor: str = ""  # ... and the clause anchor

    @property
    def pinned(self) -> bool:
        return self.label not in ("", "current", "latest")

    @property
    def identity(self) -> tuple:
        return (self.host, self.key, self.label, self.slug, self.anchor)


def find_links(text: str, *, limit: int = 200) -> tuple[list[FoundLink], bool]:
    """(links, truncated): the distinct clause links in ``text``, at most ``limit``."""
    found: list[FoundLink] = []
    seen: set[tuple] = set()
    for m in _LINK_RE.finditer(text or ""):
        host = (m.group("host") or "").lower()
        if m.group("key"):
            link = FoundLink(text=m.group(0), host=host, key=m.group("key"), label=m.group("label") or "")
        else:
            link = FoundLink(text=m.group(0), host=host, slug=m.group("slug"), label=m.group("vlabel"),
                             anchor=m.group("anchor"))
        if link.identity in seen:
            continue
        if len(found) >= limit:
            return found, True
        seen.add(link.identity)
        found.append(link)
    return found, False
