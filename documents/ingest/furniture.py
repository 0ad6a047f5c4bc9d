"""Page furniture, recognised by what it is, wherever it sits on the page.

A captured page carries controls and site chrome between the terms: "Back to top"
links, in-page tables of contents, "Download PDF", cookie-setting buttons, app-store
badges, decorative images and tracking pixels, copyright lines, rows of menu links.
None of it is legal text, and each kind is recognisable on its own line, so it is
removed line by line; nothing is removed for being near the top or the bottom.
When a line is not clearly one of these, it stays.

Headings that are links to themselves (``### [From You](#from-you)``, an anchor the
page puts on each heading) are headings, not links: the link is unwrapped.
"""

from __future__ import annotations

import re
from functools import lru_cache

_LINK = r"!?\[[^\[\]\n]*\]\((?:#[^()\n]*|(?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"\n]*\")?)\)"  # "[" excluded from the text: linear on runs of "["
_LINK_RE = re.compile(_LINK)
_IMAGE_RE = re.compile(r"!\[[^\]\n]*\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"\n]*\")?\)")
_MARKERS_RE = re.compile(r"^\s*(?:#{1,6}\s+|[*+\-•]\s+|\d{1,3}[.)]\s+|>\s*)*")
_HEADING_RE = re.compile(r"^(\s{0,3}#{1,6}\s+)(.*?)\s*$")
_ITEM_RE = re.compile(r"^\s*(?:[*+\-•]|\d{1,3}[.)])\s+")
_SEPARATORS = "|·•,/–—>- \t"

# Whole-line controls: what a button or a widget says, never what terms say.
_CONTROL_RE = re.compile(
    r"^(?:top|back\s+to\s+(?:the\s+)?top|return\s+to\s+(?:the\s+)?top|(?:go\s+|scroll\s+)?to\s+(?:the\s+)?top|top\s+of\s+(?:the\s+)?page|"
    r"download(?:\s+(?:the|a|as|this))?(?:\s+(?:policy|terms|document|page))?\s+(?:in\s+)?(?:pdf|printable)(?:\s+(?:version|format|file))?|"
    r"(?:print|printer[- ]friendly)(?:\s+(?:this\s+)?(?:page|version|policy))?|"
    r"(?:cookie|privacy)\s+(?:settings|preferences|choices)|manage\s+(?:cookies|cookie\s+preferences|preferences)|"
    r"accept(?:\s+all)?(?:\s+cookies)?|reject\s+all(?:\s+cookies)?|allow\s+all(?:\s+cookies)?|"
    r"skip\s+to\s+(?:main\s+)?content|(?:open|close|toggle)\s+(?:the\s+)?(?:drawer\s+)?menu|"
    r"log\s?in|sign\s?in|sign\s?up|log\s?out|sign\s+out|subscribe(?:\s+now)?|(?:main\s+)?menu|"
    r"get\s+started|contact\s+sales|(?:request|book|schedule)\s+a\s+demo|start\s+(?:your\s+|a\s+)?free\s+trial|"
    r"(?:download\s+on|available\s+on|get\s+it\s+on)\s+(?:the\s+)?(?:app\s+store|google\s+play)|"
    r"(?:learn|read|see|show)\s+more|"
    r"was\s+this\s+(?:page|article|information)\s+helpful\??|share\s+(?:this\s+)?(?:page|article)?)"
    r"\s*[.:!?>»›]*$",
    re.I,
)
# A link whose whole text invites a click ("Read next", "Read case study", "Explore
# the ecosystem"): promotion or navigation, not a reference the terms make.
_CALL_TO_ACTION_RE = re.compile(
    r"^(?:read|learn|see|view|explore|join|start|watch|discover|try|get|update|visit|shop|browse|sign|log|download)"
    r"(?:\s+\S+){0,3}\s*[>»›→]?$",
    re.I,
)
# A link naming other terms ("See our partners' policies") is a reference the terms make.
_INSTRUMENT_RE = re.compile(r"polic|terms|agreement|notice|statement|conditions|guidelines|rules", re.I)
_TOC_LABEL_RE = re.compile(r"^(?:table\s+of\s+contents?|contents|on\s+this\s+page|in\s+this\s+(?:article|policy|page)|jump\s+to(?:\s+section)?|quick\s+links)\s*:?$", re.I)
_JSON_LINE_RE = re.compile(r'^\{"[^"\n]{1,60}":.*\}$')
_COPYRIGHT_RE = re.compile(
    r"^(?:copyright\s+)?(?:©|\(c\)\s*(?=(?:19|20)\d\d)|copyright\s+(?=(?:19|20)\d\d))[^\n]{0,120}$|"
    r"^[^\n©]{0,40}©\s*(?:19|20)\d\d[^\n]{0,60}$|"  # "XFINITY © 2016 Comcast"
    r"^[^\n]{0,80}\ball\s+rights\s+reserved\.?$",
    re.I,
)


