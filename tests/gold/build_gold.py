"""Rebuild tests/gold/pairs/*.json from the copied sources and the hand decisions.

Run:  .venv/bin/python tests/gold/build_gold.py

Each gold file stores the parsed clause lists it was judged on (so the gold set does
not shift when the importer changes) and one decision per old clause: the new
clause that is the same provision, none, or "ambiguous" (left out of the score).

How the decisions were made: a first pass proposes the obvious ones (identical
text; the same heading, the printed number aside; a rewording that keeps at least
half the words), and everything else is decided by hand in ``DECISIONS`` below,
with the reason. A clause with nothing in the new version sharing a third of its
words is "none"; one that does but could not be decided by reading is ambiguous.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from rapidfuzz import fuzz  # noqa: E402

from documents.ingest import parse_document  # noqa: E402

W = re.compile(r"\w+")

# (old path, new path) under sources/, and the hand decisions: old anchor ->
# (new anchor | None | "?", why).
PAIRS: dict[str, tuple[str, str, dict[str, tuple[str | None, str]]]] = {
    "academia-privacy-2020-2021": (
        "Academia.edu/Privacy Policy/2020-10-09.md", "Academia.edu/Privacy Policy/2021-11-09.md", {
            "s13": ("?", "heading Contact Us, but the old capture glued the text of sections 1-2 into it"),
            "preamble": ("preamble", "the introduction, extended"),
        }),
    "pinterest-terms-2022-2023": (
        "Pinterest/Terms of Service/2022-07-11.md", "Pinterest/Terms of Service/2023-08-02.md", {
            "thank-you-for-using-pinterest": ("preamble", "the welcome paragraph became the untitled preamble"),
            "s3-a": ("s3-a", "heading renamed Posting content -> Posting User Content, same provision rewritten"),
            "more-simply-put-4-b": ("s3-b", "How Pinterest and other users can use your content -> How we and other users can use it"),
        }),
    "wordpress-terms-2016-2019": (
        "wordpress-com/terms-of-service/2016-10-07.md", "wordpress-com/terms-of-service/2019-11-05.md", {
            "preamble": ("preamble", "the introduction, rewritten"),
            "s4": ("s4", "Responsibility of Visitors -> Responsibility of Visitors and Users: renamed heading"),
            "s5": (None, "Content Posted on Other Websites was dropped; its ideas are folded into 4"),
            "s1": (None, "the old WordPress.com section was split over Your Account, Fees, Specific Service Terms"),
            "s3": (None, "Firehose section dropped"),
            "s2": ("sc", "VaultPress became c. VaultPress, its paragraphs split into sub-clauses"),
        }),
    "windstream-terms-2020-2023": (
        "Windstream/Terms of Service/2020-06-22.md", "Windstream/Terms of Service/2023-01-27.md", {
            "s24-p": (None, "a flattened block of page text with no counterpart"),
        }),
    "bereal-terms-2026": (
        "BeReal/Terms of Service/2026-04-21.md", "BeReal/Terms of Service/2026-07-02.md", {
            "s3": ("s3", "Text Message Communications from BeReal -> BeReal SMS Communications, subsections merged into it"),
            "s3-account-related-text-messages": (None, "merged into 3 BeReal SMS Communications"),
            "s3-promotional-text-messages": (None, "merged into 3 BeReal SMS Communications"),
            "s3-managing-your-preferences": (None, "merged into 3 BeReal SMS Communications"),
            "s6": ("s6", "Ending our Services -> Termination of Services"),
            "s6-1": ("s6-1", "Termination by You -> Termination by the user, reworded"),
            "previous-terms": (None, "link to previous terms dropped"),
        }),
    "grammarly-commercial-2024-2025": (
        "grammarly/commercial-terms/2024-07-18.md", "grammarly/commercial-terms/2025-04-16.md", {
            "preamble": ("preamble", "the introduction, reworded"),
            "s1-1": ("s1-1", "Right to Use the Services and Software -> Right to Use the Services"),
        }),
    "wix-privacy-2017-2018": (
        "wix/privacy-policy/2017-08-13.md", "wix/privacy-policy/2018-10-18.md", {
            "s1": ("s1", "Your Consent (please read carefully!) -> Please read carefully!"),
            "s2-2": ("s2-2", "2.2 Users of Users Information stays 2.2"),
            "s11": ("?", "Accessing Your Personal Information vs Your rights in relation to your personal information"),
            "s2": ("?", "the 2017 capture shifted texts against headings: the headings pair one way, the texts another"),
            "s3": ("?", "the 2017 capture shifted texts against headings: the headings pair one way, the texts another"),
            "s5": ("?", "the 2017 capture shifted texts against headings: the headings pair one way, the texts another"),
            "s6": ("?", "the 2017 capture shifted texts against headings: the headings pair one way, the texts another"),
            "s7": ("?", "the 2017 capture shifted texts against headings: the headings pair one way, the texts another"),
            "s8": ("?", "the 2017 capture shifted texts against headings: the headings pair one way, the texts another"),
            "s8-3": ("?", "the 2017 capture shifted texts against headings: the headings pair one way, the texts another"),
            "s8-4": ("?", "the 2017 capture shifted texts against headings: the headings pair one way, the texts another"),
            "s8-5": ("?", "the 2017 capture shifted texts against headings: the headings pair one way, the texts another"),
            "s9": ("?", "the 2017 capture shifted texts against headings: the headings pair one way, the texts another"),
        }),
    "mirror-terms-2025": (
        "The Mirror/Terms of Service/2025-03-03.md", "The Mirror/Terms of Service/2025-04-22.md", {
            "the-mirror-megaverse-terms-of-service": ("?", "a 5 kB flat capture of several sections"),
        }),
    "line-privacy-2023-2024": (
        "LINE/Privacy Policy/2023-06-28.md", "LINE/Privacy Policy/2024-06-26.md", {
            "preamble": ("1-introduction", "the introduction got the heading 1.Introduction"),
        }),
    "allrecipes-privacy-2023-2026": (
        "Allrecipes/Privacy Policy/2023-03-24.md", "Allrecipes/Privacy Policy/2026-06-30.md", {}),
    "energia-terms-2024-2025": (
        "Energia/Terms of Service/2024-02-15.md", "Energia/Terms of Service/2025-03-31.md", {}),
    "xfinity-privacy-2019-2023": (
        "Xfinity/Privacy Policy/2019-10-02.md", "Xfinity/Privacy Policy/2023-06-30.md", {}),
    "atlassian-privacy-2025-2026": (
        "Atlassian/Privacy Policy/2025-03-19.md", "Atlassian/Privacy Policy/2026-04-21.md", {
            "information-you-provide-to-us": ("information-you-provide", "heading shortened, same provision"),
        }),
}


def tk(c) -> str:
    return " ".join(W.findall(c.text.casefold()))


def hk(c) -> str:
    return " ".join(w for w in W.findall(c.heading.casefold()) if not w.isdigit())


def word_ratio(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    voc: dict[str, int] = {}
    ca = "".join(chr(0x100 + voc.setdefault(w, len(voc))) for w in a.split())
    cb = "".join(chr(0x100 + voc.setdefault(w, len(voc))) for w in b.split())
    return fuzz.ratio(ca, cb) / 100


def propose(A, B):
    used: set[int] = set()
    dec: dict[int, tuple[int | None | str, str]] = {}
    for keyfn, why in (
        (lambda c: (hk(c), tk(c)) if (tk(c) or hk(c)) else None, "identical"),
        (lambda c: tk(c) or None, "identical text, heading changed"),
    ):
        index: dict = {}
        for j, d in enumerate(B):
            if j not in used and keyfn(d) is not None:
                index.setdefault(keyfn(d), []).append(j)
        for i, c in enumerate(A):
            if i in dec or keyfn(c) is None:
                continue
            for j in index.get(keyfn(c), []):
                if j not in used:
                    used.add(j)
                    dec[i] = (j, why)
                    break
    heads: dict = {}
    for j, d in enumerate(B):
        if j not in used and hk(d):
            heads.setdefault(hk(d), []).append(j)
    for i, c in enumerate(A):
        if i in dec or not hk(c):
            continue
        js = [j for j in heads.get(hk(c), []) if j not in used]
        if js:
            used.add(js[0])
            dec[i] = (js[0], "same heading")
    for i, c in enumerate(A):
        if i in dec:
            continue
        best = max(
            ((word_ratio(tk(c) + " " + hk(c), tk(d) + " " + hk(d)), j) for j, d in enumerate(B) if j not in used),
            default=(0.0, None),
        )
        if best[0] >= 0.5:
            used.add(best[1])
            dec[i] = (best[1], f"reworded, {best[0]:.0%} of words kept")
        elif best[0] >= 0.35:
            dec[i] = ("?", f"nearest candidate shares {best[0]:.0%} of words")
        else:
            dec[i] = (None, "nothing in the new version shares a third of its words")
    return dec


def clause_list(clauses):
    return [{"anchor": c.anchor, "number": c.number, "heading": c.heading, "text": c.text} for c in clauses]


def main() -> None:
    out_dir = HERE / "pairs"
    out_dir.mkdir(exist_ok=True)
    for name, (old_path, new_path, hand) in PAIRS.items():
        A = parse_document((HERE / "sources" / old_path).read_text(), filename=old_path).clauses
        B = parse_document((HERE / "sources" / new_path).read_text(), filename=new_path).clauses
        by_anchor_b = {d.anchor: j for j, d in enumerate(B)}
        dec = propose(A, B)
        for i, c in enumerate(A):
            if c.anchor in hand:
                target, why = hand[c.anchor]
                if target not in (None, "?") and target not in by_anchor_b:
                    raise SystemExit(f"{name}: no new anchor {target}")
                # a hand decision takes its target away from any proposal
                if target not in (None, "?"):
                    for k, (t, w) in list(dec.items()):
                        if t == by_anchor_b[target] and k != i:
                            dec[k] = (None, "its proposed match was given to another clause by hand")
                dec[i] = (by_anchor_b.get(target, target), "by hand: " + why)
        pairs = []
        for i, c in enumerate(A):
            t, why = dec[i]
            d = B[t] if isinstance(t, int) else None
            pairs.append({
                "old": c.anchor, "old_number": c.number, "old_heading": c.heading,
                "new": d.anchor if d else t, "new_number": d.number if d else "",
                "new_heading": d.heading if d else "", "why": why,
            })
        data = {"old_path": old_path, "new_path": new_path, "old": clause_list(A), "new": clause_list(B), "pairs": pairs}
        (out_dir / f"{name}.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        n_pair = sum(1 for p in pairs if p["new"] not in (None, "?"))
        print(f"{name}: {len(A)} -> {len(B)} clauses, {n_pair} pairs, "
              f"{sum(p['new'] is None for p in pairs)} none, {sum(p['new'] == '?' for p in pairs)} ambiguous")


if __name__ == "__main__":
    main()
