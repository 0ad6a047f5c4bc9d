"""The hostile upload shapes of issue #25 (item 8), made on the fly: (name, file name,
bytes). Used by bench/load_adversarial.py (over HTTP) and bench/bench_upload_shapes.py
(in process); only the realistic 5 MB file reads the development corpus."""

from __future__ import annotations

from pathlib import Path

MB = 1024 * 1024


def _realistic(size: int, corpus: Path) -> bytes:
    """Real policies from ``corpus`` one after another, each section heading numbered
    anew so no two are the same, up to ``size`` bytes."""
    parts, total, n = [], 0, 0
    files = sorted(corpus.rglob("*.md"))
    while total < size and files:
        for path in files:
            n += 1
            text = path.read_text(encoding="utf-8").replace("\n## ", f"\n## {n}. ")
            parts.append(text)
            total += len(text.encode())
            if total >= size:
                break
    return "\n\n".join(parts).encode()[:size]


def shapes(corpus: Path) -> list[tuple[str, str, bytes]]:
    words = "the service may share your personal data with partners for advertising purposes "
    out = [
        ("2 MB of real policies", "limit.md", _realistic(2 * MB - 64 * 1024, corpus)),  # accepted: the size limit
        ("5 MB of real policies", "big.md", _realistic(5 * MB - 1024, corpus)),
        ("4 MB on a single line", "line.txt", ("# Terms\n\n" + words * (4 * MB // len(words))).encode()),
        ("20,000-row table", "rows.md", ("# Terms\n\n| a | b |\n|---|---|\n"
                                          + "".join(f"| row {i} | {words[:40]} |\n" for i in range(20_000))).encode()),
        ("50,000-column HTML table", "cols.html", ("<h1>Terms</h1><table><tr>"
                                                   + "<td>x</td>" * 50_000 + "</tr></table>").encode()),
        ("5,000-level nested list", "nested.html", ("<h1>Terms</h1>" + "<ul><li>item" * 5_000
                                                     + "</li></ul>" * 5_000).encode()),
        ("1,000-level nested md list", "nested.md", ("# Terms\n\n"
                                                      + "".join("  " * i + f"- item {i}\n" for i in range(1_000))).encode()),
        ("49,000 headings", "headings.md", "".join(f"## {i}. Heading {i}\n" for i in range(49_000)).encode()),
    ]
    nested = "".join("  " * (i % 400) + f"- {words}\n" for i in range(5 * MB // 120))
    out.append(("5 MB nested list", "nested-big.md", ("# Terms\n\n" + nested).encode()[: 5 * MB - 1024]))
    return out
