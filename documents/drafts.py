"""The staff upload flow: an upload becomes a draft, the draft is previewed, then
published (it becomes an immutable DocumentVersion) or discarded.

Writes are ``draft_create``, ``draft_publish`` and ``draft_discard``; publishing goes
through ``services.version_publish`` like every other version. ``upload_read`` and
``pasted_read`` check what a person handed us before anything is saved, and
``draft_preview`` works out what publishing would do, without writing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import multiprocessing
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import PurePath

from django.conf import settings
from django.contrib.admin.models import ADDITION, DELETION, LogEntry
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from documents import comparison, selectors, services, upload_shape
from documents.ingest.model import ParsedClause, ParsedDocument
from documents.models import Document, DocumentKind, DocumentVersion, SourceFormat, VersionDraft
from documents.services import PublishError, PublishResult
from portal import collector

logger = logging.getLogger(__name__)
_LETTER = re.compile(r"[^\W\d_]")  # a letter of any script

UPLOAD_SUFFIXES = {
    ".md": SourceFormat.MARKDOWN,
    ".markdown": SourceFormat.MARKDOWN,
    ".txt": SourceFormat.TEXT,
    ".html": SourceFormat.HTML,
    ".htm": SourceFormat.HTML,
}

# Files people rename to .md or .txt by mistake. NUL bytes and invalid UTF-8 catch most
# binaries anyway; naming the format makes the message useful.
_BINARY_SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/OpenDocument file, which is one)"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office file"),
    (b"{\\rtf", "an RTF document"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
]


# --- Reading what was uploaded ------------------------------------------------


@dataclass(frozen=True)
class UploadedText:
    text: str
    filename: str
    source_format: str  # "" when the parser should detect it (pasted text)
    sha256: str  # of the bytes received


def _human_size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def day(date: dt.date) -> str:
    """1 June 2024."""
    return f"{date.day} {date:%B %Y}"


def check_size(size: int, what: str) -> None:
    limit = settings.PORTAL_UPLOAD_MAX_BYTES
    if size > limit:
        raise PublishError(f"{what} is {_human_size(size)}; the limit is {_human_size(limit)}.")


def upload_read(*, raw: bytes, filename: str) -> UploadedText:
    """An uploaded file's bytes -> its text, or a PublishError that says what is wrong."""
    name = PurePath(filename or "").name
    suffix = PurePath(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        allowed = ", ".join(sorted(UPLOAD_SUFFIXES))
        raise PublishError(f"“{name}” is not a file type the portal reads; upload one of {allowed}.")
    check_size(len(raw), f"“{name}”")
    head = raw.lstrip(b"\xef\xbb\xbf")[:16]
    for signature, kind in _BINARY_SIGNATURES:
        if head.startswith(signature):
            raise PublishError(
                f"“{name}” is {kind}, not a text file; upload the document as .md, .txt or .html."
            )
    try:
        text = services.decode_upload(raw)
    except PublishError as exc:
        raise PublishError(f"“{name}”: {exc}") from None
    return UploadedText(
        text=text, filename=name[:255], source_format=UPLOAD_SUFFIXES[suffix],
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def pasted_read(*, text: str) -> UploadedText:
    raw = text.encode("utf-8")
    check_size(len(raw), "The pasted text")
    if "\x00" in text:
        raise PublishError("The pasted text contains NUL characters; paste the document's text only.")
    if not text.strip():
        raise PublishError("The pasted text is empty.")
    return UploadedText(text=text, filename="", source_format="", sha256=hashlib.sha256(raw).hexdigest())


TOO_COMPLEX = (
    "This document is too complex to import: reading it took longer than {seconds:g} seconds. "
    "Check that it is the document's text (not a data export or a generated page); if it is, "
    "contact the portal's administrators, who can import it from the command line."
)


TOO_LONG = (
    "This document is too complex to import: it has {lines:,} lines, and the portal reads at "
    "most {limit:,}. Check that it is the document's text; if it is, contact the portal's "
    "administrators, who can import it from the command line."
)


def _parse_in_child(conn, text: str, filename: str, source_format: str | None) -> None:
    # In the forked child: pure ingest only, no database. The answer goes back pickled.
    try:
        conn.send(("ok", services.version_parse(text, filename=filename, source_format=source_format)))
    except PublishError as exc:
        conn.send(("refused", str(exc)))
    except Exception as exc:  # noqa: BLE001 - any crash of the parser is an answer too
        conn.send(("crashed", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def parse_bounded(text: str, *, filename: str = "", source_format: str | None = None,
                  timeout: float | None = None) -> ParsedDocument:
    """``services.version_parse`` with a hard time budget (``PORTAL_PARSE_TIMEOUT``).

    A regular expression that backtracks cannot be interrupted from inside Python, so
    the parse runs in a forked child process that is killed when the budget runs out;
    the person gets a PublishError saying the document is too complex to import.
    The ingest code stays pure and unaware of the budget.
    """
    lines = text.count("\n") + 1
    if lines > settings.PORTAL_PARSE_MAX_LINES:
        # Refused at once: the parse would take longer than the budget anyway.
        raise PublishError(TOO_LONG.format(lines=lines, limit=settings.PORTAL_PARSE_MAX_LINES))
    # Shapes no legal document has, whose parse costs more than their size says: refused
    # at once and the same way every time, not by the time limit (issue #25).
    shape_problem = upload_shape.problem(text)
    if shape_problem:
        raise PublishError(shape_problem)
    timeout = settings.PORTAL_PARSE_TIMEOUT if timeout is None else timeout
    if timeout <= 0:
        parsed = services.version_parse(text, filename=filename, source_format=source_format)
        status, value = "ok", parsed
    else:
        status, value = _parse_with_budget(text, filename, source_format, timeout)
    if status == "ok":
        if not any(_LETTER.search(f"{c.heading} {c.text}") for c in value.clauses):
            raise PublishError("The text has no words, only punctuation or markup: there is nothing to publish.")
        return value
    if status == "refused":
        raise PublishError(value)
    logger.error("Parsing %r crashed: %s", filename or "pasted text", value)
    raise PublishError("The text could not be read as a document; it was not saved.")


def _parse_with_budget(text, filename, source_format, timeout):
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_parse_in_child, args=(sender, text, filename, source_format), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise PublishError(TOO_COMPLEX.format(seconds=timeout))
        try:
            status, value = receiver.recv()
        except EOFError:  # the child died without answering (out of memory, killed)
            raise PublishError(TOO_COMPLEX.format(seconds=timeout)) from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    return status, value


def text_parse(uploaded: UploadedText) -> ParsedDocument:
    return parse_bounded(uploaded.text, filename=uploaded.filename, source_format=uploaded.source_format or None)


# A draft keeps the parse its upload got (as JSON), so preview and publish reuse it:
# one parse per upload, and what is published is exactly what was previewed.
def parsed_to_json(parsed: ParsedDocument) -> dict:
    data = {}
    for f in fields(parsed):
        value = getattr(parsed, f.name)
        if f.name == "clauses":
            value = [asdict(c) for c in value]
        elif isinstance(value, dt.date):
            value = {"date": value.isoformat()}
        data[f.name] = value
    return data


def parsed_from_json(data) -> ParsedDocument | None:
    """The stored parse, or None when it is missing or from an older shape of ParsedDocument."""
    if not data:
        return None
    try:
        values = {}
        for f in fields(ParsedDocument):
            value = data[f.name]
            if f.name == "clauses":
                value = [ParsedClause(**c) for c in value]
            elif isinstance(value, dict) and set(value) == {"date"}:
                value = dt.date.fromisoformat(value["date"])
            values[f.name] = value
        return ParsedDocument(**values)
    except (KeyError, TypeError, ValueError):
        return None


def draft_parsed(draft: VersionDraft) -> ParsedDocument:
    """The draft's parse: the one stored at upload, or (for an older draft) a new, bounded one."""
    parsed = parsed_from_json(draft.parsed)
    if parsed is not None:
        return parsed
    return parse_bounded(draft.source_text, filename=draft.source_filename,
                         source_format=draft.source_format or None)


def new_document_slug(*, publisher_name: str, title: str) -> str:
    """The slug services.document_get_or_create would give a new document."""
    return services.document_slug_for(publisher_name=publisher_name, title=title)


# --- Reads --------------------------------------------------------------------


# What the upload page's list shows: a draft's stored parse and alignments (megabytes
# for a large document) and its text are left in the database (issue #25).
_LIST_FIELDS = ["pk", "document", "new_publisher", "new_title", "source_filename", "effective_date",
                "created_at", "created_by", "document__publisher__name", "document__title",
                "created_by__username"]


def draft_list() -> list[VersionDraft]:
    return list(VersionDraft.objects.select_related("document__publisher", "created_by").only(*_LIST_FIELDS))


def draft_get(pk: int) -> VersionDraft:
    try:
        return VersionDraft.objects.select_related(
            "document__publisher", "document__current_version", "created_by"
        ).get(pk=pk)
    except VersionDraft.DoesNotExist:
        raise Http404("No such draft: it was published or discarded.") from None


@dataclass(frozen=True)
class DraftProblem:
    level: str  # "error" blocks publishing; "warning" needs a look before publishing
    message: str


@dataclass(frozen=True)
class ClauseSummary:
    number: str
    heading: str
    first_words: str
    depth: int


@dataclass(frozen=True)
class DraftPreview:
    draft: VersionDraft
    document: Document | None  # None for a document that publishing will create
    parsed: ParsedDocument | None
    clauses: list[ClauseSummary]
    current: DocumentVersion | None
    # What the comparison is against: the current version, or for a back-dated draft
    # the version it will follow in the timeline (the one its clauses inherit keys from).
    base: DocumentVersion | None
    comparison: comparison.Comparison | None
    effective_date: dt.date
    effective_date_source: str  # "given", "stated" or "today"
    identical: DocumentVersion | None
    becomes_current: bool
    problems: list[DraftProblem] = field(default_factory=list)

    @property
    def can_publish(self) -> bool:
        return not any(p.level == "error" for p in self.problems)

    @property
    def headed_clause_count(self) -> int:
        return sum(1 for c in self.clauses if c.number or c.heading)


def _first_words(text: str, n: int = 14) -> str:
    words = text.split()
    return " ".join(words[:n]) + (" …" if len(words) > n else "")


def _draft_document(draft: VersionDraft) -> Document | None:
    if draft.document_id:
        return draft.document
    slug = new_document_slug(publisher_name=draft.new_publisher, title=draft.new_title)
    return Document.objects.with_current().filter(slug=slug).first()


def draft_effective_date(draft: VersionDraft, parsed: ParsedDocument | None) -> tuple[dt.date, str]:
    """The date publishing will give the version, and where it comes from: "given",
    "stated" or "today" (as ``services.version_publish`` decides)."""
    if draft.effective_date:
        return draft.effective_date, "given"
    if parsed is not None and parsed.effective_date:
        return parsed.effective_date, "stated"
    return timezone.localdate(), "today"


def draft_alignments(draft: VersionDraft) -> list[services.Alignment]:
    """The alignments stored with the draft (none for an older draft or a new document)."""
    try:
        return [services.Alignment.from_json(a) for a in draft.alignments or []]
    except (KeyError, TypeError, ValueError):
        return []


def draft_preview(draft: VersionDraft) -> DraftPreview:
    """What publishing ``draft`` would do, and what a person should check first."""
    problems: list[DraftProblem] = []
    document = _draft_document(draft)
    if not draft.document_id and document is not None:
        problems.append(DraftProblem("warning", (
            f"{document.publisher} already has a document called “{document.title}”; "
            "this text will be published as a new version of it."
        )))
    try:
        parsed = draft_parsed(draft)
    except PublishError as exc:
        parsed = None
        problems.append(DraftProblem("error", f"The text cannot be published: {exc}"))

    today = timezone.localdate()
    stated = parsed.effective_date if parsed else None
    effective_date, source = draft_effective_date(draft, parsed)

    current = document.current_version if document else None
    clauses: list[ClauseSummary] = []
    result = None
    identical = None
    becomes_current = current is None
    base = current
    if parsed is not None:
        clauses = [ClauseSummary(c.number, c.heading, _first_words(c.text), c.depth) for c in parsed.clauses]
        if not any(c.number or c.heading for c in parsed.clauses):
            problems.append(DraftProblem("warning", (
                "No headings or numbered sections were recognized: the whole text is "
                f"{len(clauses)} unheaded clause{'s' if len(clauses) != 1 else ''}. Clause links, comparison "
                "and search work best on sectioned text (in markdown: “## 1. Heading”)."
            )))
        if document is not None:
            identical = services.version_find_identical(document, parsed)
        if identical is not None:
            problems.append(DraftProblem("error", (
                f"The text is identical to version {identical.label} of {document.title} "
                f"(effective {day(identical.effective_date)}); there is nothing new to publish."
            )))
        if current is not None:
            becomes_current = effective_date >= current.effective_date
            if not becomes_current:
                base = selectors.version_as_of(document, effective_date) or current
            # The alignment the upload already did, when it was against this version.
            stored = next((a.rows for a in draft_alignments(draft) if a.side == 0 and a.version_id == base.pk), None)
            result = comparison.compare_clauses(selectors.version_clauses(base), list(parsed.clauses), aligned=stored)
            if effective_date < current.effective_date:
                problems.append(DraftProblem("warning", (
                    f"The effective date {day(effective_date)} is earlier than the current version "
                    f"({current.label}, {day(current.effective_date)}). It will go into the timeline "
                    "as an older version and will not displace the current one."
                )))
        if draft.effective_date and stated and stated != draft.effective_date:
            problems.append(DraftProblem("warning", (
                f"The text states an effective date of {day(stated)}, but {day(draft.effective_date)} "
                "was given. The date given will be used."
            )))
    if effective_date > today:
        problems.append(DraftProblem("warning", (
            f"The effective date {day(effective_date)} is in the future."
            + (" The version will be shown as current as soon as it is published." if becomes_current else "")
        )))
    if source == "today":
        problems.append(DraftProblem("warning", (
            "No effective date was given and the text states none: today's date will be used."
        )))
    return DraftPreview(
        draft=draft, document=document, parsed=parsed, clauses=clauses, current=current,
        base=base, comparison=result, effective_date=effective_date, effective_date_source=source,
        identical=identical, becomes_current=becomes_current, problems=problems,
    )


# --- Writes -------------------------------------------------------------------


def draft_create(
    *,
    created_by,
    uploaded: UploadedText,
    document: Document | None = None,
    new_publisher: str = "",
    new_title: str = "",
    new_kind: str = "",
    effective_date: dt.date | None = None,
    change_note: str = "",
    parsed: ParsedDocument | None = None,
) -> VersionDraft:
    """Save an upload as a draft, with its parse and its alignment with the versions it
    would sit between: the work the preview shows and the publish needs, done once.

    The parse (bounded, in a child process) and the alignment happen before the draft's
    transaction, so no database lock is held meanwhile. A text that cannot be parsed
    is still saved (the preview says why it cannot be published).
    """
    if document is None and not (new_publisher.strip() and new_title.strip()):
        raise PublishError("Choose a document, or give the publisher and title of a new one.")
    if parsed is None:
        try:
            parsed = text_parse(uploaded)
        except PublishError:
            parsed = None
    draft = VersionDraft(
        document=document,
        new_publisher="" if document else new_publisher.strip(),
        new_title="" if document else new_title.strip(),
        new_kind="" if document else (new_kind or DocumentKind.OTHER),
        source_text=uploaded.text,
        source_filename=uploaded.filename,
        source_format=uploaded.source_format,
        upload_sha256=uploaded.sha256,
        effective_date=effective_date,
        change_note=change_note.strip(),
        created_by=created_by,
        parsed=parsed_to_json(parsed) if parsed is not None else None,
    )
    target = _draft_document(draft)
    if parsed is not None and target is not None:
        date, _source = draft_effective_date(draft, parsed)
        draft.alignments = [a.to_json() for a in services.version_alignments(target, parsed, date=date)]
    draft.full_clean()
    with transaction.atomic():
        draft.save()
    return draft


def version_log(*, user, version: DocumentVersion, message: str = "") -> None:
    """The admin history entry for a published version (the version itself holds the rest)."""
    LogEntry.objects.log_actions(
        user.pk, [version], ADDITION,
        change_message=message or f"Published version {version.label}.", single_object=True,
    )


@collector.paused()
def draft_publish(*, draft: VersionDraft, published_by) -> PublishResult:
    """Publish the draft as a new version and delete it, in one transaction.

    Raises PublishError (and saves nothing) when the text cannot be published or is
    identical to a version of the document; VersionDraft.DoesNotExist when the draft
    was discarded or published meanwhile.

    The publish reuses the draft's parse and alignment. A draft saved without a parse
    is parsed first, outside the transaction: the parse runs in a child process with a
    time budget, and no publisher should wait on the database lock for it.
    """
    parsed = draft_parsed(draft)
    alignments = draft_alignments(draft)
    with transaction.atomic():
        # Re-read inside the transaction: a draft published or discarded by someone else
        # since the preview is gone now. Its stored parse and alignment were read above.
        locked = VersionDraft.objects.select_for_update().defer("parsed", "alignments").get(pk=draft.pk)
        if locked.source_text != draft.source_text:  # changed since it was parsed
            parsed, alignments = parse_bounded(locked.source_text, filename=locked.source_filename,
                                               source_format=locked.source_format or None), []
        return _draft_publish_locked(locked, parsed, alignments, published_by)


def _draft_publish_locked(draft: VersionDraft, parsed: ParsedDocument, alignments, published_by) -> PublishResult:
    if draft.document_id:
        document = draft.document
    else:
        document = services.document_get_or_create(
            publisher_name=draft.new_publisher,
            title=draft.new_title,
            kind=draft.new_kind or DocumentKind.OTHER,
        )
    result = services.version_publish(
        document=document,
        source_text=draft.source_text,
        filename=draft.source_filename,
        source_format=draft.source_format or None,
        effective_date=draft.effective_date,
        change_note=draft.change_note,
        added_by=published_by,
        parsed=parsed,
        alignments=alignments,
    )
    if not result.created:
        raise PublishError(result.message)
    version_log(user=published_by, version=result.version, message=(
        f"Published version {result.version.label} from "
        f"{draft.source_filename or 'pasted text'} (draft {draft.pk})."
    ))
    draft.delete()
    return result


def draft_may_publish(user, draft: VersionDraft) -> bool:
    """Publishing needs the "publish versions" permission, and someone else's draft the
    permission to review drafts too."""
    return user.has_perm("documents.publish_version") and draft_may_discard(user, draft)


def draft_may_discard(user, draft: VersionDraft) -> bool:
    return draft.created_by_id == user.pk or user.has_perm("documents.review_drafts")


@transaction.atomic
def draft_discard(*, draft: VersionDraft, discarded_by=None) -> None:
    if discarded_by is not None:
        LogEntry.objects.log_actions(
            discarded_by.pk, [draft], DELETION, single_object=True,
            change_message=f"Discarded the draft {draft.pk} ({draft.source_filename or 'pasted text'}).",
        )
    VersionDraft.objects.filter(pk=draft.pk).delete()
