-- One row per event stated in an article (a statement repeated in the article counted once).
select
    event_id,
    article_id,
    paragraph_id,
    event_type,
    event_status,
    date_text,
    event_date_precision,
    place_name,
    country_code,
    quantity_text,
    quantity_unit,
    quantity_qualifier,
    substance,
    sentence_text,
    extractor_version,
    quantity_value,
    char_start,
    char_end,
    confidence,
    event_date,
    event_date_end
from {{ ref('stg_nlp__events') }}
{% if is_incremental() %}
    where article_id in ({{ changed_articles() }})
{% endif %}
