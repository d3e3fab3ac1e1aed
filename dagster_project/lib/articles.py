"""Land the files of a raw folder into the DuckDB schema `raw`, incrementally and idempotently.

Identity is content, never modification times: a file is compared with what was landed before
by the sha256 of its bytes, so touching a file changes nothing and rewriting it with the same
bytes changes nothing either.

Tables (all in schema `raw`):

- `raw.articles`: one row per article version, i.e. per distinct content of one source key.
  Rows are never deleted; a version stops being current when its name changes content
  (`superseded_at`) or disappears or stops landing (`deleted_at`).
- `raw.article_sources`: one row per name (`source_path`, `record_key`) under which valid
  article content has been seen, pointing at the article that carries that content. Several
  names with the same content share one article: the first name in path order lands it, the
  others point at it.
- `raw.rejects`: one row per distinct (`source_path`, `record_key`, `content_hash`, `reason`):
  everything that was looked at and not landed, recorded once rather than on every run;
  `is_present` says whether the latest run still found it.
- `raw.loads`: one row per landing run with its counts.

A run is one transaction: a crash leaves the previous state, and a rerun over an unchanged
folder writes nothing but its `raw.loads` row.
"""

from __future__ import annotations

import codecs
import encodings
import hashlib
import importlib.metadata
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import dateparser
import duckdb
import pandas as pd
from charset_normalizer import from_bytes

from dagster_project.lib.warehouse import table_exists

HTML_SUFFIXES = (".html", ".htm")
SUPPORTED_SUFFIXES = (".txt", ".jsonl", *HTML_SUFFIXES)
TEXT_FIELDS = ("text", "body", "content")
HTML_FIELD = "html"
# How an article's text was obtained (raw.articles.extraction_method) and why
# (extraction_reason): plain text is landed as written; a web page is read by trafilatura.
PLAIN_TEXT = "plain_text"
TRAFILATURA = "trafilatura"
# the installed versions, read without importing either: only a landing that reads a web
# page pays their import
HTML_EXTRACTOR_VERSION = (
    f"trafilatura {importlib.metadata.version('trafilatura')}; "
    f"htmldate {importlib.metadata.version('htmldate')}"
)
# Less than this is a menu, a cookie notice or a teaser, not an article: the page is rejected.
MIN_ARTICLE_CHARS = 100
# A .txt file holding a saved web page: it opens with a doctype or an html/head/body tag
# (after an XML declaration or comments at most), as every browser's "save page" writes it.
_HTML_DOCUMENT = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
    re.IGNORECASE | re.DOTALL,
)
PUBLISHER_FIELDS = ("publisher", "source")
DATE_FIELDS = ("published_at", "date", "published")

# Real prose essentially never contains these; a few percent of them means a binary file
# that happens to lack NUL bytes.
# the live version of every present source: what every later stage reads
CURRENT_ARTICLES = """
select article_id, content_hash, text, publisher, source_path, title, published_at
from raw.articles where is_current order by article_id
"""
MAX_CONTROL_SHARE = 0.02
# larger files are rejected as oversized: an article is text, not an archive
MAX_BYTES = 5_000_000
# A stray invalid byte in an otherwise readable file is tolerated (it becomes U+FFFD);
# more than this share means the bytes are not text in any encoding we can identify.
MAX_REPLACEMENT_SHARE = 0.01
HASH_CHUNK_BYTES = 1 << 20
# Enough non-ASCII lines to tell code pages apart; judging more only costs time.
LEGACY_SAMPLE_BYTES = 64_000
# How much messier than the best candidate Windows-1252 may decode and still be preferred.
CHAOS_TOLERANCE = 0.05
WINDOWS_LATIN_CODE_PAGES = frozenset({"cp1250", "cp1254", "cp1257", "cp1258"})

_ALLOWED_CONTROLS = frozenset("\t\n\r\x0b\x0c")
_CONTROL_BYTES = bytes(b for b in range(0x20) if chr(b) not in _ALLOWED_CONTROLS) + b"\x7f"
# Unicode category Cc (C0, DEL, C1) minus the whitespace controls.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# UTF-32 LE's BOM starts with UTF-16 LE's, so the longer marks must be tried first.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf_32"),
    (codecs.BOM_UTF32_BE, "utf_32"),
    (codecs.BOM_UTF8, "utf_8_sig"),
    (codecs.BOM_UTF16_LE, "utf_16"),
    (codecs.BOM_UTF16_BE, "utf_16"),
)
# Relative dates ("yesterday") and partial dates would be filled in from the wall clock,
# making the landed value depend on when the run happened.
_DATEPARSER_SETTINGS = {
    "TIMEZONE": "UTC",
    "TO_TIMEZONE": "UTC",
    "RETURN_AS_TIMEZONE_AWARE": False,
    "PARSERS": ["timestamp", "absolute-time"],
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PREFER_DAY_OF_MONTH": "first",
}