# Pure functions of a line, asked about the same line by several passes: remembered
# (a str keeps its hash, so a repeated question costs a lookup).
@lru_cache(maxsize=16384)
def _strip(line: str) -> str:
    r"""The line without list/heading/quote markers and the emphasis around it.

    Plain ``str.strip`` for the emphasis, not a pattern: ``[*_]+$`` tried from each
    star of a long run is quadratic (and ``(?:\*\*|\*)+`` exponential)."""
    core = line[_MARKERS_RE.match(line).end():].strip()
    for _ in range(2):
        core = core.strip("*_").strip()
    return core


@lru_cache(maxsize=16384)
def _plain(core: str) -> str:
    text = _LINK_RE.sub(lambda m: " " + re.sub(r"^!?\[|\]\(.*$", "", m.group(0), flags=re.S) + " ", core)
    return " ".join(text.replace("\\", "").split()).strip(_SEPARATORS + "*_")


_TARGET_RE = re.compile(r"\]\(([^\s)]*)")


@lru_cache(maxsize=16384)
def _links_only(core: str) -> tuple[str, ...] | None:
    """The link targets when ``core`` is nothing but links (and separators), else None."""
    links = _LINK_RE.findall(core)
    if not links:
        return None
    rest = _LINK_RE.sub("", core)
    if rest.strip(_SEPARATORS + "*_"):
        return None
    return tuple(_TARGET_RE.search(link).group(1) for link in links)


def unlink_heading(line: str) -> str:
    """``### [From You](#from-you)`` -> ``### From You``: a heading linking to its own anchor."""
    if "](" not in line:
        return line  # no link at all: the common case, decided without a pattern
    m = _HEADING_RE.match(line)
    if not m:
        return line
    inner = m.group(2).strip().strip("*_").strip()
    link = re.fullmatch(r"\[([^\]\n]+)\]\((#[^)\s]*|)(?:\s+\"[^\"\n]*\")?\)", inner)
    if link and link.group(1).strip():
        return m.group(1) + link.group(1).strip()
    return line


_BADGE_OPEN_RE = re.compile(r"^\[\s*(?=!\[)")
_BADGE_CLOSE_RE = re.compile(r"(?<=\))\s*\]\([^)\s]*(?:\s+\"[^\"\n]*\")?\)$")


def line_kind(line: str) -> str:
    """The kind of furniture ``line`` is on its own, or "" when it is (or may be) text."""
    if not line.strip() or (len(line) > 240 and "](" not in line):
        return ""  # long running text: no control, badge or copyright line is that long
    core = _strip(line)
    if not core:
        return ""
    # A linked badge, also when the link's brackets open or close on another line.
    if "![" in core:  # no image, no badge: the common case, decided without a pattern
        unwrapped = _BADGE_OPEN_RE.sub("", core)
        unwrapped = _BADGE_CLOSE_RE.sub("", unwrapped)
        if _IMAGE_RE.fullmatch(unwrapped) or (unwrapped.startswith("![") and not _plain(_IMAGE_RE.sub("", unwrapped))):
            return "image"
    plain = _plain(core)
    targets = _links_only(core)
    if targets is not None and not plain:
        return "empty link"
    if _CONTROL_RE.match(plain):
        return "control"
    if targets is not None:
        if len(targets) >= 3:
            return "menu"
        if all(t in ("", "#") or t.startswith("javascript:") for t in targets):
            return "control"  # a link to nowhere: a button of the page ("Start chat", "×")
        texts = [_plain(t) for t in re.findall(r"\[([^\]\n]*)\]", core)]
        if all(_CALL_TO_ACTION_RE.match(t) and not _INSTRUMENT_RE.search(t) for t in texts if t) and any(texts):
            return "control"
        if all(t.startswith("#") or t == "" for t in targets):
            return "anchor link"
    if len(plain) <= 160 and _COPYRIGHT_RE.match(plain) and len(plain.split()) <= 20:
        return "copyright"
    if _JSON_LINE_RE.match(core):
        return "data"  # a script's data printed on the page: {"BUSINESS":"Business", …}
    return ""


