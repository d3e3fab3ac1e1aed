import codecs
import hashlib
import json
import random
from datetime import datetime

import pytest

from dagster_project.lib.articles import (
    Rejection,
    article_id_for,
    decode_bytes,
    extract_html,
    is_html_document,
    jsonl_record_key,
    normalise_encoding_name,
    normalise_newlines,
    parse_jsonl_line,
    parse_published_at,
    source_key,
)

CURLY = "The suspect’s lawyer said “no comment” — police in Zürich arrested him. Café.\n"
LATIN = "Il a été arrêté à Paris. Señor Muñoz dijo que sí. Die Straße ist gesperrt.\n"
CYRILLIC = "Полиция задержала подозреваемого в Москве во вторник, сообщило ведомство.\n"
EURO = "The fine was €5,000 — “a record”, said the Garda Síochána.\n"
CZECH = "Policie zadržela podezřelého v Brně, řekl mluvčí. Šetření pokračuje.\n"
TURKISH = "Polis şüpheliyi İstanbul’da gözaltına aldı. Soruşturma sürüyor ağır ceza.\n"
GREEK = "Η αστυνομία συνέλαβε τον ύποπτο στην Αθήνα την Τρίτη.\n"
# Mostly ASCII with one legacy byte: the case charset-normalizer's sampling gets wrong.
ENGLISH_NBSP = (
    "Police in Phnom Penh arrested two suspects on Tuesday.\n" * 60 + "Related\xa0Stories\n"
)


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        pytest.param(CURLY.encode("utf-8"), CURLY, "utf_8", id="utf8"),
        pytest.param(codecs.BOM_UTF8 + CURLY.encode("utf-8"), CURLY, "utf_8", id="utf8-bom"),
        pytest.param(
            codecs.BOM_UTF16_LE + CURLY.encode("utf-16-le"), CURLY, "utf_16", id="utf16-le-bom"
        ),
        pytest.param(
            codecs.BOM_UTF16_BE + CURLY.encode("utf-16-be"), CURLY, "utf_16", id="utf16-be-bom"
        ),
        pytest.param(
            codecs.BOM_UTF32_LE + CURLY.encode("utf-32-le"), CURLY, "utf_32", id="utf32-le-bom"
        ),
        pytest.param(CURLY.encode("cp1252"), CURLY, "cp1252", id="cp1252-curly-quotes"),
        pytest.param(LATIN.encode("latin-1"), LATIN, "latin_1", id="latin1"),
        pytest.param(EURO.encode("cp1252"), EURO, "cp1252", id="cp1252-euro-and-dash"),
        pytest.param(ENGLISH_NBSP.encode("cp1252"), ENGLISH_NBSP, "latin_1", id="latin1-one-nbsp"),
        pytest.param(CYRILLIC.encode("cp1251"), CYRILLIC, "cp1251", id="cp1251-cyrillic"),
        pytest.param(GREEK.encode("cp1253"), GREEK, "cp1253", id="cp1253-greek"),
        pytest.param(CZECH.encode("cp1250"), CZECH, "cp1250", id="cp1250-czech"),
        pytest.param(TURKISH.encode("cp1254"), TURKISH, "cp1254", id="cp1254-turkish"),
        pytest.param(b"one\r\ntwo\rthree\n", "one\ntwo\nthree\n", "utf_8", id="newlines"),
        pytest.param(
            b"  indented\t\n\n  kept as is  ",
            "  indented\t\n\n  kept as is  ",
            "utf_8",
            id="whitespace-untouched",
        ),
        pytest.param(
            "ﬁ ligature and e\u0301 stay unnormalised".encode(),
            "ﬁ ligature and e\u0301 stay unnormalised",
            "utf_8",
            id="no-unicode-normalisation",
        ),
        pytest.param(
            CURLY.encode("utf-8") * 3 + b"a stray \x92 byte" + CURLY.encode("utf-8") * 3,
            CURLY * 3 + "a stray \ufffd byte" + CURLY * 3,
            "utf_8",
            id="utf8-with-one-stray-byte",
        ),
    ],
)
def test_decode_bytes(data: bytes, text: str, encoding: str) -> None:
    decoded = decode_bytes(data)
    assert decoded.text == text
    assert decoded.encoding == encoding