ARTICLES_DDL = """
create table if not exists raw.articles (
    article_id varchar not null,
    version integer not null,
    source_path varchar not null,
    record_key varchar,
    content_hash varchar not null,
    size_bytes bigint not null,
    encoding varchar not null,
    text varchar not null,
    title varchar,
    url varchar,
    publisher varchar,
    published_at timestamp,
    author varchar,
    published_at_source varchar,
    extraction_method varchar not null default 'plain_text',
    extraction_version varchar,
    extraction_reason varchar,
    source_html blob,
    is_current boolean not null,
    superseded_at timestamp,
    deleted_at timestamp,
    loaded_at timestamp not null,
    load_id varchar not null
)"""
ARTICLE_SOURCES_DDL = """
create table if not exists raw.article_sources (
    article_id varchar not null,
    source_path varchar not null,
    record_key varchar,
    content_hash varchar not null,
    first_seen_at timestamp not null,
    changed_at timestamp not null,
    is_present boolean not null
)"""
REJECTS_DDL = """
create table if not exists raw.rejects (
    source_path varchar not null,
    record_key varchar,
    reason varchar not null,
    detail varchar,
    content_hash varchar,
    size_bytes bigint,
    rejected_at timestamp not null,
    load_id varchar not null,
    is_present boolean not null
)"""
LOADS_DDL = """
create table if not exists raw.loads (
    load_id varchar not null,
    raw_dir varchar not null,
    loaded_at timestamp not null,
    started_at timestamp not null,
    finished_at timestamp not null,
    files_seen integer not null,
    articles_new integer not null,
    articles_superseded integer not null,
    articles_deleted integer not null,
    articles_restored integer not null,
    articles_unchanged integer not null,
    aliases_added integer not null,
    sources_retired integer not null,
    rejects_new integer not null,
    rejects_cleared integer not null
)"""

_ARTICLE_COLUMNS = (
    "article_id",
    "version",
    "source_path",
    "record_key",
    "content_hash",
    "size_bytes",
    "encoding",
    "text",
    "title",
    "url",
    "publisher",
    "published_at",
    "author",
    "published_at_source",
    "extraction_method",
    "extraction_version",
    "extraction_reason",
    "source_html",
    "is_current",
    "superseded_at",
    "deleted_at",
    "loaded_at",
    "load_id",
)
# columns added to raw.articles after its first release: a warehouse landed before gets them
_ADDED_ARTICLE_COLUMNS = (
    "author varchar",
    "published_at_source varchar",
    "extraction_method varchar default 'plain_text'",
    "extraction_version varchar",
    "extraction_reason varchar",
    "source_html blob",
)
_ARTICLE_TYPES = {
    "version": "integer",
    "size_bytes": "bigint",
    "published_at": "timestamp",
    "source_html": "blob",
    "is_current": "boolean",
    "superseded_at": "timestamp",
    "deleted_at": "timestamp",
    "loaded_at": "timestamp",
}
_SOURCE_COLUMNS = (
    "article_id",
    "source_path",
    "record_key",
    "content_hash",
    "first_seen_at",
    "changed_at",
    "is_present",
)
_SOURCE_TYPES = {"first_seen_at": "timestamp", "changed_at": "timestamp", "is_present": "boolean"}
_REJECT_COLUMNS = (
    "source_path",
    "record_key",
    "reason",
    "detail",
    "content_hash",
    "size_bytes",
    "rejected_at",
    "load_id",
    "is_present",
)
_REJECT_TYPES = {"size_bytes": "bigint", "rejected_at": "timestamp", "is_present": "boolean"}


@dataclass(frozen=True)
class LandingResult:
    """What one landing run did (also stored as its raw.loads row). Names count: a JSONL
    record is one name, a .txt file another."""

    load_id: str
    files_seen: int
    articles_new: int
    articles_superseded: int
    articles_deleted: int
    articles_unchanged: int
    aliases_added: int
    rejects_new: int
    articles_restored: int = 0
    sources_retired: int = 0
    rejects_cleared: int = 0

    @property
    def changed(self) -> bool:
        """Whether the run wrote anything besides its `raw.loads` row."""
        return any(
            (
                self.articles_new,
                self.articles_superseded,
                self.articles_deleted,
                self.articles_restored,
                self.aliases_added,
                self.sources_retired,
                self.rejects_new,
                self.rejects_cleared,
            )
        )


class Rejection(Exception):
    """Input that cannot land; `reason` is a short snake_case code stored in raw.rejects."""

    def __init__(self, reason: str, detail: str | None = None, record_key: str | None = None):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.record_key = record_key


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


@dataclass(frozen=True)
class Extracted:
    """The article read out of a web page; `text` is what every later offset points into."""

    text: str
    title: str | None
    author: str | None
    published_at: datetime | None
    # `trafilatura`, or `htmldate` when only htmldate's wider search found the date
    published_at_source: str | None
    reason: str
    method: str = TRAFILATURA
    version: str = HTML_EXTRACTOR_VERSION


@dataclass(frozen=True)
class JsonlRecord:
    record_key: str
    text: str
    title: str | None
    url: str | None
    publisher: str | None
    published_at: datetime | None
    # `metadata` (a field of the record), `trafilatura` or `htmldate`; None without a date
    published_at_source: str | None = None
    # set when the text was read out of the record's `html` field
    extracted: Extracted | None = None
    html: str | None = None


# --------------------------------------------------------------------------- pure functions


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def source_key(source_path: str, record_key: str | None = None) -> str:
    """The name an article is known by: its path, plus `#<record key>` for a JSONL record."""
    return source_path if record_key is None else f"{source_path}#{record_key}"


