"""Every hit of a search as CSV or JSON: streamed, bounded, with permalinks.

The rows are the search's results in its order (relevance or date), at most
``EXPORT_MAX``; when there are more, the CSV ends with a comment row and the JSON
says ``"truncated": true``. Each row carries the pinned permalink (the clause as it
read in that version) and the latest permalink (the lineage, whatever comes next).
"""

from __future__ import annotations

import csv
import io
import json

EXPORT_MAX = 5000
COLUMNS = ("title", "section", "heading", "document", "document_title", "publisher", "kind", "version",
           "valid_from", "valid_to", "current", "permalink", "latest_permalink", "text")


def row(hit, absolute) -> dict:
    from django.urls import reverse

    return {
        "title": hit.title, "section": hit.section, "heading": hit.heading,
        "document": hit.document_slug, "document_title": hit.document_title,
        "publisher": hit.publisher_name, "kind": hit.kind, "version": hit.version_label,
        "valid_from": hit.valid_from.isoformat() if hit.valid_from else "",
        "valid_to": hit.valid_to.isoformat() if hit.valid_to else "",
        "current": hit.is_current,
        "permalink": absolute(hit.permalink),
        "latest_permalink": absolute(reverse("documents:clause_latest", args=[hit.lineage])),
        "text": hit.text,
    }


def _safe_cell(value):
    """Spreadsheets run a cell starting with = + - @ as a formula: keep it text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_chunks(outcome, absolute, truncated: bool):
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush():
        data = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return data

    writer.writerow(COLUMNS)
    yield "\ufeff" + flush()  # a BOM, so spreadsheets read UTF-8
    for n, hit in enumerate(outcome.hits, 1):
        values = row(hit, absolute)
        writer.writerow([_safe_cell(values[c]) for c in COLUMNS])
        if n % 200 == 0:
            yield flush()
    if truncated:
        writer.writerow([f"# only the first {EXPORT_MAX} of {outcome.total} results"])
    yield flush()


def json_chunks(outcome, absolute, truncated: bool):
    head = {"query": str(outcome.query), "count": outcome.total, "exported": len(outcome.hits),
            "truncated": truncated, "versions": outcome.params.versions,
            "as_of": outcome.params.as_of.isoformat() if outcome.params.as_of else None}
    yield json.dumps(head)[:-1] + ', "results": ['
    for n, hit in enumerate(outcome.hits):
        yield ("," if n else "") + json.dumps(row(hit, absolute))
    yield "]}"
