"""Suites `raw_articles` and `raw_files`: what landed, and what became of every file.

Structure (blocking): every current article has text, sizes are within the landing bound,
a content is current under one article only, every file in the raw folder is either landed
or rejected with a reason. Content (warning): replacement characters in landed text, text
that was not UTF-8 (decoded from a legacy encoding: worth a look), rejected files.
"""

from dagster_project.lib import articles, warehouse
from dagster_project.lib.quality import Check, Suite, expect, sql

# The texts are measured (`_measure_texts`) for the rows GX is handed alone: a hash of the text
# stands for it in the row's hash (hashing every text is a tenth of the cost of measuring it,
# which would grow with the corpus on every run).
ARTICLES_QUERY = """
select
    article_id,
    source_path,
    record_key,
    content_hash,
    encoding,
    size_bytes,
    hash(text) as text_hash
from raw.articles
where is_current
order by source_path, record_key
"""
TEXT_MEASURES = """
select distinct
    a.article_id,
    a.content_hash,
    length(coalesce(trim(a.text), '')) as text_chars,
    length(a.text) - length(replace(a.text, chr(65533), '')) as replacement_chars
from raw.articles as a
inner join (select distinct article_id, content_hash from _handed) as h
    using (article_id, content_hash)
where a.is_current
"""


def _measure_texts(con, frame):
    with warehouse.registered(con, "_handed", frame[["article_id", "content_hash"]]):
        measures = warehouse.fetch_df(con, TEXT_MEASURES)
    measured = frame.merge(measures, on=["article_id", "content_hash"], how="left")
    for column in ("text_chars", "replacement_chars"):
        measured[column] = measured[column].fillna(0).astype("int64")
    return measured.drop(columns=["text_hash"])


ARTICLES_SUITE = Suite(
    name="raw_articles",
    asset_key=("raw", "articles"),
    build=sql(ARTICLES_QUERY, _measure_texts),
    index_columns=("article_id", "source_path", "record_key"),
    checks=(
        Check(
            name="article_text_present",
            expectation=expect("ExpectColumnValuesToBeBetween", column="text_chars", min_value=1),
            severity="error",
            description="Every current article has non-blank text.",
        ),
        Check(
            name="article_size_within_bounds",
            expectation=expect(
                "ExpectColumnValuesToBeBetween",
                column="size_bytes",
                min_value=1,
                max_value=articles.MAX_BYTES,
            ),
            severity="error",
            description=f"Every landed article is 1 byte to {articles.MAX_BYTES:,} bytes.",
        ),
        Check(
            name="content_hash_unique_per_current_article",
            expectation=expect("ExpectColumnValuesToBeUnique", column="content_hash"),
            severity="error",
            description="The same content is current under one article only (other names "
            "are recorded as aliases), so nothing is counted twice.",
        ),
        Check(
            name="article_text_decodable",
            expectation=expect(
                "ExpectColumnValuesToBeBetween", column="replacement_chars", max_value=0
            ),
            severity="warn",
            description="Landed text holds no U+FFFD replacement characters.",
        ),
        Check(
            name="article_encoding_utf8",
            expectation=expect(
                "ExpectColumnValuesToBeInSet", column="encoding", value_set=["utf_8", "ascii"]
            ),
            severity="warn",
            description="Names articles decoded from a legacy encoding (cp1252, latin-1, "
            "UTF-16...): decoded and kept, but worth checking at the source.",
        ),
    ),
)


def _files(con, raw_dir):
    return articles.file_accounting(con, raw_dir)


FILES_SUITE = Suite(
    name="raw_files",
    asset_key=("raw", "rejects"),
    build=_files,
    index_columns=("source_path", "kind", "status"),
    checks=(
        Check(
            name="every_file_landed_or_rejected",
            expectation=expect(
                "ExpectColumnValuesToBeInSet", column="status", value_set=["landed", "rejected"]
            ),
            severity="error",
            description="Every file in the raw folder either landed or was rejected with a "
            "reason (raw.rejects): no input is lost silently.",
        ),
        Check(
            name="no_rejected_files",
            expectation=expect(
                "ExpectColumnValuesToNotBeInSet", column="status", value_set=["rejected"]
            ),
            severity="warn",
            description="Names the files still in the raw folder that were rejected (empty, "
            "binary, undecodable, oversized, malformed, symlinked); see raw.rejects for why.",
        ),
    ),
)