def article_id_for(source_path: str, record_key: str | None = None) -> str:
    return sha256_hex(source_key(source_path, record_key).encode("utf-8"))[:16]


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def normalise_encoding_name(name: str) -> str:
    """Python's canonical codec spelling (`UTF-8` -> `utf_8`, `ISO-8859-1` -> `latin_1`)."""
    key = encodings.normalize_encoding(name).lower()
    return encodings.aliases.aliases.get(key, key)


def _control_share(text: str) -> float:
    return len(_CONTROL_CHARS.findall(text)) / len(text)


def _detect_legacy(data: bytes) -> Decoded | None:
    """Decode bytes that are not UTF-8 with the legacy code page that most plausibly wrote them.

    charset-normalizer judges the lines that carry non-ASCII bytes, over their whole length:
    in English news those are a handful of quotes, dashes and names, and its default sampling
    plus language coherence over the ASCII bulk then ranks DOS, Mac or CJK code pages first.
    Windows-1252 is taken whenever it decodes about as cleanly as the best candidate, except
    against another Windows Latin code page whose language fits better (Czech in cp1250,
    Turkish in cp1254). cp1252 bytes that avoid 0x80-0x9F decode identically as ISO-8859-1,
    which is then the more precise name.
    """
    lines = b"\n".join(line for line in data.split(b"\n") if not line.isascii())
    sample = lines[:LEGACY_SAMPLE_BYTES]
    coverage = {"steps": 1, "chunk_size": len(sample)}
    best = from_bytes(sample, **coverage).best()
    western = from_bytes(sample, cp_isolation=["cp1252"], **coverage).best()
    plausible_western = western is not None and (
        best is None
        or (
            western.chaos <= best.chaos + CHAOS_TOLERANCE
            and (
                "cp1252" in best.could_be_from_charset
                or normalise_encoding_name(best.encoding) not in WINDOWS_LATIN_CODE_PAGES
                or western.coherence >= best.coherence
            )
        )
    )
    choice = western if plausible_western else best
    if choice is None:
        return None
    encoding = normalise_encoding_name(choice.encoding)
    # The sample may stop short of a byte the chosen code page lacks; the replacement-character
    # check in decode_bytes judges the result.
    text = data.decode(encoding, errors="replace")
    if encoding == "cp1252" and not any(0x80 <= b <= 0x9F for b in data):
        encoding = "latin_1"
    return Decoded(text, encoding)


def decode_bytes(data: bytes) -> Decoded:
    """Decode a file's bytes to text with `\\n` newlines, or raise a Rejection.

    Rejections: `empty` (nothing but whitespace), `binary` (NUL bytes outside UTF-16/32, or
    many control characters), `undecodable` (only readable with many U+FFFD).
    """
    if not data.strip():
        raise Rejection("empty", f"{len(data)} bytes of whitespace")
    decoded: Decoded | None = None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            encoding = "utf_8" if codec == "utf_8_sig" else codec
            decoded = Decoded(data.decode(codec, errors="replace"), encoding)
            break
    if decoded is None:
        if b"\x00" in data:
            raise Rejection("binary", "contains NUL bytes")
        controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
        if controls / len(data) > MAX_CONTROL_SHARE:
            raise Rejection("binary", f"{controls} control bytes in {len(data)}")
        try:
            decoded = Decoded(data.decode("utf-8"), "utf_8")
        except UnicodeDecodeError:
            # Mostly-UTF-8 files with a stray byte get no match from charset-normalizer and
            # fall through to a lenient UTF-8 decode, judged by its replacement characters.
            decoded = _detect_legacy(data) or Decoded(
                data.decode("utf-8", errors="replace"), "utf_8"
            )
    text = normalise_newlines(decoded.text)
    if not text.strip():
        raise Rejection("empty", "no text after decoding")
    if _control_share(text) > MAX_CONTROL_SHARE:
        raise Rejection("binary", f"control characters after decoding as {decoded.encoding}")
    replacements = text.count("\ufffd")
    if replacements / len(text) > MAX_REPLACEMENT_SHARE:
        raise Rejection(
            "undecodable",
            f"{replacements} replacement characters decoding as {decoded.encoding}",
        )
    return Decoded(text, decoded.encoding)


def parse_published_at(value: object) -> datetime | None:
    """ISO-8601 or a common absolute date form as naive UTC; anything else is None."""
    if not isinstance(value, str) or not value.strip():
        return None
    raw = value.strip()
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        parsed = dateparser.parse(raw, settings=_DATEPARSER_SETTINGS)
    if parsed is None:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def is_html_document(text: str) -> bool:
    """Whether decoded text is a whole HTML document rather than prose."""
    return _HTML_DOCUMENT.match(text) is not None


@lru_cache(maxsize=1)
def _trafilatura_config():
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MIN_OUTPUT_SIZE", str(MIN_ARTICLE_CHARS))
    # trafilatura reads the date from the page's metadata markup; the wider search through the
    # text and URL is htmldate's, run only when that finds nothing, so the source is known.
    config.set("DEFAULT", "EXTENSIVE_DATE_SEARCH", "off")
    return config


