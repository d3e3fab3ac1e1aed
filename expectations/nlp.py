"""Suites `nlp_sentences` and `nlp_mentions`: the spaCy output over content paragraphs.

Structure (blocking): every content paragraph was processed, every sentence and mention
lies inside its article and slices back to its text, labels come from the allowed set, the
model's name and version are recorded. Content (warning): entity density per article
outside a plausible range (a model or encoding regression shows here first).
"""

from dagster_project.lib import quality, warehouse
from dagster_project.lib.quality import Check, Suite, expect, sql
from expectations.paragraphs import quarantine_fields

# mentions per thousand words of content: news about agencies names several per paragraph;
# none at all, or one every few words, means the model or the text went wrong
DENSITY_RANGE = (2.0, 250.0)

CONTENT = """
nlp.paragraphs as p
where p.is_content and not exists (
    -- an article quarantined by the NLP stage has no sentences, by design
    select 1 from {quarantine} as q
    where q.article_id = p.article_id and q.content_hash = p.content_hash
)
"""
# The article's words and the sentences' offsets are counted and compared (in `_sentences`)
# for the rows GX is handed alone; what they read (the texts of the article's content
# paragraphs, the sentences) is summed up by hash in a column, so that a row's hash covers it.
SENTENCES_QUERY = """
with sentence_counts as (
    select
        paragraph_id,
        count(*) as sentence_count,
        sum(hash(char_start, char_end, sentence_text)::hugeint) as sentences_hash
    from nlp.sentences
    group by paragraph_id
),
mention_counts as (
    select article_id, count(*) as mentions from nlp.mentions group by article_id
),
content as (
    select p.*,
           sum(hash(p.paragraph_text)::hugeint) over (partition by p.article_id)
               as content_texts_hash,
           p.paragraph_index = min(p.paragraph_index) over (partition by p.article_id)
               as is_first_content
    from {content}
)
select
    c.article_id,
    c.paragraph_id,
    c.paragraph_index,
    coalesce(s.sentence_count, 0) as sentence_count,
    s.sentences_hash,
    a.content_hash as text_hash,
    c.content_texts_hash,
    c.is_first_content,
    coalesce(m.mentions, 0) as mention_count
from content as c
left join sentence_counts as s on s.paragraph_id = c.paragraph_id
left join mention_counts as m on m.article_id = c.article_id
left join raw.articles as a on a.article_id = c.article_id and a.is_current
order by c.article_id, c.paragraph_index
""".replace("{content}", CONTENT)
DENSITY = """
with words as (
    select p.article_id, sum(len(regexp_extract_all(p.paragraph_text, '\\S+'))) as article_words
    from {content} and p.article_id in (select article_id from _articles)
    group by p.article_id
)
select a.article_id,
       1000.0 * a.mention_count / greatest(w.article_words, 1) as mentions_per_1000_words
from _articles as a
join words as w on w.article_id = a.article_id
""".replace("{content}", CONTENT)
SENTENCE_SPANS = """
select paragraph_id, article_id, char_start, char_end, sentence_text
from nlp.sentences
where paragraph_id in (select paragraph_id from _paragraphs)
"""


def _sentences(con, frame):
    hashed = ["sentences_hash", "text_hash", "content_texts_hash", "mention_count"]
    if frame.empty:
        return frame.drop(columns=hashed).assign(
            mentions_per_1000_words=0.0, sentences_not_slicing=0
        )
    articles = frame[["article_id", "mention_count"]].drop_duplicates()
    with warehouse.registered(con, "_articles", articles):
        density = warehouse.fetch_df(con, DENSITY.format(**quarantine_fields(con)))
    frame = frame.merge(density, on="article_id", how="left")
    # offsets compared in Python, each text read once (see quality.spans_slice_back)
    with warehouse.registered(con, "_paragraphs", frame[["paragraph_id"]]):
        spans = warehouse.fetch_df(con, SENTENCE_SPANS)
    spans["slices_back"] = quality.spans_slice_back(con, spans, "sentence_text")
    failing = (~spans["slices_back"]).groupby(spans["paragraph_id"]).sum()
    frame["sentences_not_slicing"] = frame["paragraph_id"].map(failing).fillna(0).astype("int64")
    return frame.drop(columns=hashed)


SENTENCES_SUITE = Suite(
    name="nlp_sentences",
    asset_key=("nlp", "sentences"),
    build=sql(SENTENCES_QUERY, _sentences, quarantine_fields),
    index_columns=("article_id", "paragraph_index", "paragraph_id"),
    checks=(
        Check(
            name="every_content_paragraph_processed",
            expectation=expect(
                "ExpectColumnValuesToBeBetween", column="sentence_count", min_value=1
            ),
            severity="error",
            description="Every content paragraph (not boilerplate, not a repeated copy) was "
            "parsed into at least one sentence.",
        ),
        Check(
            name="sentence_offsets_slice_back",
            expectation=expect(
                "ExpectColumnValuesToBeBetween", column="sentences_not_slicing", max_value=0
            ),
            severity="error",
            description="Every sentence's offsets slice the article text back to the sentence.",
        ),
        Check(
            name="entity_density_plausible",
            expectation=expect(
                "ExpectColumnValuesToBeBetween",
                column="mentions_per_1000_words",
                min_value=DENSITY_RANGE[0],
                max_value=DENSITY_RANGE[1],
                only_where="is_first_content",
            ),
            severity="warn",
            description=f"Entity mentions per thousand words of an article lie in "
            f"{DENSITY_RANGE[0]:g}-{DENSITY_RANGE[1]:g}; outside it, suspect the model or the "
            "decoding of the article.",
        ),
    ),
)

MENTIONS_QUERY = """
select
    m.mention_id,
    m.article_id,
    m.paragraph_id,
    m.entity_type,
    m.surface_text,
    m.model_name,
    m.model_version,
    m.char_start,
    m.char_end,
    a.content_hash as text_hash
from nlp.mentions as m
left join raw.articles as a on a.article_id = m.article_id and a.is_current
order by m.article_id, m.char_start
"""


def _mentions(con, frame):
    # offsets compared in Python, each text read once (see quality.spans_slice_back)
    frame["span_slices_back"] = quality.spans_slice_back(con, frame, "surface_text")
    return frame.drop(columns=["char_start", "char_end", "text_hash"])


MENTIONS_SUITE = Suite(
    name="nlp_mentions",
    asset_key=("nlp", "mentions"),
    build=sql(MENTIONS_QUERY, _mentions),
    index_columns=("article_id", "paragraph_id", "mention_id", "surface_text"),
    checks=(
        Check(
            name="mention_spans_slice_back",
            expectation=expect(
                "ExpectColumnValuesToBeInSet", column="span_slices_back", value_set=[True]
            ),
            severity="error",
            description="Every mention lies inside its current article and its offsets slice "
            "the text back to its surface text.",
        ),
        Check(
            name="mention_labels_allowed",
            expectation=expect(
                "ExpectColumnValuesToBeInSet",
                column="entity_type",
                value_set=["agency", "person", "place"],
            ),
            severity="error",
            description="Entity types come from the allowed set (agency, person, place).",
        ),
        Check(
            name="mention_model_name_recorded",
            expectation=expect("ExpectColumnValuesToNotBeNull", column="model_name"),
            severity="error",
            description="Every mention records the spaCy pipeline that produced it.",
        ),
        Check(
            name="mention_model_version_recorded",
            expectation=expect("ExpectColumnValuesToNotBeNull", column="model_version"),
            severity="error",
            description="Every mention records the version of that pipeline.",
        ),
    ),
)
