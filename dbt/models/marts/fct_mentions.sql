-- One row per agency, person or place mention in an article's content paragraphs.
select
    mention_id,
    article_id,
    paragraph_id,
    agency_id,
    person_id,
    place_id,
    entity_type,
    entity_name,
    surface_text,
    person_role,
    country_code,
    method,
    model_name,
    model_version,
    sentence_index,
    char_start,
    char_end,
    confidence
from {{ ref('int_mentions_dated') }}
{% if is_incremental() %}
    where article_id in ({{ changed_articles() }})
{% endif %}