def extract_html(html: str, reason: str, url: str | None = None) -> Extracted:
    """The main text of a web page and its metadata, or a `no_article_text` Rejection.

    trafilatura, favouring precision, drops navigation, cookie banners, related links,
    comments and footers and returns the article's paragraphs one per line; htmldate's
    extensive search (the text, every date attribute, the page's `url` when known) fills in
    the publication date when the page's metadata gives none. `reason` says why the input was
    read as HTML (recorded in raw.articles).
    """
    import htmldate
    import trafilatura

    document = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
        config=_trafilatura_config(),
    )
    text = normalise_newlines(document.text or "").strip() if document is not None else ""
    if not text:
        raise Rejection(
            "no_article_text",
            f"trafilatura found no article of {MIN_ARTICLE_CHARS}+ characters ({reason})",
        )
    title = document.title.strip() if document.title and document.title.strip() else None
    author = document.author.strip() if document.author and document.author.strip() else None
    published_at = parse_published_at(document.date)
    source = TRAFILATURA if published_at else None
    if published_at is None:
        published_at = parse_published_at(
            htmldate.find_date(html, extensive_search=True, original_date=True, url=url)
        )
        source = "htmldate" if published_at else None
    return Extracted(text, title, author, published_at, source, reason)


def _first_string(obj: dict, names: tuple[str, ...]) -> str | None:
    for name in names:
        value = obj.get(name)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _publisher(obj: dict) -> str | None:
    for name in PUBLISHER_FIELDS:
        value = obj.get(name)
        # News APIs often nest the outlet as {"id": ..., "name": ...}.
        if isinstance(value, dict):
            value = value.get("name")
        if isinstance(value, str) and value.strip():
            return value
    return None


def jsonl_record_key(obj: dict, line_no: int) -> str:
    """The record's `id`, else its `url`, else `line:<n>` (1-based)."""
    record_id = obj.get("id")
    is_usable_id = isinstance(record_id, str | int) and not isinstance(record_id, bool)
    if is_usable_id and str(record_id).strip():
        return str(record_id)
    url = obj.get("url")
    if isinstance(url, str) and url.strip():
        return url
    return f"line:{line_no}"


def parse_jsonl_line(line: str, line_no: int) -> JsonlRecord:
    """Parse one non-blank JSONL line into an article record, or raise a Rejection."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise Rejection(
            "malformed_json", f"{exc.msg} at column {exc.colno}", f"line:{line_no}"
        ) from None
    if not isinstance(obj, dict):
        raise Rejection(
            "malformed_json", f"a JSON {type(obj).__name__}, not an object", f"line:{line_no}"
        )
    record_key = jsonl_record_key(obj, line_no)
    try:
        # JSON escapes can produce lone surrogates, which no database string can hold.
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise Rejection("undecodable", "lone surrogate escape", record_key) from None
    text = _first_string(obj, TEXT_FIELDS)
    html = _first_string(obj, (HTML_FIELD,)) if text is None else None
    if text is None and html is None:
        fields_named = "/".join((*TEXT_FIELDS, HTML_FIELD))
        raise Rejection("missing_text", f"no non-empty {fields_named}", record_key)
    if _control_share(text or html) > MAX_CONTROL_SHARE:
        raise Rejection("binary", "control characters in the text field", record_key)
    extracted = None
    if html is not None:
        try:
            extracted = extract_html(html, "jsonl_html_field", _first_string(obj, ("url",)))
        except Rejection as rejection:
            raise Rejection(rejection.reason, rejection.detail, record_key) from None
        text = extracted.text
    title = _first_string(obj, ("title",))
    published_at = parse_published_at(_first_string(obj, DATE_FIELDS))
    date_source = "metadata" if published_at else None
    # the record's own fields first: a feed states them, a page's markup only suggests them
    if extracted is not None:
        title = title or extracted.title
        if published_at is None:
            published_at, date_source = extracted.published_at, extracted.published_at_source
    return JsonlRecord(
        record_key=record_key,
        text=normalise_newlines(text),
        title=title,
        url=_first_string(obj, ("url",)),
        publisher=_publisher(obj),
        published_at=published_at,
        published_at_source=date_source,
        extracted=extracted,
        html=html,
    )


# --------------------------------------------------------------------------- scanning


@dataclass(frozen=True)
class _Payload:
    size_bytes: int
    encoding: str
    text: str
    title: str | None = None
    url: str | None = None
    publisher: str | None = None
    published_at: datetime | None = None
    author: str | None = None
    published_at_source: str | None = None
    extraction_method: str = PLAIN_TEXT
    extraction_version: str | None = None
    extraction_reason: str | None = None
    source_html: bytes | None = None


# raw.articles columns that hold a payload, in the order of _Payload's fields
_PAYLOAD_COLUMNS = tuple(f"a.{f.name}" for f in fields(_Payload))


def _html_payload(
    size: int, encoding: str, extracted: Extracted, source_html: bytes, **metadata
) -> _Payload:
    """What lands for a web page: the extracted text and metadata beside the page's bytes."""
    fields_of_page = {
        "title": extracted.title,
        "author": extracted.author,
        "published_at": extracted.published_at,
        "published_at_source": extracted.published_at_source,
    }
    return _Payload(
        size,
        encoding,
        extracted.text,
        **(fields_of_page | metadata),
        extraction_method=extracted.method,
        extraction_version=extracted.version,
        extraction_reason=extracted.reason,
        source_html=source_html,
    )


@dataclass(frozen=True)
class _Seen:
    """A name that holds valid article content in this run."""

    source_path: str
    record_key: str | None
    line_no: int
    content_hash: str
    # None when the name still holds what it held last run: nothing needs decoding then.
    payload: _Payload | None

    @property
    def name(self) -> tuple[str, str | None]:
        return (self.source_path, self.record_key)

    @property
    def content_key(self) -> tuple[bool, str]:
        # A .txt file and a JSONL line with the same bytes yield different article text.
        return (self.record_key is None, self.content_hash)


