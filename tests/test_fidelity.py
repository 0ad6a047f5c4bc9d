"""The fidelity report: its source-side readers (pure) and a run on a small folder."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from documents import fidelity

ROOT = Path(__file__).resolve().parent.parent


def test_words_ignore_markup_urls_and_images():
    line = "**You** may [read it](https://example.com/a-b) at <b>www.example.com</b> ![pixel](https://t.co/p.gif)."
    assert fidelity.word_list(line) == ["you", "may", "read", "it", "at"]


@pytest.mark.parametrize(
    "line, kind",
    [
        ("[Back to top](#top)", "control"),
        ("Return to top", "control"),
        ("* [Log in](https://example.com/login)", "control"),
        ("Download PDF version", "control"),
        ("[Home](/) | [Blog](/blog)", "link-only"),
        ("© 2024 Example Inc. All rights reserved.", "copyright"),
        ("![](https://example.com/pixel.gif?id=1)", "tracking pixel"),
        ("We may share your data with [our partners](https://example.com/partners).", ""),
        ("## 4. Sharing", ""),
        ("No.", ""),
    ],
)
def test_furniture_kind(line, kind):
    assert fidelity.furniture_kind(line) == kind


def test_in_page_table_of_contents_and_menus_are_furniture():
    lines = [
        "Contents", "",
        "* [What we collect](#collect)", "* [How we use it](#use)", "* [Your rights](#rights)", "",
        "## What we collect", "", "We collect your name and the pages you read on our site.",
    ]
    found = fidelity.furniture_lines(lines)
    assert {found[i] for i in (2, 3, 4)} == {"in-page table of contents"}
    assert found[0] == "control"
    assert 6 not in found and 8 not in found


def test_numbered_headings_by_markup_and_escaped_titles():
    lines = [
        "# Terms", "## 1. Introduction", "### Article 7. Liability", "**12.5 Payments**", "#### A2. Fees",
        "4\\. Your Content", "## [3. Fees](#fees)", "Section 9", "--------",
        "1. an item of a list, not a heading", "## Contact us", "**B.**",
    ]
    assert fidelity.numbered_headings(lines) == ["1", "7", "12.5", "a2", "4", "3", "9"]


def test_number_key_compares_printings():
    assert {fidelity.number_key(n) for n in ("Article 7.", "7", "7.", "§ 7")} == {"7"}
    assert fidelity.number_key("(a)") == "a"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("# Terms\n\n_Effective on February 1, 2022_\n\nText.", dt.date(2022, 2, 1)),
        ("Last updated: 3 March 2021", dt.date(2021, 3, 3)),
        ("This version was effective from May 24, 2012 until June 1, 2013.", None),
        ("We were founded in May 2001 and updated our app.", None),
    ],
)
def test_stated_date(text, expected):
    assert fidelity.stated_date(text.split("\n")) == expected


def test_measure_version_counts_lost_words_and_recovered_numbers():
    source = fidelity.measure_source(
        "# Terms\n\n[Back to top](#top)\n\n## 1. Use\n\nYou may use the service kindly.\n\n"
        "## 2. Fees\n\nFees are listed in the table below and are due monthly.\n"
    )
    assert source.numbered == ["1", "2"]
    assert source.furniture == Counter({"control": 3})
    clauses = [
        fidelity.ClauseData("1", "Use", "You may use the service kindly.", "You may use the service kindly."),
        fidelity.ClauseData("", "Fees", "Fees are listed", "Fees are listed"),
    ]
    figures = fidelity.measure_version(source, clauses, title="Terms")
    assert figures["numbered_recovered"] == 1 and figures["missed_numbers"] == ["2"]
    assert figures["lost_share"] == pytest.approx(9 / 22)  # "2" and "in the table below and are due monthly"
    assert figures["biggest_losses"] == ["fees are listed in the table below and are due monthly"]


def test_lineage_figures_count_identical_texts_once_per_copy():
    old = [("a", 1), ("b", 2), ("b", 3)]
    new = [("a", 1), ("b", 2), ("b", 9), ("c", 4)]
    assert fidelity.lineage_figures([(old, new)]) == (3, 2)


def test_report_command_on_a_folder_uses_a_throwaway_database(tmp_path):
    folder = tmp_path / "Acme Ltd" / "Privacy Policy"
    folder.mkdir(parents=True)
    (folder / "2021-06-01.md").write_text(
        "# Acme Privacy Policy\n\nLast updated: May 25, 2021\n\n## 1. Data\n\nWe collect data.\n\n"
        "## 2. Rights\n\nYou have rights.\n\n[Back to top](#top)\n", encoding="utf-8")
    (folder / "2021-07-01.md").write_text(
        "# Acme Privacy Policy\n\nLast updated: June 30, 2021\n\n## 1. Data\n\nWe collect data.\n\n"
        "## 2. Rights\n\nYou have more rights.\n", encoding="utf-8")
    out = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "fidelity_report", str(tmp_path), "--json", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Totals" in done.stdout
    totals = json.loads(out.read_text())["totals"]
    assert totals["imported"] == 2 and totals["failed"] == 0
    assert totals["versions_losing_over_2pct"] == 0
    assert totals["numbered_recovered_pct"] == 100.0
    assert totals["stated_date_used_pct"] == 100.0
    assert totals["identical_clauses"] == 1 and totals["lineage_kept_pct"] == 100.0
    assert totals["pages_failing"] == 0 and totals["pages_checked"] > 5
    assert json.loads(out.read_text())["furniture_named"] == {"control": ["Back to top"]}
    assert "  control: Back to top" in done.stdout
    assert not (ROOT / "var" / "fidelity").exists()


def test_links_over_several_lines_and_angle_bracket_anchors_are_furniture():
    ticker = ["[BTC", "", "$84,019.03", "", "0.03%](https://x.com/price/btc \"View price details\")[ETH", "",
              "$1,967.80", "", "0.01%](https://x.com/price/eth \"View price details\")", "", "We collect your name."]
    found = fidelity.furniture_lines(ticker)
    assert all(found.get(i) == "link-only" for i in (0, 2, 4, 6, 8)) and 10 not in found
    toc = ["* [1\\. Introduction](<#1. Introduction>)", "* [2\\. Your rights](<#2. Your rights>)",
           "* [3\\. Contact](<#3. Contact>)"]
    assert set(fidelity.furniture_lines(toc).values()) == {"in-page table of contents"}


def test_a_menu_of_site_sections_across_blank_lines_but_not_a_list_of_names():
    menu = ["Our Company", "", "*   Overview", "*   Careers", "", "Investors", "", "*   Investor Relations",
            "*   Site Map", "*   Blog"]
    assert set(fidelity.furniture_lines(menu).values()) == {"menu"}
    names = ["We use these sub-processors:", "", "*   Amazon Web Services", "*   Google Cloud", "*   Contact Us",
             "*   Stripe"]
    assert fidelity.furniture_lines(names) == {}


def test_an_armored_key_is_text_and_script_data_is_not():
    key = ["    -----BEGIN PGP PUBLIC KEY BLOCK-----", "    xjMEX85NMRYJKwYBBAHaRw8BAQdAhwFxKgsFU8QiBZlbUxuzrJIiYgVzM0Av",
           "    -----END PGP PUBLIC KEY BLOCK-----"]
    assert fidelity.furniture_lines(key) == {}
    assert fidelity.furniture_kind('*   {"BUSINESS":"Business","MUSIC":"Music"}') == "embedded data"


def test_labels_run_together_in_a_flat_capture_are_not_legal_words():
    flat = ("Privacy Statement Print Table of Contents For California Residents Scope Information Collection Uses "
            "Cookies and Other Tracking Devices Outside Links Information Security. " + "We collect your name. " * 20)
    source = fidelity.measure_source(flat, "x.md")
    assert source.furniture["flattened menu or contents"] >= 20
    assert source.legal_words["collect"] == 20 and source.legal_words["scope"] == 0


def test_a_capture_that_lost_its_headings_is_not_counted_as_structured():
    body = "\n\n".join(["We collect and use your data to run the service for you. " * 8] * 12)
    lost = "# Policy\n\n" + body + "\n\n## Rights\n\nText.\n\n## Appeals\n\nText.\n\n## Contact\n\nText.\n"
    kept = "# Policy\n\n" + "\n\n".join(f"## Part {n}\n\n" + "We collect and use your data. " * 20 for n in range(1, 13))
    measured = [fidelity.measure_version(fidelity.measure_source(raw, "x.md"), [fidelity.ClauseData("", "", "", "x")])
                for raw in (lost, kept)]
    assert [m["structured"] for m in measured] == [False, True]


# A page captured as one line: its widgets run into the text.
_FLAT_TEXT = "We collect your name and the pages you read, and keep them for a year. " * 8


def test_a_language_switcher_run_into_a_flat_capture_is_furniture():
    flat = ("Example -About Privacy in English Example -About Privacy in Deutsch Example -About Privacy in "
            "Español Example -About Privacy in Français " + _FLAT_TEXT)
    source = fidelity.measure_source(flat, "x.md")
    assert source.furniture == Counter({"language switcher": 20})
    assert source.furniture_examples == {"language switcher": flat[:flat.index(" We collect")]}
    assert source.legal_words["collect"] == 8 and source.legal_words["deutsch"] == 0


def test_a_sign_in_form_run_into_a_flat_capture_is_furniture():
    flat = (_FLAT_TEXT + "Back Login Create new account (e.g. ) Forgot password Remember me GO Sign Up "
            "I already have an account Done")
    source = fidelity.measure_source(flat, "x.md")
    assert source.furniture == Counter({"sign-in form": 20})
    assert source.legal_words["remember"] == 0 and source.legal_words["year"] == 8


def test_a_copyright_notice_run_into_a_flat_capture_is_furniture():
    source = fidelity.measure_source(_FLAT_TEXT + "© 2006-2012 Example. com, Inc. " + _FLAT_TEXT, "x.md")
    assert source.furniture == Counter({"copyright": 5})
    source = fidelity.measure_source(_FLAT_TEXT + "Copyright 1996-2019 Example. All Rights Reserved. Reproduction "
                                     "without written permission is prohibited.", "x.md")
    assert source.furniture == Counter({"copyright": 7}) and source.legal_words["reproduction"] == 1


@pytest.mark.parametrize(
    "sentence",
    [
        # A sentence about accounts: form words, but not made of them.
        "To use the Service you must sign up and create an account. If you forgot your password, you can "
        "reset your password from the login page; please keep your login details safe and remember me "
        "settings off on shared devices.",
        # A sentence that lists languages joins them with commas and "and".
        "The Service is offered in English, Deutsch, Español, Français and Italiano, and we may add more.",
    ],
)
def test_sentences_about_accounts_or_languages_in_a_flat_capture_are_legal_words(sentence):
    source = fidelity.measure_source(_FLAT_TEXT + sentence + " " + _FLAT_TEXT, "x.md")
    assert source.furniture == Counter()


@pytest.mark.parametrize(
    "text, expected",
    [
        # The label on its own line, the date on the next.
        ("# Policy\n\n**Effective Date**  \nFebruary 1, 2020\n\nWe collect data.", dt.date(2020, 2, 1)),
        # A label qualified by a few words, ending in a colon.
        ("Effective since last update: **\\[12/09/2025\\]**", dt.date(2025, 12, 9)),
        ("Effective Date outside EEA & UK: March 13, 2024", dt.date(2024, 3, 13)),
        # "take effect", and "effective … on" in one clause.
        ("* The following privacy policy will take effect on **30 May 2026**.", dt.date(2026, 5, 30)),
        ("The Terms below will be effective for the EEA, UK, and Switzerland on April 30, 2024.",
         dt.date(2024, 4, 30)),
        # The end of an older version's period is no statement.
        ("Previous policy (published on 12 September 2025 and effective for existing users until 30 May 2026).",
         None),
    ],
)
def test_stated_date_forms(text, expected):
    assert fidelity.stated_date(text.split("\n")) == expected


def test_past_the_head_an_effective_date_next_to_a_publication_date_wins():
    lines = ["* [Menu item](/x)"] * 70 + ["Publication date July 19, 2021", "", "Effective date September 1, 2021"]
    assert fidelity.stated_date(lines) == dt.date(2021, 9, 1)


def test_parts_number_in_their_own_series_and_a_heading_that_keeps_it_recovers_it():
    lines = ["## 2. Fees", "", "SCHEDULE 2: AUSTRALIA-SPECIFIC TERMS", "------------------", "",
             "### [](#annex-ii)_**[ANNEX II](https://example.com/pa#annex-ii)**_"]
    assert fidelity.numbered_headings(lines) == ["2", "schedule 2", "annex ii"]
    assert fidelity.clause_number_keys("", "SCHEDULE 2: AUSTRALIA-SPECIFIC TERMS") == ["schedule 2"]
    assert fidelity.clause_number_keys("4", "Fees") == ["4"]
    source = fidelity.measure_source("\n".join(lines) + "\n\nText.\n", "x.md")
    clauses = [fidelity.ClauseData("2", "Fees", "", ""),
               fidelity.ClauseData("", "SCHEDULE 2: AUSTRALIA-SPECIFIC TERMS", "", ""),
               fidelity.ClauseData("", "ANNEX II", "", "Text.")]
    assert fidelity.measure_version(source, clauses)["numbered_recovered"] == 3
    # Clause 2 alone does not stand for Schedule 2.
    assert fidelity.measure_version(source, clauses[:1])["missed_numbers"] == ["annex ii", "schedule 2"]
