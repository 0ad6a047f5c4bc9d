"""Draw the blind gold pairs and the reviewer's pairs by a seed, and copy their sources.

A pair is two consecutive recorded texts of one real document that differ. Pairs come from
``../shared/corpus-wide`` (its manifest, file dates) and from the OTA bundle
``../shared/ota/contrib-sample.bundle`` (each file's history exported as OTA's daily view: the
last text of each day, identical texts dropped). The draw shuffles each source's pairs with
``random.Random(SEED)`` and takes them in order, never swapping one for an easier pair:

- gold:   the first 20 of each source (40), annotated blind from the sources alone;
- review: the next 10 of each source (20), scored 1-5 by a reviewer.

Writes ``sources/<Service>/<Document Type>/<YYYY-MM-DD>.md`` (the exact texts) and
``pairs.json``. Run from the project root: ``python3 tests/gold_blind/draw_pairs.py``.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

SEED = 20261207
PER_SOURCE = {"gold": 20, "review": 10}
HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[2] / "shared"


def corpus_wide_pairs(root: Path) -> list[dict]:
    manifest = json.loads((root / "manifest.json").read_text())
    by_doc: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for entry in manifest:
        by_doc[(entry["service"], entry["document_type"])][entry["date"]] = entry["path"]
    pairs = []
    for (service, doc), dated in sorted(by_doc.items()):
        dates = sorted(dated)
        for old, new in zip(dates, dates[1:]):
            a, b = (root / dated[old]).read_text(), (root / dated[new]).read_text()
            if a != b:
                pairs.append({"source": "corpus-wide", "service": service, "document_type": doc,
                              "old_date": old, "new_date": new, "old_text": a, "new_text": b})
    return pairs


def bundle_pairs(bundle: Path) -> list[dict]:
    repo = Path(tempfile.mkdtemp()) / "ota"
    subprocess.run(["git", "clone", "-q", str(bundle), str(repo)], check=True)
    log = subprocess.run(
        ["git", "-C", str(repo), "log", "--reverse", "--format=@%H %ad", "--date=short",
         "--name-only", "--no-renames"],
        check=True, capture_output=True, text=True,
    ).stdout
    history: dict[str, list[tuple[str, str]]] = defaultdict(list)  # path -> [(date, commit)]
    commit = date = ""
    for line in log.splitlines():
        if line.startswith("@"):
            commit, date = line[1:].split()
        elif line.strip().endswith(".md") and "/" in line:
            history[line.strip()].append((date, commit))
    pairs = []
    for path, entries in sorted(history.items()):
        daily: dict[str, str] = {}
        for date, commit in entries:  # commit order: the day's last text wins
            daily[date] = commit
        texts: list[tuple[str, str]] = []
        for date in sorted(daily):
            shown = subprocess.run(["git", "-C", str(repo), "show", f"{daily[date]}:{path}"],
                                   capture_output=True, text=True)
            if shown.returncode != 0:  # deleted in that commit
                continue
            if texts and texts[-1][1] == shown.stdout:
                continue
            texts.append((date, shown.stdout))
        service, doc = path[:-3].split("/", 1)
        for (old, a), (new, b) in zip(texts, texts[1:]):
            pairs.append({"source": "ota-bundle", "service": service, "document_type": doc,
                          "old_date": old, "new_date": new, "old_text": a, "new_text": b})
    return pairs


def main() -> int:
    rng = random.Random(SEED)
    drawn = []
    for source_pairs in (corpus_wide_pairs(SHARED / "corpus-wide"),
                         bundle_pairs(SHARED / "ota" / "contrib-sample.bundle")):
        rng.shuffle(source_pairs)
        start = 0
        for role, count in PER_SOURCE.items():
            for pair in source_pairs[start:start + count]:
                drawn.append({**pair, "role": role})
            start += count
    for pair in drawn:
        folder = HERE / "sources" / pair["service"] / pair["document_type"]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{pair['old_date']}.md").write_text(pair.pop("old_text"))
        (folder / f"{pair['new_date']}.md").write_text(pair.pop("new_text"))
    (HERE / "pairs.json").write_text(json.dumps({"seed": SEED, "pairs": drawn}, indent=1) + "\n")
    print(f"seed {SEED}: {len(drawn)} pairs", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