@dataclass(frozen=True)
class _Reject:
    source_path: str
    record_key: str | None
    reason: str
    detail: str | None
    content_hash: str | None
    size_bytes: int | None

    @property
    def key(self) -> tuple:
        return (self.source_path, self.record_key, self.content_hash, self.reason)


@dataclass
class _Scan:
    files_seen: int = 0
    seen: list[_Seen] = field(default_factory=list)
    rejects: list[_Reject] = field(default_factory=list)

    def reject(
        self,
        path: str,
        rejection: Rejection,
        content_hash: str | None = None,
        size: int | None = None,
    ) -> None:
        self.rejects.append(
            _Reject(
                path,
                rejection.record_key,
                rejection.reason,
                rejection.detail,
                content_hash,
                size,
            )
        )


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _walk(directory: Path) -> Iterator[tuple[str, Path, os.DirEntry | OSError]]:
    """Yield (kind, path, entry) for every non-hidden non-directory below `directory`, never
    following links; kind is `file`, `symlink`, `special` or `unreadable` (then `entry` is the
    error)."""
    try:
        with os.scandir(directory) as entries:
            ordered = sorted(entries, key=lambda entry: entry.name)
    except OSError as exc:
        yield "unreadable", directory, exc
        return
    for entry in ordered:
        # Editor, OS and VCS droppings (.DS_Store, .gitkeep, .git/) are not data.
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        if entry.is_symlink():
            yield "symlink", path, entry
        elif entry.is_dir(follow_symlinks=False):
            yield from _walk(path)
        elif entry.is_file(follow_symlinks=False):
            yield "file", path, entry
        else:
            yield "special", path, entry


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):
        # Link loops and vanished targets: nothing proves the path stays inside.
        return False


def _scan(root: Path, max_bytes: int, previous: dict) -> _Scan:
    scan = _Scan()
    for kind, path, entry in _walk(root):
        scan.files_seen += 1
        rel = path.relative_to(root).as_posix()
        try:
            rel.encode("utf-8")
        except UnicodeEncodeError:
            shown = os.fsencode(rel).decode("utf-8", errors="replace")
            scan.reject(shown, Rejection("undecodable", "file name is not valid UTF-8"))
            continue
        if kind == "unreadable":
            scan.reject(rel, Rejection("unreadable", f"folder: {entry.strerror}"))
            continue
        if kind == "symlink":
            target = os.readlink(path)
            reason = "symlink" if _inside(path, root) else "outside_raw_dir"
            scan.reject(rel, Rejection(reason, f"symlink to {target}"))
            continue
        # no resolving of what is left (one system call per path component, a third of the
        # scan): `_walk` reaches it only through real folders below the resolved root
        if kind == "special":
            scan.reject(rel, Rejection("unsupported_format", "not a regular file"))
            continue
        try:
            size = entry.stat(follow_symlinks=False).st_size
            _scan_file(scan, rel, path, size, max_bytes, previous)
        except OSError as exc:
            scan.reject(rel, Rejection("unreadable", f"{type(exc).__name__}: {exc.strerror}"))
    return scan


def _scan_file(
    scan: _Scan, rel: str, path: Path, size: int, max_bytes: int, previous: dict
) -> None:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        scan.reject(
            rel,
            Rejection("unsupported_format", f"suffix {suffix or '(none)'}"),
            _hash_file(path),
            size,
        )
        return
    if size > max_bytes:
        scan.reject(
            rel, Rejection("oversized", f"{size} bytes > {max_bytes}"), _hash_file(path), size
        )
        return
    data = path.read_bytes()
    content_hash = sha256_hex(data)
    if len(data) > max_bytes:
        # It grew between stat and read.
        scan.reject(
            rel, Rejection("oversized", f"{len(data)} bytes > {max_bytes}"), content_hash, len(data)
        )
        return
    if suffix != ".jsonl" and _unchanged(previous, (rel, None), content_hash):
        scan.seen.append(_Seen(rel, None, 0, content_hash, None))
        return
    try:
        decoded = decode_bytes(data)
        if suffix == ".jsonl":
            _scan_jsonl(scan, rel, decoded, previous)
            return
        payload = _file_payload(suffix, data, decoded)
    except Rejection as rejection:
        scan.reject(rel, rejection, content_hash, len(data))
        return
    scan.seen.append(_Seen(rel, None, 0, content_hash, payload))


def _file_payload(suffix: str, data: bytes, decoded: Decoded) -> _Payload:
    """A .txt file lands as written unless it holds a whole HTML document; a web page lands
    as the article trafilatura reads out of it."""
    if suffix in HTML_SUFFIXES:
        reason = "html_suffix"
    elif is_html_document(decoded.text):
        reason = "html_document_in_txt"
    else:
        return _Payload(len(data), decoded.encoding, decoded.text)
    extracted = extract_html(decoded.text, reason)
    return _html_payload(len(data), decoded.encoding, extracted, data)