def _toc_targets(line: str) -> tuple[str, ...] | None:
    """The targets of a line that is only links to places in a page ("#cookies", or the
    page's own address with a fragment: "https://…/privacy-policy#section-4")."""
    if "#" not in line or _HEADING_RE.match(line):
        return None
    # "… (#8-who-may-see-it) and": the entry before the last one of a list in a sentence.
    targets = _links_only(re.sub(r"\s*(?:,|;|and|or)\s*$", "", _strip(line)))
    if targets and all("#" in t and not t.endswith("#") for t in targets):
        return targets
    return None


def _is_toc_entry(line: str) -> bool:
    return _toc_targets(line) is not None


def _one_page(lines: list[str], run: list[int]) -> bool:
    """Do the entries all point into one page (this one, "#…", or one address)?"""
    return len({t.split("#", 1)[0] for k in run for t in _toc_targets(lines[k]) or ()}) == 1


def _is_listed_link(line: str) -> bool:
    """A list item that is one link to another page ("* [Public Records Statement](https://…)"):
    it stays, but does not end the table of contents it is listed in."""
    if not _ITEM_RE.match(line):
        return False
    targets = _links_only(_strip(line))
    return targets is not None and len(targets) == 1 and not targets[0].startswith("#")


def drop_furniture(lines: list[str]) -> list[str]:
    """``lines`` without page furniture (see the module doc), headings unlinked."""
    lines = [unlink_heading(line) for line in lines]
    drop = [False] * len(lines)
    kinds = [line_kind(line) for line in lines]
    for i, kind in enumerate(kinds):
        if kind in ("image", "empty link", "control", "menu", "copyright", "data"):
            drop[i] = True
    # In-page tables of contents: three or more entries linking to anchors of this page
    # (blank lines between them allowed), with the label that introduces them.
    i = 0
    while i < len(lines):
        if not _is_toc_entry(lines[i]):
            i += 1
            continue
        run, j = [], i
        while j < len(lines) and (_is_toc_entry(lines[j]) or not lines[j].strip() or _is_listed_link(lines[j])):
            if _is_toc_entry(lines[j]):
                run.append(j)
            j += 1
        while j > i and not _is_toc_entry(lines[j - 1]):
            j -= 1  # the run ends at its last entry into the page
        listed = all(_ITEM_RE.match(lines[k]) for k in run)
        if (len(run) >= 3 or (len(run) == 2 and listed)) and _one_page(lines, run):  # links into the page
            for k in run:
                drop[k] = True
            k = i - 1
            while k >= 0 and not lines[k].strip():
                k -= 1
            if k >= 0 and _TOC_LABEL_RE.match(_plain(_strip(lines[k]))):
                drop[k] = True
                if k + 1 < len(lines) and re.fullmatch(r"\s*(?:=+|-+)\s*", lines[k + 1]):
                    drop[k + 1] = True
        i = max(j, i + 1)
    # A label of the page's navigation standing alone ("Table of Contents", "On this
    # page") labels nothing that remains.
    for i, line in enumerate(lines):
        if not drop[i] and _TOC_LABEL_RE.match(_plain(_strip(line))):
            drop[i] = True
            if i + 1 < len(lines) and re.fullmatch(r"\s*(?:=+|-+)\s*", lines[i + 1]):
                drop[i + 1] = True
    _drop_plain_toc(lines, drop)
    _drop_section_menus(lines, drop)
    return [line for line, gone in zip(lines, drop) if not gone]


