"""How faithfully an import keeps a source: words, structure, dates, lineage.

Two halves:

* **The source side** (pure, no Django, and deliberately nothing from
  ``documents.ingest``): its own word counting, its own idea of page furniture, its own
  numbered-heading and date-statement readers. It looks at the file as a reader of
  legal documents would, so it can disagree with the importer - that is the point.
* **Running it** (:func:`run`): imports files into whatever database and index the
  process is configured with (``manage.py fidelity_report`` points them at a
  throwaway folder first), then compares each version's clauses with its source and
  checks that every page answers.

A word is "kept" when it occurs in the clauses (headings and text) of the version at
least as often as in the source's legal text. Words on lines that are page furniture
(menus, link-only lines, buttons, "Back to top", app-store badges, copyright lines,
tracking pixels, in-page tables of contents), and stretches of a page captured as one
line that are a menu's labels run together, a language switcher, a sign-in form or a
copyright notice, do not count as legal words: dropping them is right, and they are
listed by name, with examples.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser

# ---------------------------------------------------------------------------
# Source side: words
# ---------------------------------------------------------------------------

_IMAGE_RE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
# A link's destination: "<#1. Introduction>" (angle brackets allow spaces), "#anchor",
# or a URL (one level of parentheses), with an optional "title".
_DEST = r"\((?:<[^<>\n]*>|#[^()\n]*|(?:[^()\s]|\([^()\s]*\))*)(?:\s+\"[^\"\n]*\")?\)"
_LINK_RE = re.compile(r"\[([^\]\n]*)\]" + _DEST)
# A link whose text runs over several lines (a price ticker, a card of a menu).
_MULTILINE_LINK_RE = re.compile(r"\[([^\[\]]{0,400}\n[^\[\]]{0,400})\]" + _DEST)
_URL_RE = re.compile(r"(?:https?://|www\.)\S+|<[^>\s]+@[^>\s]+>|\S+@\S+\.\w+")
_TAG_RE = re.compile(r"</?[a-zA-Z][^>\n]{0,300}>")
_WORD_RE = re.compile(r"[^\W_]+")


def plain_line(line: str) -> str:
    """A markdown line as a reader sees it: link texts, no URLs, images or markup."""
    line = _IMAGE_RE.sub(" ", line)
    line = _LINK_RE.sub(r" \1 ", line)
    line = _TAG_RE.sub(" ", line)
    line = _URL_RE.sub(" ", line)
    return html.unescape(line).replace("\\", "")


def word_list(text: str) -> list[str]:
    """Lower-case words (letters and digits; punctuation, markup and URLs are not words)."""
    return _WORD_RE.findall(plain_line(text).lower())


class _TextOnly(HTMLParser):
    _SKIP = {"script", "style", "noscript", "template", "svg"}
    _BREAK = {"p", "div", "li", "tr", "br", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
              "table", "ul", "ol", "dt", "dd", "blockquote", "header", "footer", "nav"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self.skip += 1
        elif re.fullmatch(r"h[1-6]", tag):
            self.out.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag in self._BREAK:
            self.out.append("\n")
        elif tag == "a" and dict(attrs).get("href"):
            self.out.append("[")
            self._href = dict(attrs)["href"]

    def handle_endtag(self, tag):
        if tag in self._SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag == "a" and getattr(self, "_href", None):
            self.out.append(f"]({self._href})")
            self._href = None
        elif tag in self._BREAK or re.fullmatch(r"h[1-6]", tag):
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(re.sub(r"\s+", " ", data))


def source_lines(raw: str, filename: str = "") -> list[str]:
    """The source as lines of markdown-ish text (HTML is reduced to text and links)."""
    head = raw.lstrip()[:200].lower()
    if filename.lower().endswith((".html", ".htm")) or head.startswith(("<!doctype html", "<html")):
        parser = _TextOnly()
        parser.feed(raw)
        raw = "".join(parser.out)
    return raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")


# ---------------------------------------------------------------------------
# Source side: what page furniture is
# ---------------------------------------------------------------------------

_MARKER_RE = re.compile(r"^\s*(?:#{1,6}\s+|[*+\-•]\s+|\d{1,3}[.)]\s+|>\s*)*")
_LINK_ONLY_RE = re.compile(r"^(?:[\s|·•,/–—>-]*(?:!?\[[^\]\n]*\]" + _DEST + r"|<https?://[^>\s]+>))+[\s|·•,/–—-]*$")
# Short lines that are controls or site chrome whatever page they are on.
_CHROME_PHRASES = re.compile(
    r"^(?:back\s+to\s+(?:the\s+)?top|return\s+to\s+(?:the\s+)?top|(?:go\s+)?to\s+top|top\s+of\s+page|"
    r"download(?:\s+(?:the|a|as))?\s+(?:pdf|printable)(?:\s+version)?|print(?:\s+this\s+page)?|"
    r"(?:cookie|privacy)\s+(?:settings|preferences|choices)|manage\s+cookies|accept(?:\s+all)?(?:\s+cookies)?|"
    r"reject\s+all|decline|allow\s+all|got\s+it|close|dismiss|skip\s+to\s+(?:main\s+)?content|menu|"
    r"log\s?in|sign\s?in|sign\s?up|log\s?out|register|get\s+started|subscribe|search|share|"
    r"(?:download\s+on\s+the|available\s+on\s+the)\s+app\s+store|get\s+it\s+on\s+google\s+play|"
    r"table\s+of\s+contents|contents|on\s+this\s+page|in\s+this\s+article|jump\s+to|"
    r"was\s+this\s+(?:page|article)\s+helpful\??|show\s+more|read\s+more|learn\s+more|see\s+more)[.:!?]?$",
    re.I,
)
_TOC_LABEL_RE = re.compile(r"^(?:\d[\d.]*\s+)?(?:table\s+of\s+contents|contents|on\s+this\s+page|in\s+this\s+article)[.:]?$", re.I)
_COPYRIGHT_RE = re.compile(
    r"^(?:copyright\s*)?(?:©|\(c\)\s*(?=(?:19|20)\d\d)|copyright\s+(?=(?:19|20)\d\d))|all\s+rights\s+reserved\.?$", re.I
)
_COPYRIGHT_END_RE = re.compile(r"(?:©|\(c\)|copyright)\s*(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)\d\d)?[^.;:!?]{0,60}\.?$", re.I)
_JSON_RE = re.compile(r'^\{\s*"[^"\n]{1,60}"\s*:.*\}$')
# What a site's menus are made of (whole lines): its sections, account links and languages.
# Three different ones in a run of short lines make the run a menu; "Contact us" or
# "Privacy" alone would not (terms have sections so named).
_NAV_LABEL_RE = re.compile(
    r"^(?:home(?:\s+page)?|careers?|jobs|blog|press(?:\s+room|\s+releases)?|newsroom|news(?:\s+and\s+stories)?|"
    r"investors?(?:\s+relations)?|site\s*map|help(?:\s+cent(?:er|re))?|support(?:\s+cent(?:er|re))?|faqs?|developers|"
    r"affiliates|advertise|pricing|features|templates|my\s+account|account\s+settings|log\s?out|log\s?in|sign\s?in|"
    r"sign\s?up|about(?:\s+us)?|contact(?:\s+us)?|shop|store|downloads?|podcasts|videos|newsletters|events|partners|"
    r"english|deutsch|español|français|italiano|nederlands|norsk|polski|português|русский|svenska|dansk|suomi|"
    r"türkçe|日本語|한국어|中文|简体中文|繁體中文)$",
    re.I,
)
_DATA_RE = re.compile(r"(?=[A-Za-z0-9+/=]{60,})(?=\S*\d)(?=\S*[a-z])(?=\S*[A-Z])[A-Za-z0-9+/=]{60,}")
_PIXEL_RE = re.compile(r"!\[[^\]]*\]\([^)]*(?:pixel|track|beacon|1x1|spacer|\.gif)[^)]*\)", re.I)


def _core(line: str) -> str:
    return _MARKER_RE.sub("", line).strip().strip("*_ ").strip()


def furniture_kind(line: str) -> str:
    """What furniture a single line is ("link-only", "control", "copyright", "image"), or ""."""
    s = line.strip()
    if not s:
        return ""
    core = _core(s)
    if not core:
        return ""
    if _PIXEL_RE.search(s) and not plain_line(core).strip(" |"):
        return "tracking pixel"
    if _IMAGE_RE.fullmatch(core) or (core.startswith("![") and not word_list(_IMAGE_RE.sub("", core))):
        return "image"
    text = " ".join(plain_line(core).split()).strip(" |·")
    if _CHROME_PHRASES.match(text.strip("[]() ")):
        return "control"
    if len(text) <= 200 and _COPYRIGHT_RE.search(text) and len(word_list(text)) <= 20:
        return "copyright"
    if _COPYRIGHT_END_RE.search(text) and len(word_list(text)) <= 20:
        return "copyright"  # "XFINITY © 2016 Comcast": a short line ending in the notice
    if _DATA_RE.search(text) and len(text.split()) <= 3:
        return "embedded data"  # base64 of an inlined image, a tracking blob
    if _JSON_RE.match(text):
        return "embedded data"  # a script's data printed on the page
    if _LINK_ONLY_RE.match(core):
        return "link-only"
    return ""


def _is_anchor_link_line(line: str) -> bool:
    core = _core(line)
    return bool(_LINK_ONLY_RE.match(core)) and bool(re.search(r"\]\(<?#", core))


def furniture_lines(lines: list[str]) -> dict[int, str]:
    """Line index -> furniture kind, for the lines of a page that are not its text.

    Single lines by what they are (:func:`furniture_kind`), and lines wholly inside a link
    whose text runs over several lines (a ticker of prices); runs of them by what they are
    together: three or more lines linking to anchors of the same page are an in-page table
    of contents, and a run of short lines (blank lines between allowed) most of which are
    links, or which names three of a site's sections ("Careers", "Blog", "Site Map"), is
    a menu, labels and all. Lines of a code block are what the terms print (a PGP key):
    never "embedded data".
    """
    found: dict[int, str] = {}
    code = _code_lines(lines)
    for i, line in enumerate(lines):
        kind = furniture_kind(line)
        if kind and not (kind == "embedded data" and i in code):
            found[i] = kind
    armored = False
    for i, line in enumerate(lines):
        # A PGP key or a certificate the terms print, from its BEGIN line to its END line.
        if re.search(r"-----BEGIN [A-Z ]+-----", line):
            armored = True
        if armored and found.get(i) == "embedded data":
            del found[i]
        if re.search(r"-----END [A-Z ]+-----", line):
            armored = False
    for i in _inside_multiline_links(lines):
        found.setdefault(i, "link-only")
    # In-page tables of contents: runs of anchor links (blank lines between allowed).
    run: list[int] = []
    for i, line in enumerate(lines + [""]):
        if i < len(lines) and _is_anchor_link_line(line):
            run.append(i)
            continue
        if i < len(lines) and not line.strip():
            continue
        if len(run) >= 3:
            for k in run:
                found[k] = "in-page table of contents"
        run = []
    # Menus: runs of short lines and furniture, with their labels.
    block: list[int] = []
    for i, line in enumerate(lines + ["."]):
        if i < len(lines) and (not line.strip() or i in found or _short_label(line)):
            if line.strip():
                block.append(i)
            continue
        links = sum(1 for k in block if found.get(k) in ("control", "in-page table of contents")
                    or (found.get(k) == "link-only" and _navigation_link(lines[k])))
        sections = {_core(lines[k]).lower() for k in block if _NAV_LABEL_RE.match(_core(plain_line(lines[k])).strip())}
        if (len(block) >= 4 and links >= 0.6 * len(block)) or len(sections) >= 3:
            for k in block:
                if k not in found:
                    found[k] = "menu"
        block = []
    return found


def _short_label(line: str) -> bool:
    """A line a menu is made of: at most six words, not a sentence, not a heading of the text."""
    s = line.strip()
    if re.match(r"^#{1,6}\s", s) or re.match(r"^\s*(?:\d{1,3}[.)]|\(?[a-z]\))\s", s):
        return False
    text = " ".join(plain_line(_core(s)).split())
    return 0 < len(word_list(text)) <= 6 and not re.search(r"[.;:,]$|\b(?:19|20)\d\d\b", text)


def _code_lines(lines: list[str]) -> set[int]:
    """Lines of fenced (```) or indented code blocks."""
    out: set[int] = set()
    fenced = False
    prev_blank = True
    for i, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            out.add(i)
        elif fenced or (line.startswith("    ") and line.strip() and (prev_blank or i - 1 in out)):
            out.add(i)
        prev_blank = not line.strip()
    return out


def _inside_multiline_links(lines: list[str]):
    """Indexes of the lines whose words all sit inside links spanning several lines."""
    text = "\n".join(lines)
    if "\n" not in text or "](" not in text:
        return
    starts, at = [], 0
    for line in lines:
        starts.append(at)
        at += len(line) + 1
    covered = bytearray(len(text))
    spans = [(m.start(), m.end()) for m in _MULTILINE_LINK_RE.finditer(text)]
    if not spans:
        return
    for a, b in spans:
        covered[a:b] = b"\x01" * (b - a)
    import bisect
    touched = set()
    for a, b in spans:
        touched.update(range(bisect.bisect_right(starts, a) - 1, bisect.bisect_right(starts, b - 1)))
    for i in sorted(touched):
        line = lines[i]
        outside = "".join(ch for ch, c in zip(line, covered[starts[i]:starts[i] + len(line)]) if not c)
        if word_list(line) and not word_list(outside):
            yield i


# ---------------------------------------------------------------------------
# Source side: numbered headings
# ---------------------------------------------------------------------------

_NUMBER = r"(?:\d{1,3}(?:\.\d{1,3})*|[A-Z]\d{1,2}(?:\.\d{1,3})*|[IVXLC]{1,6}|[A-Za-z])"
_NUMBERED_HEAD_RE = re.compile(
    rf"^(?:(?P<word>(?:article|section|part|chapter|clause|schedule|annex|appendix)(?![a-z])|§)\s*(?P<n1>{_NUMBER})[.:)]?"
    rf"|(?P<n2>\d{{1,3}}(?:\.\d{{1,3}})+)\.?|(?P<n3>{_NUMBER})[.)])(?=\s|$)",
    re.I,
)


def _heading_text(line: str) -> str | None:
    """The text of a line that is a heading by its markup (ATX, or bold-only), else None."""
    s = line.strip()
    m = re.match(r"^#{1,6}\s+(.*?)\s*#*$", s)
    if m:
        return m.group(1)
    m = re.fullmatch(r"(\*\*|__)(.+?)\1[.:]?", s)
    if m and len(word_list(m.group(2))) <= 16:
        return m.group(2)
    return None


def number_key(number: str) -> str:
    """How two printings of a number compare: "Article 7." ~ "7", "(a)" ~ "a", "2.1." ~ "2.1"."""
    n = number.strip().lower()
    n = re.sub(r"^(?:article|section|part|chapter|clause|schedule|annex|appendix|§)\s*", "", n)
    return n.strip("().:] ")


def numbered_headings(lines: list[str], furniture: dict[int, str] | None = None) -> list[str]:
    """Numbers of the source's numbered headings, as number keys, in order.

    A numbered heading is a heading by markup ("## 4. Data", "**12.5 Liability**",
    "### Article 7", "#### A2. Payments", "## [3. Fees](#fees)") or a short escaped
    numbered title line ("4\\. Your Content"), whose text starts with a number. Lines that
    are furniture (an in-page table of contents) are not headings.
    """
    furniture = furniture or {}
    found: list[str] = []
    seen: set[tuple[str, str]] = set()
    setext_under = {i + 1 for i in range(len(lines) - 1)
                    if lines[i].strip() and re.fullmatch(r"\s*(?:=+|-+)\s*", lines[i + 1]) and len(lines[i + 1].strip()) >= 2}
    for i, line in enumerate(lines):
        if i in furniture:
            continue
        text = _heading_text(line)
        if text is None and i + 1 in setext_under and not re.match(r"^\s*[*+\-]\s", line):
            text = line.strip()
        if text is None:
            m = re.match(r"^\s*(\d{1,3}(?:\\?\.\d{1,3})*)\\\.\s+(\S.*)$", line)
            if m and len(word_list(m.group(2))) <= 12 and not m.group(2).rstrip().endswith((".", ";", ",")):
                text = line.strip().replace("\\.", ".")
        if text is None:
            continue
        plain = " ".join(plain_line(text).replace("\\", "").split()).strip("*_ ")
        m = _NUMBERED_HEAD_RE.match(plain)
        if not m:
            continue
        number = m.group("n1") or m.group("n2") or m.group("n3")
        rest = plain[m.end():].strip()
        if m.group("n3") and len(number) == 1 and number.isalpha() and not rest:
            continue  # a lone "A." is more often a list marker than a heading
        if m.group("n3") and re.fullmatch(r"[IVXLC]+", number, re.I) and not m.group("n3")[0].isupper():
            continue
        key = number_key(number)
        if m.group("word") and m.group("word").lower() in _PART_WORDS:
            key = f"{m.group('word').lower()} {key}"  # "Schedule 2" is not clause 2: its own series
        if (key, rest.lower()) in seen:
            continue  # the same heading again: a page captured twice
        seen.add((key, rest.lower()))
        found.append(key)
    return found


# Parts bound to the main text number themselves in their own series ("Annex II",
# "Schedule 2", "Appendix A"); a clause that keeps the name and number as its heading
# has kept the number.
_PART_WORDS = {"annex", "appendix", "schedule", "exhibit"}
_PART_HEAD_RE = re.compile(rf"^(?P<word>annex|appendix|schedule|exhibit)\s*(?P<n>{_NUMBER})(?=[\s.:)–—-]|$)", re.I)


def clause_number_keys(number: str, heading: str) -> list[str]:
    """The numbers a clause carries: its number, and a part's name and number at the start
    of its heading ("ANNEX II", "SCHEDULE 2: AUSTRALIA-SPECIFIC TERMS")."""
    keys = [number_key(number)] if number else []
    m = _PART_HEAD_RE.match(" ".join(plain_line(heading).split()).strip("*_ "))
    if m:
        keys.append(f"{m.group('word').lower()} {number_key(m.group('n'))}")
    return keys


# A provision the source titles: by a markdown heading, a bold line, a bold lead-in
# ("**Governing law.** These terms …") or a numbered title line ("4\\. Your Content").
_MARKER_RE = re.compile(r"^\s*(?:[*+\-•]\s+|(?P<list>\d{1,3})[.)]\s+)?")
_BOLD_HEAD_RE = re.compile(r"^(\*\*|__)(?P<t>[^*_\n]+?)\1\s*(?P<rest>.*)$")
_TITLE_WORDS = 14  # more is a sentence in bold, not a title
_DATE_LABEL_RE = re.compile(
    r"^(?:last\s+)?(?:updated|revised|modified|amended|effective)(?:\s+(?:on|as\s+of|date))?\b|"
    r"^(?:effective|version|revision)\s+date\b|\b(?:19|20)\d\d\b", re.I)
_LEAD_WORDS = 8


def titled_provisions(lines: list[str], furniture: dict[int, str] | None = None) -> list[tuple[str, str]]:
    """(number key, title words) of every provision the source titles, in order.

    Titles: markdown headings (ATX and setext), a line that is one bold run, a bold
    lead-in ending in "." or ":" and followed by text (not a bold defined term:
    "**“Account”** means …"), and numbered title lines. The number is the one printed
    in the title, else the list marker before it ("3. **Services.** …"). Furniture lines
    and a title repeated verbatim (a page captured twice) are not counted.
    """
    furniture = furniture or {}
    found: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    setext_under = {i + 1 for i in range(len(lines) - 1)
                    if lines[i].strip() and re.fullmatch(r"\s*(?:=+|-+)\s*", lines[i + 1]) and len(lines[i + 1].strip()) >= 2}
    for i, line in enumerate(lines):
        if i in furniture or not line.strip() or i in setext_under:
            continue
        title = None
        m = re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*$", line)
        if m:
            title = m.group(1)
        elif i + 1 in setext_under and not re.match(r"^\s*[*+\-]\s", line):
            title = line.strip()
        marker = _MARKER_RE.match(line)
        listed = marker.group("list") or ""
        core = line[marker.end():].strip() if title is None else title.strip()
        if title is None:
            b = _BOLD_HEAD_RE.match(core.replace("\\", ""))
            if b:
                inner, rest = b.group("t").strip(), b.group("rest").strip()
                if not rest or re.fullmatch(r"[.:]", rest):
                    title = inner
                elif (inner.endswith((".", ":")) or rest[:1] in ".:") and inner[:1] not in "“\"'‘" \
                        and len(word_list(inner)) <= _LEAD_WORDS:
                    title = inner
        if title is None:
            n = re.match(r"^\s*(\d{1,3}(?:\\?\.\d{1,3})*)\\?\.?\s+(\S.*)$", line)
            if n and len(word_list(n.group(2))) <= 12 and not n.group(2).rstrip().endswith((".", ";", ",", ":")) \
                    and not re.match(r"^\s*\d{1,3}[.)]\s", line):  # an ordered list item is not a title line
                title = line.strip()
        if title is None:
            continue
        plain = " ".join(plain_line(title).replace("\\", "").split()).strip("*_ ")
        if not word_list(plain) or len(word_list(plain)) > _TITLE_WORDS or plain.endswith((",", ";")):
            continue
        number = listed
        head = _NUMBERED_HEAD_RE.match(plain)
        if head:
            number = head.group("n1") or head.group("n2") or head.group("n3")
            plain = plain[head.end():].strip()
            if not plain:
                continue  # a number alone ("**2.5.1**"): counted by numbered_headings
        elif re.match(r"^\d+\s", plain):
            continue  # "595 Burrard Street": an address in bold, not a provision
        words_ = " ".join(word_list(plain.rstrip(".:")))
        if not words_ or words_.isdigit() or _DATE_LABEL_RE.search(plain):
            continue  # "Last updated:", "Effective date" label a date, not a provision
        key = (number_key(number) if number else "", words_)
        if key in seen:
            continue
        seen.add(key)
        found.append(key)
    return found


def titled_recovered(wanted: list[tuple[str, str]], clauses: list, *, title: str = "") -> tuple[int, list[str]]:
    """How many of the source's titled provisions are clauses of their own with that title
    (and that number, where the source prints one); the rest, as "number title"."""
    have: Counter = Counter()
    for c in clauses:
        words_ = " ".join(word_list(c.heading.rstrip(".:")))
        keys = {number_key(c.number)} | {number_key(k) for k in clause_number_keys(c.number, c.heading)}
        cite = getattr(c, "citation", "") or ""
        keys.add(number_key(cite.split(", ")[-1]))  # "Schedule 2, 3.1" prints "3.1"
        for k in keys | {""}:
            have[(k, words_)] += 1
    own_title = " ".join(word_list(title))
    missed: list[str] = []
    got = 0
    for number, words_ in wanted:
        if have[(number, words_)] > 0 or (words_ == own_title and not number):
            got += 1
            if (number, words_) in have:
                have[(number, words_)] -= 1
        else:
            missed.append(f"{number} {words_}".strip())
    return got, missed


# ---------------------------------------------------------------------------
# Source side: the date the document states
# ---------------------------------------------------------------------------

_MONTHS = {name: i for i, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
     ("nov", "november"), ("dec", "december")], start=1) for name in names}
_MON = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DATE_FORMS = [
    (re.compile(rf"{_MON}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)", re.I), ("mon", "day", "year")),
    (re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+{_MON},?\s+((?:19|20)\d\d)", re.I), ("day", "mon", "year")),
    (re.compile(r"((?:19|20)\d\d)-(\d\d)-(\d\d)"), ("year", "mon", "day")),
    (re.compile(r"(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)"), ("mon", "day", "year")),
    (re.compile(rf"{_MON},?\s+((?:19|20)\d\d)", re.I), ("mon", "year")),
]
_STATEMENT_RE = re.compile(
    r"(?<![a-z])(?:effective(?:\s+date)?|last\s+(?:updated|revised|modified|amended|changed|reviewed)|"
    r"(?:date\s+of\s+)?last\s+revision|updated|revised|version\s+date|date|in\s+force\s+(?:from|since|as\s+of)|"
    r"(?:takes?|took|will\s+take)\s+effect)"
    r"(?:\s+(?:on|as\s+of|from|since|at|date|modified|updated))?\s*[:\-–]?\s*[*_\[(]*\s*$",
    re.I,
)
_HISTORY_RE = re.compile(r"(?:until|through|till|to|[-–—])\s", re.I)


def _date_at(text: str, pos: int) -> tuple[dt.date, int] | None:
    for rx, order in _DATE_FORMS:
        m = rx.match(text, pos)
        if not m:
            continue
        parts = dict(zip(order, m.groups()))
        try:
            mon = parts["mon"]
            month = int(mon) if mon.isdigit() else _MONTHS[mon.lower().rstrip(".")]
            day = int(parts.get("day", 1))
            if mon.isdigit() and month > 12 >= day:
                month, day = day, month  # 16/09/2026 is day first
            return dt.date(int(parts["year"]), month, day), m.end()
        except (KeyError, ValueError):
            continue
    return None


# "Effective starting: …", "Last updated on the 3rd of …": the statement word a few
# words before the date, in the same sentence.
# "Effective Date outside EEA & UK: …", "Effective since last update: [12/09/2025]": a
# label qualified by a few words, ending in a colon. "… will be effective for the EEA,
# UK, and Switzerland on …": the statement word and "on" in one clause.
_LOOSE_STATEMENT_RE = re.compile(
    r"(?<![a-z])(?:(?:effective|last\s+(?:updated|revised|modified)|updated\s+on|revised\s+on)(?:\s+\S+){0,2}\s*[:\-–]?"
    r"|(?:effective|last\s+(?:updated|revised|modified)|updated)(?:\s+[^\s:.;!?]+){0,5}\s*:"
    r"|(?:effective|takes?\s+effect|took\s+effect)(?:\s+[^\s.;:!?]+){0,6}\s+(?:on|from|as\s+of|starting))"
    r"\s*[*_\[(]*\s*$",
    re.I,
)
# A line that is only the label of the date on the next line ("**Effective Date**").
_LABEL_ONLY_RE = re.compile(
    r"^(?:effective(?:\s+date)?|last\s+(?:updated|revised|modified)(?:\s+on)?|date\s+of\s+last\s+revision|"
    r"version\s+date|updated(?:\s+on)?)\s*:?$",
    re.I,
)
_PART_RE = re.compile(r"(?<![a-z])(?:this|the)\s+(?:section|annex|appendix|schedule|exhibit|addendum|supplement)\b", re.I)


def stated_date(lines: list[str], *, head_lines: int = 60) -> dt.date | None:
    """The date the source states for itself: "Effective: …", "Last updated …".

    The first statement in the first ``head_lines`` lines of text (where documents put
    it), else the first one anywhere. A statement that reads as history ("effective
    from … until …", "previous version") or as a part's own ("This section was
    updated …") is not the document's.
    """
    seen = 0
    head = None
    later: list[tuple[int, dt.date, bool]] = []
    label = ""
    for line in lines:
        text = " ".join(plain_line(line).replace("*", " ").replace("_", " ").split())
        if not text:
            continue
        seen += 1
        if text.startswith((">", "|")):
            label = ""
            continue  # a quotation, or a table row (change logs list old dates)
        statements = list(_statements(f"{label} {text}" if label else text))
        label = text if _LABEL_ONLY_RE.match(text) else ""
        for d, effective in statements:
            if seen <= head_lines:
                if effective:
                    return d  # "Effective …" says when it takes effect; it wins over "Published …"
                head = head or d
            later.append((seen, d, effective))
    if head or not later:
        return head
    # Past the head: the first statement, or an "Effective" one just after it
    # ("Publication date July 19, 2021" / "Effective date September 1, 2021").
    first = later[0][0]
    return next((d for at, d, effective in later if effective and at <= first + 5), later[0][1])


def history_date(lines: list[str], *, not_after: dt.date | None = None) -> dt.date | None:
    """The latest entry of a revision history in the source, not after ``not_after``:
    two or more lines in a row (blank lines between) that each open with a date followed
    by ":" or a dash and what changed ("November 15, 2024: Updated …")."""
    best = None
    run: list[dt.date] = []

    def close():
        nonlocal best, run
        if len(run) >= 2:
            for d in run:
                if (not_after is None or d <= not_after) and (best is None or d > best):
                    best = d
        run = []

    for line in lines:
        text = " ".join(plain_line(line).replace("*", " ").replace("_", " ").split())
        if not text:
            continue
        text = re.sub(r"^[-+•]\s+", "", text)
        found = _date_at(text, 0)
        if found and re.match(r"\s*(?::|[-–—]\s)\s*\S", text[found[1]:]):
            run.append(found[0])
        else:
            close()
    close()
    return best


def _statements(text: str):
    # Lookahead only: candidates overlap ("updated 2024-01-30" holds two).
    for m in re.finditer(r"(?=(?<![A-Za-z0-9])(?:(?:19|20)\d\d|[A-Za-z]{3,9}\.?\s+\d|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[A-Za-z]{3}|\d{1,2}/\d))", text):
        start = m.start()
        for back in range(max(0, start - 12), start + 1):
            if back and text[back - 1].isalnum():
                continue  # a date starts at a word's start
            found = _date_at(text, back)
            if found and found[1] > start:
                before = re.split(r"[.!?;]\s", text[max(0, back - 50):back])[-1]
                if ((_STATEMENT_RE.search(before) or _LOOSE_STATEMENT_RE.search(before)) and not _PART_RE.search(before)
                        and not _HISTORY_RE.match(text[found[1]:found[1] + 30].lstrip(" ,)"))):
                    yield found[0], bool(re.search(r"effective|in\s+force|\beffect\b", before, re.I))
                break


# ---------------------------------------------------------------------------
# Source side: everything about one file
# ---------------------------------------------------------------------------


@dataclass
class SourceFigures:
    legal_words: Counter
    furniture: Counter  # furniture kind -> words on such lines
    legal_lines: list[str]  # the non-furniture lines with words, as plain text
    numbered: list[str]
    headings: int  # headings by markup: how structured the page is
    stated: dt.date | None
    chars: int
    unmarked_share: float = 0.0  # the longest stretch of text with no structure mark, of all text
    furniture_examples: dict = field(default_factory=dict)  # kind -> the first words so named, to show
    # Every non-furniture line with words, repeats included, in source order: what
    # reading order compares with (a heading listed in a table of contents and then
    # heading its section is read twice, once in each place).
    ordered_lines: list[str] = field(default_factory=list)
    titled: list[tuple[str, str]] = field(default_factory=list)  # (number key, title words)


_FLAT_LINE = 300  # longer than any heading or menu line: a paragraph, or a page captured flat
# Twelve or more capitalised words in a row, with at most two small words between them
# and no punctuation: the labels of a menu or a table of contents run together ("Scope
# Information Collection Uses Cookies and Other Tracking Devices Outside Links …").
# Sentences, even full of names, have lower-case words and commas.
_LABEL_RUN_RE = re.compile(
    r"(?<![\w,;])(?:[A-Z][a-z][\w'’&-]*|[A-Z])(?:\s+(?:(?:a|an|and|of|to|the|for|in|on|&|or|your|our)\s+){0,2}(?:[A-Z][a-z][\w'’&-]*|[A-Z])){11,}(?![\w])"
)


# Inside a page captured as one long line, the widgets of the page run into the text
# with nothing around them; each is known by what it is made of.
# A language switcher: the names of languages as they write themselves, one after the
# other ("… in English · … in Deutsch · … in Español"); a sentence that lists languages
# joins them with commas and "and".
_LANGUAGE_NAME_RE = re.compile(
    r"(?<![\w])(?:english|deutsch|español|espanol|français|francais|italiano|nederlands|norsk|polski|português|"
    r"portugues|русский|svenska|dansk|suomi|türkçe|čeština|magyar|română|ελληνικά|українська|日本語|한국어|"
    r"中文|简体中文|繁體中文|bahasa\s+indonesia|bahasa\s+melayu|tiếng\s+việt|ไทย|العربية|עברית|हिन्दी)(?![\w])",
    re.I,
)
# A sign-in or sign-up form: its fields, buttons and prompts.
_FORM_PART_RE = re.compile(
    r"(?<![\w])(?:log\s?in|log\s?on|log\s?out|sign\s?in|sign\s?up|sign\s?out|signing\s+(?:up|in)|"
    r"create\s+(?:(?:a|an|new|your|free)\s+)*account|forgot(?:ten)?\s+(?:your\s+|my\s+)?(?:password|username|login)|"
    r"remember\s+me|reset\s+(?:your\s+|my\s+|a\s+)?password|"
    r"(?:already\s+have|don'?t\s+have|do\s+not\s+have)\s+an?\s+(?:[\w-]+\s+)?(?:account|login)|"
    r"enter\s+your\s+(?:e-?mail|password|username)|loading|please\s+wait|"
    r"\(\s*e\.\s?g\.,?\s*(?:[^()\s]*@[^()]*)?\))(?![\w])",
    re.I,
)
# What only a form holds: a "Remember me" box, an example address in a field, a
# spinner, a button in capitals.
_FORM_ONLY_RE = re.compile(r"remember|@|\(\s*e\.\s?g\.,?\s*\)|loading|wait", re.I)
# Buttons and field labels, as a form capitalises them.
_BUTTON_RE = re.compile(
    r"(?<![\w])(?:GO|OK|BACK|Back|DONE|Done|SUBMIT|Submit|OR|CANCEL|Cancel|NEXT|Next|SEND|Send|"
    r"E-?mail|EMAIL|Password|PASSWORD|Username|USERNAME)(?![\w])"
)
_COPYRIGHT_IN_RE = re.compile(
    r"(?:©|\(c\)|copyright\s*©?)\s*(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)\d\d)?"
    r"(?:[^!?©\n]{0,40}?(?<![\w])(?:inc|ltd|llc|gmbh|corp|corporation|limited|plc)\.?(?![\w])|[^.!?©\n]{0,40})"
    r"(?:[.,]?\s*all\s+rights\s+reserved\.?)?",
    re.I,
)
_FORM_GAP = 12  # words between two parts of one form


def _word_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD_RE.finditer(text)]


def _language_switchers(text: str, spans: list[tuple[int, int]]):
    """(start, end) of runs of four or more language names, each item alike."""
    names = list(_LANGUAGE_NAME_RE.finditer(text))
    starts = [a for a, _ in spans]
    import bisect

    def words_between(a: int, b: int) -> list[str]:
        return [text[x:y].lower() for x, y in spans[bisect.bisect_left(starts, a):bisect.bisect_left(starts, b)]]

    run: list[re.Match] = []
    for m in names + [None]:
        if m is not None and run:
            gap = text[run[-1].end():m.start()]
            gap_words = words_between(run[-1].end(), m.start())
            if len(gap_words) <= 8 and not re.search(r"[,;]|(?<![\w])(?:and|or|und|et|y|e)(?![\w])", gap, re.I):
                run.append(m)
                continue
        if len({r.group(0).lower() for r in run}) >= 4:
            start = run[0].start()
            # The first item's label, when the others repeat it ("About Privacy in …").
            item = words_between(run[0].end(), run[1].start())
            k = bisect.bisect_left(starts, run[0].start())
            if item and k >= len(item) and [text[x:y].lower() for x, y in spans[k - len(item):k]] == item:
                start = spans[k - len(item)][0]
            yield start, run[-1].end()
        run = [m] if m is not None else []


def _sign_in_forms(text: str, spans: list[tuple[int, int]]):
    """(start, end) of sign-in/sign-up forms: four or more of a form's parts, of three
    kinds at least, close together, with something only a form holds (a "Remember me",
    an example address, a spinner, a capitalised button), and mostly (60%) made of them:
    a sentence about accounts and passwords is not."""
    import bisect
    starts = [a for a, _ in spans]
    parts = list(_FORM_PART_RE.finditer(text))
    run: list[re.Match] = []
    for m in parts + [None]:
        if m is not None and run and bisect.bisect_left(starts, m.start()) - bisect.bisect_left(starts, run[-1].end()) <= _FORM_GAP:
            run.append(m)
            continue
        if len(run) >= 4:
            a, b = run[0].start(), run[-1].end()
            stretch = text[a:b]
            kinds = {re.sub(r"\W+", " ", r.group(0).lower()).split()[0] for r in run}
            buttons = list(_BUTTON_RE.finditer(stretch))
            marked = sum(len(_WORD_RE.findall(r.group(0))) for r in run) + len(buttons)
            total = len(_WORD_RE.findall(stretch)) or 1
            only = any(_FORM_ONLY_RE.search(r.group(0)) for r in run) or any(
                b_.group(0).isupper() for b_ in buttons)
            if len(kinds) >= 3 and only and marked >= 0.6 * total:
                # Buttons just before or after belong to it ("Back Login …", "… Done").
                while True:
                    before = re.search(r"(?:^|\s)(\S+)\s*$", text[max(0, a - 20):a])
                    if before and _BUTTON_RE.fullmatch(before.group(1).strip(".,:")):
                        a -= len(text[max(0, a - 20):a]) - before.start(1)
                        continue
                    break
                while True:
                    after = re.match(r"\s*[.,:]?\s*(\S+?)[.,:!]?(?=\s|$)", text[b:b + 20])
                    if after and _BUTTON_RE.fullmatch(after.group(1)):
                        b += after.end()
                        continue
                    break
                yield a, b
        run = [m] if m is not None else []


def _flat_furniture(line: str) -> tuple[str, Counter, dict]:
    """``line`` (a long one) without the furniture run into it, the words of each kind it
    held (labels of a menu or table of contents run together, a language switcher, a
    sign-in form, a copyright notice) and the first stretch of each kind."""
    text = plain_line(line)
    spans = _word_spans(text)
    found: list[tuple[int, int, str]] = []
    found += [(m.start(), m.end(), "flattened menu or contents") for m in _LABEL_RUN_RE.finditer(text)]
    found += [(a, b, "language switcher") for a, b in _language_switchers(text, spans)]
    found += [(a, b, "sign-in form") for a, b in _sign_in_forms(text, spans)]
    found += [(m.start(), m.end(), "copyright") for m in _COPYRIGHT_IN_RE.finditer(text)]
    if not found:
        return line, Counter(), {}
    owner = [""] * len(text)
    for a, b, kind in sorted(found, key=lambda f: (f[0], -f[1])):
        for k in range(a, b):
            owner[k] = owner[k] or kind
    kinds: Counter = Counter(owner[a] for a, _ in spans if owner[a])
    kept = "".join(" " if owner[k] else ch for k, ch in enumerate(text))
    examples: dict = {}
    for a, b, kind in sorted(found):
        examples.setdefault(kind, " ".join(text[a:b].split()))
    return kept, kinds, examples


# What a reader sees as the start of a part: a heading by markup, a setext underline,
# a numbered line ("4.", "2.1", "(a)", "Article 7"), a bold lead-in ("**Facebook:** …"),
# a table row (each row an entry) or a short question ("What do we collect?").
_MARK_RE = re.compile(
    r"^\s*(?:#{1,6}\s|(?:=+|-{2,})\s*$|\|"
    r"|(?:\*\*|__)?(?:\d{1,3}(?:\.\d{1,3})*[.)]?|\([a-z0-9]{1,4}\)|[a-z][.)]|(?:article|section|part)\s+\w+)\s"
    r"|(?:\*\*|__)[^*_\n]{1,100}(?:\*\*|__))",
    re.I,
)


def _longest_unmarked(lines: list[str]) -> float:
    """The longest run of characters between two structure marks, as a share of all."""
    total = longest = run = 0
    for line in lines:
        n = len(line.strip())
        if n and (_MARK_RE.match(line) or (n <= 120 and line.rstrip().endswith("?"))):
            longest = max(longest, run)
            run = 0
        run += n
        total += n
    return max(longest, run) / total if total else 0.0


def measure_source(raw: str, filename: str = "") -> SourceFigures:
    """Everything the report needs from one source file.

    A line of text repeated verbatim counts once: a page captured twice keeps all its
    text when one copy is kept, and a boilerplate line kept once is not a loss.
    """
    lines = source_lines(raw, filename)
    furniture = furniture_lines(lines)
    legal: Counter = Counter()
    kinds: Counter = Counter()
    legal_lines: list[str] = []
    ordered: list[str] = []
    examples: dict = {}
    seen: set[str] = set()
    for i, line in enumerate(lines):
        if i not in furniture and len(line) > _FLAT_LINE:
            line, flat, named = _flat_furniture(line)
            kinds.update(flat)
            for kind, text in named.items():
                examples.setdefault(kind, text[:_EXAMPLE])
        ws = word_list(line)
        if not ws:
            continue
        if i in furniture:
            kinds[furniture[i]] += len(ws)
            examples.setdefault(furniture[i], " ".join(plain_line(line).split())[:_EXAMPLE])
            continue
        key = " ".join(ws)
        ordered.append(key)
        if key in seen:
            continue
        seen.add(key)
        legal.update(ws)
        legal_lines.append(key)
    headings = sum(1 for line in lines if _heading_text(line) is not None)
    unmarked = _longest_unmarked([l for i, l in enumerate(lines) if i not in furniture])
    return SourceFigures(
        legal_words=legal, furniture=kinds, legal_lines=legal_lines,
        numbered=numbered_headings(lines, furniture), headings=headings, unmarked_share=unmarked,
        stated=_latest_date(stated_date(kept := [l for i, l in enumerate(lines) if furniture.get(i) != "menu"]),
                            history_date(kept, not_after=_recorded(filename))),
        chars=sum(len(line) for line in lines), furniture_examples=examples, ordered_lines=ordered,
        titled=titled_provisions(lines, furniture),
    )


def _recorded(filename: str) -> dt.date | None:
    """The day a file of an archive was recorded, from its name ("2024-11-05.md")."""
    m = re.match(r"((?:19|20)\d\d-\d\d-\d\d)", filename.rsplit("/", 1)[-1])
    try:
        return dt.date.fromisoformat(m.group(1)) if m else None
    except ValueError:
        return None


def _latest_date(stated: dt.date | None, revised: dt.date | None) -> dt.date | None:
    """A revision history's latest entry is when the text last changed: it wins over an
    earlier statement (the original "shall take effect on …")."""
    if revised is None:
        return stated
    return revised if stated is None or revised > stated else stated


_EXAMPLE = 160  # characters of furniture shown for each kind


# ---------------------------------------------------------------------------
# One version: its clauses against its source
# ---------------------------------------------------------------------------


@dataclass
class ClauseData:
    number: str
    heading: str
    body: str
    text: str
    citation: str = ""
    closing: str = ""
    parent_numbered: bool = False  # its parent clause has a number


@dataclass
class VersionFigures:
    path: str
    document: str = ""
    label: str = ""
    status: str = ""  # created / unchanged / failed
    detail: str = ""
    legal_words: int = 0
    kept_words: int = 0
    lost_share: float = 0.0
    biggest_losses: list[str] = field(default_factory=list)
    furniture_dropped: dict = field(default_factory=dict)
    furniture_examples: dict = field(default_factory=dict)
    furniture_in_clauses: list[str] = field(default_factory=list)
    numbered_source: int = 0
    numbered_recovered: int = 0
    missed_numbers: list[str] = field(default_factory=list)
    clauses: int = 0
    largest_share: float = 0.0
    structured: bool = False
    chars: int = 0
    tiny_clauses: int = 0
    stated_date: str | None = None
    date_used: str | None = None
    date_marked_stated: bool = False
    recorded_date: str | None = None
    titled_source: int = 0
    titled_recovered: int = 0
    titled_missed: list[str] = field(default_factory=list)
    citations_missing: int = 0  # clauses without a citation, or with "(untitled clause)"
    citations_partial: list[str] = field(default_factory=list)  # an item cited without its path
    citations_repeated: list[str] = field(default_factory=list)
    order_placed: int = 0
    order_out: int = 0
    order_examples: list[str] = field(default_factory=list)


def clause_furniture(clauses: list[ClauseData]) -> list[str]:
    """Furniture found inside clauses: "<kind>: <line>" for each offending line."""
    found = []
    for c in clauses:
        body = c.body.split("\n")
        if c.heading and body and body[0].strip() and not c.number:
            # A lead-in and its words were one line in the source ("**Information used**:
            # [Information You Provide](#info)"): a cross-reference after its label, not a
            # link alone on its line.
            lines = [f"**{c.heading}**: {body[0]}"] + body[1:]
        else:
            lines = [c.heading] + body
        lines += c.closing.split("\n") if c.closing else []
        kinds = furniture_lines(lines)
        for i, kind in sorted(kinds.items()):
            if kind == "menu" and len(kinds) < 4:
                continue
            if i == 0 and _TOC_LABEL_RE.match(_core(lines[0])):
                continue  # a section titled "Contents" or a defined term, not a widget's label
            if kind == "link-only" and not _navigation_link(lines[i]):
                continue  # a link to another document named in a list is part of the terms
            found.append(f"{kind}: {lines[i].strip()[:100]}")
    return found


def _navigation_link(line: str) -> bool:
    """A link-only line that navigates (a short label, an anchor, "Home") rather than cites."""
    texts = re.findall(r"\[([^\]\n]*)\]\(([^)\s]*)", line)
    if not texts:
        return False
    if any(href.startswith("#") for _, href in texts):
        # A sentence that points into the page ("For California consumers, please review
        # our Supplemental Statement") is text; a short label is navigation.
        return max(len(word_list(text)) for text, _ in texts) < 10
    return len(texts) >= 3  # a row of links: a menu or a footer


def measure_version(source: SourceFigures, clauses: list[ClauseData], *, title: str = "") -> dict:
    """Figures of one version; ``title`` is what the version keeps outside its clauses
    (the document's own title, shown above them)."""
    kept: Counter = Counter(word_list(title))
    for c in clauses:
        kept.update(word_list(c.number))
        kept.update(word_list(c.heading))
        kept.update(word_list(c.text))
    legal_total = sum(source.legal_words.values())
    missing = source.legal_words - kept
    lost = sum(missing.values())
    joined = " " + " ".join(" ".join(word_list(c.number) + word_list(c.heading) + word_list(c.text)) for c in clauses) + " "
    losses = []
    for line in source.legal_lines:
        if len(line.split()) >= 3 and f" {line} " not in joined and any(missing[w] for w in line.split()):
            losses.append(line)
    losses.sort(key=lambda s: -len(s))
    numbers = Counter(k for c in clauses for k in clause_number_keys(c.number, c.heading))
    wanted = Counter(source.numbered)
    recovered = sum((wanted & numbers).values())
    missed = sorted((wanted - numbers).elements())
    sizes = [len(c.heading) + len(c.text) for c in clauses]
    total = sum(sizes) or 1
    return {
        "legal_words": legal_total,
        "kept_words": legal_total - lost,
        "lost_share": lost / legal_total if legal_total else 0.0,
        "biggest_losses": [line[:160] for line in losses[:5]],
        "furniture_dropped": dict(source.furniture),
        "furniture_examples": dict(source.furniture_examples),
        "furniture_in_clauses": clause_furniture(clauses)[:10],
        "numbered_source": len(source.numbered),
        "numbered_recovered": recovered,
        "missed_numbers": missed[:20],
        "clauses": len(clauses),
        "largest_share": max(sizes) / total if sizes else 0.0,
        # Structured: headings, and none of the text so far from a structure mark that a
        # clause over 30% was unavoidable (a capture that lost its headings is not).
        "structured": source.headings >= 3 and source.unmarked_share <= 0.30,
        "chars": source.chars,
        "tiny_clauses": sum(1 for c in clauses if len(word_list(c.heading + " " + c.text)) < 3),
        "stated_date": source.stated.isoformat() if source.stated else None,
        "titled_source": len(source.titled),
        "titled_recovered": (titled := titled_recovered(source.titled, clauses, title=title))[0],
        "titled_missed": titled[1][:20],
        **citation_figures(clauses),
    }


def citation_figures(clauses: list[ClauseData]) -> dict:
    """Every clause cited, by its full path, once: a bracketed item ("(g)", "c)") under a
    numbered clause must carry that clause's number in its citation ("1.7(g)")."""
    missing = sum(1 for c in clauses if not c.citation.strip() or "(untitled clause)" in c.citation)
    counts = Counter(c.citation for c in clauses if c.citation.strip())
    repeated = sorted(cite for cite, n in counts.items() if n > 1)
    partial = [c.citation for c in clauses
               if re.fullmatch(r"\(?[A-Za-z0-9]{1,6}\)", c.number.strip()) and c.citation.strip() == c.number.strip()
               and c.parent_numbered]
    return {"citations_missing": missing, "citations_repeated": repeated[:10], "citations_partial": partial[:10]}


# ---------------------------------------------------------------------------
# Reading order: the rendered document against its source
# ---------------------------------------------------------------------------

# A sentence ends at ".", "!", "?", ";" or ":" before a space, or at a line break (a
# heading, a list item, a table row). Sentences of fewer words are headings, labels and
# list entries that recur too often to place.
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?;:])\s+|\n+")
_ORDER_MIN_WORDS = 5


def _longest_nondecreasing(values: list[int]) -> int:
    import bisect

    tails: list[int] = []
    for v in values:
        k = bisect.bisect_right(tails, v)
        if k == len(tails):
            tails.append(v)
        else:
            tails[k] = v
    return len(tails)


def reading_order(source_lines: list[str], rendered: list[tuple[str, str]]) -> tuple[int, int, list[str]]:
    """(sentences placed, sentences out of order, examples) of a rendered document.

    ``source_lines`` are the source's legal lines as words, in order
    (``SourceFigures.ordered_lines``), so furniture the report names is out of the
    comparison; ``rendered`` is the text the
    reader is shown, in order, as (label, text) pairs: a clause's number and heading, then
    its text (see :func:`page_clause_text`). A label the page makes from the clause's own
    text (a table row named by its first cell) is not a reading of the source and is left
    out. Each rendered sentence is
    found in the source; the sentences outside the longest run found in source order
    are out of order. A sentence the source holds twice has no one place and is not
    placed. A sentence the page shows again (a table's header row over
    each of its rows) and a sentence not in the source (text the importer rewrote:
    counted by "words kept") are not placed.
    """
    source = " " + " ".join(source_lines) + " "
    positions: list[int] = []
    texts: list[str] = []
    seen: set[str] = set()
    chunks: list[str] = []
    for label, text in rendered:
        # Less named furniture, on this side too: what the report's reader calls furniture
        # in the source ("[Privacy Notice](https://…)" on a line of its own) is out of the
        # comparison wherever the page shows it.
        lines = text.split("\n")
        furniture = furniture_lines(lines)
        text = "\n".join(line for i, line in enumerate(lines) if i not in furniture)
        own = " " + " ".join(word_list(text)) + " "
        if label.strip() and (" " + " ".join(word_list(label)) + " ") not in own:
            chunks.append(label)
        chunks += _SENTENCE_SPLIT_RE.split(text)
    for chunk in chunks:
        ws = word_list(chunk)
        if len(ws) < _ORDER_MIN_WORDS:
            continue
        key = " " + " ".join(ws) + " "
        if key in seen:
            continue
        seen.add(key)
        pos = source.find(key)
        if pos == -1 or source.find(key, pos + 1) != -1:
            continue  # not in the source, or in it twice (a table's repeated cell): no one place
        positions.append(pos)
        texts.append(" ".join(ws))
    placed = len(positions)
    out = placed - _longest_nondecreasing(positions)
    examples: list[str] = []
    if out:
        # The sentences read before something that precedes them in the source.
        running = -1
        for pos, text in zip(positions, texts):
            if pos < running and len(examples) < 3:
                examples.append(text[:120])
            running = max(running, pos)
    return placed, out, examples


class _ClauseText(HTMLParser):
    """The text of a version page's clauses, in page order, as (heading, text) pairs:
    headings, bodies, closings (not the tools beside them, the table of contents or the
    page around them)."""

    _READ = {"clause-heading", "clause-body", "clause-closing"}
    _BREAK = {"p", "div", "li", "tr", "br", "h1", "h2", "h3", "h4", "h5", "h6", "section", "td", "th",
              "table", "ul", "ol", "dt", "dd", "blockquote"}
    _VOID = {"br", "img", "hr", "input", "meta", "link", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.pairs: list[list[str]] = []
        self.links: list[str] = []
        self.depth = 0  # open elements inside a read region

    def handle_starttag(self, tag, attrs):
        if tag in self._VOID:
            if self.depth and tag == "br":
                self.out.append("\n")
            return
        if self.depth:
            self.depth += 1
            if tag in self._BREAK:
                self.out.append("\n")
            elif tag == "a":
                self.out.append("[")  # as markdown: the report's furniture reader knows a link
                self.links.append(dict(attrs).get("href") or "#")
            return
        classes = set((dict(attrs).get("class") or "").split())
        if classes & self._READ:
            self.depth = 1
            self.out = []
            if "clause-heading" in classes or not self.pairs or self.pairs[-1][1]:
                self.pairs.append(["", ""])
            self.heading = "clause-heading" in classes

    def handle_endtag(self, tag):
        if tag in self._VOID or not self.depth:
            return
        self.depth -= 1
        if tag in self._BREAK:
            self.out.append("\n")
        elif tag == "a" and self.links:
            self.out.append(f"]({self.links.pop()})")
        if not self.depth:
            self.pairs[-1][0 if self.heading else 1] += "".join(self.out) + "\n"

    def handle_data(self, data):
        if self.depth:
            self.out.append(data)


def page_clause_text(page_html: str) -> list[tuple[str, str]]:
    parser = _ClauseText()
    parser.feed(page_html)
    parser.close()
    return [(label, text) for label, text in parser.pairs]


def lineage_figures(pairs: list[tuple[list[tuple[str, int]], list[tuple[str, int]]]]) -> tuple[int, int]:
    """(identical clauses, of which kept their key) over consecutive version pairs.

    Each pair holds (text sha, lineage id) of the older and the newer version. A text
    that occurs k times before and m times after counts min(k, m) identical clauses.
    """
    identical = kept = 0
    for old, new in pairs:
        old_by: dict[str, set] = {}
        new_by: dict[str, set] = {}
        for sha, lineage in old:
            old_by.setdefault(sha, set()).add(lineage)
        for sha, lineage in new:
            new_by.setdefault(sha, set()).add(lineage)
        for sha, lineages in old_by.items():
            if sha in new_by:
                n = min(len(lineages), len(new_by[sha]))
                identical += n
                kept += min(n, len(lineages & new_by[sha]))
    return identical, kept


# ---------------------------------------------------------------------------
# Running it
# ---------------------------------------------------------------------------


def _pct(a: int | float, b: int | float) -> float:
    return round(100.0 * a / b, 2) if b else 100.0


def run(paths, *, pages: str = "sample", progress=None) -> dict:
    """Import ``paths`` into the configured database and measure every file.

    ``pages``: "none", "sample" (every document and version page and API answer, and
    three clause permalinks of each version) or "all" (every clause's permalinks too).
    """
    from pathlib import Path

    from django.test import Client

    from documents import importing
    from documents.models import Clause, Document

    items = importing.collect([Path(p) for p in paths])
    figures: list[VersionFigures] = []
    by_version: dict[int, tuple] = {}  # version pk -> (version, its source's figures, its files' figures)
    for n, item in enumerate(items, 1):
        outcome = importing.import_item(item)
        fig = VersionFigures(path=str(item.path), document=f"{item.publisher} / {item.title}",
                             status=outcome.status, detail=outcome.detail)
        if progress:
            progress(f"[{n}/{len(items)}] {outcome.status} {item.path} ({outcome.detail})")
        figures.append(fig)
        if outcome.status == "failed":
            continue
        raw = item.path.read_bytes().decode("utf-8-sig", errors="replace")
        source = measure_source(raw, item.path.name)
        version = _version_for(item, raw)
        if version is None:
            continue
        rows = list(version.clauses.select_related("parent").order_by("position"))
        clauses = [ClauseData(c.number, c.heading, c.body, c.text, c.citation, c.closing,
                              parent_numbered=bool(c.parent_id and c.parent.number)) for c in rows]
        for key, value in measure_version(source, clauses, title=version.official_title).items():
            setattr(fig, key, value)
        by_version.setdefault(version.pk, (version, source, []))[2].append(fig)
        fig.label = version.label
        fig.date_used = version.effective_date.isoformat()
        fig.date_marked_stated = version.effective_date_stated
        fig.recorded_date = version.recorded_date.isoformat() if version.recorded_date else None

    pairs = []
    for document in Document.objects.all():
        versions = list(document.versions.timeline())
        rows = {v.pk: list(Clause.objects.filter(version=v).values_list("text_sha", "lineage_id")) for v in versions}
        pairs += [(rows[a.pk], rows[b.pk]) for a, b in zip(versions, versions[1:])]
    identical, kept = lineage_figures(pairs)

    page_failures: list[str] = []
    pages_checked = 0
    # Reading order, on the page a reader is shown: every version's page, its clause text
    # in page order against its source (of the first file that gave that text).
    client = Client(HTTP_HOST="localhost")
    for version, source, figs in by_version.values():
        response = client.get(version.get_absolute_url())
        if response.status_code != 200:
            continue  # counted with the failing pages below
        placed, out, examples = reading_order(source.ordered_lines, page_clause_text(response.content.decode()))
        for fig in figs:
            fig.order_placed, fig.order_out, fig.order_examples = placed, out, examples
    if pages != "none":
        for url in _page_urls(everything=pages == "all"):
            pages_checked += 1
            try:
                status = client.get(url).status_code
            except Exception as exc:  # noqa: BLE001 - a crash is a failing page, reported
                status = f"{type(exc).__name__}: {exc}"
            if status != 200:
                page_failures.append(f"{status} {url}")
    return _totals(figures, identical, kept, pages_checked, page_failures)


def _version_for(item, raw: str):
    """The version the item's text is in (created now or identical to an earlier one)."""
    from documents import services
    from documents.models import DocumentVersion

    text = services.decode_upload(raw.encode("utf-8"))
    parsed = services.version_parse(text, filename=item.path.name)
    sha = services.text_sha256(parsed.normalized_text)
    return DocumentVersion.objects.filter(sha256=sha, source_filename=item.path.name[:255]).order_by("-pk").first() \
        or DocumentVersion.objects.filter(sha256=sha).order_by("-pk").first()


def _page_urls(*, everything: bool):
    from documents.models import ClauseLineage, Document

    yield "/"
    yield "/search/?q=privacy"
    yield "/api/documents/"
    for document in Document.objects.all():
        yield document.get_absolute_url()
        for version in document.versions.timeline():
            yield version.get_absolute_url()
            yield f"/api/documents/{document.slug}/versions/{version.label}/"
            clauses = list(version.clauses.select_related("lineage").order_by("position"))
            picked = clauses if everything else [c for c in {id(c): c for c in (clauses[:1] + clauses[len(clauses) // 2:][:1] + clauses[-1:])}.values()]
            for clause in picked:
                yield clause.get_permalink()
    lineages = ClauseLineage.objects.all() if everything else ClauseLineage.objects.order_by("pk")[::25]
    for lineage in lineages:
        yield lineage.get_absolute_url()
        yield f"/api/clauses/{lineage.key}/"


def _readings(iso: str) -> set[str]:
    """A stated date and, when its day could be its month (09/05/2021), the other reading."""
    d = dt.date.fromisoformat(iso)
    return {iso, dt.date(d.year, d.day, d.month).isoformat()} if d.day <= 12 else {iso}


def _totals(figures: list[VersionFigures], identical: int, kept: int, pages_checked: int, page_failures: list[str]) -> dict:
    measured = [f for f in figures if f.status != "failed" and f.legal_words]
    status = Counter(f.status for f in figures)
    lossy = [f for f in measured if f.lost_share > 0.02]
    furnished = [f for f in measured if f.furniture_in_clauses]
    numbered_source = sum(f.numbered_source for f in measured)
    numbered_recovered = sum(f.numbered_recovered for f in measured)
    big = [f for f in measured if f.structured and f.chars > 8000 and f.largest_share > 0.30]
    stating = [f for f in measured if f.stated_date]
    used = [f for f in stating if f.date_used in _readings(f.stated_date) and f.date_marked_stated]
    claimed = [f for f in measured if not f.stated_date and f.date_marked_stated]
    dropped: Counter = Counter()
    named: dict[str, list[str]] = {}
    for f in measured:
        dropped.update(f.furniture_dropped)
        for kind, text in f.furniture_examples.items():
            if len(named.setdefault(kind, [])) < 3 and text not in named[kind]:
                named[kind].append(text)
    titled_source = sum(f.titled_source for f in measured)
    titled_recovered_ = sum(f.titled_recovered for f in measured)
    out_of_order = [f for f in measured if f.order_out]
    cited_wrong = [f for f in measured if f.citations_missing or f.citations_repeated or f.citations_partial]
    totals = {
        "versions": len(figures),
        "imported": status["created"],
        "unchanged": status["unchanged"],
        "failed": status["failed"],
        "imported_pct": _pct(status["created"] + status["unchanged"], len(figures)),
        "legal_words": sum(f.legal_words for f in measured),
        "kept_words_pct": _pct(sum(f.kept_words for f in measured), sum(f.legal_words for f in measured)),
        "versions_losing_over_2pct": len(lossy),
        "furniture_words_dropped": dict(dropped.most_common()),
        "versions_with_furniture": len(furnished),
        "versions_with_furniture_pct": _pct(len(furnished), len(measured)) if measured else 0.0,
        "numbered_headings_source": numbered_source,
        "numbered_headings_recovered": numbered_recovered,
        "numbered_recovered_pct": _pct(numbered_recovered, numbered_source),
        "structured_over_8k": sum(1 for f in measured if f.structured and f.chars > 8000),
        "structured_over_8k_with_clause_over_30pct": len(big),
        "tiny_clauses": sum(f.tiny_clauses for f in measured),
        "versions_stating_a_date": len(stating),
        "stated_date_used": len(used),
        "stated_date_used_pct": _pct(len(used), len(stating)),
        "marked_stated_without_a_statement": len(claimed),
        "reading_order_sentences": sum(f.order_placed for f in measured),
        "reading_order_sentences_out": sum(f.order_out for f in measured),
        "versions_out_of_order": len(out_of_order),
        "titled_provisions_source": titled_source,
        "titled_provisions_recovered": titled_recovered_,
        "titled_recovered_pct": _pct(titled_recovered_, titled_source),
        "clauses_without_citation": sum(f.citations_missing for f in measured),
        "versions_with_repeated_citation": sum(1 for f in measured if f.citations_repeated),
        "items_cited_without_path": sum(len(f.citations_partial) for f in measured),
        "versions_with_citation_problems": len(cited_wrong),
        "identical_clauses": identical,
        "identical_clauses_keeping_key": kept,
        "lineage_kept_pct": _pct(kept, identical),
        "pages_checked": pages_checked,
        "pages_failing": len(page_failures),
    }
    return {
        "totals": totals,
        "versions": [asdict(f) for f in figures],
        "page_failures": page_failures[:50],
        # What the words not counted as legal text were: a few of each kind, to check.
        "furniture_named": {kind: named.get(kind, []) for kind in dropped},
        "worst": {
            "losing": [(f.path, round(100 * f.lost_share, 2), f.biggest_losses[:3]) for f in sorted(lossy, key=lambda f: -f.lost_share)[:15]],
            "furniture": [(f.path, f.furniture_in_clauses[:3]) for f in furnished[:15]],
            "largest_clause": [(f.path, round(100 * f.largest_share, 1)) for f in sorted(big, key=lambda f: -f.largest_share)[:15]],
            "numbers_missed": [(f.path, f.missed_numbers[:8]) for f in sorted(measured, key=lambda f: -len(f.missed_numbers)) if f.missed_numbers][:15],
            "dates": [(f.path, f.stated_date, f.date_used, f.date_marked_stated) for f in stating if f not in used][:20],
            "out_of_order": [(f.path, f.order_out, f.order_examples[:2]) for f in sorted(out_of_order, key=lambda f: -f.order_out)][:15],
            "titles_missed": [(f.path, f.titled_missed[:6]) for f in sorted(measured, key=lambda f: -len(f.titled_missed)) if f.titled_missed][:15],
            "citations": [(f.path, f.citations_missing, f.citations_repeated[:3], f.citations_partial[:3]) for f in cited_wrong][:15],
        },
    }


def format_text(report: dict) -> str:
    """The report as lines a person reads: one per version, then the totals and the worst cases."""
    out = []
    for v in report["versions"]:
        if v["status"] == "failed":
            out.append(f"FAILED    {v['path']}: {v['detail']}")
            continue
        out.append(
            f"{v['status']:<9} {v['path']} [{v['label']}] kept {100 - 100 * v['lost_share']:.1f}% of {v['legal_words']} words;"
            f" numbers {v['numbered_recovered']}/{v['numbered_source']}; titles {v['titled_recovered']}/{v['titled_source']};"
            f" order {v['order_out']}/{v['order_placed']} out; {v['clauses']} clauses, largest"
            f" {100 * v['largest_share']:.0f}%; tiny {v['tiny_clauses']}; furniture {len(v['furniture_in_clauses'])};"
            f" date stated {v['stated_date'] or '-'} used {v['date_used']}{' (stated)' if v['date_marked_stated'] else ''}"
            f" recorded {v['recorded_date'] or '-'}"
        )
    out.append("")
    out.append("Totals")
    for key, value in report["totals"].items():
        out.append(f"  {key}: {value}")
    if report.get("furniture_named"):
        out.append("Furniture dropped (examples of each kind)")
        for kind, examples in report["furniture_named"].items():
            out += [f"  {kind}: {text}" for text in examples]
    for name, rows in report["worst"].items():
        if rows:
            out.append(f"Worst: {name}")
            out += [f"  {row}" for row in rows]
    if report["page_failures"]:
        out.append("Pages not answering 200:")
        out += [f"  {p}" for p in report["page_failures"]]
    return "\n".join(out)