def _scan_jsonl(scan: _Scan, rel: str, decoded: Decoded, previous: dict) -> None:
    first_line_of: dict[str, int] = {}
    for line_no, line in enumerate(decoded.text.split("\n"), start=1):
        if not line.strip():
            continue
        # The decoded line re-encoded as UTF-8 is the raw line for UTF-8 files (the norm for
        # JSONL) and a stable identity for the rare file in another encoding.
        line_bytes = line.encode("utf-8")
        content_hash = sha256_hex(line_bytes)
        try:
            record = parse_jsonl_line(line, line_no)
        except Rejection as rejection:
            scan.reject(rel, rejection, content_hash, len(line_bytes))
            continue
        if record.record_key in first_line_of:
            detail = f"line {line_no} repeats the key of line {first_line_of[record.record_key]}"
            scan.reject(
                rel,
                Rejection("duplicate_record_key", detail, record.record_key),
                content_hash,
                len(line_bytes),
            )
            continue
        first_line_of[record.record_key] = line_no
        payload = None
        if not _unchanged(previous, (rel, record.record_key), content_hash):
            metadata = {
                "title": record.title,
                "url": record.url,
                "publisher": record.publisher,
                "published_at": record.published_at,
                "published_at_source": record.published_at_source,
            }
            if record.extracted is None:
                payload = _Payload(len(line_bytes), decoded.encoding, record.text, **metadata)
            else:
                payload = _html_payload(
                    len(line_bytes),
                    decoded.encoding,
                    record.extracted,
                    record.html.encode("utf-8"),
                    **metadata,
                )
        scan.seen.append(_Seen(rel, record.record_key, line_no, content_hash, payload))


def _unchanged(previous: dict, name: tuple[str, str | None], content_hash: str) -> bool:
    row = previous.get(name)
    return row is not None and row["is_present"] and row["content_hash"] == content_hash


# --------------------------------------------------------------------------- landing


def _naive_utc(moment: datetime | None) -> datetime:
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    for ddl in (ARTICLES_DDL, ARTICLE_SOURCES_DDL, REJECTS_DDL, LOADS_DDL):
        con.execute(ddl)
    for column in _ADDED_ARTICLE_COLUMNS:
        con.execute(f"alter table raw.articles add column if not exists {column}")


def _frame(rows: list[dict], columns: tuple[str, ...]) -> pd.DataFrame:
    # Object columns keep None as None; the insert casts every column to its table type.
    return pd.DataFrame(rows, columns=list(columns), dtype=object)


def _insert(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: list[dict],
    columns: tuple[str, ...],
    types: dict[str, str],
) -> None:
    if not rows:
        return
    select = ", ".join(f"cast({c} as {types.get(c, 'varchar')}) as {c}" for c in columns)
    _with_frame(con, _frame(rows, columns), f"insert into {table} by name select {select} from _f")


def _with_frame(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, sql: str, params: list | None = None
) -> None:
    con.register("_f", frame)
    try:
        con.execute(sql, params or [])
    finally:
        con.unregister("_f")


def _previous_sources(con: duckdb.DuckDBPyConnection) -> dict:
    rows = con.execute(
        "select source_path, record_key, article_id, content_hash, first_seen_at, is_present "
        "from raw.article_sources"
    ).fetchall()
    return {
        (path, key): {
            "article_id": article_id,
            "content_hash": content_hash,
            "first_seen_at": first_seen_at,
            "is_present": is_present,
        }
        for path, key, article_id, content_hash, first_seen_at, is_present in rows
    }


def land(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    load_id: str,
    now: datetime | None = None,
    max_bytes: int = MAX_BYTES,
) -> LandingResult:
    """Land `raw_dir` into schema `raw` in one transaction and record the run in raw.loads.

    `now` stamps every row written (naive UTC; default: the current time). `load_id` must be
    new: raw.articles.load_id and raw.rejects.load_id refer to it.
    """
    if max_bytes <= 0:
        raise ValueError("max_bytes must be positive")
    root = Path(raw_dir).resolve()
    if not root.is_dir():
        raise NotADirectoryError(f"raw folder {raw_dir} does not exist")
    stamp = _naive_utc(now)
    started_at = _naive_utc(None)
    con.begin()
    try:
        ensure_tables(con)
        if con.execute("select count(*) from raw.loads where load_id = ?", [load_id]).fetchone()[0]:
            raise ValueError(f"load_id {load_id!r} was already used by a landing run")
        previous = _previous_sources(con)
        scan = _scan(root, max_bytes, previous)
        counts = _apply(con, scan, previous, stamp, load_id)
        result = LandingResult(load_id=load_id, files_seen=scan.files_seen, **counts)
        load_row = {f.name: getattr(result, f.name) for f in fields(result)}
        load_row |= {
            "raw_dir": str(root),
            "loaded_at": stamp,
            "started_at": started_at,
            "finished_at": _naive_utc(None),
        }
        columns = tuple(load_row)
        types = {c: "integer" for c in columns} | {
            "load_id": "varchar",
            "raw_dir": "varchar",
            "loaded_at": "timestamp",
            "started_at": "timestamp",
            "finished_at": "timestamp",
        }
        _insert(con, "raw.loads", [load_row], columns, types)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return result


