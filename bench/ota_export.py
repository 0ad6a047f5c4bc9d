"""Export an Open Terms Archive versions repository to dated folders
(``<service>/<terms type>/<YYYY-MM-DD>.md``), the layout ``manage.py import_documents``
reads: the last text of each day for each file, a text identical to one already exported
for that file (a recapture, or a page flapping back: A, B, A) dropped. This is the hand export issue #23 measured the portal's
import and pages against (about 5,379 files from contrib-sample.bundle); it is a bench
helper, not the portal's importer (that is ``import_ota``).

    git clone -q /work/shared/ota/contrib-sample.bundle /tmp/ota
    python bench/ota_export.py /tmp/ota /tmp/ota-folders

Data: Open Terms Archive, ODC-By 1.0.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path


def day_blobs(repo: Path) -> dict[str, list[tuple[str, str]]]:
    """{path: [(day, blob)]} in commit order, one entry per day (its last text)."""
    log = subprocess.run(
        ["git", "-C", str(repo), "log", "--reverse", "--raw", "--no-abbrev", "--no-renames", "-z",
         "--format=%x01%aI"],
        check=True, capture_output=True,
    ).stdout.decode("utf-8", "surrogateescape")
    per_path: dict[str, list[tuple[str, str]]] = {}
    for chunk in log.split("\x01")[1:]:
        fields = chunk.split("\x00")
        # "<author date>", then ":<modes> <old> <new> <status>", "<path>" pairs (-z).
        day = fields[0].strip()[:10]
        rest = fields[1:]
        i = 0
        while i + 1 < len(rest):
            meta, path = rest[i].strip(), rest[i + 1]
            i += 2
            if not meta.startswith(":"):
                continue
            parts = meta.split()
            blob, status = parts[3], parts[4]
            if status.startswith("D") or not path.endswith(".md"):
                continue
            days = per_path.setdefault(path, [])
            if days and days[-1][0] == day:
                days[-1] = (day, blob)
            else:
                days.append((day, blob))
    return per_path


def export(repo: Path, target: Path) -> int:
    per_path = day_blobs(repo)
    cat = subprocess.Popen(["git", "-C", str(repo), "cat-file", "--batch"], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE)
    written = 0
    for path, days in sorted(per_path.items()):
        service, _, name = path.rpartition("/")
        folder = target / service / name[: -len(".md")]
        seen: set[str] = set()
        for day, blob in days:
            if blob in seen:  # a recapture or a flap back to an earlier text
                continue
            seen.add(blob)
            cat.stdin.write(blob.encode() + b"\n")
            cat.stdin.flush()
            header = cat.stdout.readline().split()
            size = int(header[2])
            body = cat.stdout.read(size)
            cat.stdout.read(1)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{day}.md").write_bytes(body)
            written += 1
    cat.stdin.close()
    cat.wait()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("target", type=Path)
    args = parser.parse_args()
    n = export(args.repo, args.target)
    print(f"{n} files written under {args.target}", file=sys.stderr)


if __name__ == "__main__":
    main()
