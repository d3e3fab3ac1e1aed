-- One row per event stated in an article.
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
    cast(quantity_value as double) as quantity_value,
    cast(char_start as integer) as char_start,
    cast(char_end as integer) as char_end,
    cast(confidence as double) as confidence,
    cast(event_date as date) as event_date,
    cast(event_date_end as date) as event_date_end
from {{ source('nlp', 'events') }}