def _apply(
    con: duckdb.DuckDBPyConnection, scan: _Scan, previous: dict, stamp: datetime, load_id: str
) -> dict[str, int]:
    """Turn this run's observations into row changes and write them; returns the counts."""
    present = {
        seen.name: seen for seen in sorted(scan.seen, key=lambda s: (s.source_path, s.line_no))
    }
    current = con.execute(
        "select article_id, version, source_path, record_key, content_hash "
        "from raw.articles where is_current"
    ).fetchall()
    latest = {
        article_id: (version, content_hash, is_current, is_deleted)
        for article_id, version, content_hash, is_current, is_deleted in con.execute(
            "select article_id, version, content_hash, is_current, deleted_at is not null "
            "from raw.articles qualify row_number() over "
            "(partition by article_id order by version desc) = 1"
        ).fetchall()
    }

    # A current version survives exactly when its own name still holds its content; content
    # is unique among current versions, so survivors never collide.
    current_by_content: dict[tuple[bool, str], str] = {}
    retired: list[dict] = []
    unchanged = 0
    for article_id, version, path, key, content_hash in current:
        seen = present.get((path, key))
        if seen is not None and seen.content_hash == content_hash:
            current_by_content[seen.content_key] = article_id
            unchanged += 1
        else:
            retired.append(
                {"article_id": article_id, "version": version, "superseded": seen is not None}
            )

    # Remaining names in path order: the first name with some content lands it, later names
    # with the same content point at it.
    new_versions: list[tuple[_Seen, str, int]] = []
    restored: list[dict] = []
    assigned: dict[tuple[str, str | None], str] = {}
    for name, seen in present.items():
        article_id = current_by_content.get(seen.content_key)
        if article_id is None:
            article_id = article_id_for(*name)
            version, content_hash, is_current, is_deleted = latest.get(
                article_id, (0, None, False, False)
            )
            if is_deleted and not is_current and content_hash == seen.content_hash:
                restored.append({"article_id": article_id, "version": version})
            else:
                new_versions.append((seen, article_id, version + 1))
            current_by_content[seen.content_key] = article_id
        assigned[name] = article_id

    source_rows: list[dict] = []
    aliases_added = 0
    for name, seen in present.items():
        before = previous.get(name)
        article_id = assigned[name]
        if (
            before is not None
            and before["is_present"]
            and before["article_id"] == article_id
            and before["content_hash"] == seen.content_hash
        ):
            continue
        if article_id != article_id_for(*name):
            aliases_added += 1
        source_rows.append(
            {
                "article_id": article_id,
                "source_path": seen.source_path,
                "record_key": seen.record_key,
                "content_hash": seen.content_hash,
                "first_seen_at": before["first_seen_at"] if before else stamp,
                "changed_at": stamp,
                "is_present": True,
            }
        )
    sources_retired = 0
    for name, before in previous.items():
        if before["is_present"] and name not in present:
            sources_retired += 1
            source_rows.append(
                {
                    "article_id": before["article_id"],
                    "source_path": name[0],
                    "record_key": name[1],
                    "content_hash": before["content_hash"],
                    "first_seen_at": before["first_seen_at"],
                    "changed_at": stamp,
                    "is_present": False,
                }
            )

    _write_retirements(con, retired, stamp)
    if restored:
        _with_frame(
            con,
            _frame(restored, ("article_id", "version")),
            "update raw.articles a set is_current = true, deleted_at = null from _f "
            "where a.article_id = _f.article_id and a.version = cast(_f.version as integer)",
        )
    _insert(
        con,
        "raw.articles",
        _article_rows(con, new_versions, stamp, load_id),
        _ARTICLE_COLUMNS,
        _ARTICLE_TYPES,
    )
    if source_rows:
        _with_frame(
            con,
            _frame(source_rows, _SOURCE_COLUMNS),
            "delete from raw.article_sources s using _f where s.source_path = _f.source_path "
            "and s.record_key is not distinct from cast(_f.record_key as varchar)",
        )
        _insert(con, "raw.article_sources", source_rows, _SOURCE_COLUMNS, _SOURCE_TYPES)
    rejects_new, rejects_cleared = _write_rejects(con, scan.rejects, stamp, load_id)

    superseded = sum(1 for row in retired if row["superseded"])
    return {
        "articles_new": len(new_versions),
        "articles_superseded": superseded,
        "articles_deleted": len(retired) - superseded,
        "articles_restored": len(restored),
        "articles_unchanged": unchanged,
        "aliases_added": aliases_added,
        "sources_retired": sources_retired,
        "rejects_new": rejects_new,
        "rejects_cleared": rejects_cleared,
    }


def _write_retirements(con: duckdb.DuckDBPyConnection, retired: list[dict], stamp: datetime):
    if not retired:
        return
    _with_frame(
        con,
        _frame(retired, ("article_id", "version", "superseded")),
        "update raw.articles a set is_current = false, "
        "superseded_at = case when cast(_f.superseded as boolean) then ?::timestamp end, "
        "deleted_at = case when cast(_f.superseded as boolean) then null else ?::timestamp end "
        "from _f where a.article_id = _f.article_id "
        "and a.version = cast(_f.version as integer)",
        [stamp, stamp],
    )


