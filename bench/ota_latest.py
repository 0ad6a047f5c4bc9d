"""Export the latest text of every document in an Open Terms Archive versions repository.

    git clone -q /work/shared/ota/contrib-sample.bundle /tmp/ota-tree
    python bench/ota_latest.py /tmp/ota-tree /tmp/ota-latest

writes ``<service>/<terms type>/<date>.md`` (the date the text was recorded: the author
date of the last commit that touched the file), the layout ``import_documents`` and
``fidelity_report`` read. The fidelity report then runs on documents nobody tuned for:

    python manage.py fidelity_report /tmp/ota-latest --json /tmp/ota.json

Data: Open Terms Archive, ODC-By 1.0.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def latest_dates(repo: Path) -> dict[str, str]:
    """Path -> date (YYYY-MM-DD) of the last commit touching it, from one ``git log`` pass."""
    out = subprocess.run(
        ["git", "-C", str(repo), "log", "--format=@%ad", "--date=short", "--name-only", "--no-renames"],
        check=True, capture_output=True, text=True,
    ).stdout
    dates: dict[str, str] = {}
    current = ""
    for line in out.splitlines():
        if line.startswith("@"):
            current = line[1:]
        elif line.strip() and line not in dates:
            dates[line] = current  # newest first: the first date seen is the last change
    return dates


def export(repo: Path, dest: Path) -> int:
    files = subprocess.run(["git", "-C", str(repo), "ls-files", "*.md"], check=True, capture_output=True,
                           text=True).stdout.splitlines()
    dates = latest_dates(repo)
    n = 0
    for name in files:
        parts = Path(name).parts
        if len(parts) != 2 or name not in dates:
            continue  # README and the like: not a service's document
        service, kind = parts[0], Path(parts[1]).stem
        target = dest / service / kind / f"{dates[name]}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((repo / name).read_bytes())
        n += 1
    return n


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: ota_latest.py <ota repository> <destination folder>")
    print(export(Path(sys.argv[1]), Path(sys.argv[2])), "documents written")