def _drop_plain_toc(lines: list[str], drop: list[bool]) -> None:
    """A run of three or more short lines each naming a heading that comes later in the
    page, in the same order: a table of contents without links."""
    headings: dict[str, int] = {}
    for i, line in enumerate(lines):
        m = _HEADING_RE.match(line)
        text = _plain(_strip(m.group(2))) if m else ""
        if not text and line.lstrip()[:2] in ("**", "__") and _BOLD_LINE_RE.fullmatch(line.strip()):
            text = _plain(_strip(line))
        if text:
            headings.setdefault(_key(text), i)
    i = 0
    while i < len(lines):
        run, j, last = [], i, -1
        while j < len(lines):
            line = lines[j]
            if not line.strip():
                j += 1
                continue
            if len(line) > 150 or _HEADING_RE.match(line):
                break
            at = headings.get(_key(_plain(_strip(line))), -1)
            if at <= j or at <= last:
                break
            run.append(j)
            last = at
            j += 1
        if len(run) >= 3:
            for k in run:
                drop[k] = True
            i = j
        else:
            i += 1
            while i < len(lines) and not lines[i].strip():
                i += 1  # a run from a blank line is the run from the next line: linear, not quadratic


_BOLD_LINE_RE = re.compile(r"(\*\*|__)[^*_]+\1")
_KEY_WORD_RE = re.compile(r"[^\W_]+")


def _key(text: str) -> str:
    return " ".join(_KEY_WORD_RE.findall(text.lower()))


# The names a site gives its own sections, account pages and languages. Terms have
# sections called "Contact us" or "Support" too, so one or two of them prove nothing;
# three different ones among a run of short lines are a site's menu.
_SITE_SECTIONS = frozenset(
    """home|home page|career|careers|jobs|blog|press|press room|press releases|newsroom|news|news and stories|
    investors|investor relations|site map|sitemap|help|help center|help centre|support|support center|
    support centre|faq|faqs|developers|affiliates|advertise|pricing|features|templates|my account|
    account settings|logout|log out|login|log in|sign in|signin|sign up|signup|about|about us|contact|
    contact us|shop|store|download|downloads|podcasts|videos|newsletters|events|partners|english|deutsch|
    español|français|italiano|nederlands|norsk|polski|português|русский|svenska|dansk|suomi|türkçe|日本語|
    한국어|中文|简体中文|繁體中文""".replace("\n", "").split("|")
)


_RULE_RE = re.compile(r"\s*(?:[-=_*]\s*){3,}")
_SAYS_RE = re.compile(r"[.;:,]$|\b(?:19|20)\d\d\b")
_NUMBERED_LINE_RE = re.compile(r"^\s*(?:\d{1,3}[.)]|\(?[a-z]\))\s")


def _menu_line(line: str) -> str:
    """"menu" for a line a menu is made of (a few words or links, no sentence or date);
    "short" for a short heading or numbered line, which may sit inside a menu (a
    breadcrumb "2. Privacy policy") but is kept; "" for anything else."""
    if len(line) > 400 or len(line.split()) > 12:
        return ""  # quick: a link's URL is one token, so a menu line is a few tokens
    if _RULE_RE.fullmatch(line):
        return "menu"  # the rule or underline the page draws under a menu's label
    core = _strip(line)
    text = _plain(core)
    if _links_only(core) is not None:
        return "menu" if len(text.split()) <= 8 else ""
    # A link with a few words beside it ("[World](…) Show more World links") may be longer.
    if not 0 < len(text.split()) <= (10 if "](" in core else 6) or _SAYS_RE.search(text):
        return ""
    if _HEADING_RE.match(line) or _NUMBERED_LINE_RE.match(line):
        return "short"
    return "menu"


def _drop_section_menus(lines: list[str], drop: list[bool]) -> None:
    """Runs of short lines (blank lines between allowed) naming three of the site's
    sections ("Careers", "Blog", "Site Map", "Deutsch"): a site menu, labels and all."""
    run: list[int] = []
    for i in range(len(lines) + 1):
        kind = _menu_line(lines[i]) if i < len(lines) and lines[i].strip() and not drop[i] else ""
        if i < len(lines) and (not lines[i].strip() or drop[i] or kind):
            if kind == "menu":
                run.append(i)
            continue
        named = {key for k in run if (key := " ".join(_plain(_strip(lines[k])).lower().split())) in _SITE_SECTIONS}
        if len(named) >= 3:
            for k in run:
                drop[k] = True
        run = []
