"""List the reviewer's pairs with their two source files and the portal's pages for them.

Run with the project's venv from the project root, DJANGO_SETTINGS_MODULE=portal.settings and
PORTAL_DATA_DIR pointing at a data folder where ``tests/gold_blind/sources`` was imported;
BASE_URL is where that data folder is served. Prints one block per ``review`` pair of
``pairs.json``: the source paths, the compare page and ``/api/compare/``. A date whose text was
identical to a version already published resolves to that version (the portal records it as a
check, not a version).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlencode

import django

django.setup()

from documents.models import Document, DocumentVersion  # noqa: E402

HERE = Path(__file__).resolve().parent
BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8765").rstrip("/")


def version_for(document: Document, date: str) -> DocumentVersion | None:
    name = f"{date}.md"
    for version in document.versions.only("pk", "label", "source_filename"):
        if os.path.basename(version.source_filename) == name:
            return version
    check = document.checks.filter(recorded_date=date).select_related("version").first() \
        if hasattr(document, "checks") else None
    return check.version if check else None


def main() -> None:
    pairs = json.loads((HERE / "pairs.json").read_text())["pairs"]
    for n, pair in enumerate((p for p in pairs if p["role"] == "review"), 1):
        document = Document.objects.get(publisher__name=pair["service"], title=pair["document_type"])
        old, new = version_for(document, pair["old_date"]), version_for(document, pair["new_date"])
        folder = HERE / "sources" / pair["service"] / pair["document_type"]
        print(f"## Pair R{n}: {pair['service']} / {pair['document_type']} {pair['old_date']} -> {pair['new_date']}")
        print(f"old source: {folder / (pair['old_date'] + '.md')}")
        print(f"new source: {folder / (pair['new_date'] + '.md')}")
        if old is None or new is None:
            print("portal: a version was not found (report it as a finding)\n")
            continue
        query = urlencode({"a": f"{document.slug}@{old.label}", "b": f"{document.slug}@{new.label}"})
        print(f"compare page: {BASE_URL}/compare/?{query}")
        print(f"compare page, everything loaded: {BASE_URL}/compare/?{query}&full=1")
        print(f"API: {BASE_URL}/api/compare/?{query}\n")


if __name__ == "__main__":
    main()
