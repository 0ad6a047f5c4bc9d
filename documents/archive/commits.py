"""What an archive commit says about the text it records (no Django).

Open Terms Archive writes one file per service and terms type (``<Service>/<Terms
type>.md``) and names each commit after what it did; the subject alone tells a new
text of the document from a re-extraction of a page already recorded.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

VERSION = "version"
CORRECTION = "correction"

# A new text: the first one, or a change recorded by the archive.
_VERSION_SUBJECT = re.compile(r"^(?:First record of|Start tracking|Record new changes of|Update)\b", re.I)
# The same page extracted again after the archive changed its selectors or filters: a
# correction of the extraction, not a change made by the publisher.
_CORRECTION_SUBJECT = re.compile(r"^(?:Apply technical or declaration upgrade on|Refilter)\b", re.I)

_TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".html", ".htm"}
_SNAPSHOT = re.compile(r"snapshots?\b[^\n]*?(https?://\S+)|^\s*-\s*(https?://\S+)", re.I | re.M)


def commit_kind(subject: str) -> str | None:
    """VERSION, CORRECTION, or None for a subject the archive does not write."""
    if _CORRECTION_SUBJECT.match(subject):
        return CORRECTION
    if _VERSION_SUBJECT.match(subject):
        return VERSION
    return None


def snapshot_url(body: str) -> str:
    """The web link to the snapshot the text was extracted from (the first, when a text
    was assembled from several); blank when the body names none or only a database id."""
    match = _SNAPSHOT.search(body)
    if not match:
        return ""
    url = (match.group(1) or match.group(2)).rstrip(".,;)>")
    return url if len(url) <= 500 else ""


def document_of(path: str) -> tuple[str, str] | None:
    """(service, terms type) of a recorded file ``<Service>/<Terms type>.md``; None for
    anything else in the repository (a README, a licence, a nested file)."""
    parts = PurePosixPath(path)
    if len(parts.parts) != 2 or parts.suffix.lower() not in _TEXT_SUFFIXES:
        return None
    service, terms_type = parts.parts[0].strip(), parts.stem.strip()
    if not service or not terms_type or service.startswith("."):
        return None
    return service, terms_type
