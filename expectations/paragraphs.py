"""Suite `nlp_paragraphs`: the classified paragraphs of every current article.

Structure (blocking): offsets slice back to the paragraph text, every current article has
paragraphs, paragraph ids are unique. Content (warning): exact and near-duplicated
paragraphs, named by article and paragraph; nothing flagged is removed.
"""

import great_expectations.expectations as gxe

from dagster_project.lib.quality import Check, Suite

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
    p.paragraph_id is null
        or substring(a.text, p.char_start + 1, p.char_end - p.char_start) = p.paragraph_text
        as offsets_slice_back
from raw.articles as a
left join nlp.paragraphs as p
    on p.article_id = a.article_id and p.content_hash = a.content_hash
where a.is_current
order by a.article_id, p.paragraph_index
"""

SUITE = Suite(
    name="nlp_paragraphs",
    asset_key=("nlp", "paragraphs"),
    query=QUERY,
    index_columns=("article_id", "source_path", "paragraph_index"),
    checks=(
        Check(
            name="paragraph_offsets_slice_back",
            expectation=gxe.ExpectColumnValuesToBeInSet(
                column="offsets_slice_back", value_set=[True]
            ),
            severity="error",
            description="Every paragraph's char_start:char_end slices the article text back "
            "to the paragraph text; mentions and events downstream rely on these offsets.",
        ),
        Check(
            name="every_article_has_paragraphs",
            expectation=gxe.ExpectColumnValuesToNotBeNull(column="paragraph_id"),
            severity="error",
            description="Every current article has at least one paragraph.",
        ),
        Check(
            name="paragraph_ids_unique",
            expectation=gxe.ExpectColumnValuesToBeUnique(column="paragraph_id"),
            severity="error",
            description="Paragraph ids identify one paragraph each.",
        ),
        Check(
            name="no_duplicated_paragraphs",
            expectation=gxe.ExpectColumnValuesToBeInSet(column="is_duplicate", value_set=[False]),
            severity="warn",
            description="Flags paragraphs that repeat an earlier paragraph of the same article "
            "verbatim (kept, but left out of NLP so that nothing is counted twice).",
        ),
        Check(
            name="no_near_duplicated_paragraphs",
            expectation=gxe.ExpectColumnValuesToBeNull(column="near_duplicate_of_paragraph_id"),
            severity="warn",
            description="Flags paragraphs that largely repeat another paragraph of the article.",
        ),
    ),
)
