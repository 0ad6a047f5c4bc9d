"""documents.rendering: markdown rendered then sanitised, with one converter reused
per thread (nothing of one text carries over to the next)."""

from __future__ import annotations

import threading

from documents.rendering import render_markdown


def test_renders_and_sanitises():
    assert render_markdown("Hello **bold** <script>alert(1)</script> [x](javascript:alert(2))") == (
        '<p>Hello <strong>bold</strong>  <a rel="noopener noreferrer nofollow">x</a></p>')
    assert render_markdown("| a | b |\n|---|---|\n| 1 | 2 |") == (
        "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n"
        "<td>2</td>\n</tr>\n</tbody>\n</table>")


def test_nothing_carries_over_between_texts():
    defined = render_markdown("See [the terms][t].\n\n[t]: https://example.com/terms")
    assert 'href="https://example.com/terms"' in defined
    # The same converter, next text: the reference defined above is gone.
    assert render_markdown("See [the terms][t].") == "<p>See [the terms][t].</p>"


def test_threads_render_the_same():
    text = "1. one\n2. two\n\n" + "Words and *emphasis*. " * 50
    expected = render_markdown(text)
    results: list[str] = []

    def worker():
        for _ in range(20):
            results.append(render_markdown(text))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 80
