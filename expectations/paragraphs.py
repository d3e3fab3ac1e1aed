"""Suite `nlp_paragraphs`: the classified paragraphs of every current article.

Structure (blocking): offsets slice back to the paragraph text, every current article has
paragraphs, paragraph ids are unique. Content (warning): exact and near-duplicated
paragraphs, mojibake, articles that are mostly page furniture, named by article and
paragraph; nothing flagged is removed.
"""

import pandas as pd

from dagster_project.lib import driver, quality
from dagster_project.lib.quality import Check, Suite, expect, sql

MAX_BOILERPLATE_SHARE = 0.5


def quarantine_fields(con) -> dict[str, str]:
    """`{quarantine}` of a suite's query (`quality.Query.fields`)."""
    return {"quarantine": driver.quarantine_relation(con)}


# An article quarantined by the paragraph stage has no paragraphs, by design: the quarantine
# check names it. Offsets are compared in Python (quality.spans_slice_back): no query joins
# the article text to its paragraphs; the text's content hash, the offsets and the paragraph
# text are what that comparison reads, so they are columns of the query.
QUERY = """
select
    a.article_id,
    a.source_path,
    p.paragraph_id,
    p.paragraph_index,
    p.is_duplicate,
    p.duplicate_of_paragraph_id,
    p.near_duplicate_of_paragraph_id,
    p.similarity,
    left(p.paragraph_text, 80) as paragraph_prefix,
    p.paragraph_text,
    p.char_start,
    p.char_end,
    a.content_hash as text_hash,
    p.paragraph_index = min(p.paragraph_index) over (partition by a.article_id)
        as is_first_paragraph,
    avg(case when p.is_boilerplate then 1.0 else 0.0 end) over (partition by a.article_id)
        as article_boilerplate_share
from raw.articles as a
left join nlp.paragraphs as p
    on p.article_id = a.article_id and p.content_hash = a.content_hash
where a.is_current and not exists (
    select 1 from {quarantine} as q
    where q.article_id = a.article_id and q.content_hash = a.content_hash
        and q.stage = 'paragraphs'
)
order by a.article_id, p.paragraph_index
"""


def _derive(con, frame):
    from ftfy.badness import is_bad

    spans = frame[frame["paragraph_id"].notna()]
    slices = pd.Series(True, index=frame.index, dtype=bool)
    if not spans.empty:
        slices.loc[spans.index] = quality.spans_slice_back(con, spans, "paragraph_text")
    frame["offsets_slice_back"] = slices
    # ftfy's badness heuristic recognises UTF-8 read as cp1252/latin-1 ("â€œ", "Ã©"); mojibake
    # is made of non-ASCII characters, so ASCII text skips the (slow) heuristic
    frame["has_mojibake"] = frame["paragraph_text"].map(
        lambda text: bool(isinstance(text, str) and not text.isascii() and is_bad(text))
    )
    return frame.drop(columns=["paragraph_text", "char_start", "char_end", "text_hash"])


SUITE = Suite(
    name="nlp_paragraphs",
    asset_key=("nlp", "paragraphs"),
    build=sql(QUERY, _derive, quarantine_fields),
    index_columns=("article_id", "source_path", "paragraph_index"),
    checks=(
        Check(
            name="paragraph_offsets_slice_back",
            expectation=expect(
                "ExpectColumnValuesToBeInSet", column="offsets_slice_back", value_set=[True]
            ),
            severity="error",
            description="Every paragraph's char_start:char_end slices the article text back "
            "to the paragraph text; mentions and events downstream rely on these offsets.",
        ),
        Check(
            name="every_article_has_paragraphs",
            expectation=expect("ExpectColumnValuesToNotBeNull", column="paragraph_id"),
            severity="error",
            description="Every current article has at least one paragraph.",
        ),
        Check(
            name="paragraph_ids_unique",
            expectation=expect("ExpectColumnValuesToBeUnique", column="paragraph_id"),
            severity="error",
            description="Paragraph ids identify one paragraph each.",
        ),
        Check(
            name="no_duplicated_paragraphs",
            expectation=expect(
                "ExpectColumnValuesToBeInSet", column="is_duplicate", value_set=[False]
            ),
            severity="warn",
            description="Flags paragraphs that repeat an earlier paragraph of the same article "
            "verbatim (kept, but left out of NLP so that nothing is counted twice).",
        ),
        Check(
            name="no_near_duplicated_paragraphs",
            expectation=expect(
                "ExpectColumnValuesToBeNull", column="near_duplicate_of_paragraph_id"
            ),
            severity="warn",
            description="Flags paragraphs that largely repeat another paragraph of the article.",
        ),
        Check(
            name="no_mojibake",
            expectation=expect(
                "ExpectColumnValuesToBeInSet", column="has_mojibake", value_set=[False]
            ),
            severity="warn",
            description="Flags paragraphs whose text looks like mis-decoded UTF-8 (mojibake "
            "such as â€™ or Ã©): the source was probably saved in the wrong encoding.",
        ),
        Check(
            name="boilerplate_share_per_article",
            expectation=expect(
                "ExpectColumnValuesToBeBetween",
                column="article_boilerplate_share",
                max_value=MAX_BOILERPLATE_SHARE,
                only_where="is_first_paragraph",
            ),
            severity="warn",
            description=f"Flags articles of which more than {MAX_BOILERPLATE_SHARE:.0%} of the "
            "paragraphs are page furniture (a navigation page landed as an article?).",
        ),
    ),
)
