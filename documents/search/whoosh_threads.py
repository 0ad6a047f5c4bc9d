"""Makes Whoosh's memory-mapped segment files safe to read from many threads at once.

Whoosh opens each segment as one ``mmap`` and hands every reader a ``BufferFile``
over its part of it. ``BufferFile`` wraps the buffer in an ``io.BytesIO`` (which
*copies* it) and some reads move that one shared position (``seek``/``read``/
``tell``: a postings list's block headers, some column headers). Two threads reading
the same segment through one searcher then read each other's positions (an
``UnpicklingError`` under load), which is why searchers used to be per thread, and the
copies are why each per-thread searcher cost tens of megabytes.

``install()`` gives each ``BufferFile`` a per-thread cursor over the mapped buffer
instead: no copy, and a position of its own in every thread. Positionless reads
(``get``, ``get_array``, most of Whoosh) are unchanged.
"""

from __future__ import annotations

import threading

from whoosh.filedb import structfile


class _Cursor:
    """A file-like read cursor over a buffer (memoryview or bytes), without copying it."""

    __slots__ = ("_buf", "_pos")

    def __init__(self, buf):
        self._buf = buf
        self._pos = 0

    def read(self, size=-1):
        end = len(self._buf) if size is None or size < 0 else min(len(self._buf), self._pos + size)
        data = bytes(self._buf[self._pos:end])
        self._pos = end
        return data

    def readline(self, size=-1):
        start, n = self._pos, len(self._buf)
        end = start
        while end < n:
            chunk = bytes(self._buf[end:min(n, end + 256)])
            i = chunk.find(b"\n")
            if i >= 0:
                end += i + 1
                break
            end += len(chunk)
        if size is not None and size >= 0:
            end = min(end, start + size)
        self._pos = end
        return bytes(self._buf[start:end])

    def seek(self, position, whence=0):
        if whence == 1:
            position += self._pos
        elif whence == 2:
            position += len(self._buf)
        self._pos = max(0, position)
        return self._pos

    def tell(self):
        return self._pos

    def close(self):
        pass

    def flush(self):
        pass


def _buffer_init(self, buf, name=None, onclose=None):
    self._buf = buf
    self._name = name
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False
    self._cursors = threading.local()


def _buffer_file(self):
    cursor = getattr(self._cursors, "cursor", None)
    if cursor is None:
        cursor = self._cursors.cursor = _Cursor(self._buf)
    return cursor


_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    structfile.BufferFile.__init__ = _buffer_init
    structfile.BufferFile.file = property(_buffer_file)
    _installed = True
