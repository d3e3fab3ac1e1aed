"""Suites over the marts analysts query: `marts_articles`, `marts_mentions`, `marts_events`.

Structure (blocking, stops the publication of the build): keys unique, every current article
reaches dim_articles, every agency_id is known to dim_agencies, event types come from the
taxonomy. Content (warning): the share of articles naming at least one agency below a floor,
event dates in the future or long before the article's own date.
"""

from dagster_project.lib.quality import Check, Suite, expect, sql

# news about law-enforcement cooperation names agencies; a corpus where most articles name
# none means the entity layer (or the corpus) went wrong
MIN_SHARE_WITH_AGENCY = 0.5
# an event more than this many years before its article is history, not news: worth a look
MAX_YEARS_BEFORE_ARTICLE = 5

ARTICLES_QUERY = """
select
    r.article_id,
    r.source_path,
    d.article_id is not null as reaches_dim_articles,
    d.article_id as dim_article_id,
    exists (
        select 1 from marts.fct_mentions as m
        where m.article_id = r.article_id and m.entity_type = 'agency'
    ) as has_agency
from raw.articles as r
left join marts.dim_articles as d on d.article_id = r.article_id
where r.is_current
order by r.source_path
"""

ARTICLES_SUITE = Suite(
    name="marts_articles",
    asset_key=("marts", "dim_articles"),
    build=sql(ARTICLES_QUERY),
    index_columns=("article_id", "source_path"),
    checks=(
        Check(
            name="every_current_article_reaches_marts",
            expectation=expect(
                "ExpectColumnValuesToBeInSet", column="reaches_dim_articles", value_set=[True]
            ),
            severity="error",
            description="Raw-to-mart reconciliation: every current article in raw.articles "
            "has its row in marts.dim_articles.",
        ),
        Check(
            name="dim_articles_key_unique",
            expectation=expect("ExpectColumnValuesToBeUnique", column="dim_article_id"),
            severity="error",
            description="article_id identifies one row of marts.dim_articles.",
        ),
        Check(
            name="share_of_articles_with_an_agency",
            expectation=expect(
                "ExpectColumnMeanToBeBetween", column="has_agency", min_value=MIN_SHARE_WITH_AGENCY
            ),
            severity="warn",
            description=f"At least {MIN_SHARE_WITH_AGENCY:.0%} of the articles name an agency.",
        ),
    ),
)

MENTIONS_QUERY = """
select
    m.mention_id,
    m.article_id,
    m.entity_type,
    m.surface_text,
    m.agency_id,
    m.entity_type != 'agency' or g.agency_id is not null as agency_known
from marts.fct_mentions as m
left join marts.dim_agencies as g on g.agency_id = m.agency_id
order by m.article_id, m.char_start
"""

MENTIONS_SUITE = Suite(
    name="marts_mentions",
    asset_key=("marts", "fct_mentions"),
    build=sql(MENTIONS_QUERY),
    index_columns=("article_id", "mention_id", "surface_text"),
    checks=(
        Check(
            name="fct_mentions_key_unique",
            expectation=expect("ExpectColumnValuesToBeUnique", column="mention_id"),
            severity="error",
            description="mention_id identifies one mention.",
        ),
        Check(
            name="mention_agency_known",
            expectation=expect(
                "ExpectColumnValuesToBeInSet", column="agency_known", value_set=[True]
            ),
            severity="error",
            description="Every agency mention's agency_id is a row of marts.dim_agencies.",
        ),
    ),
)

EVENTS_QUERY = f"""
with participants as (
    select b.event_id, bool_and(g.agency_id is not null) as agencies_known
    from marts.bridge_event_agencies as b
    left join marts.dim_agencies as g on g.agency_id = b.agency_id
    group by b.event_id
)
select
    e.event_id,
    e.article_id,
    e.event_type,
    e.event_date,
    e.date_text,
    left(e.sentence_text, 80) as sentence_prefix,
    t.event_type is not null as type_in_taxonomy,
    coalesce(p.agencies_known, true) as agencies_known,
    e.event_date is null or e.event_date <= current_date as date_not_in_future,
    -- without a publication date the article's period is unknown: nothing to compare
    e.event_date is null
        or a.published_date is null
        or e.event_date >= a.published_date - interval {MAX_YEARS_BEFORE_ARTICLE} year
        as date_within_article_period
from marts.fct_events as e
left join reference.ref_event_types as t on t.event_type = e.event_type
left join participants as p on p.event_id = e.event_id
left join marts.dim_articles as a on a.article_id = e.article_id
order by e.article_id, e.char_start
"""

EVENTS_SUITE = Suite(
    name="marts_events",
    asset_key=("marts", "fct_events"),
    build=sql(EVENTS_QUERY),
    index_columns=("article_id", "event_id", "event_type", "date_text", "sentence_prefix"),
    checks=(
        Check(
            name="fct_events_key_unique",
            expectation=expect("ExpectColumnValuesToBeUnique", column="event_id"),
            severity="error",
            description="event_id identifies one event.",
        ),
        Check(
            name="event_types_in_taxonomy",
            expectation=expect(
                "ExpectColumnValuesToBeInSet", column="type_in_taxonomy", value_set=[True]
            ),
            severity="error",
            description="Every event type is a row of the taxonomy (seed ref_event_types).",
        ),
        Check(
            name="event_agencies_known",
            expectation=expect(
                "ExpectColumnValuesToBeInSet", column="agencies_known", value_set=[True]
            ),
            severity="error",
            description="Every agency taking part in an event is a row of marts.dim_agencies.",
        ),
        Check(
            name="event_date_not_in_future",
            expectation=expect(
                "ExpectColumnValuesToBeInSet", column="date_not_in_future", value_set=[True]
            ),
            severity="warn",
            description="No resolved event date lies after today (planned events keep the "
            "date the text gives; a future date is listed to be looked at).",
        ),
        Check(
            name="event_date_within_article_period",
            expectation=expect(
                "ExpectColumnValuesToBeInSet", column="date_within_article_period", value_set=[True]
            ),
            severity="warn",
            description=f"Flags event dates more than {MAX_YEARS_BEFORE_ARTICLE} years before "
            "their article's date: history cited as background, or a date resolved wrongly.",
        ),
    ),
)