def _article_rows(
    con: duckdb.DuckDBPyConnection,
    new_versions: list[tuple[_Seen, str, int]],
    stamp: datetime,
    load_id: str,
) -> list[dict]:
    # A name skipped decoding because it was unchanged can still need a row of its own (its
    # content was another name's, and that name moved on); every content that was ever
    # present has a row, so its decoded form is copied from there.
    missing = sorted({seen.content_key for seen, _, _ in new_versions if seen.payload is None})
    known: dict[tuple[bool, str], _Payload] = {}
    if missing:
        frame = _frame(
            [{"is_txt": is_txt, "content_hash": h} for is_txt, h in missing],
            ("is_txt", "content_hash"),
        )
        con.register("_f", frame)
        try:
            rows = con.execute(
                "select distinct on (a.record_key is null, a.content_hash) "
                f"a.record_key is null, a.content_hash, {', '.join(_PAYLOAD_COLUMNS)} "
                "from raw.articles a join _f on a.content_hash = _f.content_hash "
                "and (a.record_key is null) = cast(_f.is_txt as boolean) "
                "order by a.record_key is null, a.content_hash, a.loaded_at, a.article_id"
            ).fetchall()
        finally:
            con.unregister("_f")
        known = {(row[0], row[1]): _Payload(*row[2:]) for row in rows}
    rows = []
    for seen, article_id, version in new_versions:
        payload = seen.payload or known[seen.content_key]
        rows.append(
            {
                "article_id": article_id,
                "version": version,
                "source_path": seen.source_path,
                "record_key": seen.record_key,
                "content_hash": seen.content_hash,
                **{f.name: getattr(payload, f.name) for f in fields(_Payload)},
                "is_current": True,
                "superseded_at": None,
                "deleted_at": None,
                "loaded_at": stamp,
                "load_id": load_id,
            }
        )
    return rows


def _write_rejects(
    con: duckdb.DuckDBPyConnection, rejects: list[_Reject], stamp: datetime, load_id: str
) -> tuple[int, int]:
    """Record rejects not seen before and flip `is_present` on those that came or went;
    returns (rejected anew, cleared)."""
    was_present = {
        tuple(row[:4]): row[4]
        for row in con.execute(
            "select source_path, record_key, content_hash, reason, is_present from raw.rejects"
        ).fetchall()
    }
    observed = {reject.key: reject for reject in rejects}
    rows = [
        {
            "source_path": reject.source_path,
            "record_key": reject.record_key,
            "reason": reject.reason,
            "detail": reject.detail,
            "content_hash": reject.content_hash,
            "size_bytes": reject.size_bytes,
            "rejected_at": stamp,
            "load_id": load_id,
            "is_present": True,
        }
        for key, reject in observed.items()
        if key not in was_present
    ]
    flips = [
        dict(zip(("source_path", "record_key", "content_hash", "reason"), key, strict=True))
        | {"is_present": key in observed}
        for key, present in was_present.items()
        if present != (key in observed)
    ]
    _insert(con, "raw.rejects", rows, _REJECT_COLUMNS, _REJECT_TYPES)
    if flips:
        _with_frame(
            con,
            _frame(flips, ("source_path", "record_key", "content_hash", "reason", "is_present")),
            "update raw.rejects r set is_present = cast(_f.is_present as boolean) from _f "
            "where r.source_path = _f.source_path and r.reason = _f.reason "
            "and r.record_key is not distinct from cast(_f.record_key as varchar) "
            "and r.content_hash is not distinct from cast(_f.content_hash as varchar)",
        )
    reactivated = sum(1 for flip in flips if flip["is_present"])
    return len(rows) + reactivated, len(flips) - reactivated


# --------------------------------------------------------------------------- readers


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts of the raw tables, for run metadata (zeros before the first landing)."""
    if not table_exists(con, "raw.loads"):
        return dict.fromkeys(
            ("articles", "current_articles", "present_sources", "rejects", "present_rejects"), 0
        )
    articles, current = con.execute(
        "select count(*), count(*) filter (where is_current) from raw.articles"
    ).fetchone()
    rejects, present_rejects = con.execute(
        "select count(*), count(*) filter (where is_present) from raw.rejects"
    ).fetchone()
    sources = con.execute("select count(*) from raw.article_sources where is_present").fetchone()[0]
    return {
        "articles": articles,
        "current_articles": current,
        "present_sources": sources,
        "rejects": rejects,
        "present_rejects": present_rejects,
    }


def marts_reflect_raw(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether marts.dim_articles holds exactly the current article versions of raw.articles,
    i.e. whether downstream is up to date with what has been landed."""
    if not (table_exists(con, "raw.articles") and table_exists(con, "marts.dim_articles")):
        return False
    differences = con.execute(
        """
        select count(*) from (
            (select article_id, content_hash from raw.articles where is_current
             except select article_id, content_hash from marts.dim_articles)
            union all
            (select article_id, content_hash from marts.dim_articles
             except select article_id, content_hash from raw.articles where is_current)
        )
        """
    ).fetchone()[0]
    return differences == 0


def file_accounting(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> pd.DataFrame:
    """One row per file in the raw folder (hidden files aside, as landing ignores them), with
    `status` landed (a current source points at it), rejected (an outstanding reject names
    it) or unaccounted (neither: the landing lost it)."""
    root = Path(raw_dir)
    landed = {
        row[0]
        for row in con.execute(
            "select distinct source_path from raw.article_sources where is_present"
        ).fetchall()
    }
    rejected = {
        row[0]
        for row in con.execute(
            "select distinct source_path from raw.rejects where is_present"
        ).fetchall()
    }
    rows = []
    for kind, path, _ in _walk(root):
        rel = path.relative_to(root).as_posix()
        status = "landed" if rel in landed else "rejected" if rel in rejected else "unaccounted"
        rows.append({"source_path": rel, "kind": kind, "status": status})
    return pd.DataFrame(rows, columns=["source_path", "kind", "status"])