_rng = random.Random(7)
RANDOM_HIGH_BYTES = bytes(_rng.randrange(0x80, 0x100) for _ in range(2000))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(b"", "empty", id="zero-bytes"),
        pytest.param(b" \n\t\r\n  ", "empty", id="whitespace-only"),
        pytest.param(codecs.BOM_UTF8, "empty", id="utf8-bom-only"),
        pytest.param(codecs.BOM_UTF16_LE + " \n".encode("utf-16-le"), "empty", id="utf16-blank"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary", id="png-with-nul"),
        pytest.param(b"text\x00more text", "binary", id="nul-in-utf8"),
        pytest.param(b"abc\x01\x02\x03\x04\x05\x06\x07\x08" * 20, "binary", id="control-bytes"),
        pytest.param(
            codecs.BOM_UTF16_LE + "\x01\x02\x03 ab".encode("utf-16-le") * 20,
            "binary",
            id="utf16-control-chars",
        ),
        pytest.param(RANDOM_HIGH_BYTES, "undecodable", id="random-high-bytes"),
    ],
)
def test_decode_bytes_rejects(data: bytes, reason: str) -> None:
    with pytest.raises(Rejection) as caught:
        decode_bytes(data)
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(
            '{"id": "a1", "text": "Police\\r\\nseized", "title": "T", "url": "https://x.test/1",'
            ' "publisher": "Wire", "published_at": "2024-03-05T10:00:00Z"}',
            ("a1", "Police\nseized", "T", "https://x.test/1", "Wire", datetime(2024, 3, 5, 10)),
            id="all-fields",
        ),
        pytest.param(
            '{"url": "https://x.test/2", "body": "Body text", "date": "5 March 2024"}',
            ("https://x.test/2", "Body text", None, "https://x.test/2", None, datetime(2024, 3, 5)),
            id="url-key-body-date",
        ),
        pytest.param(
            '{"content": "Content text", "source": {"id": "w", "name": "Wire"}}',
            ("line:7", "Content text", None, None, "Wire", None),
            id="line-key-content-nested-source",
        ),
        pytest.param(
            '{"id": 42, "text": "  keeps spaces  ", "published": "not a date"}',
            ("42", "  keeps spaces  ", None, None, None, None),
            id="int-id-unparseable-date",
        ),
        pytest.param(
            '{"id": true, "text": "", "body": "fallback body", "source": "Agency"}',
            ("line:7", "fallback body", None, None, "Agency", None),
            id="bool-id-ignored-empty-text-falls-back",
        ),
    ],
)
def test_parse_jsonl_line(line: str, expected: tuple) -> None:
    record = parse_jsonl_line(line, 7)
    assert (
        record.record_key,
        record.text,
        record.title,
        record.url,
        record.publisher,
        record.published_at,
    ) == expected


