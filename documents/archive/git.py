"""A git repository read with the git command line (no Django).

The git CLI rather than a library: it is on every machine that has a repository, reads
bundles, packs and shallow clones alike, and two processes do the whole import, one
``git log`` for the commits and one ``git cat-file --batch`` for the texts.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class GitError(RuntimeError):
    pass


@dataclass(frozen=True)
class Change:
    status: str  # A (added), M (modified), D (deleted), T (type changed)
    path: str
    blob: str  # the new blob's sha ("0" * 40 when deleted)


@dataclass(frozen=True)
class Commit:
    sha: str
    date: dt.datetime  # the author date: when the text was recorded
    subject: str
    body: str
    changes: tuple[Change, ...]


def run(repo: Path | None, *args: str, check: bool = True) -> str:
    command = ["git", *(["-C", str(repo)] if repo else []), "-c", "core.quotePath=false", *args]
    try:
        done = subprocess.run(command, capture_output=True, check=False)
    except OSError as exc:
        raise GitError(f"git could not run: {exc}") from exc
    if check and done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip() or f"exit status {done.returncode}"
        raise GitError(f"git {' '.join(args[:2])}: {message}")
    return done.stdout.decode("utf-8", "replace")


def is_bundle(path: Path) -> bool:
    if not path.is_file():
        return False
    with path.open("rb") as handle:
        return handle.read(20).startswith((b"# v2 git bundle", b"# v3 git bundle"))


def is_repository(path: Path) -> bool:
    return path.is_dir() and run(path, "rev-parse", "--git-dir", check=False).strip() != ""


def clone(source: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    run(None, "clone", "--quiet", "--no-checkout", source, str(target))


def pull(repo: Path) -> None:
    """Bring the remote's new commits into the current branch (fast-forward only).

    A clone made here has no files checked out (the texts are read from git's objects),
    so its branch is simply moved; a repository someone works in is pulled as usual.
    """
    if run(repo, "ls-files", "--cached").strip():
        run(repo, "pull", "--ff-only", "--quiet")
        return
    branch = run(repo, "rev-parse", "--abbrev-ref", "HEAD").strip()
    run(repo, "fetch", "--quiet", "origin")
    if not is_ancestor(repo, f"refs/heads/{branch}", f"refs/remotes/origin/{branch}"):
        raise GitError(f"git pull: origin/{branch} does not continue {branch} (the remote was rewritten)")
    run(repo, "update-ref", f"refs/heads/{branch}", f"refs/remotes/origin/{branch}")


def resolve(repo: Path, rev: str) -> str:
    return run(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").strip()


def is_ancestor(repo: Path, ancestor: str, descendant: str) -> bool:
    done = subprocess.run(["git", "-C", str(repo), "merge-base", "--is-ancestor", ancestor, descendant],
                          capture_output=True, check=False)
    return done.returncode == 0


def count(repo: Path, *, after: str = "", until: str = "HEAD") -> int:
    return int(run(repo, "rev-list", "--count", _range(after, until)).strip() or 0)


def _range(after: str, until: str) -> str:
    return f"{after}..{until}" if after else until


def commits(repo: Path, *, after: str = "", until: str = "HEAD") -> Iterator[Commit]:
    """The commits after ``after`` up to ``until``, oldest first, with the files each changed.

    Read as one stream (``git log --reverse --raw -z``); merges are walked as git orders
    them, the changes of a merge are not listed (an archive's history is linear).
    """
    process = subprocess.Popen(
        ["git", "-C", str(repo), "-c", "core.quotePath=false", "log", "--reverse", "--no-renames", "--raw",
         "--no-abbrev", "-z", "--format=%x1e%H%x1f%aI%x1f%B%x1f", _range(after, until), "--"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    buffer = b""
    while True:
        block = process.stdout.read(1 << 16)
        if block:
            buffer += block
        records = buffer.split(b"\x1e")
        buffer = records.pop() if block else b""  # a record cut by the read waits for the rest
        for record in records:
            if record.strip(b"\0\n"):
                yield _commit(record)
        if not block:
            break
    _, stderr = process.communicate()
    if process.returncode:
        raise GitError(f"git log: {stderr.decode('utf-8', 'replace').strip()}")


def _commit(record: bytes) -> Commit:
    sha, date, message, raw = record.split(b"\x1f", 3)
    tokens = raw.lstrip(b"\0\n").split(b"\0")
    changes = []
    for meta, path in zip(tokens[0::2], tokens[1::2]):
        fields = meta.decode().lstrip(":").split()
        if len(fields) < 5:
            continue
        changes.append(Change(status=fields[4][0], path=path.decode("utf-8", "replace"), blob=fields[3]))
    text = message.decode("utf-8", "replace").strip()
    subject, _, body = text.partition("\n")
    return Commit(sha=sha.decode(), date=dt.datetime.fromisoformat(date.decode()), subject=subject.strip(),
                  body=body.strip(), changes=tuple(changes))


class Blobs:
    """Blob contents by sha, through one ``git cat-file --batch`` process."""

    def __init__(self, repo: Path):
        self.process = subprocess.Popen(
            ["git", "-C", str(repo), "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )

    def read(self, sha: str) -> bytes:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(sha.encode() + b"\n")
        self.process.stdin.flush()
        header = self.process.stdout.readline().split()
        if len(header) != 3:
            raise GitError(f"git cat-file: no object {sha}")
        size = int(header[2])
        data = self.process.stdout.read(size + 1)
        return data[:size]

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
