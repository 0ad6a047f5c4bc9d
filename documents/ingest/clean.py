"""Cleaning: unicode normalisation, web-page clutter removal, emphasis repair.

Everything here works on lines, because that is how captured pages go wrong: a
navigation menu is a run of short link-like lines, a footer is a block of short lines
with sign-in / subscribe / copyright patterns, and broken emphasis is a line made of
many tiny bold or italic runs.
"""

from __future__ import annotations

import re
import unicodedata

from .furniture import drop_furniture, unlink_heading
from .plain import STOPWORDS, is_sentence_like, strip_inline, words

# ---------------------------------------------------------------------------
# Unicode
# ---------------------------------------------------------------------------

# Invisible characters that only break words and matching (zero-width space/joiners,
# word joiner, BOM, soft hyphen).
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e]")
# Spaces that are not ASCII space: NBSP (often used in runs for indentation),
# narrow/figure/ideographic spaces, en/em spaces.
_ODD_SPACE_RE = re.compile("[\u00a0\u202f\u2007\u2000-\u200a\u3000\u205f]")


_SPACE_RUN_RE = re.compile(r" {2,}")


def normalize_unicode(text: str) -> str:
    """NFC, LF line ends, no invisible characters, plain spaces, no trailing blanks.

    A trailing double space is kept: it is a markdown hard line break.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _INVISIBLE_RE.sub("", text)
    text = _ODD_SPACE_RE.sub(" ", text)
    text = text.replace("\t", "    ")
    out = []
    for line in text.split("\n"):
        stripped = line.rstrip(" ")
        if not stripped.strip():
            out.append("")
            continue
        indent = len(stripped) - len(stripped.lstrip(" "))
        body = stripped[indent:]
        if "  " in body:
            body = _SPACE_RUN_RE.sub(" ", body)  # runs of NBSP inside lines
        hard_break = line.endswith("  ")
        out.append(" " * indent + body + ("  " if hard_break else ""))
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Bullets and glued structure
# ---------------------------------------------------------------------------

_GLYPH_BULLET_RE = re.compile(r"^(\s*)[•·▪◦‣●○■□–](?:\s+|(?=\S))(?=\S)")


def bullets_to_markdown(lines: list[str]) -> list[str]:
    """"•"-style bullets (text extracted from web pages) -> markdown "* " items.

    Nesting is kept by ranking the distinct indents of each run of bullet lines.
    """
    out = list(lines)
    i = 0
    n = len(lines)
    while i < n:
        if not _GLYPH_BULLET_RE.match(lines[i]) or lines[i].lstrip().startswith("–") and not lines[i].lstrip().startswith("– "):
            i += 1
            continue
        j = i
        run = []
        while j < n and (not lines[j].strip() or _GLYPH_BULLET_RE.match(lines[j]) or lines[j].startswith("  ")):
            if _GLYPH_BULLET_RE.match(lines[j]):
                run.append(j)
            j += 1
        indents = sorted({len(_GLYPH_BULLET_RE.match(lines[k]).group(1)) for k in run})
        for k in run:
            m = _GLYPH_BULLET_RE.match(lines[k])
            level = indents.index(len(m.group(1)))
            out[k] = "    " * level + "* " + lines[k][m.end():]
        i = max(j, i + 1)
    return out


_STAR_RUN_RE = re.compile(r"(?<!\S)\*{4,}(?=\S)")
_TRAILING_MARKER_RE = re.compile(r"(?<=\s)(?:\*\*|__)\s*$")
_EMPTY_MARKER_RE = re.compile(r"(?<!\S)(?:\*\*\*\*|____)(?!\S)")


def fix_stray_markers(line: str) -> str:
    """Remove unmatched or empty emphasis markers ("text **", "****", "_ _")."""
    if "****" in line:
        line = _STAR_RUN_RE.sub("**", line)  # "******and" -> "**and"
    line = _TRAILING_MARKER_RE.sub("", line) if line.count("**") % 2 or line.rstrip().endswith("__") else line
    if "****" in line or "____" in line:
        line = _EMPTY_MARKER_RE.sub("", line)
    return line.rstrip() + ("  " if line.endswith("  ") else "")


# ---------------------------------------------------------------------------
# Emphasis repair
# ---------------------------------------------------------------------------

_EMPH_ONLY_RE = re.compile(r"^\s*[*_]+(?:[^*_\n]+[*_]+)+[\s:.]*$")
_SUFFIX_FRAGMENTS = {"s", "es", "ed", "ing", "ings", "ly", "d"}


_LATIN_WORD_RE = re.compile(r"[A-Za-z]+")
_MARKER_RUN_RE = re.compile(r"[*_]+")


def _vocabulary(lines: list[str]) -> set[str]:
    vocab: set[str] = set()
    for line in lines:
        if _EMPH_ONLY_RE.match(line):
            continue
        vocab.update(w.lower() for w in _LATIN_WORD_RE.findall(line))
    return vocab


_TAIL = 64  # longer than any word a heading's runs split


def _join_runs(frags: list[tuple[str, bool]], vocab: set[str]) -> str:
    """Join emphasis runs of a heading split by the page's markup.

    ``frags`` alternates run texts and gaps (True = there was whitespace before the
    run). A word cut across runs ("Safeguar" + "ding", "t" + "his", "Choice" + "s") is
    glued back; words that exist on their own keep their space. The document's own
    vocabulary decides ambiguous cases.
    """
    out = ""
    runs = [(t, gap) for t, gap in frags if t.strip()]
    for idx, (text, gap) in enumerate(runs):
        text = text.strip() if idx else text.lstrip()
        if not out:
            out = text
            continue
        # Only the end of what is joined so far is read: searching all of it for each
        # run would be quadratic on a line of thousands of runs.
        left_word = re.search(r"([A-Za-z]+)\W*$", out[-_TAIL:])
        right_word = re.match(r"\W*([A-Za-z]+)", text)
        join = not gap
        if gap:
            if text[0] in ",.:;!?)’'" or out[-1] in "(‘“":
                join = True
            elif left_word and right_word and out[-1].isascii() and out[-1].isalpha() and re.match(r"[A-Za-z]", text):
                lw, rw = left_word.group(1), right_word.group(1)
                nxt = runs[idx + 1][0].strip() if idx + 1 < len(runs) else ""
                lone_left = len(lw) == 1 and lw not in ("a", "A", "I") and (len(out) == 1 or out[-2] == " ")
                if lone_left and rw[0].islower():
                    join = True  # "t" + "his", "C" + "overs"
                elif text.strip() == rw and rw.islower() and len(rw) == 1 and rw != "a":
                    # a lone lowercase letter belongs to the next run if that one starts
                    # lowercase ("t" "his"), else to this one ("Service" "s")
                    join = not (nxt[:1].islower())
                elif rw.islower() and text.strip() == rw and rw in _SUFFIX_FRAGMENTS:
                    join = True
                elif rw[0].islower() or lw[-1].islower():
                    joined = (lw + rw).lower()
                    if joined in vocab and not (lw.lower() in vocab and rw.lower() in vocab and len(rw) > 3):
                        join = True
                    elif lw.lower() not in vocab and rw.lower() not in vocab and rw[0].islower():
                        join = True
        out = out + ("" if join else " ") + text
    return re.sub(r"\s+", " ", out).strip()


def repair_emphasis(lines: list[str]) -> list[str]:
    """Rewrite lines made only of emphasis runs into one clean run.

    "_What_ _t_ _his Policy_ _C_ _overs:_" -> "_What this Policy Covers:_";
    "**Data** **Hosting** **,** **Transfer** **,** ******and Retention**" ->
    "**Data Hosting, Transfer, and Retention**".
    """
    lines = [fix_stray_markers(line) if ("*" in line or "_" in line) else line for line in lines]
    vocab: set[str] | None = None
    out = []
    for line in lines:
        if not _EMPH_ONLY_RE.match(line) or not _LATIN_WORD_RE.search(line):
            out.append(line)
            continue
        stripped = line.strip()
        if re.match(r"^[*_]{1,3}\s", stripped) or stripped.startswith(("* ", "- ", "+ ")) or re.fullmatch(r"[-*_\s]+", stripped):
            out.append(line)  # list item or rule, not emphasis
            continue
        parts = re.split(r"([*_]+)", stripped)
        texts = [p for p in parts if p and not _MARKER_RUN_RE.fullmatch(p)]
        runs = [t for t in texts if t.strip()]
        if len(runs) <= 1 and stripped.count("*") + stripped.count("_") <= 4:
            out.append(line)
            continue
        if vocab is None:
            vocab = _vocabulary(lines)
        frags: list[tuple[str, bool]] = []
        pending_gap = False
        for p in parts:
            if not p or _MARKER_RUN_RE.fullmatch(p):
                continue
            if not p.strip():
                pending_gap = True
                continue
            frags.append((p, pending_gap or p[0] == " "))
            pending_gap = p[-1] == " "
        text = _join_runs(frags, vocab)
        marker = "**" if "**" in stripped else "_"
        indent = line[: len(line) - len(line.lstrip())]
        out.append(f"{indent}{marker}{text}{marker}")
    return out


# ---------------------------------------------------------------------------
# Web-page clutter
# ---------------------------------------------------------------------------

_STRONG_PATTERNS = re.compile(
    r"\b(sign\s?in|sign\s?up|log\s?in|log\s?out|free\s+trial|buy\s+now|subscribe|newsletter|"
    r"cookie\s+(?:settings|preferences|notice)|toggle\b.*\bmenu|skip\s+to\s+(?:main\s+)?content|"
    r"back\s+to\s+top|all\s+rights\s+reserved|valid\s+email|email\s+address(?:es)?\s+may|"
    r"enter\s+your\s+email|choose\s+your\s+(?:country|region|language)|select\s+(?:your\s+)?language|"
    r"follow\s+us|share\s+(?:on|this)|forgot\s+(?:your\s+)?password|request\s+a\s+demo|"
    r"join\s+our\b.*\bcommunity|get\s+started|try\s+it\s+(?:free|yourself)|download\s+the\s+app|"
    r"system\s+status|sitemap|create\s+(?:new\s+)?account)\b|©|\(c\)\s*(?:19|20)\d\d",
    re.I,
)
_LANGUAGE_RE = re.compile(
    r"^(English(?:\s*\([A-Z]{2,3}\))?|Español(?:\s*\(LATAM\))?|Français|Deutsch|Italiano|"
    r"Português|Nederlands|Dansk|Svenska|Norsk|Suomi|Polski|Türkçe|Русский|日本語|한국어|"
    r"中文|简体中文|繁體中文(?:\s*\(台灣\))?|ไทย|Bahasa Indonesia|Tiếng Việt|العربية|עברית)$"
)
_LINK_ONLY_RE = re.compile(r"^(?:\s*(?:[*+\-]\s+|\d{1,3}[.)]\s+)?\[[^\]]*\]\([^)]*\)[\s|·•,/–-]*)+$")
_BULLET_RE = re.compile(r"^\s*[*+\-]\s+(.*)$")
_HEADINGISH_RE = re.compile(r"^\s*(#{1,6}\s|\d{1,3}(?:\\?\.\d{1,3})*\\?[.)]\s|[IVX]{1,4}\.\s)")


def _line_class(line: str) -> str:
    """'prose', 'strong' (certainly clutter), 'weak' (short, could be clutter), 'heading'."""
    s = line.strip()
    m = _BULLET_RE.match(s)
    core = strip_inline(m.group(1) if m else s).strip()
    n = len(words(core))
    if _LINK_ONLY_RE.match(s) and "](" in s:
        if re.fullmatch(r"(?:[^\]]*\]\((?:mailto|tel):[^)]*\)[^\[]*)+", s.lstrip("*+- ")):
            return "weak"  # an e-mail address or a phone number: contact details the terms give
        return "strong"
    hits = len(_STRONG_PATTERNS.findall(core)) if n <= 40 else 0
    if hits and (n <= 14 or hits >= 2):
        return "strong"
    if _LANGUAGE_RE.match(core):
        return "strong"
    ws = words(core)
    if len(ws) >= 8 and (not re.search(r"[.!?;:]", core[-3:]) or len(ws) >= 10):
        caps = sum(1 for w in ws if w[0].isupper() or w.lower() in ("in", "of", "to"))
        if caps / len(ws) >= 0.85 and not core.isupper():
            return "strong"  # "Home Create Explore Features My Account Premium Support"
    if s.startswith("|"):
        return "prose"  # a table row: fee tables and sub-processor lists are terms
    if _HEADINGISH_RE.match(s) or re.match(r"^[=\-]{3,}$", s):
        return "heading"
    if is_sentence_like(core) and not hits:
        return "prose"
    return "weak"


def _is_short_bullet(line: str) -> bool:
    m = _BULLET_RE.match(line)
    return bool(m) and len(words(strip_inline(m.group(1)))) <= 7 and not re.search(r"\d{4}", m.group(1))


_LABEL_WORDS = 12  # "Customer Agreements and User Terms for Products and Services"


def trim_head(lines: list[str]) -> list[str]:
    """Drop navigation before the first prose paragraph.

    Strong clutter lines (links only, sign-in, language lists ...) are always dropped
    there. When the head is dominated by navigation (several strong lines or runs of
    short bullet items) the short bullets go too, with the short labels that only
    introduce them ("Company", "Legal Information and Resources"). Lines that carry
    a date or that directly precede the prose (the title) are kept.
    """
    first_prose = None
    for i, line in enumerate(lines):
        if line.strip() and _line_class(line) == "prose" and not _BULLET_RE.match(line):
            first_prose = i
            break
    if first_prose is None:
        return lines
    head = lines[:first_prose]
    classes = [(_line_class(l) if l.strip() else "") for l in head]
    strong = sum(1 for c in classes if c == "strong")
    short_bullets = sum(1 for l in head if _is_short_bullet(l))
    dominated = strong >= 3 or short_bullets >= 5
    drop = [c == "strong" for c in classes]
    if dominated:
        for i, l in enumerate(head):
            if _is_short_bullet(l) or (l.startswith(" ") and l.strip() and classes[i] == "weak"):
                drop[i] = True
        # Labels that only introduce dropped lines; walk backwards so chains of labels go.
        next_kept_dropped = False
        for i in range(len(head) - 1, -1, -1):
            if not head[i].strip():
                continue
            if re.match(r"^\s*[=\-]{3,}\s*$", head[i]) and i > 0 and head[i - 1].strip():
                continue  # setext underline: decided together with its label line
            label_ok = classes[i] == "weak" or (classes[i] == "heading" and not head[i].lstrip().startswith("#"))
            # A label is a few words ("Company"); a numbered provision over a dropped
            # list of links ("2. **Service-Specific Terms.** In addition to …") is not.
            label_ok = label_ok and len(words(strip_inline(head[i]))) <= _LABEL_WORDS
            if not drop[i] and label_ok and next_kept_dropped and not re.search(r"\d{4}", head[i]):
                drop[i] = True
                if i + 1 < len(head) and re.match(r"^\s*[=\-]{3,}\s*$", head[i + 1]):
                    drop[i + 1] = True
            next_kept_dropped = drop[i]
    if not any(drop):
        return lines
    # A date statement is the document's, whatever line it is run into ("… Privacy
    # Statement for General Motors Effective May 4, 2012 For Your California …").
    kept = [l if not d else date_statements(l) for l, d in zip(head, drop)]
    kept = [l for l, d in zip(kept, drop) if not d or l]
    return kept + lines[first_prose:]


def trim_tail(lines: list[str]) -> list[str]:
    """Drop the page footer after the last prose.

    Walks back from the end scoring lines (strong clutter +2, short lines +1, prose and
    headings negative by length) and cuts at the best-scoring suffix, but only when it
    is convincingly clutter (score and at least two strong lines, or many short lines).
    """
    n = len(lines)
    wrapped = _wrapped_lines(lines)
    score = 0.0
    best, best_at = 0.0, n
    strong = weak = 0
    best_strong = best_weak = 0
    for i in range(n - 1, -1, -1):
        line = lines[i]
        if not line.strip():
            continue
        c = "prose" if i in wrapped else _line_class(line)
        if c == "strong":
            score += 2
            strong += 1
        elif c == "weak":
            score += 1
            weak += 1
        elif c == "heading":
            score -= 3
        else:
            score -= 2 + len(words(line)) / 10
        if score > best:
            best, best_at, best_strong, best_weak = score, i, strong, weak
        if score < -40:
            break
    # Short lines alone (a list of sub-processors, trademarks, a regulator's address) are
    # not a footer: it takes controls or links to be one.
    if best >= 4 and best_strong >= 2 and best_at > 0:
        best_at = _footer_start(lines, best_at)
        # Never cut a table or running text: the footer starts after the last of them.
        suffix = [k for k in range(best_at, n) if lines[k].strip()]
        # A footer is links, labels and controls; where a third of what follows says
        # something ("Applicable countries: Japan, Taiwan …"), it is the terms' end.
        saying = [k for k in suffix if _says_something(lines[k])]
        if suffix and 3 * len(saying) >= len(suffix):
            return lines  # when in doubt, keep the text
        for k in range(best_at, n):
            line = lines[k].strip()
            if line and (k in wrapped or line.startswith("|") or _DATE_STATEMENT_RE.search(line) or _CODE_RE.match(lines[k])):
                best_at = k + 1
        return _strip_blank_tail(lines[:best_at])
    # A final block separated by a wide gap (3+ blank lines) and made only of a few
    # short lines is a page widget ("chat icon", a slogan), not terms.
    text_idx = [i for i, l in enumerate(lines) if l.strip()]
    if len(text_idx) > 6:
        for k in range(len(text_idx) - 1, max(0, len(text_idx) - 7), -1):
            if text_idx[k] - text_idx[k - 1] >= 4:
                tail = [lines[i] for i in text_idx[k:]]
                if all(_line_class(t) in ("weak", "strong") for t in tail) and not wrapped & set(text_idx[k:]) and not any(
                    re.search(r"[.;:]$", t.strip()) for t in tail
                ):
                    return _strip_blank_tail(lines[: text_idx[k - 1] + 1])
                break
    return lines


_LINK_TEXT_RE = re.compile(r"!?\[[^\[\]\n]*\]\([^()\s]*(?:\s+\"[^\"\n]*\")?\)")


# A line of an indented code block (a PGP key the terms print), not a nested list item.
_CODE_RE = re.compile(r"^ {4,}(?![*+\-•]\s|\d{1,3}[.)]\s)\S")


def _says_something(line: str) -> bool:
    """Text outside links of five words or more, with no sign-in, subscribe or copyright
    phrase: a sentence or a "Label: value" row of the terms ("Applicable countries:
    Japan, Taiwan …"), which a footer of links and short labels never holds."""
    rest = strip_inline(_LINK_TEXT_RE.sub(" ", line))
    return len(words(rest)) >= 5 and not _STRONG_PATTERNS.search(rest)


def _footer_start(lines: list[str], start: int) -> int:
    """Where the footer really begins at or after ``start``: the first line from which
    the next few lines hold a control or link row, or a run of navigation bullets.

    Lines before it (addresses, a closing list of sub-processors introduced by "…:")
    are text even when short, so the footer never swallows the end of the terms.
    """
    nonblank = [k for k in range(start, len(lines)) if lines[k].strip()]
    classes = {k: _line_class(lines[k]) for k in nonblank}

    def nav_bullet(k: int) -> bool:
        if not _is_short_bullet(lines[k]):
            return False
        j = k - 1
        while j >= 0 and (not lines[j].strip() or _BULLET_RE.match(lines[j])):
            j -= 1
        return j < 0 or not lines[j].rstrip().endswith(":")  # a list the text introduces is text

    def label(k: int) -> bool:  # "Company", "### Legal": a heading over footer links
        text = strip_inline(lines[k]).strip(" #*_")
        return classes[k] == "heading" or (
            classes[k] == "weak" and len(words(text)) <= 4 and not re.search(r"\d|@", text)
        )

    for idx, k in enumerate(nonblank):
        window = nonblank[idx: idx + 8]
        if classes[k] == "strong" or sum(1 for w in window if nav_bullet(w)) >= 5:
            return k
        ahead = window[:5]
        first_strong = next((n for n, w in enumerate(ahead) if classes[w] == "strong"), None)
        if first_strong is not None and all(label(w) for w in ahead[:first_strong]):
            return k
    return len(lines)


# "Effective date: September 1, 2011", "Last modified: January 5, 2018": the document's
# own dates, often the last lines of its text.
_DATE_STATEMENT_RE = re.compile(
    r"(?<![A-Za-z])(?:effective|last\s+(?:updated|modified|revised)|updated|revised)(?![A-Za-z])[^\n]{0,40}(?:19|20)\d\d", re.I
)
_STATEMENT_ONLY_RE = re.compile(
    r"(?<![A-Za-z])(?:effective|last\s+(?:updated|modified|revised)|updated|revised)(?![A-Za-z])"
    r"[^\n.;!?|\[\]]{0,40}?(?<!\d)(?:19|20)\d\d(?!\d)", re.I
)


def date_statements(line: str) -> str:
    """The date statements of a line that is otherwise furniture, or "": "Effective May 4,
    2012" out of a title and menu run together."""
    return " ".join(m.group(0) for m in _STATEMENT_ONLY_RE.finditer(strip_inline(line)))


def _wrapped_lines(lines: list[str]) -> set[int]:
    """Lines of running text hard-wrapped across lines: a sentence that goes on in the
    next line ("… it is unjust to our Influencers" / "and creators, who have …")."""
    text = [(i, line.strip()) for i, line in enumerate(lines) if line.strip()]
    out: set[int] = set()
    for (i, a), (j, b) in zip(text, text[1:]):
        if (
            b[:1].islower() and a[-1:] not in ".:;!?" and len(words(a)) >= 5
            and not a.startswith(("|", "#", "[", "*", "-")) and not b.startswith(("|", "#"))
        ):
            out.update((i, j))
    return out


def _strip_blank_tail(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


# ---------------------------------------------------------------------------
# Flat one-line text (a whole page captured as one paragraph)
# ---------------------------------------------------------------------------

_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z©(\[])")
# Flat captures: split after every sentence-like stop, even before lower case
# ("Wix. com is proudly created with Wix."), so navigation runs become short lines.
_FLAT_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=\S)|(?<!\s)\s+(?=©)")  # (?<!\s): try a blank run once, not from each of its spaces


def _inline_title(rest: str) -> tuple[str, str]:
    """Split "General Principles We built ..." into ("General Principles", "We built ...").

    The title is the run of words before the sentence starts: the sentence starts at
    the capitalised word that precedes the first lower-case word that is not a small
    title word ("of", "and", ...). A word with a period ends the title ("Links Wix. com").
    """
    toks = rest.split(" ")
    cut = None
    for k, tok in enumerate(toks[:16]):
        if k and tok.endswith(".") and not tok[:-1].isdigit():
            cut = k
            break
        if tok[:1].islower() and tok.lower() not in STOPWORDS:
            j = k - 1
            while j > 0 and toks[j].lower() in STOPWORDS and not toks[j][:1].isupper():
                j -= 1
            if j >= 1 and toks[j][:1].isupper():
                cut = j
                break
    if not cut:
        return "", rest
    return " ".join(toks[:cut]).rstrip(",:"), " ".join(toks[cut:])


def unflatten_text(text: str) -> str:
    """Give a page captured as one line its structure back.

    Sequential section numbers "1. ", "2. ", ... (only in sequence, so "24 hours" or
    "Section 3" inside sentences do not count) start paragraphs with their inline
    title on its own line; the rest is split into one sentence per line so that the
    line-based clutter trimming can see the navigation and footer.
    """
    positions = []
    expected = 1
    for m in re.finditer(r"(?:(?<=\s)|^)(\d{1,2})\.\s+(?=[A-Z])", text):
        if int(m.group(1)) == expected:
            positions.append(m)
            expected += 1
    if len(positions) < 3:
        return "\n".join(_FLAT_SPLIT_RE.split(text))
    head = text[: positions[0].start()]
    head_words = words(head)
    if head_words and sum(1 for w in head_words if w[:1].isupper()) / len(head_words) >= 0.6:
        head = date_statements(head)  # site navigation before the first section ("Home Create Explore ...")
    chunks = [head]
    for k, m in enumerate(positions):
        end = positions[k + 1].start() if k + 1 < len(positions) else len(text)
        title, body = _inline_title(text[m.end():end].strip())
        chunks.append(f"{m.group(1)}. {title}" if title else f"{m.group(1)}.")
        chunks.append(body)
    out = []
    for c in chunks:
        c = c.strip()
        if not c:
            continue
        if re.match(r"^\d{1,2}\. ", c) or re.fullmatch(r"\d{1,2}\.", c):
            out.append(c.replace(".", "\\.", 1))
        else:
            out.append("\n".join(_FLAT_SPLIT_RE.split(c)))
    return "\n\n".join(out)


def is_flat(text: str) -> bool:
    lines = [l for l in text.split("\n") if l.strip()]
    return len(text) > 3000 and len(lines) <= 3 and max((len(l) for l in lines), default=0) > 2500


# ---------------------------------------------------------------------------
# Glued headings
# ---------------------------------------------------------------------------

_LINE_NUM_RE = re.compile(r"^(\s*(?:#{1,6}\s+)?(?:\*\*)?)(\d{1,3}(?:\\?\.\d{1,3})*)\\?\.?\s+\S")


def split_glued_headings(lines: list[str]) -> list[str]:
    """Split numbered titles captured on one line.

    "2. What information do we collect?2.1. Visitors ..." and "2.1. Visitor and User
    Information 2.2. Users of Users Information": a short numbered line that contains
    the number of its next sibling or first child is two lines.
    """
    out = []
    for line in lines:
        m = _LINE_NUM_RE.match(line) if len(line) < 300 else None
        if not m:
            out.append(line)
            continue
        parts = m.group(2).replace("\\", "").split(".")
        sibling = ".".join(parts[:-1] + [str(int(parts[-1]) + 1)])
        child = ".".join(parts + ["1"])
        split_at = None
        for cand in (child, sibling):
            rx = re.compile(r"(?<=[a-z?:)\s])" + re.escape(cand).replace("\\.", r"\\?\.") + r"\\?\.?\s+[A-Z]")
            hit = rx.search(line, m.end())
            if hit and (split_at is None or hit.start() < split_at):
                split_at = hit.start()
        if split_at and len(words(line[:split_at])) <= 14:
            out.extend([line[:split_at].rstrip(), "", line[split_at:]])
        else:
            out.append(line)
    return out


def clean_lines(text: str) -> list[str]:
    """Full cleaning pipeline on normalised text."""
    if is_flat(text):
        text = unflatten_text(text.strip())
    lines = [unlink_heading(line) for line in text.split("\n")]
    lines = bullets_to_markdown(lines)
    lines = trim_head(lines)
    lines = trim_tail(lines)
    lines = drop_furniture(lines)
    lines = repair_emphasis(lines)
    lines = split_glued_headings(lines)
    return lines