@pytest.mark.parametrize(
    ("line", "reason", "record_key"),
    [
        pytest.param('{"id": "a1", "title": "no text"}', "missing_text", "a1", id="missing-text"),
        pytest.param('{"url": "u", "text": "   "}', "missing_text", "u", id="blank-text"),
        pytest.param('{"text": 12}', "missing_text", "line:3", id="text-not-a-string"),
        pytest.param('["text", "in", "a", "list"]', "malformed_json", "line:3", id="array"),
        pytest.param('"just a string"', "malformed_json", "line:3", id="string"),
        pytest.param('{"text": "cut off', "malformed_json", "line:3", id="truncated"),
        pytest.param("{'text': 'single quotes'}", "malformed_json", "line:3", id="not-json"),
        pytest.param(
            '{"id": "s", "text": "lone \\ud800 surrogate"}', "undecodable", "s", id="surrogate"
        ),
        pytest.param(
            '{"id": "b", "text": "\\u0000\\u0001\\u0002 escaped bytes"}', "binary", "b", id="binary"
        ),
        pytest.param(
            '{"id": "h", "html": "<html><body><nav>Home</nav></body></html>"}',
            "no_article_text",
            "h",
            id="html-without-article",
        ),
    ],
)
def test_parse_jsonl_line_rejects(line: str, reason: str, record_key: str) -> None:
    with pytest.raises(Rejection) as caught:
        parse_jsonl_line(line, 3)
    assert (caught.value.reason, caught.value.record_key) == (reason, record_key)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("2024-03-05", datetime(2024, 3, 5), id="iso-date"),
        pytest.param("2024-03-05T10:00:00+02:00", datetime(2024, 3, 5, 8), id="iso-offset"),
        pytest.param("2024-03-05T10:00:00Z", datetime(2024, 3, 5, 10), id="iso-zulu"),
        pytest.param("Tue, 05 Mar 2024 10:00:00 +0100", datetime(2024, 3, 5, 9), id="rfc2822"),
        pytest.param("March 5, 2024", datetime(2024, 3, 5), id="long-form"),
        pytest.param("June 2021", None, id="no-day-is-not-guessed"),
        pytest.param("yesterday", None, id="relative-is-not-resolved"),
        pytest.param("soon", None, id="garbage"),
        pytest.param("", None, id="empty"),
        pytest.param(1709632800, None, id="not-a-string"),
    ],
)
def test_parse_published_at(value: object, expected: datetime | None) -> None:
    assert parse_published_at(value) == expected


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        pytest.param({"id": "x", "url": "u"}, "x", id="id-wins"),
        pytest.param({"id": "", "url": "u"}, "u", id="empty-id"),
        pytest.param({"id": None, "url": "u"}, "u", id="null-id"),
        pytest.param({"id": {"nested": 1}}, "line:9", id="object-id"),
        pytest.param({}, "line:9", id="nothing"),
    ],
)
def test_jsonl_record_key(obj: dict, expected: str) -> None:
    assert jsonl_record_key(obj, 9) == expected


@pytest.mark.parametrize(
    ("source_path", "record_key", "key", "article_id"),
    [
        pytest.param("a/b.txt", None, "a/b.txt", "5550000d3b1cf1ff", id="txt"),
        pytest.param("feed.jsonl", "x1", "feed.jsonl#x1", "d1e86ca9eb2a3695", id="jsonl"),
        pytest.param("feed.jsonl", "line:3", "feed.jsonl#line:3", None, id="jsonl-line"),
    ],
)
def test_source_key_and_article_id(
    source_path: str, record_key: str | None, key: str, article_id: str | None
) -> None:
    assert source_key(source_path, record_key) == key
    derived = article_id_for(source_path, record_key)
    assert derived == hashlib.sha256(key.encode()).hexdigest()[:16]
    if article_id is not None:
        assert derived == article_id


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("UTF-8", "utf_8", id="utf8"),
        pytest.param("utf_16", "utf_16", id="utf16"),
        pytest.param("ISO-8859-1", "latin_1", id="iso-8859-1"),
        pytest.param("windows-1252", "cp1252", id="windows-1252"),
        pytest.param("cp1252", "cp1252", id="cp1252"),
    ],
)
def test_normalise_encoding_name(name: str, expected: str) -> None:
    assert normalise_encoding_name(name) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("a\r\nb", "a\nb", id="crlf"),
        pytest.param("a\rb", "a\nb", id="cr"),
        pytest.param("a\r\r\nb", "a\n\nb", id="cr-crlf"),
        pytest.param("a\u2028b\x0cc", "a\u2028b\x0cc", id="other-separators-kept"),
    ],
)
def test_normalise_newlines(text: str, expected: str) -> None:
    assert normalise_newlines(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<!DOCTYPE html>\n<html><body><p>x</p></body></html>", True),
        ("  \n<!doctype HTML><title>x</title>", True),
        ("<html lang='en'>", True),
        ("<?xml version='1.0'?>\n<html xmlns='http://www.w3.org/1999/xhtml'>", True),
        ("<!-- saved from url=(0030)https://x.test/ -->\n<html>", True),
        ("<head><meta charset='utf-8'><title>T</title></head>", True),
        ("<body><p>Police seized a boat.</p></body>", True),
        ("Police seized a boat.\n\nThe <html> tag was in the suspect's notes.", False),
        ("<p>An article pasted with paragraph tags but no document around it.</p>", False),
        ("<htmlish> is not a tag we know", False),
        ("Police in Phnom Penh arrested two suspects.", False),
    ],
)
def test_is_html_document(text: str, expected: bool) -> None:
    assert is_html_document(text) is expected


ARTICLE_PAGE = (
    "<html><head><title>Border checks | Example Post</title>"
    "<meta name='author' content='Sok Dara'>"
    "<meta property='article:published_time' content='2024-02-01T08:00:00Z'></head><body>"
    "<div class='cookie-banner'>We use cookies to improve your visit. <button>Accept</button></div>"
    "<nav><a href='/'>Home</a> <a href='/world'>World</a> <a href='/sport'>Sport</a></nav>"
    "<article><h1>Border checks</h1>"
    "<p>Immigration police at the northern checkpoint turned back forty travellers whose "
    "documents did not match the records shared by their neighbours, an officer said.</p>"
    "<p>The checks are part of an agreement signed last year to share passport alerts between "
    "the two immigration departments in real time.</p></article>"
    "<aside class='related'><h3>Related</h3><a href='/a'>Weather turns cooler</a></aside>"
    "</body></html>"
)


def test_extract_html_reads_the_article_and_its_metadata() -> None:
    extracted = extract_html(ARTICLE_PAGE, "html_suffix")
    assert extracted.text.startswith("Border checks\nImmigration police at the northern")
    assert extracted.text.endswith("between the two immigration departments in real time.")
    for furniture in ("cookies", "Accept", "Home", "Sport", "Related", "Weather"):
        assert furniture not in extracted.text
    assert (extracted.title, extracted.author) == ("Border checks", "Sok Dara")
    assert (extracted.published_at, extracted.published_at_source) == (
        datetime(2024, 2, 1),
        "trafilatura",
    )
    assert (extracted.method, extracted.reason) == ("trafilatura", "html_suffix")


def test_extract_html_takes_the_date_from_htmldate_when_the_markup_has_none() -> None:
    page = ARTICLE_PAGE.replace(
        "<meta property='article:published_time' content='2024-02-01T08:00:00Z'>", ""
    )
    extracted = extract_html(page, "jsonl_html_field", url="https://x.test/2023/10/09/checks")
    assert (extracted.published_at, extracted.published_at_source) == (
        datetime(2023, 10, 9),
        "htmldate",
    )
    assert extract_html(page, "html_suffix").published_at is None


def test_jsonl_html_record_prefers_the_records_own_fields() -> None:
    line = json.dumps(
        {"id": "p", "title": "Feed title", "date": "2024-05-06", "html": ARTICLE_PAGE}
    )
    record = parse_jsonl_line(line, 1)
    assert record.text.startswith("Border checks\nImmigration police")
    assert (record.title, record.published_at, record.published_at_source) == (
        "Feed title",
        datetime(2024, 5, 6),
        "metadata",
    )
    assert record.extracted is not None and record.html == ARTICLE_PAGE
    plain = parse_jsonl_line(json.dumps({"id": "t", "text": "Body", "html": ARTICLE_PAGE}), 2)
    assert (plain.text, plain.extracted, plain.html) == ("Body", None, None)
